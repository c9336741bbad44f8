package sandbox

import (
	"context"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// runStore is the state database as the run engine sees it (engine.Store): each method forwards
// to the store query of the same meaning, so the engine holds no SQL.
type runStore struct{ st *store }

func (r runStore) Flow(ctx context.Context, id int64) (*flow, error) { return r.st.getFlow(ctx, id) }

func (r runStore) Connection(ctx context.Context, id int64) (connection, error) {
	return r.st.getConnection(ctx, id)
}

func (r runStore) DBAccount(ctx context.Context, dbFile string) (login, password string, err error) {
	return r.st.dbAccount(ctx, dbFile)
}

func (r runStore) InsertExecution(ctx context.Context, e execution, params map[string]string) (int64, error) {
	return insertExecution(ctx, r.st.db, e, params)
}

func (r runStore) SetStatus(ctx context.Context, auditID int64, status string) error {
	return r.st.setStatus(ctx, auditID, status)
}

func (r runStore) SetRecords(ctx context.Context, auditID, records int64) error {
	return r.st.setRecords(ctx, auditID, records)
}

func (r runStore) FinishExecution(ctx context.Context, auditID int64, status string, endedMs, records int64, exception *string) error {
	return r.st.finishExecution(ctx, auditID, status, endedMs, records, exception)
}

func (r runStore) AppendLog(ctx context.Context, auditID int64, text string) error {
	return appendLog(ctx, r.st.db, auditID, text)
}

func (r runStore) Audit(ctx context.Context, ev model.AuditEvent) error {
	return insertAudit(ctx, r.st.db, auditEventOf(ev))
}
