package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// seededFlows is the number of demo flows.
const seededFlows = 12

func TestFlowsList(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	list := func(h *harness, query string) ([]flow, string) {
		h.t.Helper()
		var flows []flow
		res := h.ok("GET", "/rest/v1/flows"+query, nil, &flows)
		return flows, res.header.Get("X-Total-Count")
	}

	t.Run("all", func(t *testing.T) {
		h := h.with(t)
		flows, total := list(h, "")
		if len(flows) != seededFlows || total != fmt.Sprint(seededFlows) {
			t.Fatalf("got %d flows, X-Total-Count %q", len(flows), total)
		}
		types := map[string]bool{}
		for i, f := range flows {
			types[f.FlowType] = true
			if f.ID != int64(i+1) || f.LastRunStatus == nil || f.LastRunAt == nil || f.Properties == nil || f.Tags == nil {
				t.Errorf("flow %d: %+v", i, f)
			}
		}
		for _, want := range []string{"file-to-database", "database-to-database", "database-to-file", "execute-sql", "nested-workflow", "api-to-database"} {
			if !types[want] {
				t.Errorf("no seeded flow of type %s", want)
			}
		}
	})

	t.Run("paging", func(t *testing.T) {
		h := h.with(t)
		if flows, total := list(h, "?limit=5"); len(flows) != 5 || total != "12" || flows[0].ID != 1 {
			t.Errorf("limit=5: %d flows, total %s", len(flows), total)
		}
		if flows, total := list(h, "?limit=5&offset=10"); len(flows) != 2 || total != "12" || flows[0].ID != 11 {
			t.Errorf("offset=10: %d flows, total %s", len(flows), total)
		}
		if flows, _ := list(h, "?limit=5000"); len(flows) != seededFlows {
			t.Errorf("limit is clamped, not rejected: %d flows", len(flows))
		}
		wantError(t, h.call("GET", "/rest/v1/flows?limit=0", h.key, nil), http.StatusBadRequest, "/rest/v1/flows")
		wantError(t, h.call("GET", "/rest/v1/flows?offset=-1", h.key, nil), http.StatusBadRequest, "/rest/v1/flows")
	})

	t.Run("filters", func(t *testing.T) {
		h := h.with(t)
		flows, total := list(h, "?name=ORDER")
		if len(flows) != 4 || total != "4" {
			t.Errorf("name=ORDER: %d flows", len(flows))
		}
		for _, f := range flows {
			if !strings.Contains(strings.ToLower(f.Name), "order") {
				t.Errorf("name filter returned %q", f.Name)
			}
		}
		if flows, total := list(h, "?tag=Finance"); len(flows) != 2 || total != "2" {
			t.Errorf("tag=Finance: %d flows", len(flows))
		}
		if flows, _ := list(h, "?flowType=execute-sql"); len(flows) != 1 || flows[0].Name != "Refresh warehouse statistics" {
			t.Errorf("flowType=execute-sql: %+v", flows)
		}
		if flows, total := list(h, "?name=orders&tag=daily&limit=1"); len(flows) != 1 || total != "1" {
			t.Errorf("combined filters: %d flows, total %s", len(flows), total)
		}
		if flows, total := list(h, "?name=zzz"); flows == nil || len(flows) != 0 || total != "0" {
			t.Errorf("no match must be [] with total 0: %v %s", flows, total)
		}
	})

	t.Run("get", func(t *testing.T) {
		h := h.with(t)
		var f flow
		h.ok("GET", "/rest/v1/flows/1", nil, &f)
		tr := f.Transformations[0]
		if f.Name != "Load orders from CSV" || f.FlowType != "file-to-database" || len(f.Connections) != 2 ||
			tr.Source.Connection != "Staging files" || tr.Source.Object != "orders.csv" || tr.Destination.Connection != "Warehouse" ||
			tr.Destination.Object != "orders" || tr.Mode != "replace" || !tr.Enabled || *f.LastRunStatus != "success" {
			t.Errorf("flow 1 = %+v", f)
		}
		var raw map[string]json.RawMessage
		h.ok("GET", "/rest/v1/flows/11", nil, &raw)
		for _, key := range []string{"id", "name", "description", "flowType", "properties", "tags", "connections", "transformations",
			"mappings", "nestedFlows", "suspended", "createdAt", "updatedAt", "lastRunStatus", "lastRunAt"} {
			if _, ok := raw[key]; !ok {
				t.Errorf("flow JSON lacks %q", key)
			}
		}
		if !strings.Contains(string(raw["nestedFlows"]), `"name":"Daily revenue rollup"`) {
			t.Errorf("nestedFlows = %s", raw["nestedFlows"])
		}
		eb := wantError(t, h.call("GET", "/rest/v1/flows/99", h.key, nil), http.StatusNotFound, "/rest/v1/flows/99")
		if eb.Message != "Flow 99 not found" {
			t.Errorf("message = %q", eb.Message)
		}
	})
}

// newFlowBody is a valid file-to-database flow using connection names.
func newFlowBody(name string) map[string]any {
	return map[string]any{"name": name, "flowType": "file-to-database", "tags": []string{"test"},
		"transformations": []map[string]any{{
			"source":      map[string]any{"connection": "Staging files", "object": "returns.csv"},
			"destination": map[string]any{"connection": "Warehouse", "object": "returns"},
			"mode":        "replace"}}}
}

func TestFlowsManage(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})

	var created flow
	h.ok("POST", "/rest/v1/flows", newFlowBody("Load returns"), &created)
	if created.ID != seededFlows+1 || created.Transformations[0].Source.ConnectionID != 2 || !created.Transformations[0].Enabled ||
		created.Transformations[0].Name != "returns.csv -> returns" || len(created.Connections) != 2 || created.LastRunStatus != nil {
		t.Fatalf("created = %+v", created)
	}

	t.Run("validation", func(t *testing.T) {
		h := h.with(t)
		cases := []struct {
			name  string
			body  any
			field string
		}{
			{"no name", map[string]any{"flowType": "file-to-database"}, "'name'"},
			{"duplicate name", newFlowBody("load RETURNS"), "'name'"},
			{"unknown type", map[string]any{"name": "a", "flowType": "magic"}, "'flowType'"},
			{"unknown connection", func() any {
				b := newFlowBody("b")
				b["transformations"].([]map[string]any)[0]["destination"] = map[string]any{"connectionId": 99, "object": "t"}
				return b
			}(), "transformations[0].destination.connectionId"},
			{"bad mode", func() any {
				b := newFlowBody("c")
				b["transformations"].([]map[string]any)[0]["mode"] = "upsert"
				return b
			}(), "transformations[0].mode"},
			{"wrong type", `{"name": "d", "tags": "x"}`, "tags"},
			{"malformed", `{"name": `, "JSON"},
			{"empty body", "", "body"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				eb := wantError(t, h.call("POST", "/rest/v1/flows", h.key, c.body), http.StatusBadRequest, "/rest/v1/flows")
				if !strings.Contains(eb.Message, c.field) {
					t.Errorf("message %q does not name %s", eb.Message, c.field)
				}
			})
		}
	})

	t.Run("update", func(t *testing.T) {
		h := h.with(t)
		body := newFlowBody("Load returns")
		body["description"] = "Loads returns"
		var updated flow
		h.ok("PUT", fmt.Sprintf("/rest/v1/flows/%d", created.ID), body, &updated)
		if updated.Description != "Loads returns" || updated.CreatedAt != created.CreatedAt {
			t.Errorf("updated = %+v", updated)
		}
		body["transformations"] = []any{}
		wantError(t, h.call("PUT", fmt.Sprintf("/rest/v1/flows/%d", created.ID), h.key, body), http.StatusBadRequest,
			fmt.Sprintf("/rest/v1/flows/%d", created.ID))
		wantError(t, h.call("PUT", "/rest/v1/flows/99", h.key, body), http.StatusNotFound, "/rest/v1/flows/99")
	})

	t.Run("suspend and resume", func(t *testing.T) {
		h := h.with(t)
		var f flow
		h.ok("POST", fmt.Sprintf("/rest/v1/flows/%d/suspend", created.ID), nil, &f)
		if !f.Suspended {
			t.Fatal("not suspended")
		}
		var resp execResponse
		h.ok("POST", fmt.Sprintf("/rest/v1/flows/%d/run", created.ID), nil, &resp)
		if resp.Status != codeNotStarted || resp.AuditID != nil || resp.Exception == nil || !strings.Contains(*resp.Exception, "suspended") {
			t.Errorf("run of suspended flow = %+v", resp)
		}
		wantError(t, h.call("GET", fmt.Sprintf("/rest/v1/executions/%d", created.ID), h.key, nil), http.StatusNotFound,
			fmt.Sprintf("/rest/v1/executions/%d", created.ID))
		h.ok("POST", fmt.Sprintf("/rest/v1/flows/%d/resume", created.ID), nil, &f)
		if f.Suspended {
			t.Fatal("still suspended")
		}
		if e := h.wait(created.ID, h.run(created.ID, "", nil)); e.Status != model.StatusSuccess || e.Records != 12 {
			t.Errorf("run after resume = %+v", e)
		}
	})

	t.Run("delete", func(t *testing.T) {
		h := h.with(t)
		var del deleteResponse
		h.ok("DELETE", fmt.Sprintf("/rest/v1/flows/%d", created.ID), nil, &del)
		if del.FlowID != created.ID || del.RecycleBinID == 0 {
			t.Errorf("delete = %+v", del)
		}
		wantError(t, h.call("GET", fmt.Sprintf("/rest/v1/flows/%d", created.ID), h.key, nil), http.StatusNotFound,
			fmt.Sprintf("/rest/v1/flows/%d", created.ID))
		var artifact string
		if err := h.sb.st.db.QueryRow(`SELECT artifact FROM recycle_bin WHERE id = ? AND artifact_type = 'flow' AND deleted_by = 'alice'`,
			del.RecycleBinID).Scan(&artifact); err != nil {
			t.Fatal(err)
		}
		var kept flow
		if err := json.Unmarshal([]byte(artifact), &kept); err != nil || kept.Name != "Load returns" || len(kept.Transformations) != 1 {
			t.Errorf("recycle bin artifact = %s (%v)", artifact, err)
		}
		var again flow
		h.ok("POST", "/rest/v1/flows", newFlowBody("Load returns"), &again)
		if again.ID == created.ID {
			t.Errorf("a deleted flow's id was reused")
		}
	})

	t.Run("audited", func(t *testing.T) {
		h := h.with(t)
		var recs []auditRecord
		h.ok("GET", "/rest/v1/audit?user=alice&limit=200", nil, &recs)
		seen := map[string]int{}
		for _, r := range recs {
			seen[r.MD]++
		}
		for _, md := range []string{"addFlow", "editFlow", "deleteFlow", "suspendFlow", "resumeFlow"} {
			if seen[md] == 0 {
				t.Errorf("no %s audit record", md)
			}
		}
		var failed []auditRecord
		h.ok("GET", "/rest/v1/audit?method=addFlow&result=error&exception=true", nil, &failed)
		named := false
		for _, r := range failed {
			named = named || (!r.RT && strings.Contains(string(r.EX), "Field 'name'"))
		}
		if !named {
			t.Errorf("failed addFlow attempts are audited with their error: %+v", failed)
		}
	})
}

func TestFlowDocumentation(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	var doc docResponse
	h.ok("GET", "/rest/v1/flows/2/documentation", nil, &doc)
	for _, want := range []string{"# Daily revenue rollup", "**Warehouse**", "`daily_revenue`", "amount_usd", "```sql", "groups them by `order_date`"} {
		if !strings.Contains(doc.Documentation, want) {
			t.Errorf("documentation lacks %q:\n%s", want, doc.Documentation)
		}
	}
	if !strings.Contains(doc.Diagram, `class="etl-diagram"`) || !strings.Contains(doc.Diagram, "daily_revenue") {
		t.Errorf("diagram = %s", doc.Diagram)
	}
	h.ok("GET", "/rest/v1/flows/11/documentation", nil, &doc)
	if !strings.Contains(doc.Documentation, "runs 4 flows in order") || !strings.Contains(doc.Documentation, "the workflow stops") {
		t.Errorf("workflow documentation:\n%s", doc.Documentation)
	}
	h.ok("GET", "/rest/v1/flows/10/documentation", nil, &doc)
	if !strings.Contains(doc.Documentation, "`{runDate}`") {
		t.Errorf("parameters are documented:\n%s", doc.Documentation)
	}

	res := h.call("GET", "/rest/v1/flows/documentation/md?flowId=3&Authorization="+url.QueryEscape("Bearer "+h.key), "", nil)
	if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(res.body), "<h1>Sync CRM customers</h1>") || !strings.Contains(string(res.body), "<code>customer_since</code>") {
		t.Errorf("md page: %d %s\n%s", res.status, res.header.Get("Content-Type"), res.body)
	}
	wantError(t, h.call("GET", "/rest/v1/flows/documentation/md", h.key, nil), http.StatusBadRequest, "/rest/v1/flows/documentation/md")
}
