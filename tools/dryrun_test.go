package tools

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestCreateDryRuns: create_webhook and create_connection with dry_run show what would be sent and
// the checks, keep secrets out, and create nothing, through the MCP protocol.
func TestCreateDryRuns(t *testing.T) {
	e := newEnv(t)
	e.ok("create_webhook", map[string]any{"name": "Existing", "url": "http://127.0.0.1:9/a", "events": []any{"Flow.Failed"}}, nil)
	var hook map[string]any
	text := e.ok("create_webhook", map[string]any{"name": "Dry", "url": "http://127.0.0.1:9/hook?token=planted-url-secret",
		"events": []any{"Flow.Executed"}, "secret": "planted-hmac", "dry_run": true}, &hook)
	if hook["dry_run"] != true || hook["created"] != false || hook["would_send"] == nil {
		t.Fatalf("webhook dry run: %s", text)
	}
	mustContain(t, text, `"documented_events":["Flow.Executed","Flow.Created"]`, `"events_in_use":["Flow.Failed"]`)
	if strings.Contains(text, "planted-url-secret") || strings.Contains(text, "planted-hmac") {
		t.Fatalf("a webhook dry run shows a secret: %s", text)
	}
	mustContain(t, e.fails("create_webhook", map[string]any{"name": "Dry", "url": "http://evil.example/x", "events": []any{"Flow.Executed"}, "dry_run": true}),
		"refused host")
	var hooks struct {
		Items []webhookView `json:"items"`
	}
	e.ok("list_webhooks", map[string]any{}, &hooks)
	if len(hooks.Items) != 1 {
		t.Fatalf("a dry run created a webhook: %+v", hooks.Items)
	}

	var conn map[string]any
	text = e.ok("create_connection", map[string]any{"name": "Dry PG", "type": "connection.db.postgres",
		"properties": map[string]any{"host": "db", "password": "planted-conn-secret"}, "dry_run": true}, &conn)
	if conn["dry_run"] != true || conn["created"] != false || strings.Contains(text, "planted-conn-secret") {
		t.Fatalf("connection dry run: %s", text)
	}
	mustContain(t, text, "name is free", "type connection.db.postgres", "required properties missing", "database")
	text = e.ok("create_connection", map[string]any{"name": "Warehouse", "type": "connection.db.postgress", "dry_run": true}, nil)
	mustContain(t, text, "already has the name", `unknown connector type \"connection.db.postgress\"`, "fix the problems")
	mustContain(t, e.fails("get_connection", map[string]any{"connection": "Dry PG"}), "not found")
}

// TestCreateScheduleDryRunDocumented: on the documented profile (no preview route) a dry run
// computes the fire times here and labels them.
func TestCreateScheduleDryRunDocumented(t *testing.T) {
	e := newDocumentedEnv(t)
	text, isErr := e.call(t, "create_schedule", map[string]any{"flow": "Export revenue report", "cron": "0 0 9 ? * MON", "dry_run": true})
	var out map[string]any
	if isErr || json.Unmarshal([]byte(text), &out) != nil || out["created"] != false {
		t.Fatalf("dry run: %s", text)
	}
	if runs, _ := out["next_runs"].([]any); len(runs) != 3 || out["next_runs_note"] != computedHere {
		t.Fatalf("dry run fire times: %s", text)
	}
	mustContain(t, text, "at 09:00 on Monday")
}

// TestListSchedulesNextRuns: next_runs asks for 1-20 fire times, on both profiles.
func TestListSchedulesNextRuns(t *testing.T) {
	e := newEnv(t)
	var page schedPage
	e.ok("list_schedules", map[string]any{"name": "Daily at 06:00", "next_runs": 7}, &page)
	if runs, _ := page.Items[0].NextRuns.([]any); len(runs) != 7 {
		t.Fatalf("next_runs 7: %+v", page.Items[0])
	}
	e.ok("list_schedules", map[string]any{"name": "Daily at 06:00", "next_runs": 1}, &page)
	if runs, _ := page.Items[0].NextRuns.([]any); len(runs) != 1 {
		t.Fatalf("next_runs 1: %+v", page.Items[0])
	}
	e.ok("list_schedules", map[string]any{"name": "Daily at 06:00"}, &page)
	if runs, _ := page.Items[0].NextRuns.([]any); len(runs) != 3 {
		t.Fatalf("default: %+v", page.Items[0])
	}
	mustContain(t, e.fails("list_schedules", map[string]any{"next_runs": 21}), `"next_runs" must be between 1 and 20`)

	d := newDocumentedEnv(t)
	text, isErr := d.call(t, "list_schedules", map[string]any{"name": "Daily at 06:00", "next_runs": 12})
	if err := json.Unmarshal([]byte(text), &page); isErr || err != nil || len(page.Items) != 1 {
		t.Fatalf("documented: %s", text)
	}
	if runs, _ := page.Items[0].NextRuns.([]any); len(runs) != 12 {
		t.Fatalf("documented next_runs 12: %s", text)
	}
}

// TestCreateConnectionDryRunDocumented: on the documented profile, which lists no connector
// types, a dry run still checks the name and says the type was not checked.
func TestCreateConnectionDryRunDocumented(t *testing.T) {
	e := newDocumentedEnv(t)
	text, isErr := e.call(t, "create_connection", map[string]any{"name": "Dry PG", "type": "connection.db.postgres",
		"properties": map[string]any{"host": "db", "password": "planted-doc-secret"}, "dry_run": true})
	if isErr || strings.Contains(text, "planted-doc-secret") {
		t.Fatalf("dry run: %s", text)
	}
	mustContain(t, text, `"created":false`, "name is free", "type not checked")
	text, _ = e.call(t, "create_connection", map[string]any{"name": "Warehouse", "type": "connection.db.sqlite", "dry_run": true})
	mustContain(t, text, "already has the name")
}
