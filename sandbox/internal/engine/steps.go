package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/dataset"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/runlog"
)

// maxNesting bounds nested workflows so a cycle created by later edits cannot recurse forever.
const maxNesting = 5

// runState is the working state of one run: its log, variables and counters.
type runState struct {
	e        *Engine
	lg       runlog.Sink
	auditID  int64
	vars     map[string]string
	records  int64 // records loaded so far; published to the execution record as it grows
	warnings int
	meter    *taskMeter // nil for runs nobody watches (tests of single steps)
}

// addRecords counts loaded records and publishes the running total so pollers see it grow.
func (x *runState) addRecords(ctx context.Context, n int) {
	x.records += int64(n)
	if x.meter != nil {
		x.meter.progress(x.records)
	}
	if err := x.e.st.SetRecords(context.WithoutCancel(ctx), x.auditID, x.records); err != nil {
		x.e.log.Warn("publish record count", "auditId", x.auditID, "err", err)
	}
}

// runFlow executes one flow definition: a nested workflow's steps, or the transformations in order.
func (x *runState) runFlow(ctx context.Context, f *model.Flow, depth int) error {
	if f.FlowType == "nested-workflow" {
		return x.runNested(ctx, f, depth)
	}
	sim := &simulation{flow: f}
	for i, tr := range f.Transformations {
		if !tr.Enabled {
			x.lg.Line("INFO", fmt.Sprintf("Transformation %d of %d '%s' is disabled; skipped", i+1, len(f.Transformations), tr.Name))
			continue
		}
		if err := x.runTransformation(ctx, f, sim, i, tr); err != nil {
			return err
		}
	}
	return sim.finish(x)
}

// runNested runs a workflow's steps in order inside the same run; the first failure stops it.
func (x *runState) runNested(ctx context.Context, f *model.Flow, depth int) error {
	if depth >= maxNesting {
		return runlog.EngineError("Nested workflow '%s' is nested more than %d levels deep", f.Name, maxNesting)
	}
	for i, step := range f.NestedFlows {
		child, err := x.e.st.Flow(ctx, step.FlowID)
		if errors.Is(err, model.ErrNotFound) {
			return runlog.EngineError("Nested flow %d ('%s') of workflow '%s' not found", step.FlowID, step.Name, f.Name)
		}
		if err != nil {
			return err
		}
		if child.Suspended {
			x.lg.Line("WARN", fmt.Sprintf("Step %d of %d: flow '%s' (id %d) is suspended; skipped", i+1, len(f.NestedFlows), child.Name, child.ID))
			x.warnings++
			continue
		}
		x.lg.Line("INFO", fmt.Sprintf("Step %d of %d: running nested flow '%s' (id %d)", i+1, len(f.NestedFlows), child.Name, child.ID))
		before := x.records
		if err := x.runFlow(ctx, child, depth+1); err != nil {
			if ctx.Err() == nil {
				x.lg.Line("ERROR", fmt.Sprintf("Nested flow '%s' failed; the workflow stops here", child.Name))
			}
			return err
		}
		x.lg.Line("INFO", fmt.Sprintf("Nested flow '%s' finished: %d records", child.Name, x.records-before))
	}
	return nil
}

// connection loads a connection a transformation uses.
func (x *runState) connection(ctx context.Context, id int64, tr model.Transformation) (model.Connection, error) {
	c, err := x.e.st.Connection(ctx, id)
	if errors.Is(err, model.ErrNotFound) {
		return c, runlog.EngineError("Connection %d used by transformation '%s' does not exist", id, tr.Name)
	}
	return c, err
}

// runTransformation extracts, maps and loads one transformation (or executes its SQL).
func (x *runState) runTransformation(ctx context.Context, f *model.Flow, sim *simulation, i int, tr model.Transformation) error {
	started := time.Now()
	tr = tr.WithVars(x.vars)
	x.lg.Line("INFO", runlog.TransformationStarted(i+1, len(f.Transformations), tr.Name))
	x.beginTask(f, tr)
	src, err := x.connection(ctx, tr.Source.ConnectionID, tr)
	if err != nil {
		return err
	}
	if err := x.e.pause(ctx); err != nil {
		return err
	}
	if tr.Destination.ConnectionID == 0 {
		n, err := x.executeSQL(ctx, src, tr)
		if err != nil {
			return err
		}
		x.addRecords(ctx, n)
		x.lg.Line("INFO", runlog.SQLFinished(tr.Name, n, time.Since(started)))
		return nil
	}
	dst, err := x.connection(ctx, tr.Destination.ConnectionID, tr)
	if err != nil {
		return err
	}
	ds, err := x.extract(ctx, sim, src, tr)
	if err != nil {
		return err
	}
	x.lg.Line("INFO", runlog.Extracted(len(ds.Rows), tr))
	for _, m := range f.Mappings {
		if m.Transformation == tr.Name && ds.Rename(m.Source, m.Destination) {
			x.lg.Line("INFO", fmt.Sprintf("Mapped column '%s' to '%s'", m.Source, m.Destination))
		}
	}
	if err := x.e.pause(ctx); err != nil {
		return err
	}
	if x.meter != nil {
		x.meter.phaseBegins(TaskLoad)
	}
	written, err := x.load(ctx, sim, dst, tr, ds)
	if err != nil {
		return err
	}
	x.lg.Line("INFO", runlog.TransformationFinished(tr.Name, len(ds.Rows), written, time.Since(started)))
	return nil
}

// beginTask tells the task meter a transformation began: SQL runs as one task; others extract
// (or stream, for a CDC flow) first.
func (x *runState) beginTask(f *model.Flow, tr model.Transformation) {
	if x.meter == nil {
		return
	}
	phase := TaskExtract
	switch {
	case tr.Destination.ConnectionID == 0:
		phase = TaskTask
	case streamingFlow(f.FlowType):
		phase = TaskStream
	}
	x.meter.transformation(tr.Name, phase)
}

// extract reads a transformation's source into memory.
func (x *runState) extract(ctx context.Context, sim *simulation, src model.Connection, tr model.Transformation) (*dataset.Table, error) {
	object, query := tr.Source.Object, tr.Source.SQL
	switch src.ConnectionType {
	case model.TypeSQLite:
		db, err := x.openDatabase(ctx, src)
		if err != nil {
			return nil, err
		}
		x.lg.Line("INFO", runlog.Reading(src, tr))
		if query == "" {
			query = "SELECT * FROM " + dataset.QuoteIdent(object)
		}
		ds, err := dataset.Query(ctx, db, query)
		if err != nil {
			return nil, runlog.SQLError(err, "extract")
		}
		return ds, nil
	case model.TypeLocalFile:
		x.lg.Line("INFO", runlog.Reading(src, tr))
		path, err := x.filePath(src, object)
		if err != nil {
			return nil, err
		}
		ds, skipped, err := dataset.ReadFile(path, model.FileFormat(tr.Source.Format, object))
		if err != nil {
			return nil, runlog.FileError(object, err)
		}
		if skipped > 0 {
			x.warnings++
			x.lg.Line("WARN", runlog.SkippedLines(skipped, object))
		}
		return ds, nil
	}
	x.lg.Line("INFO", runlog.Reading(src, tr))
	return sim.extract(ctx, x, src, tr)
}

// load writes a dataset to a transformation's destination in batches, counting records as it goes.
func (x *runState) load(ctx context.Context, sim *simulation, dst model.Connection, tr model.Transformation, ds *dataset.Table) (int, error) {
	object := tr.Destination.Object
	last := 0
	progress := func(done int) error {
		x.addRecords(ctx, done-last)
		last = done
		x.lg.Line("INFO", runlog.Loaded(done, len(ds.Rows), object))
		return x.e.pause(ctx)
	}
	switch dst.ConnectionType {
	case model.TypeSQLite:
		db, err := x.openDatabase(ctx, dst)
		if err != nil {
			return 0, err
		}
		x.lg.Line("INFO", runlog.Writing(dst, tr))
		recreated, err := dataset.PrepareTable(ctx, db, object, tr.Mode, ds)
		if err != nil {
			return 0, runlog.SQLError(err, "load")
		}
		if recreated {
			x.lg.Line("INFO", runlog.Recreated(object, len(ds.Columns)))
		}
		if err := dataset.InsertRows(ctx, db, object, ds, progress); err != nil {
			if ctx.Err() != nil {
				return 0, ctx.Err()
			}
			return 0, runlog.SQLError(err, "load")
		}
		return len(ds.Rows), nil
	case model.TypeLocalFile:
		x.lg.Line("INFO", runlog.Writing(dst, tr))
		path, err := x.filePath(dst, object)
		if err != nil {
			return 0, err
		}
		if err := dataset.Batches(len(ds.Rows), progress); err != nil {
			return 0, err
		}
		if err := dataset.WriteFile(path, model.FileFormat(tr.Destination.Format, object), ds, tr.Mode == "append"); err != nil {
			return 0, runlog.EngineError("Cannot write '%s' to '%s': %v", object, dst.Name, runlog.PlainIOError(err))
		}
		return len(ds.Rows), nil
	}
	x.lg.Line("INFO", runlog.Writing(dst, tr))
	return sim.load(ctx, x, dst, len(ds.Rows), progress)
}

// executeSQL runs the SQL of an execute-sql transformation and returns the rows it changed.
func (x *runState) executeSQL(ctx context.Context, src model.Connection, tr model.Transformation) (int, error) {
	if src.ConnectionType != model.TypeSQLite {
		return 0, runlog.EngineError("Connection '%s' of type %s cannot execute SQL in the sandbox", src.Name, src.ConnectionType)
	}
	db, err := x.openDatabase(ctx, src)
	if err != nil {
		return 0, err
	}
	x.lg.Line("INFO", runlog.Reading(src, tr))
	n, err := dataset.ExecScript(ctx, db, tr.Source.SQL)
	if err != nil {
		return 0, runlog.SQLError(err, "execute")
	}
	x.lg.Line("INFO", fmt.Sprintf("SQL executed: %d rows affected", n))
	return n, nil
}
