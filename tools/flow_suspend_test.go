package tools

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/etlworks/etlworks-mcp/client"
)

// suspendCaller is what the suspension test needs of a test harness: call a tool through the protocol.
type suspendCaller func(name string, args map[string]any) (string, bool)

// checkSuspendCycle suspends a flow with update_flow (dry run first), shows run_flow refusing it
// with the exact call that resumes it, resumes it and runs it.
func checkSuspendCycle(t *testing.T, call suspendCaller, flow string) {
	t.Helper()
	must := func(name string, args map[string]any) string {
		t.Helper()
		text, isErr := call(name, args)
		if isErr {
			t.Fatalf("%s(%v): %s", name, args, text)
		}
		return text
	}
	text := must("update_flow", map[string]any{"flow": flow, "suspended": true, "dry_run": true})
	mustContain(t, text, "Dry run", "would suspend the flow")
	if text, isErr := call("run_flow", map[string]any{"flow": flow, "wait": true}); isErr {
		t.Fatalf("the dry run suspended the flow: %s", text)
	}
	text = must("update_flow", map[string]any{"flow": flow, "suspended": true})
	mustContain(t, text, "Suspended flow ", `undo: {"tool":"update_flow","arguments":{"flow":`, `"suspended":false}}`)
	id := strings.TrimSpace(strings.SplitN(strings.TrimPrefix(text, "Suspended flow "), " ", 2)[0])
	if _, err := strconv.Atoi(id); err != nil {
		t.Fatalf("no flow id in %q", text)
	}

	text, isErr := call("run_flow", map[string]any{"flow": flow})
	if !isErr {
		t.Fatalf("run_flow on a suspended flow succeeded: %s", text)
	}
	mustContain(t, text, "is suspended, so it was not started", `{"tool":"update_flow","arguments":{"flow":`+id+`,"suspended":false}}`)
	if strings.Contains(text, "in progress") {
		t.Errorf("the answer should not be ambiguous: %s", text)
	}
	mustContain(t, must("update_flow", map[string]any{"flow": flow, "suspended": false}), "Resumed flow "+id)
	must("run_flow", map[string]any{"flow": flow, "wait": true})
}

// TestUpdateFlowSuspended: suspension through the protocol on the extended profile, where the flow
// says whether it is suspended (a repeated suspend changes nothing).
func TestUpdateFlowSuspended(t *testing.T) {
	e := newEnv(t)
	checkSuspendCycle(t, e.call, "Load orders from CSV")
	e.ok("update_flow", map[string]any{"flow": "Load orders from CSV", "suspended": true}, nil)
	mustContain(t, e.ok("update_flow", map[string]any{"flow": "Load orders from CSV", "suspended": true}, nil), "no change", "already in that state")
	var s flowSummary
	e.ok("get_flow", map[string]any{"flow": "Load orders from CSV"}, &s)
	if !s.Suspended {
		t.Error("get_flow does not show the suspension")
	}
	// A definition change and a resume in one call.
	text := e.ok("update_flow", map[string]any{"flow": "Load orders from CSV", "suspended": false, "set": map[string]any{"description": "resumed"}}, nil)
	mustContain(t, text, "Updated flow", "@@ description", "Resumed flow")
}

// TestUpdateFlowSuspendedDocumentedProfile: the documented profile serves suspend and resume
// (rows 17, 18) but its flows carry no "suspended" field, so run_flow reads the run answer.
func TestUpdateFlowSuspendedDocumentedProfile(t *testing.T) {
	e := newDocumentedEnv(t)
	checkSuspendCycle(t, func(name string, args map[string]any) (string, bool) { return e.call(t, name, args) }, "Load orders from CSV")
}

// TestUpdateFlowSuspendedAbsent: on an instance without the suspend routes, update_flow says so
// with the UI's way, and the dry run refuses too once the absence is known; the tool stays listed.
func TestUpdateFlowSuspendedAbsent(t *testing.T) {
	e := newCapEnv(t, []client.Capability{client.CapFlowSuspend})
	text, isErr := e.call(t, "update_flow", map[string]any{"flow": "Load orders from CSV", "suspended": true})
	if !isErr || !strings.Contains(text, "no REST route for suspending or resuming a flow") || !strings.Contains(text, "Flows: suspend or resume the flow") {
		t.Fatalf("apply: %v %s", isErr, text)
	}
	text, isErr = e.call(t, "update_flow", map[string]any{"flow": "Load orders from CSV", "suspended": true, "dry_run": true})
	if !isErr || !strings.Contains(text, "no REST route for suspending") {
		t.Fatalf("dry run after the absence is known: %v %s", isErr, text)
	}
	text, isErr = e.call(t, "update_flow", map[string]any{"flow": "Load orders from CSV", "set": map[string]any{"description": "still editable"}})
	if isErr || !strings.Contains(text, "Updated flow") {
		t.Fatalf("definition edits still work: %s", text)
	}
}

// TestParamNeedsNameRealParameters keeps paramNeeds honest: each entry is a tool's parameter and
// a known group.
func TestParamNeedsNameRealParameters(t *testing.T) {
	props := map[string]bool{}
	for _, d := range All(Deps{}) {
		var schema struct {
			Properties map[string]json.RawMessage `json:"properties"`
		}
		if err := json.Unmarshal(d.Tool.RawInputSchema, &schema); err != nil {
			t.Fatal(err)
		}
		for p := range schema.Properties {
			props[d.Tool.Name+"."+p] = true
		}
	}
	for name, need := range paramNeeds {
		if _, ok := client.CapabilityByName(need); !ok || !props[name] {
			t.Errorf("paramNeeds[%s] = %s: unknown parameter or group", name, need)
		}
	}
}
