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
		if c.Action == "editFlow" && c.AuditID > 0 {
			found = true
		}
	}
	if !found {
		t.Fatalf("the edit that broke the flow must be among the changes: %+v", dg.Changes)
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
