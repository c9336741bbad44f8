package demo

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/connectors"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/runlog"
)

// historyDays is how far back the seeded run history goes.
const historyDays = 14

// Timeline fixes the moments the seeded history revolves around, relative to the seeding time.
type Timeline struct {
	now, today   time.Time
	Created      []time.Time // creation of each seeded flow
	RollupBroken time.Time   // carol's edit that put amount_usd into the rollup SQL
	crmRotated   time.Time   // the CRM team rotated the crm_reader password
	suspended    time.Time   // alice suspended the legacy FTP import
}

// NewTimeline fixes the incidents and flow creation times of the history relative to now.
func NewTimeline(now time.Time, seeds []FlowSeed) *Timeline {
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	tl := &Timeline{now: now, today: today,
		RollupBroken: today.AddDate(0, 0, -4).Add(17*time.Hour + 12*time.Minute),
		crmRotated:   today.AddDate(0, 0, -6).Add(16*time.Hour + 40*time.Minute),
		suspended:    today.AddDate(0, 0, -9).Add(10*time.Hour + 5*time.Minute)}
	for i := range seeds {
		tl.Created = append(tl.Created, today.AddDate(0, 0, -40).Add(time.Duration(9*60+i*37)*time.Minute))
	}
	return tl
}

// brokenSince returns when a seed's incident began, or the zero time.
func (tl *Timeline) brokenSince(sd FlowSeed) time.Time {
	switch sd.breaks {
	case "rollup":
		return tl.RollupBroken
	case "crm":
		return tl.crmRotated
	}
	return time.Time{}
}

// Historian writes the seeded runs, their logs and the audit trail. The seed sets the exported
// fields: the flows and connections as stored (with their ids) and the error the broken rollup
// SQL really raises.
type Historian struct {
	Timeline  *Timeline
	Conns     map[string]model.Connection
	Flows     map[int64]*model.Flow
	Seeds     []FlowSeed
	RollupErr *runlog.Error
	r         *rand.Rand
	byID      map[int64]model.Connection
}

// seededRun is one past run and how it went.
type seededRun struct {
	seed    int
	start   time.Time
	user    string
	eventID int64 // schedule id; 0 = started by hand
	params  map[string]string
	plot    plot
}

// plot is what happens in a run: how many records, and whether and where it fails or warns.
type plot struct {
	records int
	failure *runlog.Error
	failAt  string // connect | extract | load
	warning string
	warnAt  string // extract | end
}

// Write inserts the history and the audit trail through w (the seeding transaction).
func (h *Historian) Write(ctx context.Context, w Store) error {
	h.r = demoRand()
	h.byID = map[int64]model.Connection{}
	for _, c := range h.Conns {
		h.byID[c.ID] = c
	}
	var events []model.AuditEvent
	nextID := int64(1)
	for _, run := range h.plan() {
		sd := h.Seeds[run.seed]
		f := &sd.Flow
		text, ended, records := h.narrate(f, run, nextID)
		status := model.StatusSuccess
		var exception *string
		switch {
		case run.plot.failure != nil:
			status, exception = model.StatusError, new(run.plot.failure.Trace())
		case run.plot.warning != "":
			status = model.StatusWarning
		}
		e := model.Execution{FlowID: f.ID, FlowName: f.Name, Status: status, Started: run.start.UnixMilli(),
			Ended: new(ended.UnixMilli()), User: run.user, Records: records, Exception: exception}
		if run.eventID != 0 {
			e.EventID, e.EventName = new(run.eventID), new(sd.Schedule)
		}
		id, err := w.InsertExecution(ctx, e, run.params)
		if err != nil {
			return err
		}
		nextID = id + 1
		if err := w.AppendLog(ctx, id, text); err != nil {
			return err
		}
		ev := model.AuditEvent{Method: "runFlow", User: run.user, Tenant: Tenant, OK: status != model.StatusError,
			Payload: map[string]any{"flowId": f.ID, "flowName": f.Name, "auditId": id, "status": status,
				"records": records, "parameters": model.MaskedParams(run.params)},
			HostIP: "10.0.4.17", ClientIP: clientIP(run.user), Duration: ended.Sub(run.start).Milliseconds(), Started: run.start.UnixMilli()}
		if exception != nil {
			ev.Exception = *exception
		}
		events = append(events, ev)
	}
	events = append(events, h.mutations()...)
	slices.SortStableFunc(events, func(a, b model.AuditEvent) int { return cmp.Compare(a.Started, b.Started) })
	for _, ev := range events {
		if err := w.Audit(ctx, ev); err != nil {
			return err
		}
	}
	for _, u := range []struct {
		name string
		at   time.Time
	}{{"Daily revenue rollup", h.Timeline.RollupBroken}, {"Legacy FTP order import", h.Timeline.suspended}} {
		if err := w.SetFlowUpdated(ctx, u.name, u.at.UnixMilli()); err != nil {
			return err
		}
	}
	return nil
}

func clientIP(user string) string {
	switch user {
	case "alice":
		return "192.168.10.23"
	case "bob":
		return "192.168.10.57"
	}
	return ""
}

// shopifyTokenProp is the property that holds the Shopify API's access token.
const shopifyTokenProp = "field.connection.template.token"

// mutations are the seeded edits: flows created, the SQL edit that broke the rollup, the
// Shopify token rotation and the suspension of the legacy import.
func (h *Historian) mutations() []model.AuditEvent {
	var out []model.AuditEvent
	ev := func(md, user string, at time.Time, payload map[string]any) {
		out = append(out, model.AuditEvent{Method: md, User: user, Tenant: Tenant, OK: true, Payload: payload,
			HostIP: "10.0.4.17", ClientIP: clientIP(user), Duration: int64(40 + h.r.IntN(200)), Started: at.UnixMilli()})
	}
	for i, sd := range h.Seeds {
		ev("addFlow", []string{"alice", "carol"}[i%2], h.Timeline.Created[i], map[string]any{"flowId": sd.Flow.ID, "name": sd.Flow.Name})
		switch sd.Flow.Name {
		case "Daily revenue rollup":
			ev("editFlow", "carol", h.Timeline.RollupBroken, map[string]any{"flowId": sd.Flow.ID, "name": sd.Flow.Name,
				"changed": []string{"transformations"},
				"before":  map[string]any{"transformations.0.source.sql": RollupSQL("amount")},
				"after":   map[string]any{"transformations.0.source.sql": RollupSQL("amount_usd")}})
		case "Legacy FTP order import":
			ev("suspendFlow", "alice", h.Timeline.suspended, map[string]any{"flowId": sd.Flow.ID, "name": sd.Flow.Name})
		}
	}
	shopify := h.Conns["Shopify API"]
	ev("editConnection", "alice", h.Timeline.today.AddDate(0, 0, -20).Add(11*time.Hour+3*time.Minute),
		map[string]any{"connectionId": shopify.ID, "name": shopify.Name, "changed": []string{"properties." + shopifyTokenProp},
			"before": map[string]any{"properties." + shopifyTokenProp: model.Mask},
			"after":  map[string]any{"properties." + shopifyTokenProp: model.Mask}})
	return out
}

// plan lays out every seeded run in start order and decides how each went. The last run of each
// Flow shows its current behaviour, so the history agrees with what a new run does.
func (h *Historian) plan() []*seededRun {
	var runs []*seededRun
	for i, sd := range h.Seeds {
		var mine []*seededRun
		add := func(start time.Time, user string, eventID int64) {
			if start.After(h.Timeline.now.Add(-2*time.Minute)) || (sd.Flow.Suspended && start.After(h.Timeline.suspended)) {
				return
			}
			run := &seededRun{seed: i, start: start, user: user, eventID: eventID, params: map[string]string{}}
			if sd.params != nil {
				run.params = sd.params(start)
			}
			mine = append(mine, run)
		}
		for d := historyDays - 1; d >= 0; d-- {
			day := h.Timeline.today.AddDate(0, 0, -d)
			for _, hm := range sd.Times {
				var hh, mm int
				fmt.Sscanf(hm, "%d:%d", &hh, &mm)
				at := time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute + time.Duration(h.r.IntN(50000))*time.Millisecond
				add(day.Add(at), "scheduler", int64(i+1))
			}
			broken := h.Timeline.brokenSince(sd)
			switch {
			case !broken.IsZero() && day.After(broken) && h.r.IntN(2) == 0:
				add(day.Add(9*time.Hour+time.Duration(h.r.IntN(3000000))*time.Millisecond), "bob", 0)
			case h.r.IntN(100) < 8:
				add(day.Add(time.Duration(10+h.r.IntN(7))*time.Hour+time.Duration(h.r.IntN(3600000))*time.Millisecond),
					[]string{"alice", "bob"}[h.r.IntN(2)], 0)
			}
		}
		slices.SortFunc(mine, func(a, b *seededRun) int { return a.start.Compare(b.start) })
		for j, run := range mine {
			run.plot = h.decide(sd, run, j == len(mine)-1)
		}
		runs = append(runs, mine...)
	}
	slices.SortStableFunc(runs, func(a, b *seededRun) int { return a.start.Compare(b.start) })
	return runs
}

// decide picks the outcome of one seeded run.
func (h *Historian) decide(sd FlowSeed, run *seededRun, last bool) plot {
	f := &sd.Flow
	p := plot{records: h.successRecords(sd, last)}
	broken := h.Timeline.brokenSince(sd)
	switch roll := h.r.IntN(100); {
	case !broken.IsZero() && run.start.After(broken):
		p.records = 0
		p.failure, p.failAt = h.RollupErr, "extract"
		if sd.breaks == "crm" {
			p.failure, p.failAt = runlog.AuthError(h.Conns["CRM database"]), "connect"
		}
	case f.Properties[model.PropOutcome] == "error":
		if last || roll < 45 {
			p.records = 0
			p.failure, p.failAt = h.simulatedFailure(f)
		}
	case f.Properties[model.PropOutcome] == "warning":
		if last || roll < 50 {
			p.warning, p.warnAt = f.Properties[model.PropWarning], "end"
		}
	case last || f.FlowType == "nested-workflow":
	case roll < 4:
		p.records = 0
		p.failure, p.failAt = h.transientFailure(f)
	case roll < 12 && h.byID[f.Transformations[0].Source.ConnectionID].ConnectionType == model.TypeLocalFile &&
		model.FileFormat(f.Transformations[0].Source.Format, f.Transformations[0].Source.Object) == "CSV":
		p.warning, p.warnAt = runlog.SkippedLines(1+h.r.IntN(3), f.Transformations[0].Source.Object), "extract"
	}
	return p
}

// successRecords is the record count of a successful run; a flow loading a demo file reports
// the file's real size on its latest run.
func (h *Historian) successRecords(sd FlowSeed, last bool) int {
	if sd.Flow.FlowType == "nested-workflow" {
		total := 0
		for _, step := range sd.Flow.NestedFlows {
			for _, child := range h.Seeds {
				if child.Flow.ID == step.FlowID {
					total += h.successRecords(child, last)
				}
			}
		}
		return total
	}
	if last && len(sd.Flow.Transformations) > 0 && sd.Flow.Transformations[0].Source.Object == "orders.csv" {
		return OrdersRows
	}
	return sd.records[0] + h.r.IntN(sd.records[1]-sd.records[0]+1)
}

// simulatedFailure is the configured error of a flow with x-standin-outcome=error.
func (h *Historian) simulatedFailure(f *model.Flow) (*runlog.Error, string) {
	tr := f.Transformations[0]
	if src := h.byID[tr.Source.ConnectionID]; !isReal(src) {
		return runlog.SimulatedFailure(src, f.Properties[model.PropError]), "extract"
	}
	return runlog.SimulatedFailure(h.byID[tr.Destination.ConnectionID], f.Properties[model.PropError]), "load"
}

// transientFailure is an occasional, self-healing failure typical of the flow's connectors.
func (h *Historian) transientFailure(f *model.Flow) (*runlog.Error, string) {
	tr := f.Transformations[0]
	src, dst := h.byID[tr.Source.ConnectionID], h.byID[tr.Destination.ConnectionID]
	switch {
	case dst.ID != 0 && !isReal(dst):
		return runlog.SimulatedFailure(dst, transientMessage(dst)), "load"
	case !isReal(src):
		return runlog.SimulatedFailure(src, transientMessage(src)), "extract"
	case src.ConnectionType == model.TypeLocalFile:
		return runlog.FileError(tr.Source.Object, fmt.Errorf("open: no such file or directory")), "extract"
	case dst.ID == 0:
		return busyRunError("execute"), "extract"
	}
	return busyRunError("load"), "load"
}

func isReal(c model.Connection) bool {
	return c.ConnectionType == model.TypeSQLite || c.ConnectionType == model.TypeLocalFile
}

func transientMessage(c model.Connection) string {
	switch {
	case connectors.IsAPI(c.ConnectionType):
		return fmt.Sprintf("HTTP 429 Too Many Requests returned by %s: Exceeded 2 calls per second for api client", c.Properties[model.PropURL])
	case c.ConnectionType == "connection.s3":
		return "Please reduce your request rate. (Service: S3, Status Code: 503, Request ID: 7Q3XN9D1K4TB2M8P)"
	}
	return ""
}

// busyRunError is SQLite's "database is locked", as sqlite-jdbc reports it.
func busyRunError(phase string) *runlog.Error {
	return &runlog.Error{Class: "java.sql.SQLException", Message: "[SQLITE_BUSY] The database file is locked (database is locked)",
		Frames: append([]string{"org.sqlite.core.DB.newSQLException(DB.java:1179)", "org.sqlite.core.DB.throwex(DB.java:1150)",
			fmt.Sprintf("com.toolsverse.etl.connector.sql.SqlConnector.%s(SqlConnector.java:412)", phase)}, runlog.EngineFrames(phase)...)}
}

// logBuilder is the runlog.Sink of a seeded run: lines get a synthetic, steadily advancing clock.
type logBuilder struct {
	b strings.Builder
	t time.Time
	r *rand.Rand
}

// Line adds one log line at the builder's clock.
func (l *logBuilder) Line(level, msg string) {
	l.t = l.t.Add(time.Duration(15+l.r.IntN(300)) * time.Millisecond)
	l.b.WriteString(runlog.Line(l.t, level, msg))
}

// pause advances the clock by a stage of work.
func (l *logBuilder) pause() { l.t = l.t.Add(time.Duration(300+l.r.IntN(1500)) * time.Millisecond) }
