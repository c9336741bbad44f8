package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// FlowRuns is one flow's runs of one day, as the reporting API groups them.
type FlowRuns struct {
	FlowID     ID          `json:"flowId"`
	Name       string      `json:"name"`
	Executions []Execution `json:"executions"`
}

// ReportDay returns every run of one day, grouped by flow: GET /v1/metrics/executions?date=…
// (the reporting API, documented; Administrator). Etlworks compares the date in its configured
// timezone, which the client cannot know; History allows for that.
func (s *ExecutionsService) ReportDay(ctx context.Context, day time.Time, includeMetrics bool) ([]FlowRuns, *Response, error) {
	q := url.Values{"date": {day.Format(time.DateOnly)}}
	if includeMetrics {
		q.Set("includeMetrics", "true")
	}
	raw, resp, err := s.client.getList(ctx, "v1/metrics/executions", q)
	if err != nil {
		return nil, resp, err
	}
	var out []FlowRuns
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, resp, fmt.Errorf("client: GET v1/metrics/executions: %w", err)
	}
	for i := range out {
		for j := range out[i].Executions {
			e := &out[i].Executions[j]
			if e.FlowID == 0 {
				e.FlowID = out[i].FlowID
			}
			if e.FlowName == "" {
				e.FlowName = out[i].Name
			}
		}
	}
	return out, resp, nil
}

// HistoryOptions selects runs for History. Zero values select everything.
type HistoryOptions struct {
	FlowID int64
	Status ExecutionStatus
	Since  time.Time // runs started at or after; zero = the last DefaultHistoryDays days
	Limit  int       // newest runs wanted (0 = 50); the walk stops once it has them
	// Exceptions asks the reporting API for the runs' exception messages too (includeMetrics,
	// which also brings metrics: larger days); the run-history route always has them.
	Exceptions bool
}

// DefaultHistoryDays is how far back History looks when no Since is given.
const DefaultHistoryDays = 7

// MaxHistoryDays bounds the day-by-day walk of the reporting API.
const MaxHistoryDays = 92

// History is run history with where it came from: what was searched and what could not be.
type History struct {
	Runs   []Execution // newest first, one per run id, every row matching the options
	Source string      // the routes the rows came from
	// Limited says the history is partial, and why (for example a non-administrator sees only
	// the latest runs); "" when the whole window was searched.
	Limited string
	// Since is the start of the window searched.
	Since time.Time
}

// History returns run history from the routes this instance has: GET /v1/executions when it
// exists (an optional capability); otherwise the reporting API day by day back to Since
// (Administrator), merged with GET /v1/executions/{flowId} for the latest run and the latest in
// the asked status (which every Operator may read). A user who may not read the reporting API
// gets what the status route shows and a Limited note saying so.
func (s *ExecutionsService) History(ctx context.Context, opts HistoryOptions) (*History, error) {
	now := time.Now()
	if opts.Since.IsZero() {
		opts.Since = now.AddDate(0, 0, -DefaultHistoryDays)
	}
	if opts.Since.Before(now.AddDate(0, 0, -MaxHistoryDays)) {
		opts.Since = now.AddDate(0, 0, -MaxHistoryDays)
	}
	if opts.Limit <= 0 {
		opts.Limit = 50
	}
	h := &History{Since: opts.Since}
	if s.client.CapabilityState(ctx, CapRunHistory) != CapAbsent {
		runs, err := s.listPages(ctx, opts)
		if err == nil {
			h.Runs, h.Source = filterRuns(runs, opts), "GET /v1/executions"
			return h, nil
		}
		if !IsAbsent(err) && !IsStatus(err, http.StatusForbidden) {
			return nil, err
		}
	}
	seen := map[int64]int{}
	add := func(e Execution, fromReport bool) {
		if i, ok := seen[int64(e.AuditID)]; ok {
			h.Runs[i] = mergeRun(h.Runs[i], e, fromReport)
			return
		}
		seen[int64(e.AuditID)] = len(h.Runs)
		h.Runs = append(h.Runs, e)
	}
	var reportErr error = errReportRefused
	if s.client.CapabilityState(ctx, CapReporting) != CapForbidden {
		reportErr = s.walkReport(ctx, opts, now, func(e Execution) bool { add(e, true); return false })
	}
	switch {
	case reportErr == nil:
		h.Source = "reporting API (GET /v1/metrics/executions, day by day)"
	case reportRefused(reportErr) || IsAbsent(reportErr):
		h.Source = "GET /v1/executions/{flowId} (latest runs only)"
		h.Limited = "run history needs the Administrator role (the reporting API, GET /v1/metrics/executions, refused this user): " +
			"only the latest run of each flow and its latest run in the asked status are shown; get_run shows any run by id"
		if IsAbsent(reportErr) {
			h.Limited = "this instance has no run-history route and no reporting API: only the latest runs are shown; get_run shows any run by id"
		}
	default:
		return nil, reportErr
	}
	if err := s.mergeLatest(ctx, opts, h, reportErr == nil, add); err != nil {
		return nil, err
	}
	h.Runs = filterRuns(h.Runs, opts)
	if reportErr == nil && opts.FlowID > 0 {
		h.Source += " and GET /v1/executions/{flowId}"
	}
	return h, nil
}

// listPages reads GET /v1/executions page by page (200 rows at most each, as Etlworks allows)
// until it has opts.Limit runs or a page comes back short.
func (s *ExecutionsService) listPages(ctx context.Context, opts HistoryOptions) ([]Execution, error) {
	const pageSize = 200
	var runs []Execution
	for len(runs) < opts.Limit {
		n := min(opts.Limit-len(runs), pageSize)
		page, _, err := s.List(ctx, &ExecutionListOptions{FlowID: opts.FlowID, Status: opts.Status, From: opts.Since,
			ListOptions: ListOptions{Limit: n, Offset: len(runs)}})
		if err != nil {
			if len(runs) > 0 {
				return runs, nil // a later page failed: what was read still answers
			}
			return nil, err
		}
		runs = append(runs, page...)
		if len(page) < n {
			break
		}
	}
	return runs, nil
}

// errReportRefused stands for a reporting API already known to refuse this credential.
var errReportRefused = &APIError{Status: http.StatusForbidden, Method: http.MethodGet, Path: "/v1/metrics/executions"}

func reportRefused(err error) bool {
	return IsStatus(err, http.StatusForbidden) || IsStatus(err, http.StatusUnauthorized)
}

// Fill completes a run record that lacks the fields the status route does not document (see
// Detailed) from the reporting API, searching the days back from tomorrow to DefaultHistoryDays
// ago. It reports whether it found the run; it asks nothing when the reporting API is known to be
// absent or refused.
func (s *ExecutionsService) Fill(ctx context.Context, e *Execution) bool {
	if e.Detailed() || e.AuditID == 0 {
		return e.Detailed()
	}
	if st := s.client.CapabilityState(ctx, CapReporting); st == CapForbidden || st == CapAbsent {
		return false
	}
	var found *Execution
	opts := HistoryOptions{FlowID: int64(e.FlowID), Since: time.Now().AddDate(0, 0, -DefaultHistoryDays), Limit: 1 << 30}
	_ = s.walkReport(ctx, opts, time.Now(), func(r Execution) bool {
		if r.AuditID == e.AuditID {
			found = &r
		}
		return found != nil
	})
	if found == nil {
		return false
	}
	*e = mergeRun(*e, *found, true)
	return true
}

// walkReport reads the reporting API day by day, newest first, from tomorrow (the instance's
// timezone may be ahead of UTC) back to the day before Since (or behind), until it has Limit
// matching runs or add asks to stop. It returns the first error of the first day, and stops
// quietly on a later one.
func (s *ExecutionsService) walkReport(ctx context.Context, opts HistoryOptions, now time.Time, add func(Execution) (stop bool)) error {
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
	last := time.Date(opts.Since.Year(), opts.Since.Month(), opts.Since.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
	found := 0
	for i := 0; !day.Before(last) && i <= MaxHistoryDays+2; i, day = i+1, day.AddDate(0, 0, -1) {
		groups, _, err := s.ReportDay(ctx, day, opts.Exceptions)
		if err != nil {
			if i == 0 {
				return err
			}
			return nil
		}
		for _, g := range groups {
			for _, e := range g.Executions {
				if matchesRun(e, opts) {
					found++
				}
				if add(e) {
					return nil
				}
			}
		}
		if found >= opts.Limit {
			return nil
		}
	}
	return nil
}

// mergeLatest adds what GET /v1/executions/{flowId} shows: the latest run (it may still be
// running, or be newer than the report) and the latest in the asked status. With a report it does
// so for one flow only; without one, for every flow (at most maxLatestFlows).
func (s *ExecutionsService) mergeLatest(ctx context.Context, opts HistoryOptions, h *History, haveReport bool, add func(Execution, bool)) error {
	var flows []int64
	switch {
	case opts.FlowID > 0:
		flows = []int64{opts.FlowID}
	case haveReport:
		return nil
	default:
		raw, _, err := s.client.Flows.List(ctx, &FlowListOptions{ListOptions: ListOptions{Limit: maxLatestFlows}})
		if err != nil {
			return err
		}
		var rows []struct {
			ID ID `json:"id"`
		}
		if err := json.Unmarshal(raw, &rows); err != nil {
			return fmt.Errorf("client: GET v1/flows: %w", err)
		}
		for _, r := range rows[:min(len(rows), maxLatestFlows)] {
			flows = append(flows, int64(r.ID))
		}
	}
	for _, id := range flows {
		for _, st := range latestStatuses(opts.Status) {
			e, _, err := s.Get(ctx, id, &ExecutionGetOptions{Status: st})
			switch {
			case err == nil:
				if e.FlowID == 0 {
					e.FlowID = ID(id)
				}
				add(*e, false)
			case IsNotFound(err):
			case ctx.Err() != nil:
				return ctx.Err()
			default:
				if h.Limited == "" {
					h.Limited = "the latest run of flow " + itoa(id) + " could not be read: " + err.Error()
				}
			}
		}
	}
	return nil
}

// maxLatestFlows bounds how many flows' latest runs are read when no report is available.
const maxLatestFlows = 50

func latestStatuses(s ExecutionStatus) []ExecutionStatus {
	if s == "" {
		return []ExecutionStatus{""}
	}
	return []ExecutionStatus{"", s}
}

// mergeRun combines two records of one run: the status route knows the current status, the
// reporting API knows the times and counts the status route may not show.
func mergeRun(a, b Execution, bFromReport bool) Execution {
	status, report := a, b
	if !bFromReport {
		status, report = b, a
	}
	out := status
	if !status.Detailed() {
		out.Started, out.Ended, out.Records, out.User = report.Started, report.Ended, report.Records, report.User
		if out.Exception == "" {
			out.Exception = report.Exception
		}
	}
	if out.Ended == 0 && report.Ended != 0 && out.Status.Terminal() {
		out.Ended = report.Ended
	}
	if out.FlowName == "" {
		out.FlowName = report.FlowName
	}
	return out
}

func matchesRun(e Execution, opts HistoryOptions) bool {
	if opts.FlowID > 0 && int64(e.FlowID) != opts.FlowID {
		return false
	}
	if opts.Status != "" && e.Status != opts.Status {
		return false
	}
	// A run whose start is unknown cannot be placed in the window; it is kept (it came from a
	// route that shows only recent runs).
	return e.Started == 0 || !e.Started.Time().Before(opts.Since)
}

// filterRuns keeps the runs that match, newest first (by start, then by id), whatever the server
// did with the filters it was sent.
func filterRuns(runs []Execution, opts HistoryOptions) []Execution {
	out := []Execution{}
	for _, e := range runs {
		if matchesRun(e, opts) {
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b Execution) int {
		if a.Started != b.Started {
			if a.Started > b.Started {
				return -1
			}
			return 1
		}
		if a.AuditID > b.AuditID {
			return -1
		}
		if a.AuditID < b.AuditID {
			return 1
		}
		return 0
	})
	return out
}
