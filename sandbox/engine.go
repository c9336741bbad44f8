package sandbox

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

// errEngineClosed refuses runs once Close has begun.
var errEngineClosed = errors.New("the sandbox is shutting down")

// engine executes runs: one goroutine per run, each with its own context, all cancelled and
// awaited by close. It owns the demo-database pool the runs read and write.
type engine struct {
	st     runStoreAPI
	log    *slog.Logger
	step   time.Duration
	root   string
	dbs    *dbPool
	tenant string

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	closed bool
	active map[int64]*activeRun // by audit id

	// onFinish, when set before the first run, hears of every finished run (webhooks); it must not block.
	onFinish func(flowID, auditID int64, status string)
}

// activeRun is a run that has not finished yet.
type activeRun struct {
	auditID   int64
	flowID    int64
	started   time.Time
	cancel    context.CancelFunc
	done      chan struct{} // closed once the final state is stored
	stoppedBy string        // guarded by engine.mu
	user      string        // who started it
	meter     *taskMeter    // its current task, for the running-tasks API
}

// runRequest is everything a run needs from the HTTP request that started it.
type runRequest struct {
	flow     *flow
	params   map[string]string
	user     string
	hostIP   string
	clientIP string
	parallel bool

	eventID   *int64  // the schedule that started the run; nil = started by hand
	eventName *string // that schedule's name
	messageID *string // the listener message that started the run
}

func newEngine(st runStoreAPI, log *slog.Logger, step time.Duration, root string, dbs *dbPool, tenant string) *engine {
	ctx, cancel := context.WithCancel(context.Background())
	return &engine{st: st, log: log, step: step, root: root, dbs: dbs, tenant: tenant,
		ctx: ctx, cancel: cancel, active: map[int64]*activeRun{}}
}

// start records a queued run and begins it. refused explains why nothing started when another
// instance of the flow is active and parallel is off; no execution record exists then.
func (e *engine) start(req runRequest) (run *activeRun, refused string, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, "", errEngineClosed
	}
	if !req.parallel {
		for _, ar := range e.active {
			if ar.flowID == req.flow.ID {
				return nil, fmt.Sprintf("Flow '%s' is already running (audit id %d); pass parallel=true to start another instance",
					req.flow.Name, ar.auditID), nil
			}
		}
	}
	now := time.Now()
	id, err := e.st.InsertExecution(e.ctx, execution{FlowID: req.flow.ID, FlowName: req.flow.Name,
		EventID: req.eventID, EventName: req.eventName, MessageID: req.messageID,
		Status: statusQueued, Started: now.UnixMilli(), User: req.user}, model.MaskedParams(req.params))
	if err != nil {
		return nil, "", err
	}
	ctx, cancel := context.WithCancel(e.ctx)
	ar := &activeRun{auditID: id, flowID: req.flow.ID, started: now, cancel: cancel, done: make(chan struct{}),
		user: req.user, meter: &taskMeter{}}
	e.active[id] = ar
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer close(ar.done)
		defer cancel()
		e.execute(ctx, ar, req)
	}()
	return ar, "", nil
}

// stop cancels the newest active run of a flow, or the run auditID when it is not 0. It returns
// nil when nothing matching is running.
func (e *engine) stop(flowID, auditID int64, by string) *activeRun {
	e.mu.Lock()
	defer e.mu.Unlock()
	var target *activeRun
	for _, ar := range e.active {
		if ar.flowID == flowID && (auditID == 0 || ar.auditID == auditID) && (target == nil || ar.auditID > target.auditID) {
			target = ar
		}
	}
	if target != nil {
		target.stoppedBy = by
		target.cancel()
	}
	return target
}

// running counts active runs, for /health.
func (e *engine) running() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.active)
}

// close refuses new runs, cancels the active ones and waits until each has stored its final state.
func (e *engine) close() {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	e.cancel()
	e.wg.Wait()
}

// pause paces a run by one stage (Options.RunStep), returning early when the run is cancelled.
func (e *engine) pause(ctx context.Context) error {
	t := time.NewTimer(e.step)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// storeLog is the logSink of a live run: each line is appended to the store as it happens.
type storeLog struct {
	ctx     context.Context
	e       *engine
	auditID int64
}

func (l *storeLog) Line(level, msg string) {
	if err := l.e.st.AppendLog(l.ctx, l.auditID, runlog.Line(time.Now(), level, msg)); err != nil {
		l.e.log.Warn("append run log", "auditId", l.auditID, "err", err)
	}
}

// execute is the body of a run goroutine: queued → running → a terminal status.
func (e *engine) execute(ctx context.Context, ar *activeRun, req runRequest) {
	bg := context.WithoutCancel(ctx)
	x := &runState{e: e, lg: &storeLog{ctx: bg, e: e, auditID: ar.auditID}, auditID: ar.auditID, vars: req.params, meter: ar.meter}
	x.lg.Line("INFO", runlog.Queued(req.flow, ar.auditID, req.user))
	err := e.pause(ctx)
	if err == nil {
		if err = e.st.SetStatus(bg, ar.auditID, statusRunning); err == nil {
			x.lg.Line("INFO", runlog.Started(req.flow))
			x.lg.Line("INFO", runlog.Variables(req.params))
			err = x.runFlow(ctx, req.flow, 0)
		}
	}
	e.finish(bg, ctx.Err() != nil, ar, req, x, err)
}

// finish stores the terminal state of a run, its last log lines and its audit event, then
// forgets it. canceled wins over err: a cancelled query fails with an error of its own.
func (e *engine) finish(ctx context.Context, canceled bool, ar *activeRun, req runRequest, x *runState, err error) {
	status := statusSuccess
	var exception *string
	switch {
	case canceled:
		status = statusCanceled
		e.mu.Lock()
		by := ar.stoppedBy
		e.mu.Unlock()
		if by != "" {
			x.lg.Line("WARN", fmt.Sprintf("Flow execution canceled by user %s", by))
		} else {
			x.lg.Line("WARN", "Flow execution canceled: the sandbox is shutting down")
		}
	case err != nil:
		status = statusError
		re := runlog.AsError(err)
		exception = new(re.Trace())
		x.lg.Line("ERROR", "Flow failed: "+re.Message+"\n"+re.Trace())
	case x.warnings > 0:
		status = statusWarning
	}
	end := time.Now()
	x.lg.Line("INFO", runlog.FlowFinished(status, x.records, end.Sub(ar.started)))
	ended := end.UnixMilli()
	payload := map[string]any{"flowId": req.flow.ID, "flowName": req.flow.Name, "auditId": ar.auditID,
		"status": status, "records": x.records, "parameters": model.MaskedParams(req.params)}
	if req.eventID != nil {
		payload["eventId"], payload["eventName"] = *req.eventID, req.eventName
	}
	if req.messageID != nil {
		payload["messageId"] = *req.messageID
	}
	ev := runAudit{User: req.user, Tenant: e.tenant, OK: status == statusSuccess || status == statusWarning,
		Payload: payload, HostIP: req.hostIP, ClientIP: req.clientIP, Duration: ended - ar.started.UnixMilli(), Started: ar.started.UnixMilli()}
	if exception != nil {
		ev.Exception = *exception
	}
	if err := e.st.AuditRun(ctx, ev); err != nil {
		e.log.Error("write run audit event", "auditId", ar.auditID, "err", err)
	}
	// The terminal status becomes visible and the flow's run slot frees in one step (start takes
	// the same lock), so a client that sees the run end can start the next one at once, and finds
	// the audit event already written.
	e.mu.Lock()
	if err := e.st.FinishExecution(ctx, ar.auditID, status, ended, x.records, exception); err != nil {
		e.log.Error("store run result", "auditId", ar.auditID, "err", err)
	}
	delete(e.active, ar.auditID)
	e.mu.Unlock()
	e.log.Debug("run finished", "flowId", req.flow.ID, "auditId", ar.auditID, "status", status, "records", x.records)
	if e.onFinish != nil {
		e.onFinish(req.flow.ID, ar.auditID, status)
	}
}
