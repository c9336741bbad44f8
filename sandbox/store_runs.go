package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
)

const executionColumns = `audit_id, parent_audit_id, retries, flow_id, flow_name, event_id, event_name, message_id,
	status, started, ended, run_user, records, exception`

func scanExecution(sc interface{ Scan(...any) error }) (execution, error) {
	var e execution
	var parent, retries, eventID, ended sql.NullInt64
	var eventName, messageID, exception sql.NullString
	err := sc.Scan(&e.AuditID, &parent, &retries, &e.FlowID, &e.FlowName, &eventID, &eventName, &messageID,
		&e.Status, &e.Started, &ended, &e.User, &e.Records, &exception)
	if err != nil {
		return e, err
	}
	e.ParentAuditID = nullInt(parent)
	e.Retries = nullInt(retries)
	e.EventID = nullInt(eventID)
	e.Ended = nullInt(ended)
	e.EventName = nullString(eventName)
	e.MessageID = nullString(messageID)
	e.Exception = nullString(exception)
	return e, nil
}

func nullInt(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	return &n.Int64
}

func nullString(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}

// insertExecution records a new run and returns its audit id.
func insertExecution(ctx context.Context, ex execer, e execution, params map[string]string) (int64, error) {
	if params == nil {
		params = map[string]string{}
	}
	p, err := json.Marshal(params)
	if err != nil {
		return 0, err
	}
	res, err := ex.ExecContext(ctx, `INSERT INTO executions(flow_id, flow_name, event_id, event_name, message_id, status,
		started, ended, run_user, records, exception, parameters) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.FlowID, e.FlowName, e.EventID, e.EventName, e.MessageID, e.Status, e.Started, e.Ended, e.User, e.Records,
		e.Exception, string(p))
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// setStatus moves a live run to a non-terminal status.
func (st *store) setStatus(ctx context.Context, auditID int64, status string) error {
	_, err := st.db.ExecContext(ctx, `UPDATE executions SET status = ? WHERE audit_id = ?`, status, auditID)
	return err
}

// setRecords publishes the record count of a live run, so pollers see it grow.
func (st *store) setRecords(ctx context.Context, auditID, records int64) error {
	_, err := st.db.ExecContext(ctx, `UPDATE executions SET records = ? WHERE audit_id = ?`, records, auditID)
	return err
}

// finishExecution writes the terminal state of a run.
func (st *store) finishExecution(ctx context.Context, auditID int64, status string, endedMs, records int64, exception *string) error {
	_, err := st.db.ExecContext(ctx, `UPDATE executions SET status = ?, ended = ?, records = ?, exception = ?
		WHERE audit_id = ?`, status, endedMs, records, exception, auditID)
	return err
}

// getExecution returns one run by audit id, or errNotFound.
func (st *store) getExecution(ctx context.Context, auditID int64) (execution, error) {
	return st.oneExecution(ctx, `WHERE audit_id = ?`, auditID)
}

// latestExecution returns the newest run of a flow, optionally the newest in one status.
func (st *store) latestExecution(ctx context.Context, flowID int64, status string) (execution, error) {
	if status != "" {
		return st.oneExecution(ctx, `WHERE flow_id = ? AND status = ? ORDER BY audit_id DESC LIMIT 1`, flowID, status)
	}
	return st.oneExecution(ctx, `WHERE flow_id = ? ORDER BY audit_id DESC LIMIT 1`, flowID)
}

// executionByMessage returns the run of a flow triggered by a listener message.
func (st *store) executionByMessage(ctx context.Context, flowID int64, messageID string) (execution, error) {
	return st.oneExecution(ctx, `WHERE flow_id = ? AND message_id = ? ORDER BY audit_id DESC LIMIT 1`, flowID, messageID)
}

func (st *store) oneExecution(ctx context.Context, cond string, args ...any) (execution, error) {
	e, err := scanExecution(st.db.QueryRowContext(ctx, `SELECT `+executionColumns+` FROM executions `+cond, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return e, errNotFound
	}
	return e, err
}

// executionFilter selects runs for the history endpoints.
type executionFilter struct {
	flowID   int64 // 0 = all flows
	status   string
	from, to int64 // epoch ms bounds on started; 0 = open
	limit    int
	offset   int
}

// listExecutions returns one page of runs, newest first, and the total number that match.
func (st *store) listExecutions(ctx context.Context, ef executionFilter) ([]execution, int, error) {
	var c conditions
	if ef.flowID != 0 {
		c.add(`flow_id = ?`, ef.flowID)
	}
	if ef.status != "" {
		c.add(`status = ?`, ef.status)
	}
	if ef.from != 0 {
		c.add(`started >= ?`, ef.from)
	}
	if ef.to != 0 {
		c.add(`started <= ?`, ef.to)
	}
	return listPage(ctx, st.db, c, `SELECT COUNT(*) FROM executions`, `SELECT `+executionColumns+` FROM executions`,
		` ORDER BY started DESC, audit_id DESC`, ef.limit, ef.offset, scanExecution)
}

// appendLog adds text (one or more complete lines) to a run's log.
func appendLog(ctx context.Context, ex execer, auditID int64, text string) error {
	_, err := ex.ExecContext(ctx, `INSERT INTO execution_logs(audit_id, text) VALUES(?, ?)`, auditID, text)
	return err
}

// readLog returns everything written to a run's log so far.
func (st *store) readLog(ctx context.Context, auditID int64) (string, error) {
	rows, err := st.db.QueryContext(ctx, `SELECT text FROM execution_logs WHERE audit_id = ? ORDER BY id`, auditID)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var chunk string
		if err := rows.Scan(&chunk); err != nil {
			return "", err
		}
		b.WriteString(chunk)
	}
	return b.String(), rows.Err()
}
