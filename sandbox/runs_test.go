package sandbox

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/demo"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/runlog"
)

// warehouse opens the demo warehouse the runs write to.
func (h *harness) warehouse() *sql.DB {
	h.t.Helper()
	db, err := h.sb.dbs.Get(filepath.Join(h.sb.root, demo.WarehouseFile))
	if err != nil {
		h.t.Fatal(err)
	}
	return db
}

func (h *harness) count(db *sql.DB, query string, args ...any) int64 {
	h.t.Helper()
	var n int64
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		h.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// stagingCSV reads a staging file's records (without the header).
func (h *harness) stagingCSV(name string) [][]string {
	h.t.Helper()
	f, err := os.Open(filepath.Join(h.sb.root, demo.StagingFolder, name))
	if err != nil {
		h.t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		h.t.Fatal(err)
	}
	return recs[1:]
}

func (h *harness) syncRun(flowID int64, query string, params any) execResponse {
	h.t.Helper()
	var resp execResponse
	h.ok("POST", fmt.Sprintf("/rest/v1/flows/%d/run?sync=true%s", flowID, query), params, &resp)
	return resp
}

func TestRuns(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	loadOrders, rollup, crm := h.flowID("Load orders from CSV"), h.flowID("Daily revenue rollup"), h.flowID("Sync CRM customers")

	t.Run("async load moves the csv into the warehouse", func(t *testing.T) {
		h := h.with(t)
		if _, err := h.warehouse().Exec(`DELETE FROM orders`); err != nil {
			t.Fatal(err)
		}
		e := h.wait(loadOrders, h.run(loadOrders, "", nil))
		rows := int64(len(h.stagingCSV("orders.csv")))
		if e.Status != model.StatusSuccess || e.Records != rows || rows != demo.OrdersRows || e.Ended == nil || e.User != "alice" || e.Exception != nil {
			t.Fatalf("execution = %+v, csv rows %d", e, rows)
		}
		if n := h.count(h.warehouse(), `SELECT COUNT(*) FROM orders`); n != rows {
			t.Errorf("orders table has %d rows, want %d", n, rows)
		}
		if n := h.count(h.warehouse(), `SELECT COUNT(*) FROM orders WHERE typeof(amount) = 'real' AND typeof(order_id) = 'integer'`); n != rows {
			t.Errorf("numbers were loaded as text: %d typed rows", n)
		}
		log := h.logOf(loadOrders, e.AuditID)
		for _, want := range []string{" INFO  Flow 'Load orders from CSV' (id 1) queued", "Extracted 120 records from orders.csv",
			"Loaded 120 of 120 records into 'orders'", "Flow finished with status SUCCESS. Records processed: 120"} {
			if !strings.Contains(log, want) {
				t.Errorf("log lacks %q:\n%s", want, log)
			}
		}
		if _, err := time.Parse(runlog.TimeLayout, log[:len(runlog.TimeLayout)]); err != nil {
			t.Errorf("log line does not start with a timestamp: %v", err)
		}
	})

	t.Run("sync run", func(t *testing.T) {
		h := h.with(t)
		resp := h.syncRun(loadOrders, "", nil)
		if resp.Status != codeSuccess || resp.AuditID == nil || resp.Exception != nil || resp.FlowID != loadOrders {
			t.Fatalf("sync run = %+v", resp)
		}
	})

	t.Run("rollup fails with the real sqlite error", func(t *testing.T) {
		h := h.with(t)
		resp := h.syncRun(rollup, "", nil)
		if resp.Status != codeError || resp.Exception == nil {
			t.Fatalf("sync run = %+v", resp)
		}
		for _, want := range []string{"java.sql.SQLException: [SQLITE_ERROR] SQL error or missing database (no such column: amount_usd)",
			"\n\tat com.toolsverse.etl."} {
			if !strings.Contains(*resp.Exception, want) {
				t.Errorf("exception lacks %q:\n%s", want, *resp.Exception)
			}
		}
		if e := h.wait(rollup, *resp.AuditID); e.Exception == nil || *e.Exception != *resp.Exception {
			t.Errorf("execution exception = %v", e.Exception)
		}
		if log := h.logOf(rollup, *resp.AuditID); !strings.Contains(log, " ERROR Flow failed: [SQLITE_ERROR]") || !strings.Contains(log, "no such column: amount_usd") {
			t.Errorf("log:\n%s", log)
		}
	})

	t.Run("crm sync fails to authenticate", func(t *testing.T) {
		h := h.with(t)
		e := h.wait(crm, h.run(crm, "", nil))
		if e.Status != model.StatusError || e.Exception == nil || !strings.Contains(*e.Exception, "Authentication failed for connection 'CRM database'") {
			t.Fatalf("execution = %+v", e)
		}
		if log := h.logOf(crm, e.AuditID); !strings.Contains(log, "Authentication failed for connection 'CRM database'") {
			t.Errorf("log:\n%s", log)
		}
	})

	t.Run("rollup succeeds once its sql is fixed", func(t *testing.T) {
		h := h.with(t)
		var f flow
		h.ok("GET", fmt.Sprintf("/rest/v1/flows/%d", rollup), nil, &f)
		f.Transformations[0].Source.SQL = strings.ReplaceAll(f.Transformations[0].Source.SQL, "amount_usd", "amount")
		h.ok("PUT", fmt.Sprintf("/rest/v1/flows/%d", rollup), f, nil)
		resp := h.syncRun(rollup, "", nil)
		days := h.count(h.warehouse(), `SELECT COUNT(DISTINCT order_date) FROM orders WHERE status IN ('completed', 'shipped')`)
		e := h.wait(rollup, *resp.AuditID)
		if resp.Status != codeSuccess || e.Records != days {
			t.Fatalf("run = %+v, execution %+v, want %d records", resp, e, days)
		}
		if n := h.count(h.warehouse(), `SELECT COUNT(*) FROM daily_revenue WHERE revenue > 0`); n != days {
			t.Errorf("daily_revenue has %d rows, want %d", n, days)
		}
	})

	t.Run("crm sync succeeds once the password is fixed", func(t *testing.T) {
		h := h.with(t)
		c, err := h.sb.st.getConnection(t.Context(), h.flowConn(crm))
		if err != nil {
			t.Fatal(err)
		}
		c.Properties[model.PropPassword] = h.sb.Credentials().CRMPassword
		if err := h.sb.st.updateConnection(t.Context(), c, time.Now().UnixMilli()); err != nil {
			t.Fatal(err)
		}
		e := h.wait(crm, h.run(crm, "", nil))
		if e.Status != model.StatusSuccess || e.Records != demo.CustomersRows {
			t.Fatalf("execution = %+v", e)
		}
		if n := h.count(h.warehouse(), `SELECT COUNT(customer_since) FROM customers`); n != demo.CustomersRows {
			t.Errorf("customers has %d mapped rows", n)
		}
	})

	t.Run("nested workflow runs its steps in order", func(t *testing.T) {
		h := h.with(t)
		nightly := h.flowID("Nightly warehouse refresh")
		e := h.wait(nightly, h.run(nightly, "", nil))
		if e.Status != model.StatusSuccess {
			t.Fatalf("execution = %+v\n%s", e, h.logOf(nightly, e.AuditID))
		}
		log := h.logOf(nightly, e.AuditID)
		last := -1
		for i := 1; i <= 4; i++ {
			at := strings.Index(log, fmt.Sprintf("Step %d of 4", i))
			if at <= last {
				t.Errorf("step %d out of order:\n%s", i, log)
			}
			last = at
		}
	})

	t.Run("parameters become variables", func(t *testing.T) {
		h := h.with(t)
		archive := h.flowID("Archive order files to S3")
		e := h.wait(archive, h.run(archive, "", map[string]string{"runDate": "2026-11-29", "apiToken": "s3cr3t-value"}))
		log := h.logOf(archive, e.AuditID)
		if e.Status != model.StatusSuccess || !strings.Contains(log, "runDate=2026-11-29") || !strings.Contains(log, "archive/2026-11-29/orders.csv") {
			t.Errorf("execution %+v log:\n%s", e, log)
		}
		if strings.Contains(log, "s3cr3t-value") || !strings.Contains(log, "apiToken=********") {
			t.Errorf("secret parameter leaked or not masked:\n%s", log)
		}
		var recs []auditRecord
		h.ok("GET", "/rest/v1/audit?method=runFlow&limit=1", nil, &recs)
		var rec auditRecord
		h.ok("GET", fmt.Sprintf("/rest/v1/audit/%d", recs[0].ID), nil, &rec)
		if strings.Contains(string(rec.Payload), "s3cr3t-value") || !strings.Contains(string(rec.Payload), fmt.Sprintf(`"auditId":%d`, e.AuditID)) {
			t.Errorf("audit payload = %s", rec.Payload)
		}
	})

	t.Run("parameters are substituted into sql", func(t *testing.T) {
		h := h.with(t)
		body := map[string]any{"name": "Big orders", "flowType": "database-to-database", "transformations": []map[string]any{{
			"source":      map[string]any{"connection": "Warehouse", "sql": "SELECT * FROM orders WHERE amount >= {minAmount}"},
			"destination": map[string]any{"connection": "Warehouse", "object": "big_orders"}, "mode": "replace"}}}
		var f flow
		h.ok("POST", "/rest/v1/flows", body, &f)
		want := int64(0)
		for _, rec := range h.stagingCSV("orders.csv") {
			if amount, _ := strconv.ParseFloat(rec[3], 64); amount >= 400 {
				want++
			}
		}
		resp := h.syncRun(f.ID, "", map[string]any{"minAmount": 400})
		if e := h.wait(f.ID, *resp.AuditID); e.Status != model.StatusSuccess || e.Records != want || want == 0 {
			t.Errorf("execution = %+v, want %d records", e, want)
		}
	})

	t.Run("run by name", func(t *testing.T) {
		h := h.with(t)
		for _, prefix := range []string{"/rest", "/plugins/flows/rest"} {
			var resp execResponse
			h.ok("POST", prefix+"/v1/flows/flow-name/Load%20product%20catalog/run?sync=true", nil, &resp)
			if resp.Status != codeSuccess || resp.FlowID != h.flowID("Load product catalog") {
				t.Errorf("%s: %+v", prefix, resp)
			}
		}
		wantError(t, h.call("POST", "/rest/v1/flows/flow-name/No%20such%20flow/run", h.key, nil), http.StatusNotFound,
			"/rest/v1/flows/flow-name/No such flow/run")
	})

	t.Run("bad run requests", func(t *testing.T) {
		h := h.with(t)
		for _, body := range []string{`[1, 2]`, `{"a": {"b": 1}}`, `{"a": `} {
			wantError(t, h.call("POST", "/rest/v1/flows/1/run", h.key, body), http.StatusBadRequest, "/rest/v1/flows/1/run")
		}
		wantError(t, h.call("POST", "/rest/v1/flows/1/run?sync=maybe", h.key, nil), http.StatusBadRequest, "/rest/v1/flows/1/run")
		wantError(t, h.call("POST", "/rest/v1/flows/99/run", h.key, nil), http.StatusNotFound, "/rest/v1/flows/99/run")
	})

	t.Run("a suspended flow refuses runs", func(t *testing.T) {
		h := h.with(t)
		legacy := h.flowID("Legacy FTP order import")
		before := h.count(h.sb.st.db, `SELECT COUNT(*) FROM executions WHERE flow_id = ?`, legacy)
		var resp execResponse
		h.ok("POST", fmt.Sprintf("/rest/v1/flows/%d/run", legacy), nil, &resp)
		if resp.Status != codeNotStarted || resp.AuditID != nil {
			t.Errorf("run = %+v", resp)
		}
		if after := h.count(h.sb.st.db, `SELECT COUNT(*) FROM executions WHERE flow_id = ?`, legacy); after != before {
			t.Errorf("a refused run created a record")
		}
	})
}

// flowConn returns the source connection id of a flow's first transformation.
func (h *harness) flowConn(flowID int64) int64 {
	h.t.Helper()
	f, err := h.sb.st.getFlow(context.Background(), flowID)
	if err != nil {
		h.t.Fatal(err)
	}
	return f.Transformations[0].Source.ConnectionID
}

func TestRunControl(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{RunStep: 150 * time.Millisecond})
	loadOrders := h.flowID("Load orders from CSV")
	runs := func(h *harness) int64 {
		return h.count(h.sb.st.db, `SELECT COUNT(*) FROM executions WHERE flow_id = ?`, loadOrders)
	}

	t.Run("one instance at a time unless parallel", func(t *testing.T) {
		h := h.with(t)
		first := h.run(loadOrders, "", nil)
		before := runs(h)
		var resp execResponse
		h.ok("POST", fmt.Sprintf("/rest/v1/flows/%d/run", loadOrders), nil, &resp)
		if resp.Status != codeNotStarted || resp.AuditID != nil || resp.Exception == nil || !strings.Contains(*resp.Exception, "already running") {
			t.Errorf("second run = %+v", resp)
		}
		if runs(h) != before {
			t.Errorf("a refused run created a record")
		}
		second := h.run(loadOrders, "?parallel=true", nil)
		if second == first {
			t.Fatal("parallel run reused the audit id")
		}
		var health struct {
			DB map[string]any `json:"db"`
		}
		h.ok("GET", "/health", nil, &health)
		if n := health.DB["running.flows"]; n != float64(2) {
			t.Errorf("running.flows = %v, want 2", n)
		}
		for _, id := range []int64{first, second} {
			if e := h.wait(loadOrders, id); e.Status != model.StatusSuccess || e.Records != demo.OrdersRows {
				t.Errorf("run %d = %+v", id, e)
			}
		}
	})

	t.Run("records grow while running", func(t *testing.T) {
		h := h.with(t)
		id := h.run(loadOrders, "", nil)
		seen := map[string]bool{}
		var last int64
		for {
			var e execution
			h.ok("GET", fmt.Sprintf("/rest/v1/executions/%d?auditId=%d", loadOrders, id), nil, &e)
			if e.Records < last {
				t.Fatalf("records went down: %d after %d", e.Records, last)
			}
			last = e.Records
			seen[e.Status] = true
			if e.Status == model.StatusRunning && e.Records > 0 && e.Records < demo.OrdersRows {
				seen["partial"] = true
			}
			if model.IsTerminal(e.Status) {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		for _, want := range []string{model.StatusQueued, model.StatusRunning, "partial", model.StatusSuccess} {
			if !seen[want] {
				t.Errorf("never saw %s; saw %v", want, seen)
			}
		}
	})

	t.Run("stop cancels the run", func(t *testing.T) {
		h := h.with(t)
		id := h.run(loadOrders, "", nil)
		for {
			var e execution
			h.ok("GET", fmt.Sprintf("/rest/v1/executions/%d?auditId=%d", loadOrders, id), nil, &e)
			if e.Status == model.StatusRunning {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		var resp execResponse
		h.ok("POST", fmt.Sprintf("/rest/v1/flows/%d/stop", loadOrders), nil, &resp)
		if resp.Status != codeCanceled || resp.AuditID == nil || *resp.AuditID != id {
			t.Fatalf("stop = %+v", resp)
		}
		var e execution
		h.ok("GET", fmt.Sprintf("/rest/v1/executions/%d?auditId=%d", loadOrders, id), nil, &e)
		if e.Status != model.StatusCanceled || e.Ended == nil {
			t.Errorf("after stop: %+v", e)
		}
		if log := h.logOf(loadOrders, id); !strings.Contains(log, "canceled by user alice") {
			t.Errorf("log:\n%s", log)
		}
		h.ok("POST", fmt.Sprintf("/rest/v1/flows/%d/stop", loadOrders), nil, &resp)
		if resp.Status != codeNotStarted {
			t.Errorf("stop of an idle flow = %+v", resp)
		}
		var recs []auditRecord
		h.ok("GET", "/rest/v1/audit?method=stopFlow", nil, &recs)
		if len(recs) != 2 || recs[0].RT || !recs[1].RT {
			t.Errorf("stop audit records = %+v", recs)
		}
	})
}
