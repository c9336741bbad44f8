package tools

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestGetFlowTriggers: get_flow and explain_flow say what starts a flow, through the protocol on
// the extended profile: the workflow that contains it, its schedules with phrase and next fire
// time, the listeners that run it, and "none" for a flow nothing starts.
func TestGetFlowTriggers(t *testing.T) {
	e := newEnv(t)
	var s flowSummary
	e.ok("get_flow", map[string]any{"flow": "Load orders from CSV"}, &s)
	if s.StartedBy == nil || len(s.StartedBy.Workflows) == 0 || !strings.Contains(s.StartedBy.Workflows[0], `"Nightly warehouse refresh" (id `) {
		t.Fatalf("a nested flow names its workflow: %+v", s.StartedBy)
	}

	e.ok("get_flow", map[string]any{"flow": "Nightly warehouse refresh"}, &s)
	if len(s.StartedBy.Schedules) == 0 || !strings.Contains(s.StartedBy.Schedules[0], "; next 20") || len(s.StartedBy.Unchecked) != 0 {
		t.Fatalf("a scheduled flow shows the schedule and its next fire time: %+v", s.StartedBy)
	}

	// A listener that runs the flow, and a paused schedule.
	def, _ := json.Marshal(map[string]any{"name": "Orders hook", "listenerType": "listener.http", "flowId": s.ID,
		"properties": map[string]string{"urlPattern": "orders/hook", "method": "POST", "authType": "JWT", "authLocation": "header", "processing": "async"}})
	if _, _, err := e.api.Listeners.Create(t.Context(), def); err != nil {
		t.Fatal(err)
	}
	e.ok("create_schedule", map[string]any{"flow": s.ID, "name": "Paused refresh", "cron": "0 0 6 * * ?", "paused": true}, nil)
	text := e.ok("get_flow", map[string]any{"flow": s.ID}, &s)
	mustContain(t, strings.Join(s.StartedBy.Listeners, "\n"), `"Orders hook" POST /orders/hook`)
	mustContain(t, text, `\"Paused refresh\": `, "; paused")

	explained := e.ok("explain_flow", map[string]any{"flow": s.ID}, nil)
	mustContain(t, explained, "- Scheduled: ", "; next 20", "- Run by listener ", "Orders hook")

	e.ok("get_flow", map[string]any{"flow": "Export revenue report"}, &s)
	if s.StartedBy == nil {
		t.Fatal("no started_by")
	}
	for _, w := range s.StartedBy.Unchecked {
		t.Errorf("unchecked on the extended profile: %s", w)
	}
	if len(s.StartedBy.Workflows) == 0 {
		t.Errorf("Export revenue report is step 4 of the nightly refresh: %+v", s.StartedBy)
	}
	flows := e.ok("create_flow", map[string]any{"name": "Orphan copy", "copy_from": "Export revenue report"}, nil)
	var created struct {
		Flow flowSummary `json:"flow"`
	}
	if err := json.Unmarshal([]byte(flows), &created); err != nil {
		t.Fatal(err)
	}
	e.ok("get_flow", map[string]any{"flow": created.Flow.ID}, &s)
	if s.StartedBy == nil || !strings.Contains(s.StartedBy.None, "runs only when started by hand or by the API") {
		t.Errorf("a flow nothing starts says so: %+v", s.StartedBy)
	}
}

// TestGetFlowTriggersDocumentedProfile: without the listener list route, get_flow says listeners
// could not be checked, and still shows schedules and workflows.
func TestGetFlowTriggersDocumentedProfile(t *testing.T) {
	e := newDocumentedEnv(t)
	text, isErr := e.call(t, "get_flow", map[string]any{"flow": "Nightly warehouse refresh"})
	if isErr {
		t.Fatal(text)
	}
	mustContain(t, text, `"started_by":{`, "; next 20", "listeners: could not be checked (this instance has no REST route to list them)")
	text, isErr = e.call(t, "explain_flow", map[string]any{"flow": "Load orders from CSV"})
	if isErr {
		t.Fatal(text)
	}
	mustContain(t, text, `- Run by workflow "Nightly warehouse refresh"`, "- Triggers: listeners: could not be checked")
	if strings.Contains(text, "Started by: no schedule") {
		t.Errorf("a flow with unchecked listeners must not claim nothing starts it:\n%s", text)
	}
}
