package tools

import (
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
		if len(raw) > 2400 {
			t.Errorf("%s: output schema is %d bytes, over 2,400", d.Tool.Name, len(raw))
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("tools with an output schema: %v, want %v", got, want)
	}
}
