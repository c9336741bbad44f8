package tools

import (
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
)

func TestRunFlowWaitSucceeds(t *testing.T) {
	e := newEnv(t)
	var out runOutcome
	text, isErr := e.callWithMeta("run_flow", map[string]any{"flow": "Load orders from CSV", "wait": true, "timeout_seconds": 60},
		&mcp.Meta{ProgressToken: "p1"})
	if isErr {
		t.Fatalf("run failed: %s", text)
	}
	decode(t, text, &out)
	if n, _ := out.Records.(float64); out.Status != "success" || n <= 0 || out.RunID == 0 {
		t.Fatalf("want success with records, got %+v", out)
	}
	if len(e.notifications("notifications/progress")) == 0 {
		t.Fatal("no progress notification received for a waited run")
	}
	var again runView
	e.ok("get_run", map[string]any{"flow": "Load orders from CSV", "run_id": out.RunID}, &again)
	if again.Records != out.Records || again.Status != "success" {
		t.Fatalf("get_run disagrees: %+v vs %+v", again, out.runView)
	}
}

func TestRunFlowFailureShowsRealError(t *testing.T) {
	e := newEnv(t)
	var out runOutcome
	decode(t, e.ok("run_flow", map[string]any{"flow": "Daily revenue rollup", "wait": true}, nil), &out)
	if out.Status != "error" {
		t.Fatalf("status = %s, want error", out.Status)
	}
	if !strings.Contains(strings.Join(out.Errors, "\n")+out.Error, "amount_usd") {
		t.Fatalf("first errors do not name amount_usd: %+v", out)
	}
	log := e.ok("get_run_log", map[string]any{"flow": "Daily revenue rollup", "run_id": out.RunID, "errors_only": true}, nil)
	mustContain(t, log, "amount_usd", "error lines with context", "|")

	var crm runOutcome
	decode(t, e.ok("run_flow", map[string]any{"flow": "Sync CRM customers", "wait": true}, nil), &crm)
	if crm.Status != "error" || !strings.Contains(strings.ToLower(strings.Join(crm.Errors, "\n")), "authentication") {
		t.Fatalf("CRM run should fail on authentication: %+v", crm)
	}
	mustContain(t, strings.Join(crm.Errors, "\n"), "CRM database")
}

func TestRunFlowAsyncAndStop(t *testing.T) {
	e := newEnv(t)
	var started runOutcome
	decode(t, e.ok("run_flow", map[string]any{"flow": "Load orders from CSV"}, nil), &started)
	if started.Status != "started" || started.RunID == 0 || started.Next == nil || started.Next.Tool != "get_run" || started.Next.Arguments["run_id"] != float64(started.RunID) {
		t.Fatalf("async start: %+v", started)
	}
	stop := e.ok("stop_flow", map[string]any{"flow": "Load orders from CSV", "run_id": started.RunID}, nil)
	if !strings.Contains(stop, `"status":"canceled"`) && !strings.Contains(stop, `"status":"not running"`) {
		t.Fatalf("stop result: %s", stop)
	}
}

func TestRunFlowBadInput(t *testing.T) {
	e := newEnv(t)
	mustContain(t, e.fails("run_flow", map[string]any{"flow": "Load orders from CSV", "timeout_seconds": 5}), `"timeout_seconds" and "stop_on_cancel" only apply with "wait": true`)
	mustContain(t, e.fails("run_flow", map[string]any{"flow": "Load orders from CSV", "params": map[string]any{"n": 1}}), `"params"`)
	mustContain(t, e.fails("run_flow", map[string]any{"flow": "Load orders from CSV", "wait": "yes"}), `"wait" must be a boolean`)
	mustContain(t, e.fails("run_flow", map[string]any{"flow": "No such flow"}), `flow "No such flow" not found`)
}

func TestListRuns(t *testing.T) {
	e := newEnv(t)
	var p listPage
	e.ok("list_runs", map[string]any{"flow": "Daily revenue rollup", "limit": 5}, &p)
	if len(p.Items) != 5 || p.NextCursor == "" {
		t.Fatalf("a week of history expected, got %d rows and no next page", len(p.Items))
	}
	var errs listPage
	e.ok("list_runs", map[string]any{"status": "error", "since": "7d"}, &errs)
	for _, row := range errs.Items {
		if !strings.Contains(string(row), `"status":"error"`) {
			t.Fatalf("status filter leaked %s", row)
		}
	}
	mustContain(t, e.fails("list_runs", map[string]any{"status": "broken"}), `"status" must be one of`)
	mustContain(t, e.fails("list_runs", map[string]any{"since": "last week"}), `"since" must be`)
}

func TestGetRunLogBounds(t *testing.T) {
	e := newEnv(t)
	text := e.ok("get_run_log", map[string]any{"flow": "Daily revenue rollup", "tail": 3}, nil)
	mustContain(t, text, "Log of run", "showing the last lines")
	if n := strings.Count(text, "| "); n > 3 {
		t.Fatalf("tail 3 returned %d lines:\n%s", n, text)
	}
	grep := e.ok("get_run_log", map[string]any{"flow": "Daily revenue rollup", "grep": "(?i)amount_usd"}, nil)
	mustContain(t, grep, "amount_usd", "matching /(?i)amount_usd/")
	mustContain(t, e.fails("get_run_log", map[string]any{"flow": "Daily revenue rollup", "grep": "("}), "not a valid RE2")
	mustContain(t, e.fails("get_run_log", map[string]any{"flow": "Daily revenue rollup", "run_id": 987654321}), "has no run 987654321")
}

func decode(t *testing.T, text string, out any) {
	t.Helper()
	if err := jsonUnmarshal(text, out); err != nil {
		t.Fatalf("decode %q: %v", text, err)
	}
}
