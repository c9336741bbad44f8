package tools

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/etlworks/etlworks-mcp/client"
)

type auditHintPage struct {
	auditPage
	Hint string `json:"hint"`
}

// TestSearchAuditByWordOrPrefix: action matches a prefix or a camelCase word in any case, and a
// search that finds nothing names its filters, its window and the nearest actions there.
func TestSearchAuditByWordOrPrefix(t *testing.T) {
	e := newEnv(t)
	e.confirmed("delete_flow", map[string]any{"flow": "Export revenue report"}, nil)
	e.confirmed("delete_connection", map[string]any{"connection": "Legacy FTP"}, nil)
	for _, q := range []string{"delete", "DELETE", "dele"} {
		var p auditHintPage
		e.ok("search_audit", map[string]any{"action": q, "since": "1h"}, &p)
		var actions []string
		for _, r := range p.Items {
			actions = append(actions, r.Action)
		}
		if !slices.Contains(actions, "deleteFlow") || !slices.Contains(actions, "deleteConnection") || p.Hint != "" {
			t.Errorf("action %q: %v %q", q, actions, p.Hint)
		}
	}
	var words auditHintPage
	e.ok("search_audit", map[string]any{"action": "connection", "user": "alice", "since": "1h"}, &words)
	if len(words.Items) == 0 {
		t.Fatal(`"connection" is a word of deleteConnection`)
	}
	for _, r := range words.Items {
		if !strings.HasSuffix(r.Action, "Connection") {
			t.Errorf("word match: %+v", r)
		}
	}

	var none auditHintPage
	e.ok("search_audit", map[string]any{"action": "delet_flw", "user": "alice", "since": "1h"}, &none)
	if len(none.Items) != 0 || *none.Total != 0 {
		t.Fatalf("nothing should match: %+v", none)
	}
	mustContain(t, none.Hint, `action "delet_flw"`, `user "alice"`, "since 20", "nearest actions in the window: deleteFlow")
	e.ok("search_audit", map[string]any{"action": "teleport"}, &none)
	mustContain(t, none.Hint, `no event matched action "teleport"`, "whole trail", "actions in the window: runFlow")
	e.ok("search_audit", map[string]any{"user": "nobody", "until": "1h"}, &none)
	mustContain(t, none.Hint, `user "nobody"`, "until 20")
	if strings.Contains(none.Hint, "actions") {
		t.Errorf("no action was asked for: %q", none.Hint)
	}
}

// TestSearchAuditBeforeAfter: edit events show what changed, bounded, with secrets masked; the
// seeded edit that broke the rollup shows its column.
func TestSearchAuditBeforeAfter(t *testing.T) {
	e := newEnv(t)
	var seeded auditPage
	e.ok("search_audit", map[string]any{"action": "editFlow", "user": "carol"}, &seeded)
	if len(seeded.Items) != 1 || len(seeded.Items[0].Changes) != 1 {
		t.Fatalf("carol's seeded edit: %+v", seeded.Items)
	}
	ch := seeded.Items[0].Changes[0]
	mustContain(t, ch, "transformations.0.source.sql: ", "ROUND(SUM(amount), 2)", " → …orders, ROUND(SUM(amount_usd), 2)")
	if strings.Contains(seeded.Items[0].Detail, "changed=") || len(ch) > 300 {
		t.Errorf("changes replace the changed list, bounded: %+v", seeded.Items[0])
	}

	long := strings.Repeat("A long description of what this flow does. ", 40)
	e.ok("update_flow", map[string]any{"flow": "Load product catalog", "set": map[string]any{"description": long, "tags": []string{"catalog"}}}, nil)
	e.ok("update_connection", map[string]any{"connection": "CRM database", "properties": map[string]any{"password": "Hunter2-new-secret"}}, nil)
	var edits auditPage
	text := e.ok("search_audit", map[string]any{"action": "edit", "user": "alice", "since": "1h"}, &edits)
	if len(edits.Items) != 2 {
		t.Fatalf("two edits: %s", text)
	}
	conn, flow := edits.Items[0], edits.Items[1]
	mustContain(t, strings.Join(conn.Changes, "\n"), "password: [REDACTED] → [REDACTED]")
	mustContain(t, strings.Join(flow.Changes, "\n"), "description: ", "tags.1: warehouse → (none)")
	if strings.Contains(text, "Hunter2") || len(strings.Join(flow.Changes, "")) > 400 {
		t.Errorf("secret or unbounded change: %s", text)
	}
}

// TestSearchAuditDocumentedProfile: an instance that serves only the documented audit record
// (no filters, no object, no payload) still finds events by word, and shows no invented changes.
func TestSearchAuditDocumentedProfile(t *testing.T) {
	e := newDocumentedEnv(t)
	raw, _, err := e.api.Audit.List(t.Context(), &client.AuditListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var recs []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &recs); err != nil || len(recs) == 0 {
		t.Fatalf("audit list: %v %s", err, raw)
	}
	documented := []string{"id", "an", "md", "ur", "tn", "rt", "in", "ex", "hip", "cip", "dn", "dt"}
	for _, r := range recs {
		for k := range r {
			if !slices.Contains(documented, k) {
				t.Fatalf("documented audit record carries %q: %v", k, r)
			}
		}
	}
	var p auditHintPage
	decode(t, mustSucceed(t, e, "search_audit", map[string]any{"action": "edit", "user": "carol"}), &p)
	if len(p.Items) != 1 || p.Items[0].Action != "editFlow" || len(p.Items[0].Changes) != 0 || p.Items[0].Detail != "" {
		t.Fatalf("documented records hold no payload: %+v", p.Items)
	}
	decode(t, mustSucceed(t, e, "search_audit", map[string]any{"action": "delete"}), &p)
	mustContain(t, p.Hint, `action "delete"`, "actions in the window")
}
