package sandbox

import (
	"encoding/json"
	"strings"
	"testing"
)

// diffFields records changed leaves by path, bounded, with secrets masked on both sides.
func TestDiffFields(t *testing.T) {
	old := map[string]any{"name": "A", "tags": []string{"x", "y"}, "properties": map[string]string{"password": "old-pw", "host": "h1"},
		"steps": []map[string]any{{"sql": "SELECT amount FROM orders"}}}
	updated := map[string]any{"name": "A", "tags": []string{"x"}, "properties": map[string]string{"password": "new-pw", "host": "h2", "port": "5432"},
		"steps": []map[string]any{{"sql": "SELECT amount_usd FROM orders"}, {"sql": strings.Repeat("s", 2000)}}}
	d := diffFields(old, updated, func(p string) bool { return strings.Contains(p, "password") })
	b, _ := json.Marshal(d.add(map[string]any{}))
	got := string(b)
	for _, want := range []string{`"properties.password":"********"`, `"properties.host":"h1"`, `"properties.host":"h2"`,
		`"properties.port":"5432"`, `"tags.1":"y"`, `"steps.0.sql":"SELECT amount FROM orders"`, `"steps.0.sql":"SELECT amount_usd FROM orders"`} {
		if !strings.Contains(got, want) {
			t.Errorf("diff lacks %s: %s", want, got)
		}
	}
	if strings.Contains(got, "pw") || strings.Contains(got, `"name"`) || len(d.after["steps.1"].(string)) > maxDiffValue+len("…") {
		t.Errorf("secret, unchanged field or unbounded value: %s", got)
	}

	many, more := map[string]any{}, map[string]any{}
	for i := range 25 {
		many[string(rune('a'+i))] = i
		more[string(rune('a'+i))] = i + 1
	}
	d = diffFields(many, more, func(string) bool { return false })
	if len(d.before) != maxDiffPaths || len(d.after) != maxDiffPaths || d.more != 25-maxDiffPaths {
		t.Errorf("bounded to %d paths: %d/%d, more %d", maxDiffPaths, len(d.before), len(d.after), d.more)
	}
	if p := (editDiff{}).add(map[string]any{"x": 1}); len(p) != 1 {
		t.Errorf("no change adds nothing: %v", p)
	}
}
