package tools

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox"
)

// TestListRunsGroupByFlow: one row per flow with counts, failure rate, last success and the most
// frequent first error line, within the 2 KB budget for the demo tenant's week, on both profiles.
func TestListRunsGroupByFlow(t *testing.T) {
	for _, profile := range sandbox.Profiles() {
		t.Run(profile, func(t *testing.T) {
			e := newEnvOnProfile(t, profile)
			var out struct {
				Items   []flowStats `json:"items"`
				Counted int         `json:"runs_counted"`
			}
			text := e.ok("list_runs", map[string]any{"group_by": "flow"}, &out)
			if len(text) >= 2048 {
				t.Errorf("group_by flow is %d bytes, budget 2 KB:\n%s", len(text), text)
			}
			if len(out.Items) < 5 || out.Counted < 50 {
				t.Fatalf("a week of runs over many flows expected, got %d flows, %d runs", len(out.Items), out.Counted)
			}
			seen, sum := map[int64]bool{}, 0
			for _, s := range out.Items {
				if seen[s.FlowID] {
					t.Fatalf("flow %d has two rows", s.FlowID)
				}
				seen[s.FlowID] = true
				for _, n := range s.ByStatus {
					sum += n
				}
				if s.ByStatus["error"] > 0 && (s.FailureRate <= 0 || s.TopError == "" || s.TopErrorN < 1 || s.TopErrorN > s.ByStatus["error"]) {
					t.Errorf("a failing flow needs a failure rate and top error: %+v", s)
				}
			}
			if sum != out.Counted {
				t.Errorf("by_status adds up to %d, runs_counted is %d", sum, out.Counted)
			}
			crm := out.Items[0] // most failures first
			if crm.Flow != "Sync CRM customers" || !strings.Contains(crm.TopError, "Authentication failed") || crm.LastSuccess == "" {
				t.Errorf("the CRM sync fails most, on authentication: %+v", crm)
			}
			if strings.Contains(text, "java.sql.") {
				t.Errorf("top errors keep the message, not the exception class: %s", text)
			}
			var one struct {
				Items []flowStats `json:"items"`
			}
			e.ok("list_runs", map[string]any{"group_by": "flow", "flow": "Daily revenue rollup", "since": "30d"}, &one)
			if len(one.Items) != 1 || one.Items[0].Flow != "Daily revenue rollup" || !strings.Contains(one.Items[0].TopError, "amount_usd") {
				t.Errorf("one flow's statistics: %+v", one.Items)
			}
			mustContain(t, e.fails("list_runs", map[string]any{"group_by": "status"}), `"group_by" must be one of flow, got "status"`)
		})
	}
}

// TestListRunsCompactRows: rows stay small, name each flow once, and warning runs carry their
// first warning, on both profiles.
func TestListRunsCompactRows(t *testing.T) {
	for _, profile := range sandbox.Profiles() {
		t.Run(profile, func(t *testing.T) {
			e := newEnvOnProfile(t, profile)
			var out struct {
				Items []json.RawMessage `json:"items"`
				Flows map[string]string `json:"flows"`
				Note  string            `json:"note"`
			}
			text := e.ok("list_runs", map[string]any{"limit": 50}, &out)
			if len(out.Items) < 40 {
				t.Fatalf("want a page of runs, got %d", len(out.Items))
			}
			warned, failed := 0, 0
			for _, raw := range out.Items {
				if len(raw) > maxRowBytes {
					t.Errorf("row of %d bytes (max %d): %s", len(raw), maxRowBytes, raw)
				}
				var r runRow
				if err := json.Unmarshal(raw, &r); err != nil {
					t.Fatal(err)
				}
				if out.Flows[jsonID(r.FlowID)] == "" {
					t.Errorf("flow %d of run %d is not named in flows", r.FlowID, r.RunID)
				}
				switch r.Status {
				case "warning":
					warned++
					if r.Warning == "" && !strings.Contains(out.Note, "lack their first warning") || strings.Contains(r.Warning, "\n") {
						t.Errorf("a warning run carries its first warning on one line: %s", raw)
					}
				case "error":
					failed++
					if r.Error == "" || strings.Contains(r.Error, "\n") {
						t.Errorf("an error run carries its first error on one line: %s", raw)
					}
				}
			}
			if warned == 0 || failed == 0 {
				t.Fatalf("the demo week has warning and error runs: %d, %d", warned, failed)
			}
			if avg := len(text) / len(out.Items); avg > 130 {
				t.Errorf("rows average %d bytes, want about 120", avg)
			}
			mustContain(t, text, "orders were skipped")
			if page := e.ok("list_runs", map[string]any{}, nil); strings.Contains(page, "lack their first warning") {
				t.Errorf("a default page reads every warning run's log: %s", page)
			}
			one := e.ok("list_runs", map[string]any{"flow": "Daily revenue rollup", "limit": 3}, nil)
			if strings.Contains(one, `"flow":`) || strings.Contains(one, `"flows"`) {
				t.Errorf("a one-flow list needs no flow per row: %s", one)
			}
		})
	}
}

func jsonID(id int64) string { b, _ := json.Marshal(id); return string(b) }

// TestGetRunLogLevels: level error keeps errors_only's meaning, level warning shows a warning
// run's warnings, and an error-level read of a warning run says where its reason is.
func TestGetRunLogLevels(t *testing.T) {
	e := newEnv(t)
	var p struct {
		Items []runRow `json:"items"`
	}
	e.ok("list_runs", map[string]any{"flow": "Import Shopify orders", "status": "warning", "limit": 1}, &p)
	if len(p.Items) != 1 {
		t.Fatal("the demo week has a warning run of Import Shopify orders")
	}
	run := p.Items[0].RunID
	args := func(extra map[string]any) map[string]any {
		a := map[string]any{"flow": "Import Shopify orders", "run_id": run}
		for k, v := range extra {
			a[k] = v
		}
		return a
	}
	mustContain(t, e.ok("get_run_log", args(map[string]any{"errors_only": true}), nil), "No lines matched", `"level": "warning" shows them`)
	mustContain(t, e.ok("get_run_log", args(map[string]any{"level": "error"}), nil), "No lines matched", `"level": "warning"`)
	warn := e.ok("get_run_log", args(map[string]any{"level": "warning"}), nil)
	mustContain(t, warn, "warning and error lines with context", "orders were skipped")
	mustContain(t, e.ok("get_run_log", map[string]any{"flow": "Daily revenue rollup", "level": "error"}, nil), "amount_usd", "error lines with context")
	mustContain(t, e.fails("get_run_log", args(map[string]any{"level": "info"})), `"level" must be one of error, warning`)
	mustContain(t, e.fails("get_run_log", args(map[string]any{"level": "warning", "errors_only": true})), `not both`)
}

// TestRunFlowWaitEndsWithFollowUp: a wait shorter than the run returns the run id, what it saw,
// and a follow-up call that works as given; a warning run's follow-up reads its warnings.
func TestRunFlowWaitEndsWithFollowUp(t *testing.T) {
	if got := runFlowDeadline(RunFlowInput{Wait: true}, 10*time.Second); got != 55*time.Second {
		t.Errorf("a default wait is 45 s plus one call, got %s", got)
	}
	e := newEnvWithStep(t, 2*time.Second) // each step of the run takes 2 s, the wait 1 s
	var out runOutcome
	decode(t, e.ok("run_flow", map[string]any{"flow": "Load orders from CSV", "wait": true, "timeout_seconds": 1}, nil), &out)
	if out.RunID == 0 || out.Status == "success" || out.Next == nil || out.Next.Tool != "get_run" || !strings.Contains(out.Note, "timeout_seconds") {
		t.Fatalf("a wait that ends first says how to follow the run: %+v", out)
	}
	var next runView
	e.ok(out.Next.Tool, out.Next.Arguments, &next)
	if next.RunID != out.RunID {
		t.Fatalf("the follow-up call shows run %d, want %d", next.RunID, out.RunID)
	}
	e.ok("stop_flow", map[string]any{"flow": "Load orders from CSV", "run_id": out.RunID}, nil)
}
