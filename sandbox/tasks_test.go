package sandbox

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/engine"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// TestRunningTasks follows a long simulated run through the running-tasks API in both profiles:
// while it loads, the API shows its transformation and its load phase with growing record
// counts; type filters; once the run ends the list is empty; an unknown run is a 404.
func TestRunningTasks(t *testing.T) {
	t.Parallel()
	for _, profile := range Profiles() {
		t.Run(profile, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Options{Profile: profile})
			f, err := h.sb.st.flowByName(t.Context(), "Import Shopify orders")
			if err != nil {
				t.Fatal(err)
			}
			f.Properties[model.PropRecords], f.Properties[model.PropOutcome] = "5000", "success"
			if err := h.sb.st.updateFlow(t.Context(), f, time.Now().UnixMilli()); err != nil {
				t.Fatal(err)
			}
			auditID := h.run(f.ID, "", nil)
			path := fmt.Sprintf("/etl/rest/v1/tasks/%d/", auditID)

			var seen []engine.Task
			for {
				var tasks []engine.Task
				h.ok("GET", path, nil, &tasks)
				var e execution
				h.ok("GET", fmt.Sprintf("/rest/v1/executions/%d?auditId=%d", f.ID, auditID), nil, &e)
				if model.IsTerminal(e.Status) {
					t.Fatalf("the run ended (%s) before the API showed it loading; last answer %+v", e.Status, tasks)
				}
				if len(tasks) == 2 && tasks[1].Type == engine.TaskLoad && tasks[1].RecordsProcessed > 0 {
					seen = tasks
					break
				}
			}
			tr, load := seen[0], seen[1]
			if tr.Type != engine.TaskTask || tr.Name != "orders.json -> shopify_orders" || load.Name != tr.Name+": load" {
				t.Errorf("tasks = %+v", seen)
			}
			for _, x := range seen {
				if x.Owner != demoLogin || x.Tenant != demoTenant || x.RequestID == "" || x.Started == 0 || x.Duration < 0 ||
					x.Code == "" || x.Language != nil || x.MinLatency > x.MaxLatency || x.AvgLatency > x.MaxLatency {
					t.Errorf("task %+v", x)
				}
			}
			if load.Started < tr.Started || load.RecordsProcessed > tr.RecordsProcessed {
				t.Errorf("the load phase %+v is not inside its transformation %+v", load, tr)
			}

			var loads, extracts []engine.Task
			h.ok("GET", path+"?type=load", nil, &loads)
			h.ok("GET", fmt.Sprintf("/etl/rest/v1/tasks/%d?type=extract", auditID), nil, &extracts)
			if len(loads) != 1 || loads[0].Type != engine.TaskLoad || len(extracts) != 0 {
				t.Errorf("type=load %+v, type=extract %+v", loads, extracts)
			}
			wantError(t, h.call("GET", path+"?type=cpu", h.key, nil), http.StatusBadRequest, path)
			wantError(t, h.call("GET", path, h.userKey("carol"), nil), http.StatusForbidden, path)

			h.ok("POST", fmt.Sprintf("/rest/v1/flows/%d/stop", f.ID), nil, nil)
			h.wait(f.ID, auditID)
			var after []engine.Task
			h.ok("GET", path, nil, &after)
			if after == nil || len(after) != 0 {
				t.Errorf("tasks of an ended run = %#v, want []", after)
			}
			wantError(t, h.call("GET", "/etl/rest/v1/tasks/999999/", h.key, nil), http.StatusNotFound, "/etl/rest/v1/tasks/999999/")
		})
	}
}
