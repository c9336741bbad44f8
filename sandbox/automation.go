package sandbox

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// Schedules, webhooks, HTTP listeners, their messages and the recycle bin:
// the parts of the platform that act on their own. This file holds their tables, their wiring into
// the sandbox (scheduler, webhook dispatcher, run hook) and their routes.

// automationSchema adds the tables of this area; migrateAutomation also brings older state
// databases up to date, so a persistent DataDir keeps working.
const automationSchema = `
CREATE TABLE IF NOT EXISTS schedules (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  flow_id INTEGER NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  schedule TEXT NOT NULL,
  definition TEXT NOT NULL,
  anchor INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS schedules_flow ON schedules(flow_id);
CREATE INDEX IF NOT EXISTS executions_event ON executions(event_id, audit_id);
CREATE TABLE IF NOT EXISTS webhooks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  enabled INTEGER NOT NULL DEFAULT 1,
  definition TEXT NOT NULL,
  last_delivery TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS listeners (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  flow_id INTEGER NOT NULL,
  url_pattern TEXT NOT NULL,
  definition TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
  id TEXT PRIMARY KEY,
  listener_id INTEGER,
  flow_id INTEGER NOT NULL,
  audit_id INTEGER,
  received INTEGER NOT NULL,
  method TEXT NOT NULL,
  content_type TEXT NOT NULL DEFAULT '',
  size INTEGER NOT NULL,
  payload BLOB NOT NULL,
  status TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS messages_flow ON messages(flow_id, received);
`

// migrateAutomation creates this area's tables and adds the audit object columns. It runs before
// seeding, because seeding writes audit events.
func migrateAutomation(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, automationSchema); err != nil {
		return fmt.Errorf("create automation schema: %w", err)
	}
	if err := migrateAudit(ctx, db); err != nil {
		return fmt.Errorf("migrate audit table: %w", err)
	}
	return nil
}

// automation owns the background parts: the scheduler and the webhook dispatcher.
type automation struct {
	s     *Sandbox
	sched *scheduler
	hooks *dispatcher
	base  atomic.Pointer[string] // the .../rest base URL callers last used; for links in webhook payloads
}

// startAutomation seeds schedules and listeners once, then starts the scheduler and hooks the
// webhook dispatcher into the engine. It runs last in open, once the engine exists.
func (s *Sandbox) startAutomation(ctx context.Context) error {
	if err := seedAutomationOnce(ctx, s.st, s.log); err != nil {
		return fmt.Errorf("seed schedules and listeners: %w", err)
	}
	a := &automation{s: s, hooks: newDispatcher(s.st, s.log)}
	a.sched = newScheduler(s, min(s.opts.RunStep, maxSchedulerTick))
	s.eng.OnFinish = a.runFinished
	s.auto = a
	a.sched.start()
	return nil
}

// close stops the scheduler, then cancels and waits for webhook deliveries. The engine is closed
// before, so no finished run can queue another delivery afterwards.
func (a *automation) close() {
	a.sched.close()
	a.hooks.close()
}

// mutated is called after every successful audited mutation: the scheduler re-reads schedules on
// its next tick, and webhooks subscribed to the matching <Entity>.<Verb> event are notified.
func (a *automation) mutated(ctx context.Context, r *http.Request, md string, obj auditObject) {
	base := a.rememberBase(r)
	a.sched.touch()
	if event := mutationEvent(md, obj.Type); event != "" {
		a.hooks.emit(ctx, event, func() (int64, any, string) { return a.entityOf(ctx, obj, base) })
	}
}

// mutationEvent maps an audit method to a webhook event: addFlow →
// Flow.Created, editConnection → Connection.Updated, deleteSchedule → Schedule.Deleted. Methods
// that change no definition (runFlow, testConnection) map to nothing.
func mutationEvent(md, objType string) string {
	entity := map[string]string{"flow": "Flow", "connection": "Connection", "schedule": "Schedule", "listener": "Listener"}[objType]
	if entity == "" || !strings.HasSuffix(md, entity) {
		return ""
	}
	switch strings.TrimSuffix(md, entity) {
	case "add", "create":
		return entity + ".Created"
	case "edit", "update", "suspend", "resume", "pause", "reschedule":
		return entity + ".Updated"
	case "delete":
		return entity + ".Deleted"
	}
	return ""
}

// entityOf builds the entity part of a mutation event: the object as a GET would show it, or only
// its id and name once it is gone.
func (a *automation) entityOf(ctx context.Context, obj auditObject, base string) (int64, any, string) {
	path := map[string]string{"flow": "flows", "connection": "connections", "schedule": "schedules", "listener": "listeners"}[obj.Type]
	url := fmt.Sprintf("%s/v1/%s/%d", base, path, obj.ID)
	var entity any = map[string]any{"id": obj.ID, "name": obj.Name}
	switch obj.Type {
	case "flow":
		if f, err := a.s.st.getFlow(ctx, obj.ID); err == nil {
			entity = f.Public()
		}
	case "connection":
		if c, err := a.s.st.getConnection(ctx, obj.ID); err == nil {
			entity = maskSecrets(c)
		}
	case "schedule":
		if sc, err := a.s.st.getSchedule(ctx, obj.ID); err == nil {
			entity = sc
		}
	case "listener":
		if l, err := a.s.st.getListener(ctx, obj.ID); err == nil {
			l.EndpointURL = listenerURL(base, l)
			entity = l
		}
	}
	return obj.ID, entity, url
}

// runFinished is the engine's onFinish hook: Flow.Executed for every run, Flow.Failed for failures.
func (a *automation) runFinished(flowID, auditID int64, status string) {
	ctx := context.Background()
	build := func() (int64, any, string) {
		var entity any
		if e, err := a.s.st.getExecution(ctx, auditID); err == nil {
			entity = e
		}
		return auditID, entity, fmt.Sprintf("%s/v1/flows/%d?auditId=%d", a.baseURL(), flowID, auditID)
	}
	a.hooks.emit(ctx, "Flow.Executed", build)
	if status == model.StatusError {
		a.hooks.emit(ctx, "Flow.Failed", build)
	}
}

// rememberBase returns the .../rest base URL of a request and keeps it for events without one.
func (a *automation) rememberBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	base := scheme + "://" + r.Host + "/rest"
	a.base.Store(&base)
	return base
}

// baseURL is the last base URL seen, for links in events no request caused (scheduled runs).
func (a *automation) baseURL() string {
	if b := a.base.Load(); b != nil {
		return *b
	}
	return "http://127.0.0.1/rest"
}
