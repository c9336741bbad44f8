package tools

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// TestOutputSchemas: exactly the tools whose results feed code declare an outputSchema, and each
// stays lean (no descriptions, a bounded size), since every tools/list carries it.
func TestOutputSchemas(t *testing.T) {
	want := []string{"run_flow", "list_runs", "get_run", "diagnose_run"}
	var got []string
	for _, d := range All(Deps{}) {
		raw := string(d.Tool.RawOutputSchema)
		if raw == "" {
			continue
		}
		got = append(got, d.Tool.Name)
		if !strings.HasPrefix(raw, "{") || !strings.Contains(raw, `"type":"object"`) {
			t.Errorf("%s: output schema is not an object schema: %s", d.Tool.Name, raw)
		}
		if strings.Contains(raw, `"description"`) {
			t.Errorf("%s: output schema carries descriptions; the field names must do", d.Tool.Name)
		}
		if len(raw) > 2600 {
			t.Errorf("%s: output schema is %d bytes, over 2,600", d.Tool.Name, len(raw))
		}
		var tree any
		if err := json.Unmarshal(d.Tool.RawOutputSchema, &tree); err != nil {
			t.Fatalf("%s: %v", d.Tool.Name, err)
		}
		if path := booleanSubschema(tree, "outputSchema"); path != "" {
			t.Errorf("%s: %s is a boolean schema; the official TypeScript SDK rejects a tools/list carrying one (give the field a type)", d.Tool.Name, path)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("tools with an output schema: %v, want %v", got, want)
	}
}

// booleanSubschema returns the path of the first property, item or alternative schema that is a
// bare true/false instead of an object, or "".
func booleanSubschema(node any, path string) string {
	m, ok := node.(map[string]any)
	if !ok {
		return ""
	}
	check := func(v any, at string) string {
		if _, isBool := v.(bool); isBool {
			return at
		}
		return booleanSubschema(v, at)
	}
	if props, ok := m["properties"].(map[string]any); ok {
		for _, k := range slices.Sorted(maps.Keys(props)) {
			if p := check(props[k], path+".properties."+k); p != "" {
				return p
			}
		}
	}
	if items, ok := m["items"]; ok {
		if p := check(items, path+".items"); p != "" {
			return p
		}
	}
	for _, key := range []string{"anyOf", "oneOf", "allOf"} {
		alts, _ := m[key].([]any)
		for i, a := range alts {
			if p := check(a, fmt.Sprintf("%s.%s[%d]", path, key, i)); p != "" {
				return p
			}
		}
	}
	return ""
}

// A oneOf of bare types collapses to a type list; a oneOf of anything richer is left alone.
func TestCollapseTypeChoices(t *testing.T) {
	var in any
	_ = json.Unmarshal([]byte(`{"properties":{"a":{"oneOf":[{"type":"number"},{"type":"null"}]},
		"b":{"oneOf":[{"type":"string"},{"type":"object","properties":{}}]}},"type":"object"}`), &in)
	got, _ := json.Marshal(collapseTypeChoices(in))
	want := `{"properties":{"a":{"type":["number","null"]},"b":{"oneOf":[{"type":"string"},{"properties":{},"type":"object"}]}},"type":"object"}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
