package tools

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestToolSnapshots pins every tool's advertised definition (name, description, annotations,
// schema). A change fails until the snapshot is rewritten with UPDATE_TOOLSNAPS=true, so schema
// changes are always deliberate and visible in review.
func TestToolSnapshots(t *testing.T) {
	update := os.Getenv("UPDATE_TOOLSNAPS") == "true"
	dir := filepath.Join("testdata", "toolsnaps")
	want := map[string]bool{}
	for _, d := range All(Deps{schemas: schemaCache{}}) { // reflected, not read from tools/schemas.json
		got, err := json.MarshalIndent(d.Tool, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, '\n')
		path := filepath.Join(dir, d.Tool.Name+".json")
		want[filepath.Base(path)] = true
		if update {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		old, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: no snapshot (%v); run UPDATE_TOOLSNAPS=true go test ./tools", d.Tool.Name, err)
			continue
		}
		if !bytes.Equal(old, got) {
			t.Errorf("%s: definition differs from %s; if intended, run UPDATE_TOOLSNAPS=true go test ./tools\ngot:\n%s", d.Tool.Name, path, got)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !want[e.Name()] {
			t.Errorf("stale snapshot %s: no tool has that name", e.Name())
		}
	}
}

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// TestRegistry checks what every tool must have, across the whole registry.
func TestRegistry(t *testing.T) {
	defs := All(Deps{})
	names := map[string]bool{}
	for _, d := range defs {
		tool := d.Tool
		if names[tool.Name] {
			t.Errorf("duplicate tool name %q", tool.Name)
		}
		names[tool.Name] = true
		if !snakeCase.MatchString(tool.Name) || len(tool.Name) > 64 {
			t.Errorf("%q is not a snake_case name of at most 64 characters", tool.Name)
		}
		if len(tool.Description) < 20 || len(tool.Description) > 160 {
			t.Errorf("%s: description of %d characters; say what it does and when in one or two short sentences", tool.Name, len(tool.Description))
		}
		a := tool.Annotations
		if a.Title == "" || a.ReadOnlyHint == nil || a.DestructiveHint == nil || a.IdempotentHint == nil || a.OpenWorldHint == nil {
			t.Errorf("%s: every annotation hint and a title must be set: %+v", tool.Name, a)
		}
		if a.ReadOnlyHint != nil && *a.ReadOnlyHint != d.ReadOnly {
			t.Errorf("%s: readOnlyHint disagrees with the registry", tool.Name)
		}
		if a.ReadOnlyHint != nil && a.DestructiveHint != nil && *a.ReadOnlyHint && *a.DestructiveHint {
			t.Errorf("%s: a read-only tool cannot be destructive", tool.Name)
		}
		if d.Toolset == "" {
			t.Errorf("%s: no toolset", tool.Name)
		}
		var schema map[string]any
		if err := json.Unmarshal(tool.RawInputSchema, &schema); err != nil {
			t.Fatalf("%s: schema: %v", tool.Name, err)
		}
		if schema["type"] != "object" || schema["additionalProperties"] != false {
			t.Errorf("%s: schema must be an object with additionalProperties:false: %s", tool.Name, tool.RawInputSchema)
		}
		if bytes.Contains(tool.RawInputSchema, []byte(`$schema`)) || bytes.Contains(tool.RawInputSchema, []byte(`$ref`)) {
			t.Errorf("%s: schema must be inline, without $schema or $ref", tool.Name)
		}
		props, _ := schema["properties"].(map[string]any)
		for name, p := range props {
			if !snakeCase.MatchString(name) {
				t.Errorf("%s: parameter %q is not snake_case", tool.Name, name)
			}
			if pm, ok := p.(map[string]any); !ok || (pm["description"] == nil && pm["enum"] == nil) {
				t.Errorf("%s: parameter %q needs a description or an enum", tool.Name, name)
			}
		}
	}
}

// TestToolListBudget keeps tools/list small: every token in it is paid by every user on every
// turn. bytes/4 approximates o200k tokens (the harness measures them exactly).
func TestToolListBudget(t *testing.T) {
	const budgetPerTool = 110 * 4
	total := 0
	defs := All(Deps{})
	for _, d := range defs {
		b, _ := json.Marshal(map[string]any{"name": d.Tool.Name, "description": d.Tool.Description, "inputSchema": json.RawMessage(d.Tool.RawInputSchema)})
		total += len(b)
		if len(b) > 2*budgetPerTool {
			t.Errorf("%s: %d bytes in tools/list, over twice the per-tool budget", d.Tool.Name, len(b))
		}
	}
	if avg := total / len(defs); avg > budgetPerTool+budgetPerTool/4 {
		t.Errorf("average tool costs %d bytes (~%d tokens), budget %d bytes", avg, avg/4, budgetPerTool)
	}
}

func TestFilter(t *testing.T) {
	defs := All(Deps{})
	ro := Filter(defs, true, nil)
	for _, d := range ro {
		if !d.ReadOnly {
			t.Errorf("read-only mode kept %s", d.Tool.Name)
		}
	}
	for _, gone := range []string{"run_flow", "stop_flow"} {
		for _, d := range ro {
			if d.Tool.Name == gone {
				t.Errorf("read-only mode must drop %s", gone)
			}
		}
	}
	if len(ro) == 0 || len(ro) >= len(defs) {
		t.Fatalf("read-only kept %d of %d tools", len(ro), len(defs))
	}
	if got := Filter(defs, false, []string{"nope"}); len(got) != 0 {
		t.Fatalf("unknown toolset kept %d tools", len(got))
	}
	for _, set := range Toolsets {
		want := 0
		for _, d := range defs {
			if d.Toolset == set {
				want++
			}
		}
		if got := Filter(defs, false, []string{set}); len(got) != want || want == 0 {
			t.Fatalf("toolset %s kept %d tools, want %d (and at least one)", set, len(got), want)
		}
	}
}
