package tools

import (
	"strings"
	"testing"
)

func TestDiagnoseMissingColumn(t *testing.T) {
	e := newEnv(t)
	var dg diagnosis
	decode(t, e.ok("diagnose_run", map[string]any{"flow": "Daily revenue rollup"}, nil), &dg)
	if dg.Cause == nil || dg.Cause.Category != "SQL" {
		t.Fatalf("want an SQL cause, got %+v", dg.Cause)
	}
	mustContain(t, dg.Cause.Summary, "amount_usd", "amount")
	if len(dg.FirstError) == 0 || !strings.Contains(strings.Join(dg.FirstError, "\n"), "amount_usd") {
		t.Fatalf("first error lines: %v", dg.FirstError)
	}
	if !strings.Contains(strings.Join(dg.Cause.Evidence, "\n"), ": ") {
		t.Fatalf("evidence must cite line numbers: %v", dg.Cause.Evidence)
	}
	if len(dg.Connections) == 0 || !strings.HasPrefix(dg.Connections[0].Test, "ok") {
		t.Fatalf("the Warehouse connection should test fine: %+v", dg.Connections)
	}
	if dg.LastSuccess == nil {
		t.Fatal("the rollup succeeded before the SQL edit; the last success must be found")
	}
	found := false
	for _, c := range dg.Changes {
		if c.Action == "editFlow" && c.AuditID > 0 && len(c.Changes) == 1 && strings.Contains(c.Changes[0], "SUM(amount_usd)") {
			found = true
		}
	}
	if !found {
		t.Fatalf("the edit that broke the flow must be among the changes, with what it changed: %+v", dg.Changes)
	}
}

func TestDiagnoseCredentials(t *testing.T) {
	e := newEnv(t)
	var dg diagnosis
	decode(t, e.ok("diagnose_run", map[string]any{"flow": "Sync CRM customers"}, nil), &dg)
	if dg.Cause == nil || dg.Cause.Category != "credentials" {
		t.Fatalf("want a credentials cause, got %+v", dg.Cause)
	}
	mustContain(t, dg.Cause.Summary, "CRM database")
	mustContain(t, strings.Join(dg.Cause.Evidence, "\n"), "test_connection")
}

func TestDiagnoseSuccessfulRun(t *testing.T) {
	e := newEnv(t)
	e.ok("run_flow", map[string]any{"flow": "Load orders from CSV", "wait": true}, nil)
	text := e.ok("diagnose_run", map[string]any{"flow": "Load orders from CSV"}, nil)
	mustContain(t, text, "nothing to diagnose")
	if strings.Contains(text, `"cause"`) {
		t.Fatalf("a successful run has no cause: %s", text)
	}
	mustContain(t, e.fails("diagnose_run", map[string]any{"flow": "Daily revenue rollup", "run_id": 99999999}), "has no run")
}

// TestDiagnoseDocumentedProfile: on an instance with only the documented API, diagnose_run takes
// the run's times and counts from the reporting API, never sends the user to test_connection
// (absent there), and says that audit events naming no object may hide changes.
func TestDiagnoseDocumentedProfile(t *testing.T) {
	e := newDocumentedEnv(t)
	var dg diagnosis
	decode(t, mustSucceed(t, e, "diagnose_run", map[string]any{"flow": "Sync CRM customers"}), &dg)
	if dg.Cause == nil || dg.Cause.Category != "credentials" {
		t.Fatalf("want a credentials cause, got %+v", dg.Cause)
	}
	if dg.Run.Started == unknown || dg.Run.Records == unknown {
		t.Errorf("the failed run's times and records are in the reporting API: %+v", dg.Run)
	}
	if strings.Contains(dg.Next, "test_connection") || !strings.Contains(dg.Next, "update_connection") {
		t.Errorf("next step on an instance without a connection test: %q", dg.Next)
	}
	if !strings.Contains(strings.Join(dg.Unavailable, "\n"), "name no object") {
		t.Errorf("the audit trail names no objects here, and the diagnosis should say so: %v", dg.Unavailable)
	}
	// The seeded latest run of the CSV load failed; a fresh successful one has records.
	mustSucceed(t, e, "run_flow", map[string]any{"flow": "Load orders from CSV", "wait": true})
	dg = diagnosis{}
	decode(t, mustSucceed(t, e, "diagnose_run", map[string]any{"flow": "Load orders from CSV"}), &dg)
	if !strings.Contains(dg.Verdict, "succeeded") || strings.Contains(dg.Verdict, " 0 records") {
		t.Errorf("a successful run's records come from the reporting API: %q", dg.Verdict)
	}
}

// mustSucceed calls a tool on a capEnv and fails the test when the tool reports an error.
func mustSucceed(t *testing.T, e *capEnv, name string, args map[string]any) string {
	t.Helper()
	text, isErr := e.call(t, name, args)
	if isErr {
		t.Fatalf("%s %v: %s", name, args, text)
	}
	return text
}
