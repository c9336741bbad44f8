package tools

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/etlworks/etlworks-mcp/client"
)

// This file holds suspension: update_flow's "suspended" (POST /v1/flows/{id}/suspend and
// /resume, documented operations whose routes are inferred: client.CapFlowSuspend) and what
// run_flow says when a run was not started because the flow is suspended.

// suspendPath is the route update_flow's "suspended" calls.
func suspendPath(id int64, suspend bool) string {
	if suspend {
		return fmt.Sprintf("v1/flows/%d/suspend", id)
	}
	return fmt.Sprintf("v1/flows/%d/resume", id)
}

// suspendState reads whether a flow is suspended; known is false when the instance does not say
// (the documented flow shape has no "suspended").
func suspendState(def []byte) (suspended, known bool) {
	s := gjson.GetBytes(def, "suspended")
	return s.Bool(), s.Exists()
}

// suspendWord names the action for people.
func suspendWord(suspend bool) string {
	if suspend {
		return "suspend"
	}
	return "resume"
}

// resumeCall is the exact tool call that suspends (suspend true) or resumes a flow.
func resumeCall(id int64, suspend bool) string {
	return hint("update_flow", "", "flow", id, "suspended", suspend).String()
}

// notStartedError explains a run answer of status 3 (nothing ran), which means either a run in
// progress or a suspended flow: the flow's "suspended" field decides when the instance sends it,
// else the answer's exception text, else both causes are named with the way out of each.
func notStartedError(ctx context.Context, c *client.Client, f flowRef, exception string) error {
	suspended, known := false, false
	if def, _, err := c.Flows.Get(ctx, f.ID); err == nil {
		suspended, known = suspendState(def)
	}
	if !known && strings.Contains(strings.ToLower(exception), "suspended") {
		suspended, known = true, true
	}
	switch {
	case known && suspended:
		return badInput("flow %q is suspended, so it was not started; resume it with %s, then run it again", f.Name, resumeCall(f.ID, false))
	case known:
		return badInput("flow %q was not started: a run is already in progress; list_runs shows its runs, stop_flow stops one", f.Name)
	}
	return badInput("flow %q was not started: a run is already in progress (list_runs shows it, stop_flow stops it) or the flow is suspended (%s resumes it)", f.Name, resumeCall(f.ID, false))
}

// suspendKnownAbsent refuses "suspended" without a call when the instance is known to lack the routes.
func suspendKnownAbsent(ctx context.Context, c *client.Client, id int64, suspend bool) error {
	return c.KnownAbsent(ctx, paramNeeds["update_flow.suspended"], http.MethodPost, suspendPath(id, suspend))
}

// suspendChange is what update_flow's "suspended" would do: "" when it changes nothing.
func suspendChange(def []byte, want *bool) string {
	if want == nil {
		return ""
	}
	cur, known := suspendState(def)
	if known && cur == *want {
		return ""
	}
	if *want {
		return "suspend the flow: runs are refused until it is resumed"
	}
	return "resume the flow: runs are accepted again"
}

// applySuspend suspends or resumes a flow; the capability's absence, once known, refuses it
// before any call.
func applySuspend(ctx context.Context, c *client.Client, id int64, suspend bool) error {
	if err := suspendKnownAbsent(ctx, c, id, suspend); err != nil {
		return err
	}
	_, _, err := c.Flows.SetSuspended(ctx, id, suspend)
	return err
}
