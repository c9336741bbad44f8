package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/connectors"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/demo"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// seededConnections is the number of demo connections.
const seededConnections = 7

// connectionSecrets returns every secret value stored in any connection, straight from the store.
func (h *harness) connectionSecrets() []string {
	h.t.Helper()
	list, err := h.sb.st.listConnections(h.t.Context())
	if err != nil {
		h.t.Fatal(err)
	}
	var out []string
	for _, c := range list {
		for k, v := range c.Properties {
			if v != "" && connectors.IsSecretProperty(c.ConnectionType, k) {
				out = append(out, v)
			}
		}
	}
	return out
}

// lastAudit returns the newest audit record of a method, with its payload.
func (h *harness) lastAudit(md string) auditRecord {
	h.t.Helper()
	var recs []auditRecord
	h.ok("GET", "/rest/v1/audit?limit=1&method="+md, nil, &recs)
	if len(recs) == 0 {
		h.t.Fatalf("no audit event %s", md)
	}
	var rec auditRecord
	h.ok("GET", fmt.Sprintf("/rest/v1/audit/%d", recs[0].ID), nil, &rec)
	return rec
}

func TestConnectionsList(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	list := func(h *harness, query string) ([]connection, string) {
		h.t.Helper()
		var out []connection
		res := h.ok("GET", "/rest/v1/connections"+query, nil, &out)
		return out, res.header.Get("X-Total-Count")
	}
	t.Run("all", func(t *testing.T) {
		h := h.with(t)
		all, total := list(h, "")
		if len(all) != seededConnections || total != "7" || all[0].Name != "Warehouse" || all[2].Name != "CRM database" {
			t.Fatalf("got %d connections, total %s: %+v", len(all), total, all)
		}
	})
	t.Run("filters and paging", func(t *testing.T) {
		h := h.with(t)
		for query, want := range map[string]string{"?name=crm": "CRM database", "?tag=ARCHIVE": "S3 archive",
			"?connectionType=connection.ftp": "Legacy FTP", "?name=post&connectionType=connection.db.postgres": "Reporting Postgres"} {
			if got, total := list(h, query); len(got) != 1 || got[0].Name != want || total != "1" {
				t.Errorf("%s: %+v (total %s)", query, got, total)
			}
		}
		if got, total := list(h, "?connectionType="+model.TypeSQLite); len(got) != 2 || total != "2" {
			t.Errorf("sqlite: %+v", got)
		}
		if got, total := list(h, "?limit=2&offset=6"); len(got) != 1 || got[0].Name != "Legacy FTP" || total != "7" {
			t.Errorf("page: %+v (total %s)", got, total)
		}
		if got, total := list(h, "?name=nothing-matches"); got == nil || len(got) != 0 || total != "0" {
			t.Errorf("empty: %+v", got)
		}
	})
	t.Run("secrets are masked in every read", func(t *testing.T) {
		h := h.with(t)
		secrets := h.connectionSecrets()
		if len(secrets) < 6 {
			t.Fatalf("only %d secrets seeded", len(secrets))
		}
		bodies := []string{string(h.ok("GET", "/rest/v1/connections", nil, nil).body)}
		for id := 1; id <= seededConnections; id++ {
			bodies = append(bodies, string(h.ok("GET", fmt.Sprintf("/rest/v1/connections/%d", id), nil, nil).body))
		}
		for _, b := range bodies {
			for _, s := range secrets {
				if strings.Contains(b, s) {
					t.Errorf("secret %q… leaked in %s", s[:4], b)
				}
			}
		}
		var crm connection
		h.ok("GET", "/rest/v1/connections/3", nil, &crm)
		if crm.Properties[model.PropPassword] != maskedSecret || crm.Properties[model.PropUser] != crmUser || crm.Properties[model.PropDatabase] != demo.CRMDatabaseFile {
			t.Errorf("crm = %+v", crm)
		}
		var s3 connection
		h.ok("GET", "/rest/v1/connections/6", nil, &s3)
		if s3.Properties[connectors.PropTemplate+"secretKey"] != maskedSecret || s3.Properties[connectors.PropTemplate+"accessKey"] != maskedSecret ||
			s3.Properties[model.PropBucket] != "acme-etl-archive" {
			t.Errorf("s3 = %+v", s3)
		}
	})
	t.Run("errors", func(t *testing.T) {
		h := h.with(t)
		wantError(t, h.call("GET", "/rest/v1/connections/99", h.key, nil), http.StatusNotFound, "/rest/v1/connections/99")
		wantError(t, h.call("GET", "/rest/v1/connections/x", h.key, nil), http.StatusBadRequest, "/rest/v1/connections/x")
		wantError(t, h.call("GET", "/rest/v1/connections?limit=0", h.key, nil), http.StatusBadRequest, "/rest/v1/connections")
		wantError(t, h.call("GET", "/rest/v1/connections", "", nil), http.StatusUnauthorized, "/rest/v1/connections")
	})
}

func newPostgres(name string) map[string]any {
	return map[string]any{"name": name, "connectionType": "connection.db.postgres", "tags": []string{"new", " ", "new"},
		"properties": map[string]any{model.PropHost: "pg.acme-retail.internal", connectors.PropTemplate + "port": 5432,
			model.PropDatabase: "analytics", model.PropUser: "etl", model.PropPassword: "pg-s3cret-value"}}
}

func TestConnectionsWrite(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	var created connection
	h.ok("POST", "/rest/v1/connections", newPostgres("Analytics Postgres"), &created)
	path := fmt.Sprintf("/rest/v1/connections/%d", created.ID)

	t.Run("create", func(t *testing.T) {
		h := h.with(t)
		if created.ID <= seededConnections || created.Properties[model.PropPassword] != maskedSecret ||
			created.Properties[connectors.PropTemplate+"port"] != "5432" || len(created.Tags) != 1 || created.CreatedAt == 0 {
			t.Fatalf("created = %+v", created)
		}
		stored, _ := h.sb.st.getConnection(t.Context(), created.ID)
		if stored.Properties[model.PropPassword] != "pg-s3cret-value" {
			t.Errorf("stored password = %q", stored.Properties[model.PropPassword])
		}
		rec := h.lastAudit("addConnection")
		if !rec.RT || !strings.Contains(string(rec.Payload), `"connectionId":`+fmt.Sprint(created.ID)) || strings.Contains(string(rec.Payload), "s3cret") {
			t.Errorf("audit = %+v %s", rec, rec.Payload)
		}
	})

	t.Run("create validation", func(t *testing.T) {
		h := h.with(t)
		bad := func(mutate func(m map[string]any), want string) {
			t.Helper()
			body := newPostgres("Another")
			mutate(body)
			eb := wantError(t, h.call("POST", "/rest/v1/connections", h.key, body), http.StatusBadRequest, "/rest/v1/connections")
			if !strings.Contains(eb.Message, want) {
				t.Errorf("message %q lacks %q", eb.Message, want)
			}
		}
		props := func(m map[string]any) map[string]any { return m["properties"].(map[string]any) }
		bad(func(m map[string]any) { delete(m, "name") }, "Field 'name' is required")
		bad(func(m map[string]any) { m["name"] = "warehouse" }, "a connection named 'warehouse' already exists")
		bad(func(m map[string]any) { delete(m, "connectionType") }, "Field 'connectionType' is required")
		bad(func(m map[string]any) { m["connectionType"] = "connection.db.postgress" }, "unknown type 'connection.db.postgress'")
		bad(func(m map[string]any) { m["connectionType"] = "connection.db.kafka" }, "did you mean connection.queue.kafka")
		bad(func(m map[string]any) { delete(props(m), model.PropHost) }, "Field 'properties.field.connection.template.host' (Host) is required")
		bad(func(m map[string]any) { props(m)[connectors.PropTemplate+"port"] = "54x" }, "port number")
		bad(func(m map[string]any) { props(m)[model.PropPassword] = maskedSecret }, "is the mask of a secret")
		bad(func(m map[string]any) { props(m)[model.PropHost] = map[string]any{} }, "must be a string")
		bad(func(m map[string]any) {
			m["connectionType"], m["properties"] = model.TypeSQLite, map[string]any{model.PropDatabase: "state.db"}
		}, "own state database")
		bad(func(m map[string]any) {
			m["connectionType"], m["properties"] = model.TypeSQLite, map[string]any{model.PropDatabase: "../outside.db"}
		}, "relative path inside the sandbox data directory")
		bad(func(m map[string]any) {
			m["connectionType"], m["properties"] = model.TypeLocalFile, map[string]any{model.PropFolder: "."}
		}, "subfolder")
		wantError(t, h.call("POST", "/rest/v1/connections", h.key, "{"), http.StatusBadRequest, "/rest/v1/connections")
	})

	t.Run("partial update merges properties", func(t *testing.T) {
		h := h.with(t)
		var got connection
		h.ok("PUT", path, map[string]any{"properties": map[string]any{model.PropHost: "pg2.acme-retail.internal"}}, &got)
		stored, _ := h.sb.st.getConnection(t.Context(), created.ID)
		if got.Name != "Analytics Postgres" || got.Properties[model.PropHost] != "pg2.acme-retail.internal" ||
			stored.Properties[model.PropPassword] != "pg-s3cret-value" || stored.Properties[model.PropDatabase] != "analytics" {
			t.Fatalf("after PUT: %+v, stored %+v", got, stored)
		}
		// A GET body sent back as is keeps the secret: the mask means "unchanged".
		got.Description = "edited"
		h.ok("PUT", path, got, &got)
		stored, _ = h.sb.st.getConnection(t.Context(), created.ID)
		if stored.Properties[model.PropPassword] != "pg-s3cret-value" || stored.Description != "edited" {
			t.Errorf("round trip changed the secret: %+v", stored)
		}
		h.ok("PUT", path, map[string]any{"name": "Analytics PG", "properties": map[string]any{connectors.PropTemplate + "sslMode": "require"}}, nil)
		h.ok("PUT", path, map[string]any{"properties": map[string]any{connectors.PropTemplate + "sslMode": nil, model.PropPassword: "rotated-pw"}}, &got)
		stored, _ = h.sb.st.getConnection(t.Context(), created.ID)
		if _, ok := stored.Properties[connectors.PropTemplate+"sslMode"]; ok || stored.Properties[model.PropPassword] != "rotated-pw" || stored.Name != "Analytics PG" {
			t.Errorf("stored = %+v", stored)
		}
		rec := h.lastAudit("editConnection")
		if !strings.Contains(string(rec.Payload), `"properties.field.connection.template.password"`) || strings.Contains(string(rec.Payload), "rotated-pw") {
			t.Errorf("audit payload = %s", rec.Payload)
		}
	})

	t.Run("update validation", func(t *testing.T) {
		h := h.with(t)
		for body, want := range map[string]string{
			`{"name": ""}`: "Field 'name' is required",
			`{"properties": {"field.connection.template.host": null}}`:             "(Host) is required",
			`{"connectionType": "connection.db.snowflake"}`:                        "properties.field.connection.template.account",
			`{"properties": {"field.connection.template.privateKey": "********"}}`: "mask of a secret",
			`{"name": "Staging files"}`:                                            "already exists",
		} {
			eb := wantError(t, h.call("PUT", path, h.key, body), http.StatusBadRequest, path)
			if !strings.Contains(eb.Message, want) {
				t.Errorf("%s: %q lacks %q", body, eb.Message, want)
			}
		}
		wantError(t, h.call("PUT", "/rest/v1/connections/99", h.key, `{"name": "x"}`), http.StatusNotFound, "/rest/v1/connections/99")
	})

	t.Run("delete moves to the recycle bin with the flows that use it", func(t *testing.T) {
		h := h.with(t)
		var del connectionDeleteResponse
		h.ok("DELETE", "/rest/v1/connections/3", nil, &del)
		if del.ConnectionID != 3 || del.Name != "CRM database" || del.RecycleBinID == 0 ||
			len(del.UsedByFlows) != 1 || del.UsedByFlows[0] != (flowUse{ID: 3, Name: "Sync CRM customers"}) {
			t.Fatalf("delete = %+v", del)
		}
		var typ, name, artifact, deps, by string
		if err := h.sb.st.db.QueryRow(`SELECT artifact_type, name, artifact, dependencies, deleted_by FROM recycle_bin WHERE id = ?`,
			del.RecycleBinID).Scan(&typ, &name, &artifact, &deps, &by); err != nil {
			t.Fatal(err)
		}
		var snap connection
		if err := json.Unmarshal([]byte(artifact), &snap); err != nil || snap.ID != 3 || snap.Properties[model.PropPassword] != crmStalePassword {
			t.Errorf("artifact = %s", artifact)
		}
		if typ != "connection" || name != "CRM database" || by != "alice" ||
			deps != `[{"artifactType":"flow","artifactId":3,"name":"Sync CRM customers"}]` {
			t.Errorf("bin row = %s %s %s %s", typ, name, deps, by)
		}
		wantError(t, h.call("GET", "/rest/v1/connections/3", h.key, nil), http.StatusNotFound, "/rest/v1/connections/3")
		rec := h.lastAudit("deleteConnection")
		if !strings.Contains(string(rec.Payload), `"usedByFlows":[3]`) {
			t.Errorf("audit payload = %s", rec.Payload)
		}
		h.ok("DELETE", path, nil, &del)
		if del.UsedByFlows == nil || len(del.UsedByFlows) != 0 {
			t.Errorf("unused connection delete = %+v", del)
		}
		wantError(t, h.call("DELETE", path, h.key, nil), http.StatusNotFound, path)
	})
}

func TestConnectionsRoles(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	viewer, operator, editor := h.userKey("victor"), h.userKey("bob"), h.userKey("carol")
	for _, c := range []struct {
		method, path string
		body         any
		key          string
		want         int
	}{
		{"GET", "/rest/v1/connections", nil, viewer, 200},
		{"GET", "/rest/v1/connections/1", nil, viewer, 200},
		{"GET", "/rest/v1/connection-types", nil, viewer, 200},
		{"POST", "/rest/v1/connections", newPostgres("By viewer"), viewer, 403},
		{"PUT", "/rest/v1/connections/4", `{"description": "x"}`, viewer, 403},
		{"DELETE", "/rest/v1/connections/7", nil, viewer, 403},
		{"POST", "/rest/v1/connections/1/test", nil, viewer, 403},
		{"POST", "/rest/v1/connections/1/test", nil, operator, 200},
		{"PUT", "/rest/v1/connections/4", `{"description": "x"}`, operator, 403},
		{"GET", "/rest/v1/connections/oauth/google/authorize-url?connectionId=5", nil, operator, 403},
		{"POST", "/rest/v1/connections", newPostgres("By editor"), editor, 200},
		{"PUT", "/rest/v1/connections/4", `{"description": "x"}`, editor, 200},
		{"DELETE", "/rest/v1/connections/7", nil, editor, 200},
	} {
		if res := h.call(c.method, c.path, c.key, c.body); res.status != c.want {
			t.Errorf("%s %s: %d, want %d: %s", c.method, c.path, res.status, c.want, res.body)
		}
	}
}

func TestConnectionTypes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	var all []connectors.Type
	res := h.ok("GET", "/rest/v1/connection-types", nil, &all)
	if len(all) < 30 || res.header.Get("X-Total-Count") != fmt.Sprint(len(connectors.Types())) || len(all) != len(connectors.Types()) {
		t.Fatalf("%d types, total %s", len(all), res.header.Get("X-Total-Count"))
	}
	seen, categories := map[string]bool{}, map[string]int{}
	for _, ct := range all {
		categories[ct.Category]++
		if seen[ct.Type] || ct.Name == "" || !strings.HasPrefix(ct.Type, "connection.") || len(ct.Properties) == 0 {
			t.Errorf("type %+v", ct)
		}
		seen[ct.Type] = true
		for _, p := range ct.Properties {
			if !strings.HasPrefix(p.Key, connectors.PropTemplate) || p.Label == "" || (model.IsSecretKey(p.Key) && !p.Secret) {
				t.Errorf("%s property %+v", ct.Type, p)
			}
		}
	}
	for _, cat := range connectors.Categories() {
		if categories[cat] < 4 {
			t.Errorf("category %s has %d types", cat, categories[cat])
		}
	}
	for _, want := range []string{"connection.db.postgres", "connection.db.mysql", "connection.db.sqlserver", "connection.db.oracle",
		"connection.db.snowflake", "connection.db.redshift", "connection.db.bigquery", model.TypeSQLite, "connection.db.db2",
		"connection.db.mariadb", model.TypeLocalFile, "connection.sftp", "connection.ftp", "connection.s3", "connection.azure.blob",
		"connection.gcs", "connection.file.box", "connection.file.dropbox", "connection.file.googledrive", "connection.file.onedrive",
		"connection.http", "connection.http.graphql", "connection.http.soap", "connection.queue.kafka", "connection.queue.rabbitmq",
		"connection.queue.sqs", "connection.queue.pubsub", "connection.api.salesforce", "connection.api.hubspot",
		"connection.api.googlesheets", "connection.api.shopify", "connection.api.netsuite", "connection.api.zendesk"} {
		if !seen[want] {
			t.Errorf("type %s missing", want)
		}
	}
	// Every seeded connection is valid against the catalogue.
	list, _ := h.sb.st.listConnections(t.Context())
	for _, c := range list {
		if err := h.sb.normalizeConnection(t.Context(), &c, c.ID); err != nil {
			t.Errorf("seeded %s: %v", c.Name, err)
		}
	}
	var queues []connectors.Type
	h.ok("GET", "/rest/v1/connection-types?category=queue", nil, &queues)
	if len(queues) != categories["queue"] {
		t.Errorf("queue filter: %d", len(queues))
	}
	var named []connectors.Type
	h.ok("GET", "/rest/v1/connection-types?name=google", nil, &named)
	if len(named) < 5 {
		t.Errorf("name=google: %+v", named)
	}
	eb := wantError(t, h.call("GET", "/rest/v1/connection-types?category=nosql", h.key, nil), http.StatusBadRequest, "/rest/v1/connection-types")
	if !strings.Contains(eb.Message, "database, file, api, queue, saas") {
		t.Errorf("message %q", eb.Message)
	}
}
