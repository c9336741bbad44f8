package sandbox

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// TestScheduler watches a short-interval schedule produce runs, stop when paused and start again
// when resumed.
func TestScheduler(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	const interval = 150 * time.Millisecond
	var sc schedule
	h.ok("POST", "/rest/v1/schedules", map[string]any{"name": "Every 150ms", "flowId": 4, "schedule": interval.String(),
		"parameters": map[string]string{"day": "{today}"}}, &sc)
	path := fmt.Sprintf("/rest/v1/schedules/%d", sc.ID)

	waitFor(t, "two scheduled runs", func() bool { return len(h.scheduledRuns(4, sc.ID)) >= 2 })
	runs := h.scheduledRuns(4, sc.ID)
	for _, e := range runs {
		if e.User != "scheduler" || strPtr(e.EventName) != "Every 150ms" {
			t.Errorf("scheduled run = %+v", e)
		}
	}
	e := h.wait(4, runs[len(runs)-1].AuditID)
	if e.Status != model.StatusSuccess {
		t.Errorf("scheduled run ended %s: %s", e.Status, strPtr(e.Exception))
	}
	if log := h.logOf(4, e.AuditID); !containsAll(log, "day="+time.Now().Format(time.DateOnly), "User: scheduler") {
		t.Errorf("log does not show the expanded parameter and the scheduler:\n%s", log)
	}

	h.ok("POST", path+"/pause", nil, nil)
	waitFor(t, "the last scheduled run to end", func() bool {
		for _, e := range h.scheduledRuns(4, sc.ID) {
			if !model.IsTerminal(e.Status) {
				return false
			}
		}
		return true
	})
	paused := len(h.scheduledRuns(4, sc.ID))
	// Observe several intervals, and make sure the scheduler really scanned during them.
	scans, until := h.sb.auto.sched.scans.Load(), time.Now().Add(5*interval)
	waitFor(t, "five intervals of scheduler scans", func() bool {
		return time.Now().After(until) && h.sb.auto.sched.scans.Load() >= scans+5
	})
	if n := len(h.scheduledRuns(4, sc.ID)); n != paused {
		t.Fatalf("a paused schedule fired: %d runs, %d when paused", n, paused)
	}

	h.ok("POST", path+"/resume", nil, nil)
	waitFor(t, "a run after resume", func() bool { return len(h.scheduledRuns(4, sc.ID)) > paused })

	// A schedule deleted with its flow stops too; Close then stops the scheduler (checked by -race
	// and the harness cleanup).
	h.ok("DELETE", path, nil, nil)
	waitFor(t, "runs to end", func() bool { return h.sb.eng.Running() == 0 })
	gone := len(h.scheduledRuns(4, sc.ID))
	scans, until = h.sb.auto.sched.scans.Load(), time.Now().Add(3*interval)
	waitFor(t, "three intervals of scheduler scans", func() bool {
		return time.Now().After(until) && h.sb.auto.sched.scans.Load() >= scans+3
	})
	if n := len(h.scheduledRuns(4, sc.ID)); n != gone {
		t.Errorf("a deleted schedule fired: %d runs, %d when deleted", n, gone)
	}
}

// TestSchedulerClose checks that closing a sandbox stops its scheduler even while it fires.
func TestSchedulerClose(t *testing.T) {
	t.Parallel()
	sb, err := New(Options{RunStep: testStep})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, sb: sb, srv: newServer(t, sb), key: sb.Credentials().APIKey}
	h.ok("POST", "/rest/v1/schedules", map[string]any{"name": "Busy", "flowId": 1, "schedule": "100ms"}, nil)
	waitFor(t, "a scheduled run", func() bool { return len(h.scheduledRuns(1, seededFlows+1)) > 0 })
	done := make(chan error)
	go func() { done <- sb.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
	select {
	case <-sb.auto.sched.done:
	default:
		t.Fatal("the scheduler goroutine is still running")
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
