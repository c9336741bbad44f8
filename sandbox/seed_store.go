package sandbox

import (
	"context"
	"database/sql"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// seedTx is the seeding transaction as the demo history sees it (demo.Store): each method runs
// the state-database statement of the same meaning inside the transaction.
type seedTx struct{ tx *sql.Tx }

func (s seedTx) InsertExecution(ctx context.Context, e execution, params map[string]string) (int64, error) {
	return insertExecution(ctx, s.tx, e, params)
}

func (s seedTx) AppendLog(ctx context.Context, auditID int64, text string) error {
	return appendLog(ctx, s.tx, auditID, text)
}

func (s seedTx) Audit(ctx context.Context, ev model.AuditEvent) error {
	return insertAudit(ctx, s.tx, auditEventOf(ev))
}

func (s seedTx) SetFlowUpdated(ctx context.Context, name string, updatedMs int64) error {
	_, err := s.tx.ExecContext(ctx, `UPDATE flows SET updated_at = ? WHERE name = ?`, updatedMs, name)
	return err
}
