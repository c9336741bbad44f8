package tools

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/internal/lazyre"
)

// Run waiting bounds. Most clients give a tool call about 60 s and do not extend it on
// progress, so a wait stops at defaultWait unless timeout_seconds asks for more, and then says
// how to follow the run.
const (
	defaultWait = 45 // seconds
	maxWait     = 3600
)

// RunFlowInput starts a run.
type RunFlowInput struct {
	Flow           Ref               `json:"flow" jsonschema:"required,description=Id or exact name"`
	Params         map[string]string `json:"params,omitempty" jsonschema:"description=Flow variables"`
	Wait           bool              `json:"wait,omitempty" jsonschema:"description=Wait for the end"`
	TimeoutSeconds int               `json:"timeout_seconds,omitempty" jsonschema:"maximum=3600,description=Max wait (default 45)"`
	StopOnCancel   bool              `json:"stop_on_cancel,omitempty" jsonschema:"description=Stop the run if the call is cancelled"`
}

func (in *RunFlowInput) validate() error {
	if in.TimeoutSeconds < 0 || in.TimeoutSeconds > maxWait {
		return badInput(`"timeout_seconds" must be between 1 and %d, got %d`, maxWait, in.TimeoutSeconds)
	}
	if (in.TimeoutSeconds > 0 || in.StopOnCancel) && !in.Wait {
		return badInput(`"timeout_seconds" and "stop_on_cancel" only apply with "wait": true`)
	}
	return nil
}

// runOutcome is what run_flow reports.
type runOutcome struct {
	runView
	Errors  []string  `json:"first_errors,omitempty"`
	LastLog string    `json:"last_log,omitempty"` // a run still going: its newest log line
	Note    string    `json:"note,omitempty"`
	Next    *toolCall `json:"next,omitempty"`
}

// runCall is the follow-up call about one run of flow f (more: extra key, value pairs).
func runCall(tool string, f flowRef, runID int64, more ...any) *toolCall {
	c := hint(tool, "", append([]any{"flow", f.ID, "run_id", runID}, more...)...)
	return &c
}

func runFlowTool(d Deps) Def {
	return newTool(d, spec[RunFlowInput]{
		name:        "run_flow",
		title:       "Run flow",
		description: "Start a flow run; with wait, report its outcome and first errors, or how to follow it.",
		toolset:     "flows",
		effect:      writes,
		deadline:    runFlowDeadline,
		results:     []any{runOutcome{}},
		handle: func(ctx context.Context, in RunFlowInput) (any, error) {
			f, err := resolveFlow(ctx, d.Client, in.Flow)
			if err != nil {
				return nil, err
			}
			started, _, err := d.Client.Flows.Run(ctx, f.ID, in.Params, nil)
			if err != nil {
				return nil, err
			}
			switch started.Status {
			case client.RunNotStarted:
				return nil, notStartedError(ctx, d.Client, f, started.Exception)
			case client.RunFailed:
				return nil, fmt.Errorf("flow %q failed to start: %s", f.Name, clip(redact(started.Exception), maxException))
			}
			runID := int64(started.AuditID)
			if !in.Wait {
				return runOutcome{
					runView: runView{RunID: runID, Flow: f.Name, FlowID: f.ID, Status: "started"},
					Next:    runCall("get_run", f, runID),
				}, nil
			}
			timeout := time.Duration(in.TimeoutSeconds) * time.Second
			if timeout == 0 {
				timeout = defaultWait * time.Second
			}
			out, err := waitForRun(ctx, d, f, runID, timeout)
			if err != nil && ctx.Err() != nil && in.StopOnCancel {
				stopAfterCancel(ctx, d, f, runID)
			}
			return out, err
		},
	})
}

// runFlowDeadline gives a waiting run_flow its own timeout_seconds, plus one ordinary call's time
// for starting the run and reading its outcome; without wait the per-call timeout applies.
func runFlowDeadline(in RunFlowInput, callTimeout time.Duration) time.Duration {
	if !in.Wait {
		return 0
	}
	wait := time.Duration(in.TimeoutSeconds) * time.Second
	if wait == 0 {
		wait = defaultWait * time.Second
	}
	return wait + callTimeout
}

// waitForRun polls a run until it ends or timeout passes, reporting progress on the way: status,
// records so far and the last log line. It stops waiting, and returns ctx's error, as soon as the
// client cancels the call.
func waitForRun(ctx context.Context, d Deps, f flowRef, runID int64, timeout time.Duration) (any, error) {
	interval := d.PollInterval
	if interval <= 0 {
		interval = time.Second
	}
	if d.RunWaits != nil {
		d.RunWaits.Inc()
		defer d.RunWaits.Dec()
	}
	start := time.Now()
	deadline := start.Add(timeout)
	var tracker progressTracker
	for {
		run, _, err := d.Client.Executions.Get(ctx, f.ID, &client.ExecutionGetOptions{AuditID: runID})
		if err != nil && !client.IsNotFound(err) { // a just-queued run may not be visible yet
			return nil, err
		}
		elapsed := time.Since(start)
		if run != nil {
			tracker.report(ctx, d, f, run, elapsed, timeout)
			if run.Status.Terminal() {
				tracker.settle(ctx)
				return finished(ctx, d, f, run), nil
			}
		}
		if time.Now().After(deadline) {
			tracker.settle(ctx)
			return stillGoing(ctx, d, f, runID, run, elapsed, timeout), nil
		}
		t := time.NewTimer(min(interval, time.Until(deadline)+time.Millisecond))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// stillGoing is run_flow's answer when the wait ends before the run: what the run showed so far
// (status, start, records, newest log line) and the call that follows it.
func stillGoing(ctx context.Context, d Deps, f flowRef, runID int64, run *client.Execution, elapsed, timeout time.Duration) runOutcome {
	out := runOutcome{runView: runView{RunID: runID, Flow: f.Name, FlowID: f.ID, Status: "queued", DurationS: seconds(elapsed), Records: 0}}
	if run != nil {
		out.Status, out.Started = string(run.Status), isoTime(int64(run.Started))
		if run.Records > 0 || run.Detailed() {
			out.Records = run.Records
		} else {
			out.Records = unknown // the status route documents no record count
		}
		out.LastLog = lastLogLine(ctx, d, f.ID, runID)
	}
	out.Note = fmt.Sprintf("still %s after the %.0fs wait; the run goes on: next checks it, stop_flow stops it, timeout_seconds waits longer",
		out.Status, timeout.Seconds())
	out.Next = runCall("get_run", f, runID)
	return out
}

// progressTracker turns polls into progress notifications whose progress value always grows, as
// the protocol requires, and whose message says what the run is doing.
type progressTracker struct {
	last     float64
	sent     bool
	logLine  string    // the last log line seen
	logFetch time.Time // when the log was last downloaded
	logState string    // status and records when it was downloaded
}

// logRefresh bounds how often a waited run's log is downloaded for its last line while the run
// shows no change: the log grows with the run, and downloading it on every poll would cost more
// than the line is worth. A change of status or record count refreshes it at once.
const logRefresh = 5 * time.Second

func (p *progressTracker) report(ctx context.Context, d Deps, f flowRef, run *client.Execution, elapsed, timeout time.Duration) {
	if !hasProgress(ctx) {
		return
	}
	p.last = max(p.last+0.001, elapsed.Seconds())
	msg := fmt.Sprintf("%s: %d records after %.0fs", run.Status, run.Records, elapsed.Seconds())
	if !run.Status.Terminal() {
		state := fmt.Sprintf("%s/%d", run.Status, run.Records)
		if state != p.logState || time.Since(p.logFetch) >= logRefresh {
			p.logLine, p.logFetch, p.logState = lastLogLine(ctx, d, f.ID, int64(run.AuditID)), time.Now(), state
		}
		if p.logLine != "" {
			msg += " | " + p.logLine
		}
	}
	reportProgress(ctx, p.last, timeout.Seconds(), msg)
	p.sent = true
}

// settle holds the result until the last progress notification has left the session's queue
// (awaitProgressDelivery), so a client sees the final progress before the result.
func (p *progressTracker) settle(ctx context.Context) {
	if p.sent {
		awaitProgressDelivery(ctx)
	}
}

// lastLogLine returns the newest log line of a running run, shortened, or "" when unavailable.
func lastLogLine(ctx context.Context, d Deps, flowID, runID int64) string {
	log, _, err := d.Client.Executions.Log(ctx, flowID, runID)
	if err != nil {
		return ""
	}
	lines := splitLog(d.Redactor.Text(string(log.Text)))
	if len(lines) == 0 {
		return ""
	}
	line := logStamp.ReplaceAllString(strings.TrimSpace(lines[len(lines)-1]), "")
	return clip(redact(line), 160)
}

// logStamp matches the date and time that start an Etlworks log line; progress messages carry
// their own time, so the line is shown without it.
var logStamp = lazyre.New(`^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?\s+`)

// stopAfterCancel stops a run whose waiting call was cancelled with stop_on_cancel. The call's own
// context is cancelled, so the stop gets a short one of its own (keeping the call's log ids).
func stopAfterCancel(callCtx context.Context, d Deps, f flowRef, runID int64) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(callCtx), 15*time.Second)
	defer cancel()
	if _, _, err := d.Client.Flows.Stop(ctx, f.ID, runID); err != nil && d.Log != nil {
		d.Log.WarnContext(ctx, "stop after cancel failed", "flow", f.ID, "run", runID, "err", err)
	}
}

// finished builds the outcome of an ended run; for a failed run it adds the first error lines of
// the log, which usually name the cause.
func finished(ctx context.Context, d Deps, f flowRef, run *client.Execution) runOutcome {
	d.Client.Executions.Fill(ctx, run) // times and counts the status route may leave out
	out := runOutcome{runView: viewRun(run, time.Now())}
	if out.Flow == "" {
		out.Flow = f.Name
	}
	if run.Status == client.StatusError || run.Status == client.StatusWarning {
		if log, _, err := d.Client.Executions.Log(ctx, f.ID, int64(run.AuditID)); err == nil {
			out.Errors = firstProblems(splitLog(d.Redactor.Text(string(log.Text))), 5, run.Status == client.StatusWarning)
		}
		level := "error"
		if run.Status == client.StatusWarning {
			level = "warning"
		}
		out.Next = runCall("get_run_log", f, int64(run.AuditID), "level", level)
	}
	return out
}

// stopped is stop_flow's answer (fields in the order clients have always seen them).
type stopped struct {
	Flow   string `json:"flow"`
	FlowID int64  `json:"flow_id"`
	Next   string `json:"next,omitempty"`
	RunID  int64  `json:"run_id"`
	Status string `json:"status"`
}

func stopFlowTool(d Deps) Def {
	return newTool(d, spec[RunInput]{
		name:        "stop_flow",
		title:       "Stop flow",
		description: "Stop a flow's latest run, or run_id. Best effort; the run ends as canceled.",
		toolset:     "flows",
		effect:      writesOnce,
		handle: func(ctx context.Context, in RunInput) (any, error) {
			f, err := resolveFlow(ctx, d.Client, in.Flow)
			if err != nil {
				return nil, err
			}
			res, _, err := d.Client.Flows.Stop(ctx, f.ID, in.RunID)
			if err != nil {
				return nil, err
			}
			out := stopped{Flow: f.Name, FlowID: f.ID, RunID: int64(res.AuditID), Status: res.Status.String()}
			switch res.Status {
			case client.RunCanceled:
				out.Next = "get_run shows when the run has ended"
			case client.RunNotStarted:
				out.Status = "not running"
				out.Next = "nothing to stop; list_runs shows recent runs"
			}
			return out, nil
		},
	})
}
