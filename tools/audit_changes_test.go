package tools

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

// auditChanges shows each changed path once, cut around the difference, secrets masked, at most
// maxAuditChanges paths.
func TestAuditChanges(t *testing.T) {
	sql := func(col string) string {
		return "SELECT order_date AS day,\n  COUNT(*) AS orders,\n  ROUND(SUM(" + col + "), 2) AS revenue\nFROM orders\nWHERE status IN ('completed', 'shipped')\nGROUP BY order_date"
	}
	p := gjson.Parse(`{"before":{"transformations.0.source.sql":` + quoteJSON(sql("amount")) + `,"properties.apiToken":"tok-old","tags.1":"daily"},
		"after":{"transformations.0.source.sql":` + quoteJSON(sql("amount_usd")) + `,"properties.apiToken":"tok-new","mode":"append"}}`)
	got := strings.Join(auditChanges(p), "\n")
	for _, want := range []string{"mode: (none) → append", "properties.apiToken: [REDACTED] → [REDACTED]", "tags.1: daily → (none)",
		"transformations.0.source.sql: …orders, ROUND(SUM(amount), 2) AS revenue FROM or… → …orders, ROUND(SUM(amount_usd), 2) AS revenue FROM or…"} {
		if !strings.Contains(got, want) {
			t.Errorf("changes lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "tok-") {
		t.Errorf("a secret shows: %s", got)
	}
	spacing := gjson.Parse(`{"before":{"sql":"a  b"},"after":{"sql":"a b"}}`)
	if c := auditChanges(spacing); len(c) != 1 || c[0] != `sql: "a  b" → "a b"` {
		t.Errorf("a change of spacing alone: %q", c)
	}
	var many strings.Builder
	many.WriteString(`{"before":{`)
	for i := range 9 {
		if i > 0 {
			many.WriteString(",")
		}
		many.WriteString(`"k` + string(rune('a'+i)) + `":1`)
	}
	many.WriteString(`}}`)
	if c := auditChanges(gjson.Parse(many.String())); len(c) != maxAuditChanges+1 || c[maxAuditChanges] != "… 4 more changed paths" {
		t.Errorf("bounded: %q", c)
	}
	if c := auditChanges(gjson.Parse(`{"changed":["transformations"]}`)); c != nil {
		t.Errorf("an event without before/after: %q", c)
	}
}

func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
