package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestStdioChangeScheduleAudit drives the story over stdio against `--sandbox` (runs paced
// at the default 400ms a stage): fix a broken flow after a dry run and rerun it; delete a flow and
// restore it with its dependencies; pause a fast schedule and see it stop, resume it and see it
// start again; then find each action in the audit trail under the user who did it. The mcp-go
// stdio client declares no elicitation, so every delete goes through the confirm-token path.
func TestStdioChangeScheduleAudit(t *testing.T) {
	t.Parallel()
	s := stdioSession(t, nil, "--sandbox")
	asked, honoured := 0, 0

	// 1. Fix "Daily revenue rollup" with update_flow, after a dry run, and rerun it to success.
	var flow struct {
		ID              int64 `json:"id"`
		Transformations []struct {
			SQL string `json:"sql"`
		} `json:"transformations"`
	}
	s.okJSON("get_flow", map[string]any{"flow": "Daily revenue rollup"}, &flow)
	if len(flow.Transformations) == 0 || !strings.Contains(flow.Transformations[0].SQL, "amount_usd") {
		t.Fatalf("seeded rollup: %+v", flow)
	}
	set := map[string]any{"transformations.0.source.sql": strings.ReplaceAll(flow.Transformations[0].SQL, "amount_usd", "amount")}
	dry := s.ok("update_flow", map[string]any{"flow": "Daily revenue rollup", "set": set, "dry_run": true})
	for _, want := range []string{"Dry run", "nothing changed", "- ", "SUM(amount_usd)", "+ ", "SUM(amount)", "checks: shape ok"} {
		if !strings.Contains(dry, want) {
			t.Fatalf("dry run lacks %q:\n%s", want, dry)
		}
	}
	if applied := s.ok("update_flow", map[string]any{"flow": "Daily revenue rollup", "set": set}); !strings.Contains(applied, "Updated flow") ||
		!strings.Contains(applied, `undo: {"tool":"update_flow","arguments":`) {
		t.Fatalf("update_flow: %s", applied)
	}
	if run := s.ok("run_flow", map[string]any{"flow": "Daily revenue rollup", "wait": true, "timeout_seconds": 60}); !strings.Contains(run, `"status":"success"`) {
		t.Fatalf("rerun after the fix: %s", run)
	}

	// 2. Delete a flow (confirm token) and restore it with its dependencies.
	var ask struct {
		Status string `json:"status"`
		Token  string `json:"confirm_token"`
		Action string `json:"action"`
	}
	s.okJSON("delete_flow", map[string]any{"flow": "Import Shopify orders"}, &ask)
	asked++
	if ask.Status != "confirmation_required" || ask.Token == "" || !strings.Contains(ask.Action, "Shopify order webhook") {
		t.Fatalf("delete_flow must ask first, naming what goes with the flow: %+v", ask)
	}
	if _, isErr := s.call("get_flow", map[string]any{"flow": "Import Shopify orders"}, false); isErr {
		t.Fatal("asking for confirmation deleted the flow")
	}
	var deleted struct {
		Deleted     string   `json:"deleted"`
		DeletedWith []string `json:"deleted_with"`
		Undo        struct {
			Tool      string         `json:"tool"`
			Arguments map[string]any `json:"arguments"`
		} `json:"undo"`
	}
	s.okJSON("delete_flow", map[string]any{"flow": "Import Shopify orders", "confirm_token": ask.Token}, &deleted)
	honoured++
	if len(deleted.DeletedWith) != 2 || deleted.Undo.Tool != "restore_deleted" || deleted.Undo.Arguments["item"] == nil {
		t.Fatalf("delete_flow: %+v", deleted)
	}
	if text, isErr := s.call("get_flow", map[string]any{"flow": "Import Shopify orders"}, false); !isErr {
		t.Fatalf("the flow is still there: %s", text)
	}
	var restored struct {
		Restored []string `json:"restored"`
		Reused   []string `json:"reused"`
	}
	s.okJSON("restore_deleted", map[string]any{"item": "Import Shopify orders"}, &restored)
	if len(restored.Restored) != 3 || !strings.Contains(restored.Restored[0], `flow`) || len(restored.Reused) == 0 {
		t.Fatalf("restore with dependencies: %+v", restored)
	}
	if got := s.ok("list_schedules", map[string]any{"flow": "Import Shopify orders"}); !strings.Contains(got, "Every 6 hours") {
		t.Fatalf("the flow's schedule did not come back: %s", got)
	}

	// 3. A schedule every second: it produces runs, stops while paused, starts again on resume.
	def := map[string]any{"flowType": "execute-sql", "transformations": []any{
		map[string]any{"source": map[string]any{"connection": "Warehouse", "sql": "SELECT 1"}}}}
	s.ok("create_flow", map[string]any{"name": "E2E ping", "definition": def})
	created := time.Now()
	var sched struct {
		Created struct {
			ID   int64  `json:"id"`
			When string `json:"when"`
		} `json:"created"`
	}
	s.okJSON("create_schedule", map[string]any{"flow": "E2E ping", "cron": "1s", "name": "E2E every second"}, &sched)
	if sched.Created.When != "every second" {
		t.Fatalf("create_schedule: %+v", sched)
	}
	s.waitForRuns(t, "E2E ping", created, 20*time.Second)

	if dryPause := s.ok("update_schedule", map[string]any{"schedule": "E2E every second", "enabled": false, "dry_run": true}); !strings.Contains(dryPause, "none while paused") {
		t.Fatalf("dry-run pause: %s", dryPause)
	}
	s.ok("update_schedule", map[string]any{"schedule": "E2E every second", "enabled": false})
	quietFrom := time.Now().Add(500 * time.Millisecond) // a scan already under way may still fire once
	time.Sleep(time.Until(quietFrom) + 3*time.Second)   // three intervals of silence show the pause holds
	if n := s.runsSince(t, "E2E ping", quietFrom); n != 0 {
		t.Fatalf("a paused schedule started %d runs", n)
	}
	resumed := time.Now()
	s.ok("update_schedule", map[string]any{"schedule": "E2E every second", "enabled": true})
	s.waitForRuns(t, "E2E ping", resumed, 20*time.Second)

	// 4. Each action is in the audit trail, under the user who did it.
	for _, q := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"user": "alice", "action": "editFlow", "object": "Daily revenue rollup"}, `Daily revenue rollup`},
		{map[string]any{"user": "alice", "action": "deleteFlow", "object": "Import Shopify orders"}, `"result":"success"`},
		{map[string]any{"user": "alice", "action": "restoreRecycleBinItem", "object": "Import Shopify orders"}, `Import Shopify orders`},
		{map[string]any{"user": "alice", "action": "addSchedule", "object": "E2E every second"}, `E2E every second`},
		// Pause and resume are edits of the whole schedule (PUT), as Etlworks documents them.
		{map[string]any{"user": "alice", "action": "editSchedule", "object": "E2E every second"}, `E2E every second`},
		{map[string]any{"user": "scheduler", "action": "runFlow", "object": "E2E ping"}, `"user":"scheduler"`},
	} {
		var page struct {
			Items []json.RawMessage `json:"items"`
		}
		text := s.okJSON("search_audit", q.args, &page)
		if len(page.Items) == 0 || !strings.Contains(text, q.want) {
			t.Errorf("search_audit %v: %s", q.args, text)
		}
	}

	// Clean up through the tool, so the last schedule delete is confirmed too.
	s.okJSON("delete_schedule", map[string]any{"schedule": "E2E every second"}, &ask)
	asked++
	var gone map[string]any
	s.okJSON("delete_schedule", map[string]any{"schedule": "E2E every second", "confirm_token": ask.Token}, &gone)
	honoured++
	if gone["undo"] == nil {
		t.Fatalf("delete_schedule: %v", gone)
	}
	t.Logf("confirmations over stdio: asked %d, honoured %d", asked, honoured)
}

// ok calls a tool that must succeed and returns its text.
func (s *session) ok(name string, args map[string]any) string {
	s.t.Helper()
	text, isErr := s.call(name, args, false)
	if isErr {
		s.t.Fatalf("%s %v: %s", name, args, text)
	}
	return text
}

// okJSON is ok plus decoding the JSON result into out.
func (s *session) okJSON(name string, args map[string]any, out any) string {
	s.t.Helper()
	text := s.ok(name, args)
	if err := json.Unmarshal([]byte(text), out); err != nil {
		s.t.Fatalf("%s: not JSON: %v\n%s", name, err, text)
	}
	return text
}

// runsSince counts the runs of a flow that started at or after since.
func (s *session) runsSince(t *testing.T, flow string, since time.Time) int {
	t.Helper()
	var page struct {
		Total *int              `json:"total"`
		Items []json.RawMessage `json:"items"`
	}
	s.okJSON("list_runs", map[string]any{"flow": flow, "since": since.UTC().Format(time.RFC3339Nano)}, &page)
	if page.Total != nil {
		return *page.Total
	}
	return len(page.Items)
}

// waitForRuns polls until the flow has a run that started at or after since.
func (s *session) waitForRuns(t *testing.T, flow string, since time.Time, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for s.runsSince(t, flow, since) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no run of %q started within %s of %s", flow, limit, since.Format(time.RFC3339))
		}
		time.Sleep(250 * time.Millisecond)
	}
}
