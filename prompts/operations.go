package prompts

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/tidwall/gjson"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/internal/bound"
	"github.com/etlworks/etlworks-mcp/internal/secrets"
)

// Bounds of the evidence a prompt gathers: enough to judge, small enough to read.
const (
	maxFailures = 20
	maxChanges  = 30
	maxSlow     = 10
	slowFactor  = 2.0 // a run is slow when it took this many times its flow's median
)

func dailyHealthCheck(d Deps) Def {
	p := mcp.NewPrompt("daily_health_check",
		mcp.WithPromptDescription("Morning report: failed and slow runs, paused schedules and recent changes, with what to do first."),
		mcp.WithArgument("since", mcp.ArgumentDescription("Look back this far: an age such as 24h or 7d, or an RFC 3339 time (default 24h)")))
	return Def{Prompt: p, Handler: func(ctx context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		now := time.Now().UTC()
		since, err := parseSince(req.Params.Arguments["since"], now)
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		fmt.Fprintf(&b, "Etlworks health since %s (now %s).\n\n", since.Format(time.RFC3339), now.Format(time.RFC3339))
		b.WriteString(failedRuns(ctx, d.Client, since))
		b.WriteString(slowRuns(ctx, d.Client, since, now))
		b.WriteString(pausedSchedules(ctx, d.Client))
		b.WriteString(recentChanges(ctx, d.Client, since))
		b.WriteString(`
Write the daily health report from this evidence: first what needs action today (most harmful first, with the flow and the likely cause), then what to watch, then what is fine. Suggest the next tool call for each action (diagnose_run, get_run_log, list_schedules, search_audit). Keep it short.`)
		return mcp.NewGetPromptResult("Daily health check", []mcp.PromptMessage{user(b.String())}), nil
	}}
}

func reviewSchedules(d Deps) Def {
	p := mcp.NewPrompt("review_schedules",
		mcp.WithPromptDescription("Review every schedule for overlaps, gaps, wrong order and schedules that never fire."))
	return Def{Prompt: p, Handler: func(ctx context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		raw, resp, err := d.Client.Schedules.List(ctx, &client.ScheduleListOptions{ListOptions: client.ListOptions{Limit: 200}})
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		rows := gjson.ParseBytes(raw).Array()
		fmt.Fprintf(&b, "Etlworks schedules (%d", len(rows))
		if resp.Total > len(rows) {
			fmt.Fprintf(&b, " of %d", resp.Total)
		}
		b.WriteString("), one per line: name | flow | cron | enabled | next fire times (UTC) | last run\n")
		for _, s := range rows {
			var next []string
			for _, n := range s.Get("nextRuns").Array() {
				next = append(next, time.UnixMilli(n.Int()).UTC().Format("Mon 2006-01-02 15:04"))
			}
			if len(next) == 0 {
				next = []string{"never"}
			}
			fmt.Fprintf(&b, "- %s | flow %d %s | %s | %v | %s | %s\n", s.Get("name").String(), s.Get("flowId").Int(),
				s.Get("flowName").String(), s.Get("schedule").String(), s.Get("enabled").Bool(), strings.Join(next, ", "),
				orNone(s.Get("lastRunStatus").String()))
		}
		b.WriteString(`
Review these schedules and report:
1. Overlaps: flows that run at the same time and compete for the same tables or connections, or one flow with several schedules.
2. Order: flows that read what another flow writes but are scheduled before it (for example a rollup before the load it depends on).
3. Gaps: important flows with no schedule, or long quiet windows that delay data.
4. Never firing: paused schedules and cron expressions with no future fire time.
For each finding, name the schedules and propose the change (update_schedule with dry_run shows the new fire times).`)
		return mcp.NewGetPromptResult("Review schedules", []mcp.PromptMessage{user(b.String())}), nil
	}}
}

func orNone(s string) string {
	if s == "" {
		return "none yet"
	}
	return s
}

// failedRuns lists the failures since a time, grouped by flow.
func failedRuns(ctx context.Context, c *client.Client, since time.Time) string {
	h, err := c.Executions.History(ctx, client.HistoryOptions{Status: client.StatusError, Since: since, Limit: 200})
	if err != nil {
		return "## Failed runs\n(unavailable: " + secrets.Redact(err.Error()) + ")\n\n"
	}
	type group struct {
		name   string
		count  int
		latest client.Execution
	}
	runs := h.Runs
	groups := map[int64]*group{}
	var order []int64
	for _, r := range runs {
		g := groups[int64(r.FlowID)]
		if g == nil {
			g = &group{name: r.FlowName, latest: r}
			groups[int64(r.FlowID)] = g
			order = append(order, int64(r.FlowID))
		}
		g.count++
	}
	var b strings.Builder
	fmt.Fprintf(&b, "## Failed runs: %d\n", len(runs))
	if h.Limited != "" {
		fmt.Fprintf(&b, "(%s)\n", h.Limited)
	}
	for i, id := range order {
		if i == maxFailures {
			fmt.Fprintf(&b, "- … and %d more flows\n", len(order)-i)
			break
		}
		g := groups[id]
		fmt.Fprintf(&b, "- %s (flow %d): %d failures, latest run %d at %s: %s\n", g.name, id, g.count, int64(g.latest.AuditID),
			g.latest.Started.Time().Format(time.RFC3339), secrets.Redact(firstLine(g.latest.Exception)))
	}
	return b.String() + "\n"
}

// slowRuns flags runs since a time that took much longer than their flow's median over the
// previous week.
func slowRuns(ctx context.Context, c *client.Client, since, now time.Time) string {
	h, err := c.Executions.History(ctx, client.HistoryOptions{Since: since.AddDate(0, 0, -7), Limit: 1000})
	if err != nil {
		return "## Slow runs\n(unavailable: " + secrets.Redact(err.Error()) + ")\n\n"
	}
	runs := h.Runs
	durations := map[int64][]time.Duration{}
	for _, r := range runs {
		if r.Status.Terminal() {
			durations[int64(r.FlowID)] = append(durations[int64(r.FlowID)], r.Duration(now))
		}
	}
	var b strings.Builder
	b.WriteString("## Slow runs (over twice the flow's median of the last week)\n")
	found := 0
	for _, r := range runs {
		if r.Started.Time().Before(since) || !r.Status.Terminal() {
			continue
		}
		med := median(durations[int64(r.FlowID)])
		if d := r.Duration(now); med > 0 && d > time.Duration(slowFactor*float64(med)) && d > 5*time.Second && found < maxSlow {
			fmt.Fprintf(&b, "- %s run %d: %s (median %s)\n", r.FlowName, int64(r.AuditID), d.Round(time.Second), med.Round(time.Second))
			found++
		}
	}
	if found == 0 {
		b.WriteString("- none\n")
	}
	return b.String() + "\n"
}

func median(ds []time.Duration) time.Duration {
	if len(ds) < 3 {
		return 0 // too few runs to call one slow
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// pausedSchedules lists schedules that are switched off.
func pausedSchedules(ctx context.Context, c *client.Client) string {
	off := false
	raw, _, err := c.Schedules.List(ctx, &client.ScheduleListOptions{Enabled: &off, ListOptions: client.ListOptions{Limit: 100}})
	if err != nil {
		return "## Paused schedules\n(unavailable: " + secrets.Redact(err.Error()) + ")\n\n"
	}
	var b strings.Builder
	b.WriteString("## Paused schedules\n")
	rows := gjson.ParseBytes(raw).Array()
	for _, s := range rows {
		if s.Get("enabled").Bool() {
			continue // a server that ignores the filter
		}
		fmt.Fprintf(&b, "- %s (schedule %d, flow %d %s): %s\n", s.Get("name").String(), s.Get("id").Int(), s.Get("flowId").Int(), s.Get("flowName").String(), s.Get("schedule").String())
	}
	if len(rows) == 0 {
		b.WriteString("- none\n")
	}
	return b.String() + "\n"
}

// recentChanges lists audit events since a time, other than runs.
func recentChanges(ctx context.Context, c *client.Client, since time.Time) string {
	found, err := c.Audit.Search(ctx, client.AuditFilter{From: since}, false)
	if err != nil {
		return "## Changes\n(unavailable: " + secrets.Redact(err.Error()) + ")\n\n"
	}
	var b strings.Builder
	b.WriteString("## Changes (audit events other than runs, newest first)\n")
	n := 0
	for _, e := range found.Events {
		md := e.Method
		if md == "runFlow" || strings.HasPrefix(md, "get") || strings.HasPrefix(md, "list") || n >= maxChanges {
			continue
		}
		result := "ok"
		if !e.Success {
			result = "failed"
		}
		at := e.DTRaw
		if !e.At.IsZero() {
			at = e.At.UTC().Format(time.RFC3339)
		}
		obj := strings.TrimSpace(e.ObjectType + " " + e.ObjectName)
		fmt.Fprintf(&b, "- audit %d: %s %s %s at %s (%s)\n", e.ID, e.User, md, obj, at, result)
		n++
	}
	if n == 0 {
		b.WriteString("- none\n")
	}
	return b.String() + "\n"
}

// parseSince reads an age (90m, 24h, 7d) or an RFC 3339 time; empty means 24 hours.
func parseSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return now.Add(-24 * time.Hour), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(days, "%d", &n); err == nil && n >= 0 && fmt.Sprint(n) == days {
			return now.AddDate(0, 0, -n), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("argument \"since\" must be an age such as 24h or 7d, or an RFC 3339 time, got %s", bound.Quote(s))
}
