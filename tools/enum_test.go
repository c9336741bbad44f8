package tools

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestEnumsBind checks every enum parameter of every tool: binding enforces the schema's values
// (a value outside them is refused, before any call to Etlworks, with the allowed list).
func TestEnumsBind(t *testing.T) {
	seen := 0
	for _, d := range All(Deps{}) {
		var s struct {
			Required   []string `json:"required"`
			Properties map[string]struct {
				Type string `json:"type"`
				Enum []string
			} `json:"properties"`
		}
		if err := json.Unmarshal(d.Tool.RawInputSchema, &s); err != nil {
			t.Fatalf("%s: schema: %v", d.Tool.Name, err)
		}
		base := map[string]any{}
		for _, r := range s.Required {
			base[r] = sampleOf(s.Properties[r].Type, s.Properties[r].Enum)
		}
		for name, p := range s.Properties {
			if len(p.Enum) == 0 {
				continue
			}
			seen++
			args := withArg(base, name, "not-one-of-them")
			res, err := d.Handler(t.Context(), callRequest(d.Tool.Name, args))
			if err != nil {
				t.Fatalf("%s: %v", d.Tool.Name, err)
			}
			want := fmt.Sprintf(`%q must be one of %s, got "not-one-of-them"`, name, strings.Join(p.Enum, ", "))
			if !res.IsError || !strings.Contains(resultText(res), want) {
				t.Errorf("%s %s: got %q, want an error with %q", d.Tool.Name, name, resultText(res), want)
			}
		}
	}
	if seen < 9 {
		t.Errorf("found %d enum parameters, want at least the 9 declared", seen)
	}
}

func sampleOf(typ string, enum []string) any {
	switch {
	case len(enum) > 0:
		return enum[0]
	case typ == "integer" || typ == "number":
		return 1
	case typ == "boolean":
		return true
	case typ == "array":
		return []any{"x.y"}
	case typ == "object":
		return map[string]any{}
	}
	return "x"
}

// withArg is m plus k: v.
func withArg(m map[string]any, k string, v any) map[string]any {
	out := map[string]any{k: v}
	for kk, vv := range m {
		if kk != k {
			out[kk] = vv
		}
	}
	return out
}
