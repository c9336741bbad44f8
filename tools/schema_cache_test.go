package tools

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"testing"
)

// TestSchemaCache reflects every tool's schemas afresh and compares them with the generated
// tools/schemas.json that start-up reads; UPDATE_TOOLSNAPS=true rewrites the file with the tool
// snapshots (TestToolSnapshots reflects the schemas itself, so one run updates both).
func TestSchemaCache(t *testing.T) {
	// Every configuration that changes a tool's input type: run_sql takes writes with
	// --allow-sql-writes.
	defs := append(All(Deps{}), All(Deps{AllowSQLWrites: true})...)
	fresh := map[string]cachedSchemas{}
	registered := map[string]json.RawMessage{}
	for _, d := range defs {
		key, in, out := d.reflected()
		fresh[key] = cachedSchemas{input: in, output: out}
		registered[key] = d.Tool.RawInputSchema
	}
	if os.Getenv("UPDATE_TOOLSNAPS") == "true" {
		if err := os.WriteFile("schemas.json", encodeSchemaCache(fresh), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	cached := loadSchemaCache()
	for name, want := range fresh {
		got, ok := cached[name]
		switch {
		case !ok:
			t.Errorf("%s is not in tools/schemas.json", name)
		case !bytes.Equal(got.input, want.input):
			t.Errorf("%s: cached input schema differs from the reflected one:\n got %s\nwant %s", name, got.input, want.input)
		case !bytes.Equal(got.output, want.output):
			t.Errorf("%s: cached output schema differs from the reflected one:\n got %s\nwant %s", name, got.output, want.output)
		}
	}
	for name := range cached {
		if _, ok := fresh[name]; !ok {
			t.Errorf("tools/schemas.json holds %s, which is no tool", name)
		}
	}
	if t.Failed() {
		t.Log("regenerate it with the tool snapshots: UPDATE_TOOLSNAPS=true go test ./tools")
	}
	// What start-up derives from the cache is what reflection gives.
	for key, raw := range registered {
		if !bytes.Equal(raw, fresh[key].input) {
			t.Errorf("%s: registered input schema is not the reflected one", key)
		}
	}
}

// TestSchemaCacheFallback: a tool the cache does not hold yet (under its name and input type)
// still gets its reflected schemas.
func TestSchemaCacheFallback(t *testing.T) {
	in, out := toolSchemas[GetRunLogInput](schemaCache{"get_run_log": {input: json.RawMessage(`{}`)}}, "get_run_log", nil)
	if !bytes.Equal(in, reflectInput[GetRunLogInput]()) || out != nil {
		t.Fatalf("fallback schemas: %s, %s", in, out)
	}
	if got := inputSchemaOf(in); !slices.Contains(got.fields, "run_id") {
		t.Fatalf("fields of the reflected schema: %v", got.fields)
	}
}

// encodeSchemaCache writes one line per tool and input type, sorted, so a change to one tool's input
// type changes one line of the file.
func encodeSchemaCache(c map[string]cachedSchemas) []byte {
	names := make([]string, 0, len(c))
	for n := range c {
		names = append(names, n)
	}
	slices.Sort(names)
	var b bytes.Buffer
	b.WriteString("{\n")
	for i, n := range names {
		key, _ := json.Marshal(n)
		b.Write(key)
		b.WriteString(`: {"input": `)
		b.Write(c[n].input)
		if c[n].output != nil {
			b.WriteString(`, "output": `)
			b.Write(c[n].output)
		}
		b.WriteString("}")
		if i < len(names)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	return b.Bytes()
}
