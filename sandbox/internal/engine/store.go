package engine

import (
	"context"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// Store is the state a run reads and records. The engine holds no SQL of its own: the
// sandbox's state database implements this, so the engine does not depend on the HTTP API that
// owns that database. Lookups return model.ErrNotFound for a missing row.
type Store interface {
	// Flow returns one flow definition (a nested workflow's steps are read one by one).
	Flow(ctx context.Context, id int64) (*model.Flow, error)
	// Connection returns one connection with its secrets.
	Connection(ctx context.Context, id int64) (model.Connection, error)
	// DBAccount returns the login a demo database file accepts; model.ErrNotFound = it accepts any.
	DBAccount(ctx context.Context, dbFile string) (login, password string, err error)
	// InsertExecution records a new run and returns its audit id.
	InsertExecution(ctx context.Context, e model.Execution, params map[string]string) (int64, error)
	// SetStatus moves a run to another non-terminal status.
	SetStatus(ctx context.Context, auditID int64, status string) error
	// SetRecords publishes the running record count, so pollers see it grow.
	SetRecords(ctx context.Context, auditID, records int64) error
	// FinishExecution stores a run's terminal status, end time, records and exception.
	FinishExecution(ctx context.Context, auditID int64, status string, endedMs, records int64, exception *string) error
	// AppendLog adds formatted lines to a run's log.
	AppendLog(ctx context.Context, auditID int64, text string) error
	// Audit writes an audit event (the engine writes runFlow when a run ends).
	Audit(ctx context.Context, ev model.AuditEvent) error
}
