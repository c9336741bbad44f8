package tools

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/etlworks/etlworks-mcp/client"
)

func TestRunFlowProgressInOrder(t *testing.T) {
	e := newEnvWithStep(t, 40*time.Millisecond)
	text, isErr := e.callWithMeta("run_flow", map[string]any{"flow": "Load orders from CSV", "wait": true},
		&mcp.Meta{ProgressToken: "order"})
	if isErr || !strings.Contains(text, `"status":"success"`) {
		t.Fatalf("run: %s", text)
	}
	notes := e.notifications("notifications/progress")
	if len(notes) < 3 {
		t.Fatalf("want several progress notifications for a run of several stages, got %d", len(notes))
	}
	last := -1.0
	sawRecords, sawLogLine := false, false
	for _, n := range notes {
		p, _ := n.Params.AdditionalFields["progress"].(float64)
		if p <= last {
			t.Fatalf("progress went from %v to %v: it must increase", last, p)
		}
		last = p
		msg, _ := n.Params.AdditionalFields["message"].(string)
		if strings.Contains(msg, "records after") {
			sawRecords = true
		}
		if strings.Contains(msg, " | ") {
			sawLogLine = true
		}
		if n.Params.AdditionalFields["progressToken"] != "order" {
			t.Fatalf("progress for another token: %v", n.Params.AdditionalFields)
		}
	}
	if !sawRecords || !sawLogLine {
		t.Fatalf("progress messages lack records or the last log line: %v", notes)
	}
	final, _ := notes[len(notes)-1].Params.AdditionalFields["message"].(string)
	if !strings.HasPrefix(final, "success") {
		t.Fatalf("last progress before the result should report the end, got %q", final)
	}
}

func TestRunFlowCancelStopsRun(t *testing.T) {
	e := newEnvWithStep(t, 300*time.Millisecond)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		req := callRequest("run_flow", map[string]any{"flow": "Load orders from CSV", "wait": true, "stop_on_cancel": true})
		req.Params.Meta = &mcp.Meta{ProgressToken: "cancel-me"}
		_, err := e.mcp.CallTool(ctx, req)
		done <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for len(e.notifications("notifications/progress")) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("run_flow kept waiting after the call was cancelled")
	}
	// The run must end canceled, not run to completion.
	for time.Now().Before(deadline) {
		run, _, err := e.api.Executions.Get(t.Context(), 1, nil)
		if err == nil && run.Status.Terminal() {
			if run.Status != client.StatusCanceled {
				t.Fatalf("with stop_on_cancel the run should be canceled, got %s", run.Status)
			}
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the run did not end")
}
