package sandbox

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

// timeline fixes the moments the seeded history revolves around, relative to the seeding time.
type timeline struct {
	now, today   time.Time
	created      []time.Time // creation of each seeded flow
	rollupBroken time.Time   // carol's edit that put amount_usd into the rollup SQL
	crmRotated   time.Time   // the CRM team rotated the crm_reader password
	suspended    time.Time   // alice suspended the legacy FTP import
}

func newTimeline(now time.Time, seeds []flowSeed) *timeline {
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	tl := &timeline{now: now, today: today,
		rollupBroken: today.AddDate(0, 0, -4).Add(17*time.Hour + 12*time.Minute),
		crmRotated:   today.AddDate(0, 0, -6).Add(16*time.Hour + 40*time.Minute),
		suspended:    today.AddDate(0, 0, -9).Add(10*time.Hour + 5*time.Minute)}
	for i := range seeds {
		tl.created = append(tl.created, today.AddDate(0, 0, -40).Add(time.Duration(9*60+i*37)*time.Minute))
	}
	return tl
}

// brokenSince returns when a seed's incident began, or the zero time.
func (tl *timeline) brokenSince(sd flowSeed) time.Time {
	switch sd.breaks {
	case "rollup":
		return tl.rollupBroken
	case "crm":
		return tl.crmRotated
	}
	return time.Time{}
}

// historian writes the seeded runs, their logs and the audit trail.
type historian struct {
	tl        *timeline
	conns     map[string]connection
	flows     map[int64]*flow
	seeds     []flowSeed
	rollupErr *runlog.Error
	r         *rand.Rand
	byID      map[int64]connection
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

// write inserts the history and the audit trail inside the seeding transaction.
func (h *historian) write(ctx context.Context, w historyStoreAPI) error {
	h.r = demoRand()
	h.byID = map[int64]connection{}
	for _, c := range h.conns {
		h.byID[c.ID] = c
	}
	var events []model.AuditEvent
	nextID := int64(1)
	for _, run := range h.plan() {
		sd := h.seeds[run.seed]
		f := &sd.flow
		text, ended, records := h.narrate(f, run, nextID)
		status := statusSuccess
		var exception *string
		switch {
		case run.plot.failure != nil:
			status, exception = statusError, new(run.plot.failure.Trace())
		case run.plot.warning != "":
			status = statusWarning
		}
		e := execution{FlowID: f.ID, FlowName: f.Name, Status: status, Started: run.start.UnixMilli(),
			Ended: new(ended.UnixMilli()), User: run.user, Records: records, Exception: exception}
		if run.eventID != 0 {
			e.EventID, e.EventName = new(run.eventID), new(sd.schedule)
		}
		id, err := w.InsertExecution(ctx, e, run.params)
		if err != nil {
			return err
		}
		nextID = id + 1
		if err := w.AppendLog(ctx, id, text); err != nil {
			return err
		}
		ev := model.AuditEvent{Method: "runFlow", User: run.user, Tenant: demoTenant, OK: status != statusError,
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
	}{{"Daily revenue rollup", h.tl.rollupBroken}, {"Legacy FTP order import", h.tl.suspended}} {
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
func (h *historian) mutations() []model.AuditEvent {
	var out []model.AuditEvent
	ev := func(md, user string, at time.Time, payload map[string]any) {
		out = append(out, model.AuditEvent{Method: md, User: user, Tenant: demoTenant, OK: true, Payload: payload,
			HostIP: "10.0.4.17", ClientIP: clientIP(user), Duration: int64(40 + h.r.IntN(200)), Started: at.UnixMilli()})
	}
	for i, sd := range h.seeds {
		ev("addFlow", []string{"alice", "carol"}[i%2], h.tl.created[i], map[string]any{"flowId": sd.flow.ID, "name": sd.flow.Name})
		switch sd.flow.Name {
		case "Daily revenue rollup":
			ev("editFlow", "carol", h.tl.rollupBroken, map[string]any{"flowId": sd.flow.ID, "name": sd.flow.Name,
				"changed": []string{"transformations"},
				"before":  map[string]any{"transformations.0.source.sql": rollupSQL("amount")},
				"after":   map[string]any{"transformations.0.source.sql": rollupSQL("amount_usd")}})
		case "Legacy FTP order import":
			ev("suspendFlow", "alice", h.tl.suspended, map[string]any{"flowId": sd.flow.ID, "name": sd.flow.Name})
		}
	}
	shopify := h.conns["Shopify API"]
	ev("editConnection", "alice", h.tl.today.AddDate(0, 0, -20).Add(11*time.Hour+3*time.Minute),
		map[string]any{"connectionId": shopify.ID, "name": shopify.Name, "changed": []string{"properties." + shopifyTokenProp},
			"before": map[string]any{"properties." + shopifyTokenProp: model.Mask},
			"after":  map[string]any{"properties." + shopifyTokenProp: model.Mask}})
	return out
}

// plan lays out every seeded run in start order and decides how each went. The last run of each
// flow shows its current behaviour, so the history agrees with what a new run does.
func (h *historian) plan() []*seededRun {
	var runs []*seededRun
	for i, sd := range h.seeds {
		var mine []*seededRun
		add := func(start time.Time, user string, eventID int64) {
			if start.After(h.tl.now.Add(-2*time.Minute)) || (sd.flow.Suspended && start.After(h.tl.suspended)) {
				return
			}
			run := &seededRun{seed: i, start: start, user: user, eventID: eventID, params: map[string]string{}}
			if sd.params != nil {
				run.params = sd.params(start)
			}
			mine = append(mine, run)
		}
		for d := historyDays - 1; d >= 0; d-- {
			day := h.tl.today.AddDate(0, 0, -d)
			for _, hm := range sd.times {
				var hh, mm int
				fmt.Sscanf(hm, "%d:%d", &hh, &mm)
				at := time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute + time.Duration(h.r.IntN(50000))*time.Millisecond
				add(day.Add(at), "scheduler", int64(i+1))
			}
			broken := h.tl.brokenSince(sd)
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
func (h *historian) decide(sd flowSeed, run *seededRun, last bool) plot {
	f := &sd.flow
	p := plot{records: h.successRecords(sd, last)}
	broken := h.tl.brokenSince(sd)
	switch roll := h.r.IntN(100); {
	case !broken.IsZero() && run.start.After(broken):
		p.records = 0
		p.failure, p.failAt = h.rollupErr, "extract"
		if sd.breaks == "crm" {
			p.failure, p.failAt = runlog.AuthError(h.conns["CRM database"]), "connect"
		}
	case f.Properties[propOutcome] == "error":
		if last || roll < 45 {
			p.records = 0
			p.failure, p.failAt = h.simulatedFailure(f)
		}
	case f.Properties[propOutcome] == "warning":
		if last || roll < 50 {
			p.warning, p.warnAt = f.Properties[propWarning], "end"
		}
	case last || f.FlowType == "nested-workflow":
	case roll < 4:
		p.records = 0
		p.failure, p.failAt = h.transientFailure(f)
	case roll < 12 && h.byID[f.Transformations[0].Source.ConnectionID].ConnectionType == typeLocalFile &&
		model.FileFormat(f.Transformations[0].Source.Format, f.Transformations[0].Source.Object) == "CSV":
		p.warning, p.warnAt = runlog.SkippedLines(1+h.r.IntN(3), f.Transformations[0].Source.Object), "extract"
	}
	return p
}

// successRecords is the record count of a successful run; a flow loading a demo file reports
// the file's real size on its latest run.
func (h *historian) successRecords(sd flowSeed, last bool) int {
	if sd.flow.FlowType == "nested-workflow" {
		total := 0
		for _, step := range sd.flow.NestedFlows {
			for _, child := range h.seeds {
				if child.flow.ID == step.FlowID {
					total += h.successRecords(child, last)
				}
			}
		}
		return total
	}
	if last && len(sd.flow.Transformations) > 0 && sd.flow.Transformations[0].Source.Object == "orders.csv" {
		return ordersRows
	}
	return sd.records[0] + h.r.IntN(sd.records[1]-sd.records[0]+1)
}

// simulatedFailure is the configured error of a flow with x-standin-outcome=error.
func (h *historian) simulatedFailure(f *flow) (*runlog.Error, string) {
	tr := f.Transformations[0]
	if src := h.byID[tr.Source.ConnectionID]; !isReal(src) {
		return runlog.SimulatedFailure(src, f.Properties[propError]), "extract"
	}
	return runlog.SimulatedFailure(h.byID[tr.Destination.ConnectionID], f.Properties[propError]), "load"
}

// transientFailure is an occasional, self-healing failure typical of the flow's connectors.
func (h *historian) transientFailure(f *flow) (*runlog.Error, string) {
	tr := f.Transformations[0]
	src, dst := h.byID[tr.Source.ConnectionID], h.byID[tr.Destination.ConnectionID]
	switch {
	case dst.ID != 0 && !isReal(dst):
		return runlog.SimulatedFailure(dst, transientMessage(dst)), "load"
	case !isReal(src):
		return runlog.SimulatedFailure(src, transientMessage(src)), "extract"
	case src.ConnectionType == typeLocalFile:
		return runlog.FileError(tr.Source.Object, fmt.Errorf("open: no such file or directory")), "extract"
	case dst.ID == 0:
		return busyRunError("execute"), "extract"
	}
	return busyRunError("load"), "load"
}

func isReal(c connection) bool {
	return c.ConnectionType == typeSQLite || c.ConnectionType == typeLocalFile
}

func transientMessage(c connection) string {
	switch {
	case connectors.IsAPI(c.ConnectionType):
		return fmt.Sprintf("HTTP 429 Too Many Requests returned by %s: Exceeded 2 calls per second for api client", c.Properties[propURL])
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

// logBuilder is the logSink of a seeded run: lines get a synthetic, steadily advancing clock.
type logBuilder struct {
	b strings.Builder
	t time.Time
	r *rand.Rand
}

func (l *logBuilder) Line(level, msg string) {
	l.t = l.t.Add(time.Duration(15+l.r.IntN(300)) * time.Millisecond)
	l.b.WriteString(runlog.Line(l.t, level, msg))
}

// pause advances the clock by a stage of work.
func (l *logBuilder) pause() { l.t = l.t.Add(time.Duration(300+l.r.IntN(1500)) * time.Millisecond) }
