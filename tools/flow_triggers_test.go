package tools

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/sandbox"
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

// TestGetFlowTriggersAfterScheduleWrites: started_by is read from the client's schedule and
// listener indexes, and a schedule created, paused, deleted or restored through this server shows
// in the very next get_flow, within the indexes' TTL.
func TestGetFlowTriggersAfterScheduleWrites(t *testing.T) {
	e := newEnv(t)
	var s flowSummary
	e.ok("get_flow", map[string]any{"flow": "Export revenue report"}, &s) // builds the indexes
	schedules := func() string {
		t.Helper()
		e.ok("get_flow", map[string]any{"flow": s.ID}, &s)
		return strings.Join(s.StartedBy.Schedules, "\n")
	}
	if got := schedules(); strings.Contains(got, "Fresh schedule") {
		t.Fatalf("before the create: %q", got)
	}
	e.ok("create_schedule", map[string]any{"flow": s.ID, "name": "Fresh schedule", "cron": "0 0 5 * * ?"}, nil)
	if got := schedules(); !strings.Contains(got, `"Fresh schedule": every day at 05:00; next 20`) {
		t.Fatalf("after create_schedule: %q", got)
	}
	e.ok("update_schedule", map[string]any{"schedule": "Fresh schedule", "enabled": false}, nil)
	if got := schedules(); !strings.Contains(got, `"Fresh schedule": every day at 05:00; paused`) {
		t.Fatalf("after update_schedule: %q", got)
	}
	var confirm struct {
		Token string `json:"confirm_token"`
	}
	e.ok("delete_schedule", map[string]any{"schedule": "Fresh schedule"}, &confirm)
	var deleted struct {
		Undo struct {
			Arguments map[string]any `json:"arguments"`
		} `json:"undo"`
	}
	e.ok("delete_schedule", map[string]any{"schedule": "Fresh schedule", "confirm_token": confirm.Token}, &deleted)
	if got := schedules(); strings.Contains(got, "Fresh schedule") {
		t.Fatalf("after delete_schedule: %q", got)
	}
	if deleted.Undo.Arguments != nil {
		e.ok("restore_deleted", deleted.Undo.Arguments, nil)
		if got := schedules(); !strings.Contains(got, "Fresh schedule") {
			t.Fatalf("after restore_deleted: %q", got)
		}
	}
}

// countingTransport counts the requests an Etlworks client sends.
type countingTransport struct {
	mu   sync.Mutex
	seen []string
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.seen = append(c.seen, r.Method+" "+r.URL.Path)
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

func (c *countingTransport) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.seen
	c.seen = nil
	return out
}

// TestGetFlowWarmIsOneRequest: once the indexes are built, get_flow by name or id is one REST
// request (the flow's GET): its schedules, workflows and listeners come from the indexes.
func TestGetFlowWarmIsOneRequest(t *testing.T) {
	count := &countingTransport{}
	e := newEnvWithClient(t, sandbox.Options{RunStep: 10 * time.Millisecond}, client.WithHTTPClient(&http.Client{Transport: count}))
	var s flowSummary
	e.ok("get_flow", map[string]any{"flow": "Nightly warehouse refresh"}, &s) // builds the indexes
	count.take()
	for _, ref := range []any{"Nightly warehouse refresh", s.ID} {
		e.ok("get_flow", map[string]any{"flow": ref}, &s)
		if len(s.StartedBy.Schedules) == 0 {
			t.Fatalf("get_flow %v: no schedules: %+v", ref, s.StartedBy)
		}
		if got := count.take(); len(got) != 1 {
			t.Errorf("a warm get_flow %v sent %d requests, want 1: %v", ref, len(got), got)
		}
	}
}
