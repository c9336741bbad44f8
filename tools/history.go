package tools

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/etlworks/etlworks-mcp/client"
)

// runView is the compact view of one run.
type runView struct {
	RunID     int64  `json:"run_id"`
	Flow      string `json:"flow"`
	FlowID    int64  `json:"flow_id"`
	Status    string `json:"status"`
	Started   string `json:"started,omitempty"` // "unknown" when Etlworks did not say
	Ended     string `json:"ended,omitempty"`
	DurationS any    `json:"duration_s" jsonschema:"oneof_type=number;string;null"` // seconds, "unknown", or null while it runs
	Records   any    `json:"records" jsonschema:"oneof_type=integer;string;null"`   // a count, "unknown", or null while it runs
	User      string `json:"user,omitempty"`
	Schedule  string `json:"schedule,omitempty"`
	Error     string `json:"error,omitempty"`
}

// maxException bounds the exception text in a run view; get_run_log shows the rest.
const maxException = 600

// unknown stands for a field Etlworks did not report (the status route documents no times or
// counts, and the reporting API did not have the run).
const unknown = "unknown"

func viewRun(e *client.Execution, now time.Time) runView {
	v := runView{
		RunID: int64(e.AuditID), Flow: e.FlowName, FlowID: int64(e.FlowID), Status: string(e.Status),
		Started: isoTime(int64(e.Started)), Ended: isoTime(int64(e.Ended)),
		DurationS: seconds(e.Duration(now)), Records: e.Records, User: e.User, Schedule: e.EventName,
		Error: clip(redact(exceptionSummary(e.Exception)), maxException),
	}
	if !e.Detailed() {
		v.Started, v.DurationS, v.Records = unknown, unknown, unknown
	}
	return v
}

// ListRunsInput filters run history.
type ListRunsInput struct {
	Flow    Ref                  `json:"flow,omitempty" jsonschema:"description=Id or exact name"`
	Status  choice[runStatuses]  `json:"status,omitempty" jsonschema:"description=State"`
	Since   string               `json:"since,omitempty" jsonschema:"description=RFC 3339 time or age (default 7d)"`
	GroupBy choice[runGroupings] `json:"group_by,omitempty" jsonschema:"description=Per-flow stats"`
	page
}

func (in *ListRunsInput) validate() error {
	if _, err := parseSince(in.Since, time.Now()); err != nil {
		return err
	}
	return in.page.validate()
}

// parseSince reads an RFC 3339 time, a date, or an age like 90m, 24h, 7d.
func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if n, err := strconv.Atoi(strings.TrimSuffix(s, "d")); err == nil && strings.HasSuffix(s, "d") && n >= 0 {
		return now.AddDate(0, 0, -n), nil
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, badInput(`"since" must be an RFC 3339 time (2026-11-28T00:00:00Z), a date (2026-11-28) or an age (90m, 24h, 7d), got %q`, s)
}

func listRunsTool(d Deps) Def {
	return newTool(d, spec[ListRunsInput]{
		name:        "list_runs",
		title:       "List runs",
		description: "List flow runs, newest first, with first error or warning; group_by flow: failure stats per flow.",
		toolset:     "flows",
		effect:      reads,
		results:     []any{runList{}, statsList{}},
		handle: func(ctx context.Context, in ListRunsInput) (any, error) {
			offset, _ := in.offset()
			now := time.Now()
			since, _ := parseSince(in.Since, now)
			opts := client.HistoryOptions{Status: client.ExecutionStatus(in.Status), Since: since, Limit: offset + in.limit() + 1, Exceptions: true}
			if in.GroupBy != "" {
				opts.Limit = maxStatsRuns
			}
			if in.Flow != "" {
				f, err := resolveFlow(ctx, d.Client, in.Flow)
				if err != nil {
					return nil, err
				}
				opts.FlowID = f.ID
			}
			h, err := d.Client.Executions.History(ctx, opts)
			if err != nil {
				return nil, err
			}
			if in.GroupBy != "" {
				return runStats(h, in.page, offset), nil
			}
			return runPage(ctx, d, h, in, offset, now), nil
		},
	})
}

// runPage is list_runs' page of compact rows; across flows it names each flow once.
func runPage(ctx context.Context, d Deps, h *client.History, in ListRunsInput, offset int, now time.Time) runList {
	var picked []*client.Execution
	for i := offset; i < len(h.Runs) && len(picked) < in.limit(); i++ {
		picked = append(picked, &h.Runs[i])
	}
	msgs, unread := runProblems(ctx, d, picked)
	rows := make([]runRow, 0, len(picked))
	var flows map[string]string
	if in.Flow == "" {
		flows = map[string]string{}
	}
	for i, e := range picked {
		r := newRunRow(e, now, in.Flow == "")
		r.setMessage(msgs[i])
		rows = append(rows, r)
		if flows != nil {
			flows[strconv.FormatInt(int64(e.FlowID), 10)] = e.FlowName
		}
	}
	total := -1
	if len(h.Runs) <= offset+len(rows) {
		total = offset + len(rows) // the window holds no more
	}
	out := runList{listResult: newListResult(rows, offset, total), Flows: flows, Searched: searchedWindow(h), Limited: h.Limited}
	if unread > 0 {
		out.Note = fmt.Sprintf("%d runs lack their first warning: a call reads at most %d logs; a smaller limit or get_run_log level warning shows them", unread, maxLogReads)
	}
	return out
}

// runList is list_runs' answer: the rows, the names of their flows, what was searched and what
// could not be.
type runList struct {
	listResult[runRow]
	Flows    map[string]string `json:"flows,omitempty"` // flow id → name
	Note     string            `json:"note,omitempty"`
	Searched string            `json:"searched"`
	Limited  string            `json:"limited,omitempty"`
}

func searchedWindow(h *client.History) string {
	return fmt.Sprintf("runs since %s from %s", h.Since.UTC().Format(time.RFC3339), h.Source)
}

// exceptionSummary keeps the message lines of a Java exception and drops its stack frames, which
// cost many tokens and rarely explain anything; get_run_log shows them when needed.
func exceptionSummary(s string) string {
	var keep []string
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if t := strings.TrimSpace(l); t != "" && !stackLine.MatchString(l) && len(keep) < 4 {
			keep = append(keep, t)
		}
	}
	return strings.Join(keep, "\n")
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return strings.TrimSpace(s[:i])
	}
	return s
}

// RunInput names one run of a flow (get_run, stop_flow, diagnose_run).
type RunInput struct {
	Flow  Ref   `json:"flow" jsonschema:"required,description=Id or exact name"`
	RunID int64 `json:"run_id,omitempty" jsonschema:"description=Default: latest run"`
}

func (in *RunInput) validate() error { return checkRunID(in.RunID) }

// checkRunID is the one rule for a run_id argument: absent (0, the latest run) or positive.
func checkRunID(id int64) error {
	if id < 0 {
		return badInput(`"run_id" must be a positive run id, got %d`, id)
	}
	return nil
}

func getRunTool(d Deps) Def {
	return newTool(d, spec[RunInput]{
		name:        "get_run",
		title:       "Get run",
		description: "Show one run of a flow (default latest): status, times, records, error.",
		toolset:     "flows",
		effect:      reads,
		results:     []any{runDetail{}},
		handle: func(ctx context.Context, in RunInput) (any, error) {
			run, err := findRun(ctx, d.Client, in.Flow, in.RunID)
			if err != nil {
				return nil, err
			}
			d.Client.Executions.Fill(ctx, run) // times and counts the status route may leave out
			out := runDetail{runView: viewRun(run, time.Now())}
			if !run.Status.Terminal() {
				out.Live = liveTasks(ctx, d.Client, int64(run.AuditID))
			}
			return out, nil
		},
	})
}

// findRun resolves the flow and returns the run with runID, or the latest run when runID is 0.
func findRun(ctx context.Context, c *client.Client, ref Ref, runID int64) (*client.Execution, error) {
	f, err := resolveFlow(ctx, c, ref)
	if err != nil {
		return nil, err
	}
	run, _, err := c.Executions.Get(ctx, f.ID, &client.ExecutionGetOptions{AuditID: runID})
	if client.IsNotFound(err) {
		if runID > 0 {
			return nil, badInput("flow %q has no run %d; list_runs shows its runs", f.Name, runID)
		}
		return nil, badInput("flow %q has never run; run_flow starts it", f.Name)
	}
	if err != nil {
		return nil, err
	}
	if run.FlowName == "" {
		run.FlowName = f.Name
	}
	if run.FlowID == 0 {
		run.FlowID = client.ID(f.ID)
	}
	return run, nil
}

// runDetail is get_run's answer: the run and, while it runs, what its tasks are doing.
type runDetail struct {
	runView
	Live *liveView `json:"live,omitempty"`
}

// liveView is a running run's tasks from the running-tasks API: records processed so far and
// latency (Etlworks' own figure, in its unit) of the slowest task.
type liveView struct {
	RecordsProcessed int64      `json:"records_processed"`
	Latency          int64      `json:"latency"`
	Tasks            []taskView `json:"tasks"`
}

type taskView struct {
	Name             string `json:"name"`
	Type             string `json:"type"`
	RecordsProcessed int64  `json:"records_processed"`
	Latency          int64  `json:"latency"`
	AvgLatency       int64  `json:"avg_latency,omitempty"`
}

// liveTypes are the task types get_run asks for: a CDC or streaming flow reports "stream",
// others "extract" and "load" (scripts and high-watermark queries say little about progress).
var liveTypes = []string{"stream", "extract", "load"}

// maxLiveTasks bounds the tasks shown for one run.
const maxLiveTasks = 10

// liveTasks asks the running-tasks API (Administrator) about a running run; nil when it is not
// available, refused or has nothing.
func liveTasks(ctx context.Context, c *client.Client, auditID int64) *liveView {
	if st := c.CapabilityState(ctx, client.CapRunningTasks); st == client.CapAbsent || st == client.CapForbidden {
		return nil
	}
	results := make([][]client.RunningTask, len(liveTypes))
	var wg sync.WaitGroup
	for i, typ := range liveTypes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if tasks, _, err := c.Executions.RunningTasks(ctx, auditID, typ); err == nil {
				results[i] = tasks
			}
		}()
	}
	wg.Wait()
	live := &liveView{Tasks: []taskView{}}
	for i, tasks := range results {
		for _, t := range tasks {
			typ := t.Type
			if typ == "" {
				typ = liveTypes[i]
			}
			live.RecordsProcessed += t.RecordsProcessed
			live.Latency = max(live.Latency, t.Latency)
			if len(live.Tasks) < maxLiveTasks {
				live.Tasks = append(live.Tasks, taskView{Name: clip(redact(t.Name), 160), Type: typ,
					RecordsProcessed: t.RecordsProcessed, Latency: t.Latency, AvgLatency: t.AvgLatency})
			}
		}
	}
	if len(live.Tasks) == 0 {
		return nil
	}
	return live
}
