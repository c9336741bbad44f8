package tools

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/internal/bound"
	"github.com/etlworks/etlworks-mcp/sandbox"
)

func TestListObjects(t *testing.T) {
	e := newEnv(t)
	var out struct {
		Objects   map[string][]string `json:"objects"`
		Total     int                 `json:"total"`
		Truncated bool                `json:"truncated"`
	}
	e.ok("list_objects", map[string]any{"connection": "Warehouse"}, &out)
	got := strings.Join(out.Objects["table"], ",")
	for _, table := range []string{"customers", "orders", "products", "daily_revenue"} {
		if !strings.Contains(got, table) {
			t.Errorf("tables %s lack %s", got, table)
		}
	}
	if out.Total != len(out.Objects["table"])+len(out.Objects["view"]) || out.Truncated {
		t.Errorf("total %d for %v", out.Total, out.Objects)
	}
	out.Objects = nil
	e.ok("list_objects", map[string]any{"connection": "Warehouse", "pattern": "ord*", "type": "table"}, &out)
	if strings.Join(out.Objects["table"], ",") != "orders" {
		t.Errorf("pattern ord*: %v", out.Objects)
	}
	out.Objects = nil
	e.ok("list_objects", map[string]any{"connection": "Staging files"}, &out)
	mustContain(t, strings.Join(out.Objects["file"], ","), "orders.csv", "products.json")

	mustContain(t, e.fails("list_objects", map[string]any{"connection": "Warehouse", "type": "tables"}), `"type" must be one of table, view`)
	mustContain(t, e.fails("list_objects", map[string]any{"connection": "Warehouse", "type": "file"}), "400", "table and view")
	mustContain(t, e.fails("list_objects", map[string]any{"connection": "Reporting Postgres"}), "Explorer is not available")
	mustContain(t, e.fails("list_objects", map[string]any{"connection": "Warehous"}), `connection "Warehous" not found`, `"Warehouse"`)
}

func TestDescribeObject(t *testing.T) {
	e := newEnv(t)
	var out struct {
		Columns []string `json:"columns"`
	}
	e.ok("describe_object", map[string]any{"connection": "Warehouse", "object": "orders"}, &out)
	cols := strings.Join(out.Columns, "|")
	mustContain(t, cols, "order_id ", "amount ")
	e.ok("describe_object", map[string]any{"connection": "Staging files", "object": "orders.csv"}, &out)
	mustContain(t, strings.Join(out.Columns, "|"), "order_id INTEGER", "status TEXT")

	mustContain(t, e.fails("describe_object", map[string]any{"connection": "Warehouse", "object": "ordrs"}),
		`object "ordrs" not found`, `"orders"`, "list_objects")
	mustContain(t, e.fails("describe_object", map[string]any{"connection": "Staging files", "object": "nope.csv"}), `object "nope.csv" not found`)
	mustContain(t, e.fails("describe_object", map[string]any{"connection": "Warehouse"}), `"object" is required`)
	mustContain(t, e.fails("describe_object", map[string]any{"connection": "Warehouse", "object": 12}), `"object" must be a string`)
}

func TestPreviewData(t *testing.T) {
	e := newEnv(t)
	text := unfence(e.ok("preview_data", map[string]any{"connection": "Warehouse", "object": "orders", "limit": 5}, nil))
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if len(lines) != 7 || lines[0] != "5 rows (truncated: first 5; more exist)" || !strings.HasPrefix(lines[1], "order_id,") {
		t.Errorf("preview:\n%s", text)
	}
	text = unfence(e.ok("preview_data", map[string]any{"connection": "Staging files", "object": "orders.csv"}, nil))
	mustContain(t, text, "100 rows (truncated: first 100; more exist)\norder_id,customer_id,order_date,amount,status\n")
	text = unfence(e.ok("preview_data", map[string]any{"connection": "Warehouse", "object": "products"}, nil))
	if !strings.HasPrefix(text, "24 rows\n") {
		t.Errorf("products:\n%s", text)
	}

	mustContain(t, e.fails("preview_data", map[string]any{"connection": "Warehouse", "object": "order"}), `object "order" not found`, `"orders"`)
	mustContain(t, e.fails("preview_data", map[string]any{"connection": "Warehouse", "object": "orders", "limit": 5000}), `"limit" must be between 1 and 1000`)
	mustContain(t, e.fails("preview_data", map[string]any{"connection": "Warehouse", "object": "orders", "limit": "ten"}), `"limit" must be an integer`)
}

func TestRunSQL(t *testing.T) {
	e := newEnv(t)
	text := unfence(e.ok("run_sql", map[string]any{"connection": "Warehouse", "sql": "SELECT count(*) AS n FROM customers"}, nil))
	if text != "1 row\nn\n47\n" {
		t.Errorf("count: %q", text)
	}
	text = unfence(e.ok("run_sql", map[string]any{"connection": "Warehouse", "sql": "SELECT * FROM orders ORDER BY order_id"}, nil))
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if len(lines) != 102 || lines[0] != "100 rows (truncated: first 100; more exist); to page, add ORDER BY and LIMIT/OFFSET to the SQL" || !strings.HasPrefix(lines[2], "50001,") {
		t.Errorf("default 100 rows: %d lines, first %q", len(lines), lines[0])
	}
	text = unfence(e.ok("run_sql", map[string]any{"connection": "Warehouse", "max_rows": 2,
		"sql": "/* two */ SELECT 'a,b' AS s, '' AS empty, NULL AS nul, 'say \"hi\"' AS q, 1.5 AS x"}, nil))
	if text != "1 row\ns,empty,nul,q,x\n\"a,b\",\"\",,\"say \"\"hi\"\"\",1.5\n" {
		t.Errorf("cells: %q", text)
	}
	text = unfence(e.ok("run_sql", map[string]any{"connection": "Warehouse", "sql": "SELECT printf('%.500c', 'x') AS long"}, nil))
	if !strings.Contains(text, strings.Repeat("x", maxCell)+"…") || strings.Contains(text, strings.Repeat("x", maxCell+1)) {
		t.Errorf("long cell not cut: %q", text)
	}
	text = unfence(e.ok("run_sql", map[string]any{"connection": "Warehouse", "sql": "WITH t AS (SELECT 1 AS a) SELECT a FROM t;"}, nil))
	if text != "1 row\na\n1\n" {
		t.Errorf("with: %q", text)
	}

	// Refusals say what and why, and nothing reaches the database.
	mustContain(t, e.fails("run_sql", map[string]any{"connection": "Warehouse", "sql": "DELETE FROM orders"}),
		"refused DELETE", "not a read statement", "--allow-sql-writes")
	mustContain(t, e.fails("run_sql", map[string]any{"connection": "Warehouse", "sql": "SELECT 1; DROP TABLE orders"}), "refused", "2 statements")
	mustContain(t, e.fails("run_sql", map[string]any{"connection": "Warehouse", "sql": "SELECT * INTO x FROM orders"}), "INTO")
	mustContain(t, e.fails("run_sql", map[string]any{"connection": "Warehouse", "sql": "WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d"}), "data-modifying")
	mustContain(t, e.fails("run_sql", map[string]any{"connection": "Warehouse", "sql": "SELECT 'unclosed"}), "unterminated")
	if got := e.ok("run_sql", map[string]any{"connection": "Warehouse", "sql": "SELECT count(*) FROM orders"}, nil); !strings.Contains(got, "\n120\n") {
		t.Fatalf("a refusal changed data: %q", got)
	}

	// Errors from the database and from the arguments.
	mustContain(t, e.fails("run_sql", map[string]any{"connection": "Warehouse", "sql": "SELECT amount_usd FROM orders"}), "400", "amount_usd")
	mustContain(t, e.fails("run_sql", map[string]any{"connection": "Staging files", "sql": "SELECT 1"}), "400", "folder")
	mustContain(t, e.fails("run_sql", map[string]any{"connection": "CRM database", "sql": "SELECT 1"}), "400", "uthentication")
	mustContain(t, e.fails("run_sql", map[string]any{"connection": "Warehouse", "sql": "SELECT 1", "max_rows": 1001}), `"max_rows" must be between 1 and 1000`)
	mustContain(t, e.fails("run_sql", map[string]any{"connection": "Warehouse", "sql": ""}), `"sql" is required`)
	mustContain(t, e.fails("run_sql", map[string]any{"connection": "Warehouse", "sql": "SELECT 1", "confirm_token": "x"}), `unknown field "confirm_token"`)
	mustContain(t, e.fails("run_sql", map[string]any{"connection": "Nowhere", "sql": "SELECT 1"}), `connection "Nowhere" not found`)
}

// TestReadsRunReadOnly checks the backstop under the guard: a write sent to the sandbox as a read
// (as a guard bug would send it) fails on the read-only database handle.
func TestReadsRunReadOnly(t *testing.T) {
	e := newEnv(t)
	c, err := e.api.Connections.FindByName(t.Context(), "Warehouse")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = e.api.Explorer.SQL(t.Context(), c.ID, &client.SQLRequest{SQL: "DELETE FROM orders"})
	if !client.IsStatus(err, 400) || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("a write sent as a read: %v", err)
	}
}

// newWritesEnv is newEnv with --allow-sql-writes; ask answers confirmation questions when non-nil
// (the client then declares elicitation), else the client confirms with tokens.
func newWritesEnv(t *testing.T, ask mcpclient.ElicitationHandler) *env {
	t.Helper()
	sb, err := sandbox.Start(t.Context(), "", sandbox.Options{RunStep: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	api, err := client.New(sb.URL, client.WithAPIKey(sb.Sandbox.Credentials().APIKey))
	if err != nil {
		t.Fatal(err)
	}
	srv := server.NewMCPServer("writes", "test", server.WithToolCapabilities(false), server.WithRecovery())
	Register(srv, All(Deps{Client: api, AllowSQLWrites: true}))
	var opts []mcpclient.ClientOption
	if ask != nil {
		opts = append(opts, mcpclient.WithElicitationHandler(ask))
	}
	c, err := mcpclient.NewInProcessClientWithOptions(srv, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_LEGACY_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "writes-test", Version: "1"}
	if ask != nil {
		init.Params.Capabilities.Elicitation = &mcp.ElicitationCapability{}
	}
	if _, err := c.Initialize(t.Context(), init); err != nil {
		t.Fatal(err)
	}
	return &env{t: t, sb: sb, api: api, mcp: c}
}

func TestRunSQLWritesAllowed(t *testing.T) {
	e := newWritesEnv(t, nil)
	// Reads run at once.
	if got := e.ok("run_sql", map[string]any{"connection": "Warehouse", "sql": "SELECT count(*) FROM orders"}, nil); !strings.Contains(got, "\n120\n") {
		t.Fatalf("read: %q", got)
	}
	// A write asks first and changes nothing until confirmed.
	var ask struct {
		Action string `json:"action"`
	}
	e.ok("run_sql", map[string]any{"connection": "Warehouse", "sql": "DELETE FROM orders WHERE status = 'cancelled'"}, &ask)
	mustContain(t, ask.Action, "DELETE statement", `"Warehouse"`, "status = 'cancelled'")
	if got := e.ok("run_sql", map[string]any{"connection": "Warehouse", "sql": "SELECT count(*) FROM orders"}, nil); !strings.Contains(got, "\n120\n") {
		t.Fatalf("the question changed data: %q", got)
	}
	text := e.confirmed("run_sql", map[string]any{"connection": "Warehouse", "sql": "DELETE FROM orders WHERE status = 'cancelled'"}, nil)
	var deleted int
	if _, err := fmt.Sscanf(text, "0 rows; %d rows affected", &deleted); err != nil || deleted == 0 {
		t.Fatalf("write result: %q", text)
	}
	got := e.ok("run_sql", map[string]any{"connection": "Warehouse", "sql": "SELECT count(*) FROM orders"}, nil)
	if !strings.Contains(got, fmt.Sprintf("\n%d\n", 120-deleted)) {
		t.Errorf("after deleting %d: %q", deleted, got)
	}
	// Several statements stay refused, writes or not.
	mustContain(t, e.fails("run_sql", map[string]any{"connection": "Warehouse", "sql": "DELETE FROM orders; DROP TABLE orders"}), "2 statements")
	// A token for one statement does not confirm another.
	var first struct {
		Token string `json:"confirm_token"`
	}
	e.ok("run_sql", map[string]any{"connection": "Warehouse", "sql": "DELETE FROM orders"}, &first)
	mustContain(t, e.fails("run_sql", map[string]any{"connection": "Warehouse", "sql": "DROP TABLE orders", "confirm_token": first.Token}), "does not match")
}

func TestRunSQLWritesElicitation(t *testing.T) {
	for _, accept := range []bool{false, true} {
		t.Run(fmt.Sprint("accept=", accept), func(t *testing.T) {
			answer := &elicitAnswer{accept: accept}
			e := newWritesEnv(t, answer)
			text := unfence(e.ok("run_sql", map[string]any{"connection": "Warehouse", "sql": "UPDATE orders SET status = 'x'"}, nil))
			if answer.asked.Load() != 1 {
				t.Fatalf("asked %d times", answer.asked.Load())
			}
			changed := e.ok("run_sql", map[string]any{"connection": "Warehouse", "sql": "SELECT count(*) FROM orders WHERE status = 'x'"}, nil)
			if accept != strings.Contains(changed, "\n120\n") {
				t.Errorf("accept=%v: %q then %q", accept, text, changed)
			}
		})
	}
}

// TestRunSQLSpecs: run_sql is a read in the default registry and destructive with writes allowed.
func TestRunSQLSpecs(t *testing.T) {
	find := func(d Deps) Def {
		for _, def := range All(d) {
			if def.Tool.Name == "run_sql" {
				return def
			}
		}
		t.Fatal("no run_sql")
		return Def{}
	}
	ro, rw := find(Deps{}), find(Deps{AllowSQLWrites: true})
	if !ro.ReadOnly || *ro.Tool.Annotations.DestructiveHint || strings.Contains(string(ro.Tool.RawInputSchema), "confirm_token") {
		t.Errorf("read spec: %+v %s", ro.Tool.Annotations, ro.Tool.RawInputSchema)
	}
	if rw.ReadOnly || !*rw.Tool.Annotations.DestructiveHint || !strings.Contains(string(rw.Tool.RawInputSchema), "confirm_token") {
		t.Errorf("write spec: %+v %s", rw.Tool.Annotations, rw.Tool.RawInputSchema)
	}
	if got := Filter(All(Deps{AllowSQLWrites: true}), true, nil); len(got) > 0 {
		for _, d := range got {
			if d.Tool.Name == "run_sql" {
				t.Error("the destructive run_sql survived --read-only; main must not set AllowSQLWrites with it")
			}
		}
	}
}

func TestUploadFile(t *testing.T) {
	e := newEnv(t)
	var out struct {
		Uploaded string `json:"uploaded"`
		Bytes    int64  `json:"bytes"`
		Replaced bool   `json:"replaced"`
	}
	e.ok("upload_file", map[string]any{"connection": "Staging files", "content": "id,name\n1,Ann\n2,Bo\n", "name": "incoming/people.csv"}, &out)
	if out.Uploaded != "incoming/people.csv" || out.Bytes != 19 || out.Replaced {
		t.Fatalf("upload: %+v", out)
	}
	if got := unfence(e.ok("preview_data", map[string]any{"connection": "Staging files", "object": "incoming/people.csv"}, nil)); got != "2 rows\nid,name\n1,Ann\n2,Bo\n" {
		t.Errorf("uploaded file reads as %q", got)
	}
	var cols struct {
		Columns []string `json:"columns"`
	}
	e.ok("describe_object", map[string]any{"connection": "Staging files", "object": "incoming/people.csv"}, &cols)
	if strings.Join(cols.Columns, "|") != "id INTEGER not null|name TEXT(3) not null" {
		t.Errorf("columns of the uploaded file: %q", cols.Columns)
	}
	local := filepath.Join(e.uploadDir, "people.csv")
	if err := os.WriteFile(local, []byte("id,name\n3,Cy\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out.Replaced = false
	e.ok("upload_file", map[string]any{"connection": "Staging files", "path": local, "name": "incoming/people.csv"}, &out)
	if !out.Replaced || out.Bytes != 13 {
		t.Errorf("replace: %+v", out)
	}
	e.ok("upload_file", map[string]any{"connection": "Staging files", "path": local}, &out)
	if out.Uploaded != "people.csv" {
		t.Errorf("default name: %+v", out)
	}

	big := strings.Repeat("x", maxUpload+1)
	mustContain(t, e.fails("upload_file", map[string]any{"connection": "Staging files", "content": big, "name": "big.txt"}), "upload limit is 10 MiB")
	bigFile := filepath.Join(e.uploadDir, "big.bin")
	if err := os.WriteFile(bigFile, []byte(big), 0o600); err != nil {
		t.Fatal(err)
	}
	mustContain(t, e.fails("upload_file", map[string]any{"connection": "Staging files", "path": bigFile}), "10.0 MiB", "upload limit")
	if err := os.Mkdir(filepath.Join(e.uploadDir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	mustContain(t, e.fails("upload_file", map[string]any{"connection": "Staging files", "path": "sub"}), "is a directory", "only regular files")
	mustContain(t, e.fails("upload_file", map[string]any{"connection": "Staging files", "path": "missing.csv"}), "does not exist")
	// Files outside the upload directory are refused however they are named; links are never followed.
	secret := filepath.Join(t.TempDir(), "id_rsa")
	if err := os.WriteFile(secret, []byte("PRIVATE"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(e.uploadDir, "link")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{secret, "../" + filepath.Base(filepath.Dir(secret)) + "/id_rsa", "/etc/passwd"} {
		mustContain(t, e.fails("upload_file", map[string]any{"connection": "Staging files", "path": p}), "outside the upload directory")
	}
	mustContain(t, e.fails("upload_file", map[string]any{"connection": "Staging files", "path": "link"}), "symbolic link")
	mustContain(t, e.fails("upload_file", map[string]any{"connection": "Staging files", "content": "x"}), `"name" is required`)
	mustContain(t, e.fails("upload_file", map[string]any{"connection": "Staging files", "content": "x", "path": local, "name": "x"}), "exactly one")
	mustContain(t, e.fails("upload_file", map[string]any{"connection": "Staging files"}), "exactly one")
	mustContain(t, e.fails("upload_file", map[string]any{"connection": "Warehouse", "content": "x", "name": "x.csv"}), "400", "file-storage")
	mustContain(t, e.fails("upload_file", map[string]any{"connection": "Staging files", "content": "x", "name": "../escape.csv"}), "400", "inside the folder")
}

// TestRunSQLResultSize measures a 100-row run_sql result in both shapes the issue allows, to keep
// the choice of CSV honest (go test -v -run ResultSize ./tools prints the figures).
func TestRunSQLResultSize(t *testing.T) {
	e := newEnv(t)
	c, err := e.api.Connections.FindByName(t.Context(), "Warehouse")
	if err != nil {
		t.Fatal(err)
	}
	res, _, err := e.api.Explorer.SQL(t.Context(), c.ID, &client.SQLRequest{SQL: "SELECT * FROM orders", MaxRows: 100})
	if err != nil {
		t.Fatal(err)
	}
	csv := tableOf(res, 100, bound.ResultBytes).body
	names := make([]string, len(res.Columns))
	for i, col := range res.Columns {
		names[i] = col.Name
	}
	arrays, _ := json.Marshal(map[string]any{"columns": names, "rows": res.Rows, "truncated": res.Truncated, "row_count": len(res.Rows)})
	t.Logf("100-row run_sql result: CSV text %d bytes, columns+rows JSON %d bytes", len(csv), len(arrays))
	if len(csv) >= len(arrays) {
		t.Errorf("CSV (%d bytes) is not smaller than JSON arrays (%d bytes); switch the format", len(csv), len(arrays))
	}
	if tool := e.ok("run_sql", map[string]any{"connection": "Warehouse", "sql": "SELECT * FROM orders"}, nil); !strings.Contains(tool, csv) {
		t.Errorf("run_sql does not show renderTable's rows")
	}
}

func TestRenderTable(t *testing.T) {
	raw := func(s ...string) []json.RawMessage {
		out := make([]json.RawMessage, len(s))
		for i, v := range s {
			out[i] = json.RawMessage(v)
		}
		return out
	}
	cols := []client.QueryColumn{{Name: "id"}, {Name: "note, text"}}
	rows := [][]json.RawMessage{raw(`1`, `"a"`), raw(`2`, `{"k": [1, 2]}`), raw(`3`, `" padded "`)}
	for _, c := range []struct {
		name  string
		res   client.QueryResult
		limit int
		want  string
	}{
		{"complete", client.QueryResult{Columns: cols, Rows: rows}, 100, "3 rows\nid,\"note, text\"\n1,a\n2,\"{\"\"k\"\":[1,2]}\"\n3,\" padded \"\n"},
		{"cut by the server, total known", client.QueryResult{Columns: cols, Rows: rows[:1], Truncated: true, RowCount: 250}, 1,
			"1 row (truncated: first 1 of 250)\nid,\"note, text\"\n1,a\n"},
		{"more rows than asked", client.QueryResult{Columns: cols, Rows: rows, RowCount: 3}, 2,
			"2 rows (truncated: first 2 of 3)\nid,\"note, text\"\n1,a\n2,\"{\"\"k\"\":[1,2]}\"\n"},
		{"write", client.QueryResult{Rows: [][]json.RawMessage{}, RowsAffected: new(int64(4))}, 100, "0 rows; 4 rows affected\n"},
	} {
		if got := tableOf(&c.res, c.limit, bound.ResultBytes); got.head+got.body != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got.head+got.body, c.want)
		}
	}
	// Wide rows: the result stays under maxTableBytes and says where and why it was cut.
	wide := make([][]json.RawMessage, 1000)
	for i := range wide {
		wide[i] = raw(`1`, `"`+strings.Repeat("x", 190)+`"`, `"`+strings.Repeat("y", 190)+`"`)
	}
	got := tableOf(&client.QueryResult{Columns: []client.QueryColumn{{Name: "a"}, {Name: "b"}, {Name: "c"}}, Rows: wide}, 1000, bound.MaxResultBytes).render("")
	if len(got) > bound.MaxResultBytes || !strings.Contains(got, "to stay under 256 KiB") {
		t.Fatalf("a wide 1000-row result is %d bytes: %.120s", len(got), got)
	}
	// Without max_rows the same rows stay under the default budget and say how to get more.
	got = tableOf(&client.QueryResult{Columns: []client.QueryColumn{{Name: "a"}, {Name: "b"}, {Name: "c"}}, Rows: wide}, 100, bound.ResultBytes).render("")
	if len(got) > bound.ResultBytes || !strings.Contains(got, "to stay under 32 KiB; set max_rows") {
		t.Fatalf("a wide 100-row result is %d bytes: %.120s", len(got), got)
	}
}

// tableOf is renderTable's text alone.
func tableOf(res *client.QueryResult, limit, budget int) text {
	t, _ := renderTable(res, limit, budget)
	return t
}
