package sandbox

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/demo"
)

// sql runs explorer SQL on a connection as alice.
func (h *harness) sql(id int64, body map[string]any) response {
	h.t.Helper()
	return h.call("POST", fmt.Sprintf("/rest/v1/explorer/%d/sql", id), h.key, body)
}

func objectNames(objs []explorerObject) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o.Name
	}
	return out
}

func TestExplorerBrowse(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	objects := func(h *harness, id int64, query string) []explorerObject {
		h.t.Helper()
		var out []explorerObject
		h.ok("GET", fmt.Sprintf("/rest/v1/explorer/%d/objects%s", id, query), nil, &out)
		return out
	}

	t.Run("objects", func(t *testing.T) {
		h := h.with(t)
		tables := objects(h, 1, "")
		names := objectNames(tables)
		for _, want := range []string{"orders", "customers", "products", "daily_revenue", "shopify_orders"} {
			if !slices.Contains(names, want) {
				t.Errorf("warehouse objects %v lack %s", names, want)
			}
		}
		if tables[0].Type != "table" || tables[0].Schema != "main" {
			t.Errorf("object = %+v", tables[0])
		}
		if got := objectNames(objects(h, 1, "?pattern=*ORDERS")); !slices.Equal(got, []string{"orders", "shopify_orders"}) {
			t.Errorf("glob: %v", got)
		}
		if got := objectNames(objects(h, 1, "?pattern=revenue&type=table")); !slices.Equal(got, []string{"daily_revenue"}) {
			t.Errorf("substring: %v", got)
		}
		if got := objects(h, 1, "?type=view"); len(got) != 0 {
			t.Errorf("views: %v", got)
		}
		files := objects(h, 2, "?pattern=*.csv")
		if got := objectNames(files); !slices.Equal(got, []string{"orders.csv", "returns.csv"}) || files[0].Type != "file" {
			t.Errorf("csv files: %+v", files)
		}
		for q, want := range map[string]string{"?type=table": "has objects of type file", "?type=thing": "must be one of"} {
			eb := wantError(t, h.call("GET", "/rest/v1/explorer/2/objects"+q, h.key, nil), 400, "/rest/v1/explorer/2/objects")
			if !strings.Contains(eb.Message, want) {
				t.Errorf("%s: %q", q, eb.Message)
			}
		}
		eb := wantError(t, h.call("GET", "/rest/v1/explorer/4/objects", h.key, nil), 400, "/rest/v1/explorer/4/objects")
		if !strings.HasPrefix(eb.Message, "Explorer is not available for connection type connection.db.postgres in the sandbox") {
			t.Errorf("simulated: %q", eb.Message)
		}
		wantError(t, h.call("GET", "/rest/v1/explorer/99/objects", h.key, nil), 404, "/rest/v1/explorer/99/objects")
	})

	t.Run("columns", func(t *testing.T) {
		h := h.with(t)
		var cols []explorerColumn
		h.ok("GET", "/rest/v1/explorer/1/objects/main.orders/columns", nil, &cols)
		if len(cols) != 5 || cols[0].Name != "order_id" || cols[0].Type != "INTEGER" || cols[3].Type != "REAL" || !cols[0].Nullable || cols[0].Size != nil {
			t.Errorf("orders columns = %+v", cols)
		}
		h.ok("GET", "/rest/v1/explorer/2/objects/orders.csv/columns", nil, &cols)
		if len(cols) != 5 || cols[0].Type != "INTEGER" || cols[3].Name != "amount" || cols[3].Type != "REAL" ||
			cols[4].Type != "TEXT" || cols[4].Size == nil || *cols[4].Size != len("completed") {
			t.Errorf("orders.csv columns = %+v", cols)
		}
		h.ok("GET", "/rest/v1/explorer/2/objects/products.json/columns", nil, &cols)
		if len(cols) != 5 || cols[0].Name != "sku" {
			t.Errorf("products.json columns = %+v", cols)
		}
		wantError(t, h.call("GET", "/rest/v1/explorer/1/objects/nope/columns", h.key, nil), 404, "/rest/v1/explorer/1/objects/nope/columns")
		wantError(t, h.call("GET", "/rest/v1/explorer/2/objects/nope.csv/columns", h.key, nil), 404, "/rest/v1/explorer/2/objects/nope.csv/columns")
		wantError(t, h.call("GET", "/rest/v1/explorer/2/objects/..%2Fcrm.db/columns", h.key, nil), 400, "/rest/v1/explorer/2/objects/../crm.db/columns")
		wantError(t, h.call("GET", "/rest/v1/explorer/2/objects/exports/columns", h.key, nil), 400, "/rest/v1/explorer/2/objects/exports/columns")
	})

	t.Run("data", func(t *testing.T) {
		h := h.with(t)
		var res queryResult
		h.ok("GET", "/rest/v1/explorer/1/data?object=orders&limit=3", nil, &res)
		if res.RowCount != 3 || len(res.Rows) != 3 || !res.Truncated || len(res.Columns) != 5 || res.Columns[3] != (queryColumn{"amount", "REAL"}) {
			t.Errorf("orders data = %+v", res)
		}
		h.ok("GET", "/rest/v1/explorer/2/data?object=returns.csv", nil, &res)
		if res.RowCount != 12 || res.Truncated || res.Columns[2].Type != "REAL" {
			t.Fatalf("returns.csv data = %+v", res)
		}
		if _, ok := res.Rows[0][2].(float64); !ok {
			t.Errorf("refund_amount is %T", res.Rows[0][2])
		}
		wantError(t, h.call("GET", "/rest/v1/explorer/1/data", h.key, nil), 400, "/rest/v1/explorer/1/data")
		wantError(t, h.call("GET", "/rest/v1/explorer/1/data?object=nope", h.key, nil), 404, "/rest/v1/explorer/1/data")
		wantError(t, h.call("GET", "/rest/v1/explorer/1/data?object=orders&limit=x", h.key, nil), 400, "/rest/v1/explorer/1/data")
	})

	t.Run("files", func(t *testing.T) {
		h := h.with(t)
		var entries []fileEntry
		res := h.ok("GET", "/rest/v1/explorer/2/files", nil, &entries)
		if len(entries) != 4 || res.header.Get("X-Total-Count") != "4" || entries[0] != (fileEntry{Name: "exports", Dir: true, Modified: entries[0].Modified}) ||
			entries[1].Name != "orders.csv" || entries[1].Size == 0 || entries[1].Modified == 0 {
			t.Errorf("files = %+v", entries)
		}
		h.ok("GET", "/rest/v1/explorer/2/files?path=exports/", nil, &entries)
		if len(entries) != 0 {
			t.Errorf("exports = %+v", entries)
		}
		for q, want := range map[string]int{"?path=../": 400, "?path=/etc": 400, "?path=nope": 404, "?path=orders.csv": 400} {
			wantError(t, h.call("GET", "/rest/v1/explorer/2/files"+q, h.key, nil), want, "/rest/v1/explorer/2/files")
		}
		wantError(t, h.call("GET", "/rest/v1/explorer/1/files", h.key, nil), 400, "/rest/v1/explorer/1/files")
	})

	t.Run("viewer can browse", func(t *testing.T) {
		h := h.with(t)
		if res := h.call("GET", "/rest/v1/explorer/1/objects", h.userKey("victor"), nil); res.status != 200 {
			t.Errorf("viewer: %d", res.status)
		}
	})
}

func TestExplorerSQL(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	orders := func(h *harness) int64 { return h.count(h.warehouse(), `SELECT COUNT(*) FROM orders`) }
	total := orders(h)

	t.Run("query", func(t *testing.T) {
		h := h.with(t)
		var res queryResult
		h.ok("POST", "/rest/v1/explorer/1/sql", map[string]any{"sql": "SELECT order_id, amount, status, amount * 2 AS twice, NULL AS empty FROM orders ORDER BY order_id",
			"maxRows": 2}, &res)
		if res.RowCount != 2 || !res.Truncated || res.RowsAffected != nil || len(res.Columns) != 5 ||
			res.Columns[0] != (queryColumn{"order_id", "INTEGER"}) || res.Columns[3] != (queryColumn{"twice", "REAL"}) || res.Rows[0][0] != float64(50001) {
			t.Errorf("result = %+v", res)
		}
		h.ok("POST", "/rest/v1/explorer/1/sql", map[string]any{"sql": "SELECT COUNT(*) AS n FROM orders"}, &res)
		if res.Truncated || res.Rows[0][0] != float64(total) || res.Columns[0].Type != "INTEGER" {
			t.Errorf("count = %+v", res)
		}
	})

	t.Run("errors", func(t *testing.T) {
		h := h.with(t)
		eb := wantError(t, h.sql(1, map[string]any{"sql": "SELECT amount_usd FROM orders"}), 400, "/rest/v1/explorer/1/sql")
		if eb.Message != "[SQLITE_ERROR] SQL error or missing database (no such column: amount_usd)" {
			t.Errorf("sql error: %q", eb.Message)
		}
		for _, body := range []map[string]any{{"sql": " "}, {"sql": "SELECT 1", "maxRows": 0}} {
			wantError(t, h.sql(1, body), 400, "/rest/v1/explorer/1/sql")
		}
		eb = wantError(t, h.sql(2, map[string]any{"sql": "SELECT 1"}), 400, "/rest/v1/explorer/2/sql")
		if !strings.Contains(eb.Message, "/rest/v1/explorer/2/data?object=") {
			t.Errorf("sql on a folder: %q", eb.Message)
		}
		eb = wantError(t, h.sql(6, map[string]any{"sql": "SELECT 1"}), 400, "/rest/v1/explorer/6/sql")
		if !strings.Contains(eb.Message, "connection type connection.s3 in the sandbox") {
			t.Errorf("simulated: %q", eb.Message)
		}
	})

	t.Run("reads cannot write, whatever the SQL says", func(t *testing.T) {
		h := h.with(t)
		for _, stmt := range []string{"DELETE FROM orders", "UPDATE orders SET amount = 0",
			"SELECT 1; DELETE FROM orders", "PRAGMA query_only = 0; DELETE FROM orders", "DROP TABLE orders",
			"ATTACH DATABASE '" + filepath.Join(h.sb.root, "attached.db") + "' AS x", "VACUUM INTO '" + filepath.Join(h.sb.root, "copy.db") + "'"} {
			wantError(t, h.sql(1, map[string]any{"sql": stmt}), 400, "/rest/v1/explorer/1/sql")
		}
		eb := wantError(t, h.sql(1, map[string]any{"sql": "DELETE FROM orders"}), 400, "/rest/v1/explorer/1/sql")
		if !strings.Contains(eb.Message, "SQLITE_READONLY") || !strings.Contains(eb.Message, "allowWrites") {
			t.Errorf("readonly message: %q", eb.Message)
		}
		if n := orders(h); n != total {
			t.Errorf("orders: %d rows, want %d", n, total)
		}
		for _, f := range []string{"attached.db", "copy.db"} {
			if _, err := os.Stat(filepath.Join(h.sb.root, f)); !os.IsNotExist(err) {
				t.Errorf("%s was created: %v", f, err)
			}
		}
	})

	t.Run("the read-only handle refuses writes on its own", func(t *testing.T) {
		// No classifier in front: statements go straight to the handle the explorer reads with.
		h := h.with(t)
		conn, release, err := openPrivate(t.Context(), filepath.Join(h.sb.root, demo.WarehouseFile), true)
		if err != nil {
			t.Fatal(err)
		}
		defer release()
		for _, stmt := range []string{"DELETE FROM orders", "PRAGMA query_only = 0", "INSERT INTO orders(order_id) VALUES (1)",
			"CREATE TABLE t(a)", "ATTACH DATABASE '" + filepath.Join(h.sb.root, "x.db") + "' AS x"} {
			if _, err := conn.ExecContext(t.Context(), stmt); err == nil {
				t.Errorf("%s: no error", stmt)
			}
		}
		if n := orders(h); n != total {
			t.Errorf("orders: %d rows, want %d", n, total)
		}
		if _, _, err := openPrivate(t.Context(), filepath.Join(h.sb.root, "absent.db"), true); err == nil {
			t.Errorf("a missing database opened")
		}
		if _, err := os.Stat(filepath.Join(h.sb.root, "absent.db")); !os.IsNotExist(err) {
			t.Errorf("opening read-only created the file")
		}
	})

	t.Run("allowWrites", func(t *testing.T) {
		h := h.with(t)
		body := map[string]any{"sql": "UPDATE orders SET status = 'test' WHERE order_id IN (50001, 50002)", "allowWrites": true}
		if res := h.call("POST", "/rest/v1/explorer/1/sql", h.userKey("victor"), body); res.status != http.StatusForbidden {
			t.Errorf("viewer write: %d", res.status)
		}
		if res := h.call("POST", "/rest/v1/explorer/1/sql", h.userKey("bob"), body); res.status != http.StatusForbidden {
			t.Errorf("operator write: %d", res.status)
		}
		var res queryResult
		h.ok("POST", "/rest/v1/explorer/1/sql", body, &res)
		if res.RowsAffected == nil || *res.RowsAffected != 2 || len(res.Columns) != 0 || len(res.Rows) != 0 {
			t.Errorf("update = %+v", res)
		}
		if n := h.count(h.warehouse(), `SELECT COUNT(*) FROM orders WHERE status = 'test'`); n != 2 {
			t.Errorf("%d test orders", n)
		}
		rec := h.lastAudit("executeSql")
		if !rec.RT || !strings.Contains(string(rec.Payload), `"rowsAffected":2`) || !strings.Contains(string(rec.Payload), "UPDATE orders") {
			t.Errorf("audit = %+v %s", rec, rec.Payload)
		}
		h.ok("POST", "/rest/v1/explorer/1/sql", map[string]any{"sql": "CREATE VIEW big_orders AS SELECT * FROM orders WHERE amount > 100",
			"allowWrites": true}, &res)
		var views []explorerObject
		h.ok("GET", "/rest/v1/explorer/1/objects?type=view", nil, &views)
		if len(views) != 1 || views[0] != (explorerObject{"big_orders", "view", "main"}) {
			t.Errorf("views = %+v", views)
		}
		h.ok("POST", "/rest/v1/explorer/1/sql", map[string]any{"sql": "SELECT * FROM orders", "allowWrites": true, "maxRows": 1}, &res)
		if res.RowsAffected == nil || *res.RowsAffected != 0 || res.RowCount != 1 || !res.Truncated {
			t.Errorf("select with allowWrites = %+v", res)
		}
		wantError(t, h.sql(1, map[string]any{"sql": "ATTACH DATABASE '" + filepath.Join(h.sb.root, "w.db") + "' AS w", "allowWrites": true}),
			400, "/rest/v1/explorer/1/sql")
		if _, err := os.Stat(filepath.Join(h.sb.root, "w.db")); !os.IsNotExist(err) {
			t.Errorf("ATTACH with allowWrites created a file")
		}
		if rec := h.lastAudit("executeSql"); rec.RT {
			t.Errorf("failed write audited as a success")
		}
		eb := wantError(t, h.sql(1, map[string]any{"sql": "BEGIN; UPDATE orders SET status = 'x' WHERE order_id = 50003", "allowWrites": true}),
			400, "/rest/v1/explorer/1/sql")
		if !strings.Contains(eb.Message, "transaction open") || h.count(h.warehouse(), `SELECT COUNT(*) FROM orders WHERE status = 'x'`) != 0 {
			t.Errorf("open transaction: %q", eb.Message)
		}
	})

	t.Run("connection state set by SQL does not outlive the request", func(t *testing.T) {
		h := h.with(t)
		h.ok("POST", "/rest/v1/explorer/1/sql", map[string]any{"sql": "PRAGMA query_only = 1", "allowWrites": true}, nil)
		var res queryResult
		h.ok("POST", "/rest/v1/explorer/1/sql", map[string]any{"sql": "DELETE FROM orders WHERE status = 'test'", "allowWrites": true}, &res)
		if *res.RowsAffected != 2 {
			t.Errorf("delete after a pragma: %+v", res)
		}
		if resp := h.syncRun(h.flowID("Load orders from CSV"), "", nil); resp.Status != codeSuccess {
			t.Errorf("run after explorer writes: %+v", resp)
		}
	})
}
