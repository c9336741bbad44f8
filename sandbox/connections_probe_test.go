package sandbox

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/demo"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// testConn tests a connection as alice.
func (h *harness) testConn(id int64) testResult {
	h.t.Helper()
	var res testResult
	h.ok("POST", fmt.Sprintf("/rest/v1/connections/%d/test", id), nil, &res)
	return res
}

func TestConnectionTest(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})

	t.Run("real connections", func(t *testing.T) {
		h := h.with(t)
		if r := h.testConn(1); !r.Success || !strings.Contains(r.Message, "SQLite") || !strings.Contains(r.Message, "warehouse.db") || r.DurationMs < 0 {
			t.Errorf("warehouse: %+v", r)
		}
		if r := h.testConn(2); !r.Success || !strings.Contains(r.Message, "folder 'staging'") || !strings.Contains(r.Message, "3 files") {
			t.Errorf("staging: %+v", r)
		}
	})

	t.Run("simulated connections", func(t *testing.T) {
		h := h.with(t)
		if r := h.testConn(4); !r.Success || !strings.Contains(r.Message, "reporting-db.acme-retail.internal:5432") ||
			!strings.Contains(r.Message, "simulated") || r.DurationMs <= 0 {
			t.Errorf("postgres: %+v", r)
		}
		if r := h.testConn(5); !r.Success || !strings.Contains(r.Message, "GET https://acme-retail.myshopify.com") {
			t.Errorf("shopify: %+v", r)
		}
		if r := h.testConn(7); r.Success || !strings.Contains(r.Message, "Connection timed out") ||
			!strings.Contains(r.Message, "ftp.acme-legacy.example:21") || r.DurationMs < 30000 {
			t.Errorf("ftp: %+v", r)
		}
		var c connection
		h.ok("POST", "/rest/v1/connections", map[string]any{"name": "Broken MySQL", "connectionType": "connection.db.mysql",
			"properties": map[string]string{model.PropHost: "db.nowhere.invalid", model.PropDatabase: "x", model.PropUser: "u"}}, &c)
		if r := h.testConn(c.ID); r.Success || !strings.Contains(r.Message, "UnknownHostException: db.nowhere.invalid") {
			t.Errorf("mysql: %+v", r)
		}
	})

	t.Run("a missing database file fails and is not created", func(t *testing.T) {
		h := h.with(t)
		var c connection
		h.ok("POST", "/rest/v1/connections", map[string]any{"name": "Nowhere", "connectionType": model.TypeSQLite,
			"properties": map[string]string{model.PropDatabase: "./missing/nowhere.db"}}, &c)
		if c.Properties[model.PropDatabase] != "missing/nowhere.db" {
			t.Errorf("path not cleaned: %+v", c.Properties)
		}
		if r := h.testConn(c.ID); r.Success || !strings.Contains(r.Message, "does not exist") {
			t.Errorf("test = %+v", r)
		}
		if _, err := os.Stat(filepath.Join(h.sb.root, "missing")); !os.IsNotExist(err) {
			t.Errorf("the test created something: %v", err)
		}
	})

	t.Run("crm fails until the password is fixed, then the sync works", func(t *testing.T) {
		h := h.with(t)
		crmFlow := h.flowID("Sync CRM customers")
		before := h.count(h.warehouse(), `SELECT COUNT(*) FROM customers`)
		r := h.testConn(3)
		want := `Authentication failed for connection 'CRM database': password authentication failed for user "crm_reader"`
		if r.Success || r.Message != want {
			t.Fatalf("stale password: %+v", r)
		}
		if rec := h.lastAudit("testConnection"); rec.RT || !strings.Contains(string(rec.EX), "Authentication failed") {
			t.Errorf("failed test audit = %+v", rec)
		}
		eb := wantError(t, h.call("POST", "/rest/v1/explorer/3/sql", h.key, map[string]any{"sql": "SELECT 1"}),
			http.StatusBadRequest, "/rest/v1/explorer/3/sql")
		if eb.Message != want {
			t.Errorf("explorer with the stale password: %q", eb.Message)
		}

		h.ok("PUT", "/rest/v1/connections/3", map[string]any{"properties": map[string]string{model.PropPassword: h.sb.Credentials().CRMPassword}}, nil)
		if r := h.testConn(3); !r.Success || !strings.Contains(r.Message, "crm.db") {
			t.Fatalf("fixed password: %+v", r)
		}
		if rec := h.lastAudit("testConnection"); !rec.RT {
			t.Errorf("successful test audit = %+v", rec)
		}
		e := h.wait(crmFlow, h.run(crmFlow, "", nil))
		if e.Status != model.StatusSuccess || e.Records != demo.CustomersRows {
			t.Fatalf("run after the fix = %+v\n%s", e, h.logOf(crmFlow, e.AuditID))
		}
		wh := h.warehouse()
		if n := h.count(wh, `SELECT COUNT(*) FROM customers`); n != demo.CustomersRows || before != demo.CustomersRows-demo.NewCustomers {
			t.Errorf("warehouse customers: %d before, %d after", before, n)
		}
		if n := h.count(wh, `SELECT COUNT(customer_since) FROM customers WHERE customer_id = ?`, 1000+demo.CustomersRows); n != 1 {
			t.Errorf("the newest CRM customer is not in the warehouse")
		}
		var res queryResult
		h.ok("POST", "/rest/v1/explorer/3/sql", map[string]any{"sql": "SELECT COUNT(*) AS n FROM customers"}, &res)
		if len(res.Rows) != 1 || res.Rows[0][0] != float64(demo.CustomersRows) {
			t.Errorf("explorer after the fix: %+v", res)
		}
	})

	t.Run("unknown connection", func(t *testing.T) {
		h := h.with(t)
		wantError(t, h.call("POST", "/rest/v1/connections/99/test", h.key, nil), http.StatusNotFound, "/rest/v1/connections/99/test")
	})
}
