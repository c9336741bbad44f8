package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/internal/lazyre"
)

func diagnoseRunTool(d Deps) Def {
	return newTool(d, spec[RunInput]{
		name:        "diagnose_run",
		title:       "Diagnose run",
		description: "Explain why a run failed: first error in context, connection tests, last success and changes since. Use it first on a failure.",
		toolset:     "flows",
		effect:      reads,
		results:     []any{&diagnosis{}},
		handle: func(ctx context.Context, in RunInput) (any, error) {
			return diagnose(ctx, d.Client, in.Flow, in.RunID)
		},
	})
}

// Diagnose returns the diagnosis of a run as compact JSON, for prompts that put the evidence in
// front of the assistant; it is the same diagnosis diagnose_run returns.
func Diagnose(ctx context.Context, c *client.Client, flow string, runID int64) (string, error) {
	dg, err := diagnose(ctx, c, Ref(flow), runID)
	if err != nil {
		return "", fmt.Errorf("%s", describeError(err))
	}
	b, err := json.Marshal(dg)
	return string(b), err
}

// diagnosis is diagnose_run's answer: a verdict, the likely cause with its evidence, and the
// context a person would gather by hand.
type diagnosis struct {
	Flow        flowBrief             `json:"flow"`
	Run         runView               `json:"run"`
	Verdict     string                `json:"verdict"`
	Cause       *cause                `json:"cause,omitempty"`
	FirstError  []string              `json:"first_error,omitempty"`
	Connections []connCheck           `json:"connections,omitempty"`
	LastSuccess *runView              `json:"last_success,omitempty"`
	Changes     []auditRow            `json:"changes_since_last_success,omitempty"`
	Transforms  []stepSummary         `json:"transformations,omitempty"`
	Unavailable []string              `json:"unavailable,omitempty"`     // evidence that could not be gathered, and why
	Instance    *client.HealthSummary `json:"instance_health,omitempty"` // GET /health, when the failure looks like an outage
	NextRun     string                `json:"next_run,omitempty"`        // for a transient failure: how the run after it went
	Next        string                `json:"next,omitempty"`
}

type flowBrief struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Type string `json:"type,omitempty"`
}

// cause is the likely cause: a category, one sentence, and the evidence it rests on.
type cause struct {
	Category string   `json:"category"` // SQL, credentials, transient, connectivity, data, configuration, unknown
	Summary  string   `json:"summary"`
	Evidence []string `json:"evidence"`
}

type connCheck struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Type   string `json:"type,omitempty"`
	Test   string `json:"test"` // "ok (12 ms)" or "failed: …"
	failed bool
}

type auditRow struct {
	AuditID int64  `json:"audit_id"`
	At      string `json:"at"`
	User    string `json:"user"`
	Action  string `json:"action"`
	Object  string `json:"object,omitempty"`
	Result  string `json:"result,omitempty"`
	// Changes is the first of what the edit changed, where the event holds it.
	Changes []string `json:"changes,omitempty"`
}

// maxDiagnoseChanges bounds the before/after lines each change since the last success shows.
const maxDiagnoseChanges = 2

// diagnose gathers the evidence for one run. Pieces that cannot be read (a missing permission, an
// older Etlworks) are listed under unavailable instead of failing the whole diagnosis.
func diagnose(ctx context.Context, c *client.Client, ref Ref, runID int64) (*diagnosis, error) {
	run, err := findRun(ctx, c, ref, runID)
	if err != nil {
		return nil, err
	}
	c.Executions.Fill(ctx, run) // times and counts the status route may leave out
	now := time.Now()
	dg := &diagnosis{Run: viewRun(run, now)}
	flowID := int64(run.FlowID)
	raw, _, err := c.Flows.Get(ctx, flowID)
	if err != nil {
		return nil, err
	}
	flow := gjson.ParseBytes(raw)
	summary := summarizeFlow(flow)
	dg.Flow = flowBrief{ID: flowID, Name: summary.Name, Type: summary.Type}
	switch run.Status {
	case client.StatusSuccess:
		dg.Verdict = fmt.Sprintf("nothing to diagnose: run %d succeeded with %d records", int64(run.AuditID), run.Records)
		return dg, nil
	case client.StatusQueued, client.StatusRunning:
		dg.Verdict = fmt.Sprintf("run %d is still %s; diagnose it when it has ended (get_run shows its progress)", int64(run.AuditID), run.Status)
		return dg, nil
	}
	dg.Verdict = fmt.Sprintf("run %d ended with status %s", int64(run.AuditID), run.Status)
	dg.Transforms = summary.Transformations

	var lines []string
	if log, _, err := c.Executions.Log(ctx, flowID, int64(run.AuditID)); err == nil {
		lines = splitLog(string(log.Text))
		dg.FirstError = firstErrorInContext(lines)
	} else {
		dg.Unavailable = append(dg.Unavailable, "run log: "+describeError(err))
	}
	dg.Connections = checkConnections(ctx, c, summary.Connections)
	dg.LastSuccess, dg.Changes, dg.Unavailable = history(ctx, c, flowID, summary.Connections, run, dg.Unavailable)
	dg.Cause = classify(ctx, c, dg, flow, strings.Join(append(dg.FirstError, run.Exception), "\n"))
	var healed *bool
	if dg.Cause.Category == "transient" {
		dg.NextRun, healed = nextRunAfter(ctx, c, run)
	}
	if looksLikeOutage(dg, run) {
		if h, err := c.System.HealthSummary(ctx); err == nil {
			dg.Instance = h
		} else {
			dg.Unavailable = append(dg.Unavailable, "instance health: "+describeError(err))
		}
	}
	dg.Next = nextStep(dg, c.CapabilityState(ctx, client.CapConnectionTest) != client.CapAbsent)
	if dg.Cause.Category == "transient" {
		dg.Next = transientStep(dg.Flow.ID, healed)
	}
	return dg, nil
}

// checkConnections tests every connection the flow uses, live.
func checkConnections(ctx context.Context, c *client.Client, conns []connRow) []connCheck {
	out := []connCheck{}
	for _, cn := range conns {
		check := connCheck{ID: cn.ID, Name: cn.Name, Type: cn.Type}
		res, _, err := c.Connections.Test(ctx, cn.ID)
		switch {
		case err != nil:
			check.Test = "not tested: " + describeError(err)
		case res.Success:
			check.Test = fmt.Sprintf("ok (%d ms)", res.DurationMs)
		default:
			check.Test = "failed: " + clip(redact(firstLine(res.Message)), 300)
			check.failed = true
		}
		out = append(out, check)
	}
	return out
}

// history finds the last successful run before this one and the audit events on the flow and
// its connections since then.
func history(ctx context.Context, c *client.Client, flowID int64, conns []connRow, run *client.Execution, unavailable []string) (*runView, []auditRow, []string) {
	var last *runView
	since := time.Now().AddDate(0, 0, -30)
	var runs []client.Execution
	h, err := c.Executions.History(ctx, client.HistoryOptions{FlowID: flowID, Status: client.StatusSuccess, Since: since, Limit: 20})
	switch {
	case err != nil:
		unavailable = append(unavailable, "run history: "+describeError(err))
	default:
		runs = h.Runs
		if h.Limited != "" {
			unavailable = append(unavailable, "run history: "+h.Limited)
		}
	}
	for i := range runs {
		if runs[i].AuditID != run.AuditID && (runs[i].Started < run.Started || (run.Started == 0 && runs[i].AuditID < run.AuditID)) {
			v := viewRun(&runs[i], time.Now())
			last, since = &v, runs[i].Started.Time()
			break
		}
	}
	objects := []string{fmt.Sprintf("flow:%d", flowID)}
	for _, cn := range conns {
		objects = append(objects, fmt.Sprintf("connection:%d", cn.ID))
	}
	changes := []auditRow{}
	unnamed := 0 // events that name no object (Etlworks documents none), so may be changes too
	for _, obj := range objects {
		found, err := c.Audit.Search(ctx, client.AuditFilter{Object: obj, From: since}, false)
		if err != nil {
			unavailable = append(unavailable, "audit trail: "+describeError(err))
			break
		}
		unnamed = max(unnamed, found.Unreadable)
		for _, e := range found.Events {
			md := e.Method
			if md == "runFlow" || md == "testConnection" || strings.HasPrefix(md, "get") {
				continue
			}
			row := auditRow{AuditID: e.ID, At: auditAt(e), User: e.User, Action: md,
				Object: strings.TrimSpace(e.ObjectType + " " + e.ObjectName)}
			if ch := auditChanges(gjson.ParseBytes(e.Payload)); len(ch) > 0 {
				row.Changes = ch[:min(len(ch), maxDiagnoseChanges)]
			}
			if !e.Success {
				row.Result = "failed"
			}
			changes = append(changes, row)
		}
	}
	if len(changes) > 20 {
		changes = changes[:20]
	}
	if unnamed > 0 {
		unavailable = append(unavailable, fmt.Sprintf("changes since the last success: %d audit events name no object or time, "+
			"so changes to the flow and its connections may be missing; search_audit by user or action shows them", unnamed))
	}
	return last, changes, unavailable
}

// nextStep names what to do about the cause; canTest says whether this instance has the
// connection test route, so that the step never sends the user to a tool it lacks.
func nextStep(dg *diagnosis, canTest bool) string {
	if dg.Cause == nil {
		return ""
	}
	switch dg.Cause.Category {
	case "SQL":
		return "fix the SQL with " + hint("update_flow", "set the step's sql path (get_flow paths:true lists them)",
			"flow", dg.Flow.ID, "set", map[string]any{}, "dry_run", true).String() + ", then run_flow with wait"
	case "credentials":
		if !canTest {
			return "set the right credentials with update_connection (dry_run first), then run_flow with wait"
		}
		return "set the right credentials with update_connection (dry_run first), test_connection, then run_flow with wait"
	case "connectivity":
		if !canTest {
			return "check the host and network of the failing connection, then run_flow with wait"
		}
		return "check the host and network of the failing connection with test_connection, then run_flow with wait"
	}
	return "read the log around the first error: " + hint("get_run_log", "", "flow", dg.Flow.ID, "run_id", dg.Run.RunID, "level", "error").String()
}

// platformPattern matches errors that point at the Etlworks instance itself rather than at the
// flow: memory, disk, its own database; outagePattern a server error, which may be the instance's.
var (
	platformPattern = lazyre.New(`(?i)OutOfMemoryError|no space left|disk (is )?full|too many open files|redis|connection pool`)
	outagePattern   = lazyre.New(`(?i)service unavailable|\b50[234]\b`)
)

// looksLikeOutage says whether the instance's health belongs in the diagnosis: a connectivity
// failure, an error that names the platform's resources, or evidence the instance could not give.
func looksLikeOutage(dg *diagnosis, run *client.Execution) bool {
	if dg.Cause != nil && dg.Cause.Category == "connectivity" {
		return true
	}
	text := run.Exception + "\n" + strings.Join(dg.FirstError, "\n")
	if platformPattern.MatchString(text) {
		return true
	}
	if dg.Cause != nil && dg.Cause.Category != "transient" && outagePattern.MatchString(text) {
		return true // a 50x not from a throttling or passing remote service
	}
	for _, u := range dg.Unavailable {
		if strings.Contains(u, "unavailable or busy") || strings.Contains(u, "did not answer in time") {
			return true
		}
	}
	return false
}
