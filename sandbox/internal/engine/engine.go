// Package engine executes sandbox runs for real: flows move data between embedded SQLite
// databases and a local folder, connectors the sandbox cannot reach are simulated as each flow's
// internal properties say, and the log, execution record and audit event follow the run as it
// happens (through Store, which the sandbox's state database implements). It also meters each
// run's current task for the running-tasks API. The HTTP handlers start, stop and watch runs
// through Engine; only sandbox and its internal packages can import it.
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/runlog"
)

// ErrClosed refuses runs once Close has begun.
var ErrClosed = errors.New("the sandbox is shutting down")

// Engine executes runs: one goroutine per run, each with its own context, all cancelled and
// awaited by Close. It owns the demo-database pool the runs read and write.
type Engine struct {
	st     Store
	log    *slog.Logger
	step   time.Duration
	root   string
	dbs    *DBPool
	tenant string

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	closed bool
	active map[int64]*Run // by audit id

	// OnFinish, when set before the first run, hears of every finished run (webhooks); it must not block.
	OnFinish func(flowID, auditID int64, status string)
}

// Run is a run that has not finished yet; the handlers answer with its AuditID and wait on Done
// for a synchronous run.
type Run struct {
	AuditID   int64
	flowID    int64
	started   time.Time
	cancel    context.CancelFunc
	Done      chan struct{} // closed once the final state is stored
	stoppedBy string        // guarded by Engine.mu
	user      string        // who started it
	meter     *taskMeter    // its current task, for the running-tasks API
}

// Request is everything a run needs from the HTTP request that started it.
type Request struct {
	Flow     *model.Flow
	Params   map[string]string
	User     string
	HostIP   string
	ClientIP string
	Parallel bool

	EventID   *int64  // the schedule that started the run; nil = started by hand
	EventName *string // that schedule's name
	MessageID *string // the listener message that started the run
}

// New returns an engine whose runs read and record through st, pause step between stages, find
// their files and databases under root (opened through dbs) and audit as tenant.
func New(st Store, log *slog.Logger, step time.Duration, root string, dbs *DBPool, tenant string) *Engine {
	ctx, cancel := context.WithCancel(context.Background())
	return &Engine{st: st, log: log, step: step, root: root, dbs: dbs, tenant: tenant,
		ctx: ctx, cancel: cancel, active: map[int64]*Run{}}
}

// Start records a queued run and begins it. refused explains why nothing started when another
// instance of the flow is active and parallel is off; no execution record exists then.
func (e *Engine) Start(req Request) (run *Run, refused string, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, "", ErrClosed
	}
	if !req.Parallel {
		for _, ar := range e.active {
			if ar.flowID == req.Flow.ID {
				return nil, fmt.Sprintf("Flow '%s' is already running (audit id %d); pass parallel=true to start another instance",
					req.Flow.Name, ar.AuditID), nil
			}
		}
	}
	now := time.Now()
	id, err := e.st.InsertExecution(e.ctx, model.Execution{FlowID: req.Flow.ID, FlowName: req.Flow.Name,
		EventID: req.EventID, EventName: req.EventName, MessageID: req.MessageID,
		Status: model.StatusQueued, Started: now.UnixMilli(), User: req.User}, model.MaskedParams(req.Params))
	if err != nil {
		return nil, "", err
	}
	ctx, cancel := context.WithCancel(e.ctx)
	ar := &Run{AuditID: id, flowID: req.Flow.ID, started: now, cancel: cancel, Done: make(chan struct{}),
		user: req.User, meter: &taskMeter{}}
	e.active[id] = ar
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer close(ar.Done)
		defer cancel()
		e.execute(ctx, ar, req)
	}()
	return ar, "", nil
}

// Stop cancels the newest active run of a flow, or the run auditID when it is not 0. It returns
// nil when nothing matching is running.
func (e *Engine) Stop(flowID, auditID int64, by string) *Run {
	e.mu.Lock()
	defer e.mu.Unlock()
	var target *Run
	for _, ar := range e.active {
		if ar.flowID == flowID && (auditID == 0 || ar.AuditID == auditID) && (target == nil || ar.AuditID > target.AuditID) {
			target = ar
		}
	}
	if target != nil {
		target.stoppedBy = by
		target.cancel()
	}
	return target
}

// Running counts active runs, for /health.
func (e *Engine) Running() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.active)
}

// Close refuses new runs, cancels the active ones and waits until each has stored its final state.
func (e *Engine) Close() {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	e.cancel()
	e.wg.Wait()
}

// pause paces a run by one stage (Options.RunStep), returning early when the run is cancelled.
func (e *Engine) pause(ctx context.Context) error {
	t := time.NewTimer(e.step)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// storeLog is the runlog.Sink of a live run: each line is appended to the store as it happens.
type storeLog struct {
	ctx     context.Context
	e       *Engine
	auditID int64
}

// Line appends one log line to the run's log.
func (l *storeLog) Line(level, msg string) {
	if err := l.e.st.AppendLog(l.ctx, l.auditID, runlog.Line(time.Now(), level, msg)); err != nil {
		l.e.log.Warn("append run log", "auditId", l.auditID, "err", err)
	}
}

// execute is the body of a run goroutine: queued → running → a terminal status.
func (e *Engine) execute(ctx context.Context, ar *Run, req Request) {
	bg := context.WithoutCancel(ctx)
	x := &runState{e: e, lg: &storeLog{ctx: bg, e: e, auditID: ar.AuditID}, auditID: ar.AuditID, vars: req.Params, meter: ar.meter}
	x.lg.Line("INFO", runlog.Queued(req.Flow, ar.AuditID, req.User))
	err := e.pause(ctx)
	if err == nil {
		if err = e.st.SetStatus(bg, ar.AuditID, model.StatusRunning); err == nil {
			x.lg.Line("INFO", runlog.Started(req.Flow))
			x.lg.Line("INFO", runlog.Variables(req.Params))
			err = x.runFlow(ctx, req.Flow, 0)
		}
	}
	e.finish(bg, ctx.Err() != nil, ar, req, x, err)
}

// finish stores the terminal state of a run, its last log lines and its audit event, then
// forgets it. canceled wins over err: a cancelled query fails with an error of its own.
func (e *Engine) finish(ctx context.Context, canceled bool, ar *Run, req Request, x *runState, err error) {
	status := model.StatusSuccess
	var exception *string
	switch {
	case canceled:
		status = model.StatusCanceled
		e.mu.Lock()
		by := ar.stoppedBy
		e.mu.Unlock()
		if by != "" {
			x.lg.Line("WARN", fmt.Sprintf("Flow execution canceled by user %s", by))
		} else {
			x.lg.Line("WARN", "Flow execution canceled: the sandbox is shutting down")
		}
	case err != nil:
		status = model.StatusError
		re := runlog.AsError(err)
		exception = new(re.Trace())
		x.lg.Line("ERROR", "Flow failed: "+re.Message+"\n"+re.Trace())
	case x.warnings > 0:
		status = model.StatusWarning
	}
	end := time.Now()
	x.lg.Line("INFO", runlog.FlowFinished(status, x.records, end.Sub(ar.started)))
	ended := end.UnixMilli()
	payload := map[string]any{"flowId": req.Flow.ID, "flowName": req.Flow.Name, "auditId": ar.AuditID,
		"status": status, "records": x.records, "parameters": model.MaskedParams(req.Params)}
	if req.EventID != nil {
		payload["eventId"], payload["eventName"] = *req.EventID, req.EventName
	}
	if req.MessageID != nil {
		payload["messageId"] = *req.MessageID
	}
	ev := model.AuditEvent{Method: "runFlow", User: req.User, Tenant: e.tenant, OK: status == model.StatusSuccess || status == model.StatusWarning,
		Payload: payload, HostIP: req.HostIP, ClientIP: req.ClientIP, Duration: ended - ar.started.UnixMilli(), Started: ar.started.UnixMilli()}
	if exception != nil {
		ev.Exception = *exception
	}
	if err := e.st.Audit(ctx, ev); err != nil {
		e.log.Error("write run audit event", "auditId", ar.AuditID, "err", err)
	}
	// The terminal status becomes visible and the flow's run slot frees in one step (Start takes
	// the same lock), so a client that sees the run end can start the next one at once, and finds
	// the audit event already written.
	e.mu.Lock()
	if err := e.st.FinishExecution(ctx, ar.AuditID, status, ended, x.records, exception); err != nil {
		e.log.Error("store run result", "auditId", ar.AuditID, "err", err)
	}
	delete(e.active, ar.AuditID)
	e.mu.Unlock()
	e.log.Debug("run finished", "flowId", req.Flow.ID, "auditId", ar.AuditID, "status", status, "records", x.records)
	if e.OnFinish != nil {
		e.OnFinish(req.Flow.ID, ar.AuditID, status)
	}
}
