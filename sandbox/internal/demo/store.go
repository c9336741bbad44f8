package demo

import (
	"context"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// Store is where the seeded history goes: the seeding transaction of the state
// database implements it, so the history generator holds no SQL.
type Store interface {
	// InsertExecution records a past run and returns its audit id.
	InsertExecution(ctx context.Context, e model.Execution, params map[string]string) (int64, error)
	// AppendLog stores a run's whole log.
	AppendLog(ctx context.Context, auditID int64, text string) error
	// Audit writes one audit-trail entry; entries arrive in time order.
	Audit(ctx context.Context, ev model.AuditEvent) error
	// SetFlowUpdated backdates a flow's last edit to the seeded edit that made it.
	SetFlowUpdated(ctx context.Context, name string, updatedMs int64) error
}
