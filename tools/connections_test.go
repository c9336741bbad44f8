package tools

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/server"

	"github.com/etlworks/etlworks-mcp/client"
)

func TestListConnections(t *testing.T) {
	e := newEnv(t)
	var page listResult[connRow]
	e.ok("list_connections", map[string]any{}, &page)
	if page.Total == nil || *page.Total < 7 || len(page.Items) < 7 {
		t.Fatalf("want the 7 demo connections: %+v", page)
	}
	mustContain(t, e.ok("list_connections", map[string]any{}, nil), `"name":"Warehouse"`, `"type":"connection.db.sqlite"`, `"name":"CRM database"`)

	e.ok("list_connections", map[string]any{"type": "connection.db.sqlite"}, &page)
	for _, r := range page.Items {
		if r.Type != "connection.db.sqlite" {
			t.Errorf("type filter kept %+v", r)
		}
	}
	e.ok("list_connections", map[string]any{"query": "crm"}, &page)
	if len(page.Items) != 1 || page.Items[0].Name != "CRM database" {
		t.Errorf("query crm: %+v", page.Items)
	}
	e.ok("list_connections", map[string]any{"tag": "warehouse"}, &page)
	if len(page.Items) != 1 || page.Items[0].Name != "Warehouse" {
		t.Errorf("tag warehouse: %+v", page.Items)
	}

	e.ok("list_connections", map[string]any{"limit": 3}, &page)
	if len(page.Items) != 3 || page.NextCursor == "" {
		t.Fatalf("first page of 3: %+v", page)
	}
	first := page.Items[0].ID
	e.ok("list_connections", map[string]any{"limit": 3, "cursor": page.NextCursor}, &page)
	if len(page.Items) == 0 || page.Items[0].ID == first {
		t.Errorf("second page repeats the first: %+v", page)
	}

	mustContain(t, e.fails("list_connections", map[string]any{"limit": 500}), `"limit"`, "100")
	mustContain(t, e.fails("list_connections", map[string]any{"cursor": "bogus"}), "cursor")
	mustContain(t, e.fails("list_connections", map[string]any{"kind": "db"}), `unknown field "kind"`)
}

func TestGetConnection(t *testing.T) {
	e := newEnv(t)
	var v connView
	e.ok("get_connection", map[string]any{"connection": "CRM database"}, &v)
	if v.Name != "CRM database" || v.Type != "connection.db.sqlite" || v.Properties["database"] != "crm.db" || v.Properties["user"] != "crm_reader" {
		t.Errorf("view: %+v", v)
	}
	if v.Properties["password"] != client.MaskedSecret {
		t.Errorf("password shown as %q", v.Properties["password"])
	}
	var byID connView
	e.ok("get_connection", map[string]any{"connection": v.ID}, &byID)
	if byID.Name != "CRM database" {
		t.Errorf("by id: %+v", byID)
	}
	e.ok("get_connection", map[string]any{"connection": "crm DATABASE"}, &byID) // one case-insensitive match
	if byID.ID != v.ID {
		t.Errorf("case-insensitive: %+v", byID)
	}

	mustContain(t, e.fails("get_connection", map[string]any{"connection": "CRM databse"}), `connection "CRM databse" not found`, `"CRM database"`, "list_connections")
	mustContain(t, e.fails("get_connection", map[string]any{"connection": 9999}), `connection "9999" not found`)
	mustContain(t, e.fails("get_connection", map[string]any{}), `"connection" is required`)
	mustContain(t, e.fails("get_connection", map[string]any{"connection": true}), `"connection" must be a string`)
}

// TestGetConnectionMasksSecretsReturnedInClear: an Etlworks that returns secrets unmasked must
// not make the tool show them.
func TestGetConnectionMasksSecretsReturnedInClear(t *testing.T) {
	const conn = `{"id":4,"name":"Legacy","connectionType":"connection.db.postgres","properties":{
		"field.connection.template.password":"pw-in-clear-1","field.connection.template.accountKey":"key-in-clear-2",
		"field.connection.template.connectionString":"Server=x;Password=pw-in-clear-3","field.connection.template.url":"postgres://etl:pw-in-clear-4@db:5432/x",
		"field.connection.template.headers":"Authorization: Bearer abcdefgh12345678","field.connection.template.host":"db"}}`
	mux := http.NewServeMux()
	mux.HandleFunc("GET /rest/v1/connections/4", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, conn) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	api, err := client.New(srv.URL+"/rest", client.WithAPIKey("k"))
	if err != nil {
		t.Fatal(err)
	}
	var h server.ToolHandlerFunc
	for _, d := range All(Deps{Client: api}) {
		if d.Tool.Name == "get_connection" {
			h = d.Handler
		}
	}
	res, err := h(context.Background(), callRequest("get_connection", map[string]any{"connection": "4"}))
	if err != nil || res.IsError {
		t.Fatalf("%v %s", err, resultText(res))
	}
	text := resultText(res)
	for i := 1; i <= 4; i++ {
		if strings.Contains(text, fmt.Sprintf("in-clear-%d", i)) {
			t.Errorf("secret %d shown: %s", i, text)
		}
	}
	mustContain(t, text, `"host":"db"`, `postgres://etl:[REDACTED]@db:5432/x`)
	if strings.Contains(text, "abcdefgh12345678") {
		t.Errorf("bearer token shown: %s", text)
	}
}

func TestTestConnection(t *testing.T) {
	e := newEnv(t)
	var out struct {
		OK      bool   `json:"ok"`
		Message string `json:"message"`
		Next    any    `json:"next"`
	}
	e.ok("test_connection", map[string]any{"connection": "CRM database"}, &out)
	if out.OK || !strings.Contains(strings.ToLower(out.Message), "authentication") || out.Next == "" {
		t.Errorf("CRM database must fail to log in: %+v", out)
	}
	out.Next = ""
	e.ok("test_connection", map[string]any{"connection": "Warehouse"}, &out)
	if !out.OK || out.Next != "" {
		t.Errorf("Warehouse must connect: %+v", out)
	}
	mustContain(t, e.fails("test_connection", map[string]any{"connection": "Nope"}), `connection "Nope" not found`)
}

func TestListConnectorTypes(t *testing.T) {
	e := newEnv(t)
	type typesOut struct {
		Total int       `json:"total"`
		Items []typeRow `json:"items"`
		Next  string    `json:"next"`
	}
	var out typesOut
	e.ok("list_connector_types", map[string]any{"query": "connection.db.postgres"}, &out)
	if out.Total != 1 || out.Items[0].Name != "PostgreSQL" {
		t.Fatalf("postgres: %+v", out)
	}
	props := strings.Join(out.Items[0].Properties, ",")
	if !strings.Contains(props, "host*") || !strings.Contains(props, "password (secret)") || !strings.Contains(props, "port,") {
		t.Errorf("properties: %s", props)
	}
	out = typesOut{}
	e.ok("list_connector_types", map[string]any{"category": "database"}, &out)
	if out.Total < 5 || out.Items[0].Properties != nil || out.Next == "" {
		t.Errorf("databases: %+v", out)
	}
	for _, r := range out.Items {
		if r.Category != "database" {
			t.Errorf("category filter kept %+v", r)
		}
	}
	out = typesOut{}
	e.ok("list_connector_types", map[string]any{"query": "sheets"}, &out)
	if out.Total != 1 || out.Items[0].OAuth != "google" {
		t.Errorf("google sheets: %+v", out)
	}
	out = typesOut{}
	e.ok("list_connector_types", map[string]any{"query": "no such connector"}, &out)
	if out.Total != 0 || out.Items == nil {
		t.Errorf("no match: %+v", out)
	}
	mustContain(t, e.fails("list_connector_types", map[string]any{"category": "databases"}), `"category" must be one of database, file`)
}

func TestCreateAndUpdateConnection(t *testing.T) {
	e := newEnv(t)
	var created struct {
		Created connView `json:"created"`
		Next    toolCall `json:"next"`
	}
	e.ok("create_connection", map[string]any{"name": "Scratch DB", "type": "connection.db.sqlite",
		"properties": map[string]any{"database": "scratch.db", "password": "planted-create-secret"}, "tags": []any{"test"}}, &created)
	if created.Created.ID == 0 || created.Created.Properties["database"] != "scratch.db" || created.Created.Properties["password"] != client.MaskedSecret {
		t.Fatalf("created: %+v", created)
	}
	if created.Next.Tool != "test_connection" {
		t.Fatalf("next: %+v", created.Next)
	}
	e.ok(created.Next.Tool, created.Next.Arguments, nil) // the hint is a call as it stands

	mustContain(t, e.fails("create_connection", map[string]any{"name": "Scratch DB", "type": "connection.db.sqlite",
		"properties": map[string]any{"database": "x.db"}}), "already exists")
	mustContain(t, e.fails("create_connection", map[string]any{"name": "Bad type", "type": "connection.db.postgress"}), "400", "postgres")
	mustContain(t, e.fails("create_connection", map[string]any{"name": "No host", "type": "connection.db.postgres",
		"properties": map[string]any{"database": "x"}}), "host")
	mustContain(t, e.fails("create_connection", map[string]any{"name": "Masked", "type": "connection.db.sqlite",
		"properties": map[string]any{"database": "x.db", "password": "********"}}), "is the mask")
	mustContain(t, e.fails("create_connection", map[string]any{"type": "connection.db.sqlite"}), `"name" is required`)
	mustContain(t, e.fails("create_connection", map[string]any{"name": "x", "type": "connection.db.sqlite", "properties": "database=x"}),
		`"properties" must be an object`)

	type planOut struct {
		Changes   map[string]string `json:"changes"`
		Unchanged []string          `json:"unchanged"`
		DryRun    bool              `json:"dry_run"`
		Updated   *bool             `json:"updated"`
	}
	var plan planOut
	text := e.ok("update_connection", map[string]any{"connection": "Scratch DB", "dry_run": true,
		"properties": map[string]any{"password": "planted-update-secret", "user": "etl", "database": "scratch.db"}, "new_name": "Scratch"}, &plan)
	if !plan.DryRun || plan.Changes["password"] != "changed (secret)" || plan.Changes["user"] != `unset -> "etl"` ||
		plan.Changes["name"] != `"Scratch DB" -> "Scratch"` || len(plan.Unchanged) != 1 || plan.Unchanged[0] != "database" {
		t.Errorf("dry run: %s", text)
	}
	if strings.Contains(text, "planted") {
		t.Errorf("dry run shows a secret: %s", text)
	}
	var v connView
	e.ok("get_connection", map[string]any{"connection": "Scratch DB"}, &v) // the dry run changed nothing
	if v.Properties["user"] != "" {
		t.Errorf("dry run changed the connection: %+v", v)
	}

	plan = planOut{}
	e.ok("update_connection", map[string]any{"connection": "Scratch DB", "properties": map[string]any{"user": "etl"},
		"new_name": "Scratch", "description": "scratch space"}, &plan)
	if plan.Updated == nil || !*plan.Updated {
		t.Fatalf("update: %+v", plan)
	}
	v = connView{}
	e.ok("get_connection", map[string]any{"connection": "Scratch"}, &v)
	if v.Properties["user"] != "etl" || v.Description != "scratch space" || v.Properties["password"] != client.MaskedSecret {
		t.Errorf("after update: %+v", v)
	}
	plan = planOut{}
	e.ok("update_connection", map[string]any{"connection": "Scratch", "properties": map[string]any{"user": "etl"}}, &plan)
	if plan.Updated == nil || *plan.Updated || len(plan.Changes) != 0 {
		t.Errorf("a no-op update must send nothing: %+v", plan)
	}

	mustContain(t, e.fails("update_connection", map[string]any{"connection": "Scratch"}), "nothing to change")
	mustContain(t, e.fails("update_connection", map[string]any{"connection": "Scratch", "properties": map[string]any{"password": "********"}}), "is the mask")
	mustContain(t, e.fails("update_connection", map[string]any{"connection": "Scratchy", "tags": []any{"x"}}), `connection "Scratchy" not found`, `"Scratch"`)
	mustContain(t, e.fails("update_connection", map[string]any{"connection": "Scratch", "properties": map[string]any{"port": "99999"}}), "port")
}

// TestFixCRMPassword is the repair the demo is built around: the CRM connection holds a stale
// password, update_connection sets the right one, and the test then passes.
func TestFixCRMPassword(t *testing.T) {
	e := newEnv(t)
	pw := e.sb.Sandbox.Credentials().CRMPassword
	var plan struct {
		Changes map[string]string `json:"changes"`
		Updated bool              `json:"updated"`
	}
	text := e.ok("update_connection", map[string]any{"connection": "CRM database", "properties": map[string]any{"password": pw}}, &plan)
	if !plan.Updated || plan.Changes["password"] != "changed (secret)" || strings.Contains(text, pw) {
		t.Fatalf("update: %s", text)
	}
	var out struct {
		OK bool `json:"ok"`
	}
	e.ok("test_connection", map[string]any{"connection": "CRM database"}, &out)
	if !out.OK {
		t.Fatal("the CRM connection still fails after the password fix")
	}
}

func TestDeleteConnection(t *testing.T) {
	e := newEnv(t)
	var out map[string]any
	e.confirmed("delete_connection", map[string]any{"connection": "Legacy FTP"}, &out)
	if !strings.Contains(fmt.Sprint(out["deleted"]), "Legacy FTP") || undoOf(t, out).Tool != "restore_deleted" {
		t.Errorf("result: %v", out)
	}
	mustContain(t, e.fails("get_connection", map[string]any{"connection": "Legacy FTP"}), "not found")
	// The undo the result names works.
	undo := undoOf(t, out)
	e.ok(undo.Tool, undo.Arguments, nil)
	e.ok("get_connection", map[string]any{"connection": "Legacy FTP"}, nil)

	// The question names the flows that break.
	var ask struct {
		Action string `json:"action"`
	}
	e.ok("delete_connection", map[string]any{"connection": "CRM database"}, &ask)
	mustContain(t, ask.Action, `"CRM database"`, `"Sync CRM customers"`, "restore_deleted")
	e.ok("get_connection", map[string]any{"connection": "CRM database"}, nil) // nothing was deleted

	mustContain(t, e.fails("delete_connection", map[string]any{"connection": "Nope"}), "not found")
	mustContain(t, e.fails("delete_connection", map[string]any{"connection": "CRM database", "confirm_token": "forged"}), "confirm_token")
}

func TestOAuthURL(t *testing.T) {
	e := newEnv(t)
	var out struct {
		URL      string `json:"url"`
		Provider string `json:"provider"`
	}
	e.ok("get_oauth_url", map[string]any{"connection": "Shopify API", "provider": "google"}, &out)
	if !strings.HasPrefix(out.URL, "https://accounts.google.com/") || out.Provider != "google" {
		t.Errorf("google on a generic HTTP connection: %+v", out)
	}
	var created struct {
		Created connView `json:"created"`
	}
	e.ok("create_connection", map[string]any{"name": "Budget sheet", "type": "connection.api.googlesheets",
		"properties": map[string]any{"spreadsheetId": "1AbC"}}, &created)
	e.ok("get_oauth_url", map[string]any{"connection": "Budget sheet"}, &out) // the connector's provider by default
	if out.Provider != "google" || !strings.Contains(out.URL, "spreadsheets") {
		t.Errorf("default provider: %+v", out)
	}
	mustContain(t, e.fails("get_oauth_url", map[string]any{"connection": "Shopify API"}), `"provider" is required`)
	mustContain(t, e.fails("get_oauth_url", map[string]any{"connection": "Shopify API", "provider": "myspace"}), "Unknown OAuth provider")
	mustContain(t, e.fails("get_oauth_url", map[string]any{"connection": "Warehouse", "provider": "google"}), "does not use OAuth")
}

// TestConnectionSecretsNeverShown plants known secrets in connections and checks that no
// connections or explorer tool shows them, in a result or a debug log line, whether it succeeds
// or fails.
func TestConnectionSecretsNeverShown(t *testing.T) {
	e := newEnv(t)
	secrets := []string{"planted-pw-51c2", "planted-token-7e9a", "planted-key-90ad", "planted-url-pw-3b1f", "planted-new-pw-66c0", e.sb.Sandbox.Credentials().CRMPassword}
	ctx := t.Context()
	for _, c := range []client.ConnectionRequest{
		{Name: "Planted DB", ConnectionType: "connection.db.postgres", Properties: map[string]string{"field.connection.template.host": "db.example",
			"field.connection.template.database": "x", "field.connection.template.user": "u", "field.connection.template.password": secrets[0]}},
		{Name: "Planted API", ConnectionType: "connection.http", Properties: map[string]string{
			"field.connection.template.url":   "https://user:" + secrets[3] + "@api.example/v1",
			"field.connection.template.token": secrets[1]}},
		{Name: "Planted S3", ConnectionType: "connection.s3", Properties: map[string]string{"field.connection.template.bucket": "b",
			"field.connection.template.region": "us-east-1", "field.connection.template.accessKey": "AKIA" + secrets[2], "field.connection.template.secretKey": secrets[2]}},
	} {
		if _, _, err := e.api.Connections.Create(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	creds := e.sb.Sandbox.Credentials()
	api, err := client.New(e.sb.URL, client.WithLogin(creds.Login, creds.Password), client.WithLogger(log))
	if err != nil {
		t.Fatal(err)
	}
	defs := All(Deps{Client: api, Log: log})
	calls := []struct {
		tool string
		args map[string]any
	}{
		{"list_connections", map[string]any{}},
		{"list_connections", map[string]any{"query": "Planted"}},
		{"get_connection", map[string]any{"connection": "Planted DB"}},
		{"get_connection", map[string]any{"connection": "Planted API"}},
		{"get_connection", map[string]any{"connection": "Planted S3"}},
		{"get_connection", map[string]any{"connection": "CRM database"}},
		{"test_connection", map[string]any{"connection": "Planted DB"}},
		{"test_connection", map[string]any{"connection": "Planted API"}},
		{"test_connection", map[string]any{"connection": "CRM database"}},
		{"list_connector_types", map[string]any{"query": "postgres"}},
		{"update_connection", map[string]any{"connection": "Planted DB", "dry_run": true, "properties": map[string]any{"password": secrets[4], "host": "db2.example"}}},
		{"update_connection", map[string]any{"connection": "Planted DB", "properties": map[string]any{"password": secrets[4]}}},
		{"update_connection", map[string]any{"connection": "Planted DB", "properties": map[string]any{"password": secrets[4], "port": "bad"}}},
		{"update_connection", map[string]any{"connection": "CRM database", "properties": map[string]any{"password": creds.CRMPassword}}},
		{"create_connection", map[string]any{"name": "Planted DB", "type": "connection.db.postgres", "properties": map[string]any{"password": secrets[4]}}},
		{"get_oauth_url", map[string]any{"connection": "Planted API", "provider": "google"}},
		{"delete_connection", map[string]any{"connection": "Planted S3"}},
		{"list_objects", map[string]any{"connection": "Planted DB"}},
		{"run_sql", map[string]any{"connection": "CRM database", "sql": "SELECT * FROM customers"}},
		{"describe_object", map[string]any{"connection": "Planted API", "object": "x"}},
	}
	var results strings.Builder
	for _, c := range calls {
		text, _ := e.call(c.tool, c.args)
		results.WriteString(text)
		var h server.ToolHandlerFunc
		for _, d := range defs {
			if d.Tool.Name == c.tool {
				h = d.Handler
			}
		}
		res, err := h(context.Background(), callRequest(c.tool, c.args))
		if err != nil {
			t.Fatalf("%s: %v", c.tool, err)
		}
		results.WriteString(resultText(res))
	}
	for _, s := range secrets {
		if strings.Contains(results.String(), s) {
			t.Errorf("a tool result shows the planted secret %q", s)
		}
		if strings.Contains(logs.String(), s) {
			t.Errorf("a log line shows the planted secret %q", s)
		}
	}
	if !strings.Contains(logs.String(), "etlworks request") {
		t.Fatal("debug logging captured nothing; the check above proved nothing")
	}
}

// TestGetConnectionMasksSecretsSentInClear points get_connection at an Etlworks that returns
// secrets unmasked: the tool must mask them anyway.
func TestGetConnectionMasksSecretsSentInClear(t *testing.T) {
	const conn = `{"id":5,"name":"Leaky","connectionType":"connection.db.postgres","properties":{
		"field.connection.template.host":"db.example","field.connection.template.password":"clear-pw-1",
		"field.connection.template.url":"postgres://etl:clear-pw-2@db.example/x","field.connection.template.secretKey":"clear-key-3",
		"field.connection.template.refreshToken":"clear-token-4"}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, conn)
	}))
	defer srv.Close()
	api, err := client.New(srv.URL+"/rest", client.WithAPIKey("k"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range All(Deps{Client: api}) {
		if d.Tool.Name != "get_connection" {
			continue
		}
		res, err := d.Handler(context.Background(), callRequest("get_connection", map[string]any{"connection": 5}))
		if err != nil || res.IsError {
			t.Fatalf("get_connection: %v %+v", err, res)
		}
		text := resultText(res)
		for _, leak := range []string{"clear-pw-1", "clear-pw-2", "clear-key-3", "clear-token-4"} {
			if strings.Contains(text, leak) {
				t.Errorf("get_connection shows %q: %s", leak, text)
			}
		}
		mustContain(t, text, "db.example", "********")
		return
	}
	t.Fatal("no get_connection tool")
}
