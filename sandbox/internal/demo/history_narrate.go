package demo

import (
	"fmt"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/dataset"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/runlog"
)

// The seeded runs' logs. They use the same messages, in the same order, as the live engine
// (sandbox/internal/engine), so an old log and a new one read alike.

// narrate renders the log of a seeded run and returns it with the run's end and record count.
func (h *Historian) narrate(f *model.Flow, run *seededRun, auditID int64) (string, time.Time, int64) {
	lb := &logBuilder{t: run.start, r: h.r}
	lb.Line("INFO", runlog.Queued(f, auditID, run.user))
	lb.pause()
	lb.Line("INFO", runlog.Started(f))
	lb.Line("INFO", runlog.Variables(run.params))
	records, failed := h.narrateFlow(lb, f, run.plot, run.params)
	status := model.StatusSuccess
	switch {
	case failed:
		status = model.StatusError
		re := run.plot.failure
		lb.Line("ERROR", "Flow failed: "+re.Message+"\n"+re.Trace())
	case run.plot.warning != "":
		status = model.StatusWarning
	}
	lb.Line("INFO", runlog.FlowFinished(status, int64(records), lb.t.Sub(run.start)))
	return lb.b.String(), lb.t, int64(records)
}

func (h *Historian) seedOf(flowID int64) FlowSeed {
	for _, sd := range h.Seeds {
		if sd.Flow.ID == flowID {
			return sd
		}
	}
	return FlowSeed{}
}

// narrateFlow tells one flow's part of a run; it returns the records loaded and whether it failed.
func (h *Historian) narrateFlow(lb *logBuilder, f *model.Flow, p plot, vars map[string]string) (int, bool) {
	if f.FlowType == "nested-workflow" {
		total := 0
		for i, step := range f.NestedFlows {
			child := h.Flows[step.FlowID]
			sd := h.seedOf(child.ID)
			cp := plot{records: h.successRecords(sd, false)}
			if p.failure != nil && sd.breaks != "" {
				cp = plot{failure: p.failure, failAt: p.failAt}
			}
			lb.Line("INFO", fmt.Sprintf("Step %d of %d: running nested flow '%s' (id %d)", i+1, len(f.NestedFlows), child.Name, child.ID))
			n, failed := h.narrateFlow(lb, child, cp, vars)
			total += n
			if failed {
				lb.Line("ERROR", fmt.Sprintf("Nested flow '%s' failed; the workflow stops here", child.Name))
				return total, true
			}
			lb.Line("INFO", fmt.Sprintf("Nested flow '%s' finished: %d records", child.Name, n))
		}
		return total, false
	}
	for i, tr := range f.Transformations {
		if h.narrateTransformation(lb, f, i, tr.WithVars(vars), p) {
			return 0, true
		}
	}
	if p.warnAt == "end" {
		lb.Line("WARN", p.warning)
	}
	return p.records, false
}

// narrateTransformation tells one transformation; it returns true when the run fails in it.
func (h *Historian) narrateTransformation(lb *logBuilder, f *model.Flow, i int, tr model.Transformation, p plot) bool {
	start := lb.t
	src, dst := h.byID[tr.Source.ConnectionID], h.byID[tr.Destination.ConnectionID]
	n := p.records
	lb.Line("INFO", runlog.TransformationStarted(i+1, len(f.Transformations), tr.Name))
	lb.pause()
	if src.ConnectionType == model.TypeSQLite {
		lb.Line("INFO", "Connecting to "+runlog.ConnLabel(src))
		if p.failAt == "connect" {
			return true
		}
	}
	lb.Line("INFO", runlog.Reading(src, tr))
	if !isReal(src) {
		lb.pause()
	}
	if p.failAt == "extract" {
		return true
	}
	if dst.ID == 0 {
		lb.Line("INFO", fmt.Sprintf("SQL executed: %d rows affected", n))
		lb.Line("INFO", runlog.SQLFinished(tr.Name, n, lb.t.Sub(start)))
		return false
	}
	if p.warnAt == "extract" {
		lb.Line("WARN", p.warning)
	}
	lb.Line("INFO", runlog.Extracted(n, tr))
	for _, m := range f.Mappings {
		if m.Transformation == tr.Name {
			lb.Line("INFO", fmt.Sprintf("Mapped column '%s' to '%s'", m.Source, m.Destination))
		}
	}
	lb.pause()
	if dst.ConnectionType == model.TypeSQLite {
		lb.Line("INFO", "Connecting to "+runlog.ConnLabel(dst))
	}
	lb.Line("INFO", runlog.Writing(dst, tr))
	if p.failAt == "load" {
		return true
	}
	if dst.ConnectionType == model.TypeSQLite && tr.Mode == "replace" {
		lb.Line("INFO", runlog.Recreated(tr.Destination.Object, max(h.seedOf(f.ID).columns, 1)))
	}
	_ = dataset.Batches(n, func(done int) error {
		lb.Line("INFO", runlog.Loaded(done, n, tr.Destination.Object))
		lb.pause()
		return nil
	})
	lb.Line("INFO", runlog.TransformationFinished(tr.Name, n, n, lb.t.Sub(start)))
	return false
}
