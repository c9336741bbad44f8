package sandbox

import (
	"fmt"
	"testing"
	"time"
)

// waitFor polls cond until it holds, failing the test after a deadline: tests wait for
// conditions, never for fixed times.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// runsOf lists a flow's executions (newest first) through the API.
func (h *harness) runsOf(flowID int64) []execution {
	h.t.Helper()
	var list []execution
	h.ok("GET", fmt.Sprintf("/rest/v1/executions?flowId=%d&limit=200", flowID), nil, &list)
	return list
}

// scheduledRuns lists the executions a schedule started.
func (h *harness) scheduledRuns(flowID, scheduleID int64) []execution {
	h.t.Helper()
	var out []execution
	for _, e := range h.runsOf(flowID) {
		if e.EventID != nil && *e.EventID == scheduleID {
			out = append(out, e)
		}
	}
	return out
}

// auditOf returns the audit records matching a query string (without the leading '?').
func (h *harness) auditOf(query string) []auditRecord {
	h.t.Helper()
	var recs []auditRecord
	h.ok("GET", "/rest/v1/audit?limit=200&"+query, nil, &recs)
	return recs
}

// binConnection moves a connection to the recycle bin the way DELETE /v1/connections does,
// so recycle-bin tests do not depend on the connections API.
func (h *harness) binConnection(id int64) int64 {
	h.t.Helper()
	ctx := h.t.Context()
	c, err := h.sb.st.getConnection(ctx, id)
	if err != nil {
		h.t.Fatal(err)
	}
	tx, err := h.sb.st.db.BeginTx(ctx, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	binID, err := binMove(ctx, tx, "connection", c.ID, c.Name, c, nil, "alice", time.Now().UnixMilli(), `DELETE FROM connections WHERE id = ?`)
	if err != nil {
		tx.Rollback()
		h.t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		h.t.Fatal(err)
	}
	return binID
}

// strPtr reads an optional string for messages.
func strPtr(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
