package sandbox

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/demo"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// depOf finds a dependency of an item.
func depOf(e binEntry, typ string, id int64) (binDep, bool) {
	i := slices.IndexFunc(e.Dependencies, func(d binDep) bool { return d.ArtifactType == typ && d.ArtifactID == id })
	if i < 0 {
		return binDep{}, false
	}
	return e.Dependencies[i], true
}

func hasRef(refs []artifactRef, typ string, id int64) bool {
	return slices.ContainsFunc(refs, func(r artifactRef) bool { return r.ArtifactType == typ && r.ArtifactID == id })
}

func TestRecycleBinFlowWithSchedule(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	const legacy = 12 // Legacy FTP order import: connections 7 (Legacy FTP) and 1 (Warehouse), paused schedule 12
	var del deleteResponse
	h.ok("DELETE", fmt.Sprintf("/rest/v1/flows/%d", legacy), nil, &del)
	if len(del.DeletedWith) != 1 || del.DeletedWith[0].ArtifactType != "schedule" || del.DeletedWith[0].ArtifactID != 12 {
		t.Fatalf("delete = %+v", del)
	}
	wantError(t, h.call("GET", "/rest/v1/schedules/12", h.key, nil), http.StatusNotFound, "/rest/v1/schedules/12")

	var items []binEntry
	res := h.ok("GET", "/rest/v1/recycle-bin", nil, &items)
	if len(items) != 2 || res.header.Get("X-Total-Count") != "2" {
		t.Fatalf("bin = %+v", items)
	}
	var item binEntry
	h.ok("GET", fmt.Sprintf("/rest/v1/recycle-bin/%d", del.RecycleBinID), nil, &item)
	ftp, _ := depOf(item, "connection", 7)
	wh, _ := depOf(item, "connection", 1)
	sched, _ := depOf(item, "schedule", 12)
	if item.ArtifactType != "flow" || item.ArtifactID != legacy || !item.Restorable || item.DeletedBy != "alice" ||
		!ftp.Active || ftp.Relation != "requires" || !wh.Active || sched.Active || sched.Relation != "deletedWith" ||
		sched.RecycleBinID == nil || !strings.Contains(string(item.Artifact), `"Legacy FTP order import"`) {
		t.Errorf("item = %+v", item)
	}
	var scheds []binEntry
	h.ok("GET", "/rest/v1/recycle-bin?type=schedule", nil, &scheds)
	if len(scheds) != 1 || scheds[0].ID != *sched.RecycleBinID {
		t.Errorf("type=schedule = %+v", scheds)
	}
	if dep, _ := depOf(scheds[0], "flow", legacy); dep.Relation != "requires" || dep.Active || dep.RecycleBinID == nil {
		t.Errorf("schedule's flow dependency = %+v", dep)
	}
	var byName []binEntry
	h.ok("GET", "/rest/v1/recycle-bin?name=legacy%20ftp", nil, &byName)
	if len(byName) != 1 || byName[0].ArtifactType != "flow" {
		t.Errorf("name filter = %+v", byName)
	}
	wantError(t, h.call("GET", "/rest/v1/recycle-bin?type=macro", h.key, nil), http.StatusBadRequest, "/rest/v1/recycle-bin")

	// Restoring the schedule alone brings its flow back, which brings the schedule: both restored,
	// the live connections reused.
	var rr restoreResult
	h.ok("POST", fmt.Sprintf("/rest/v1/recycle-bin/%d/restore", *sched.RecycleBinID), nil, &rr)
	if len(rr.Restored) != 2 || !hasRef(rr.Restored, "flow", legacy) || !hasRef(rr.Restored, "schedule", 12) ||
		len(rr.Reused) != 2 || !hasRef(rr.Reused, "connection", 7) || !hasRef(rr.Reused, "connection", 1) {
		t.Errorf("restore = %+v", rr)
	}
	var f flow
	h.ok("GET", fmt.Sprintf("/rest/v1/flows/%d", legacy), nil, &f)
	var sc schedule
	h.ok("GET", "/rest/v1/schedules/12", nil, &sc)
	if !f.Suspended || f.Name != "Legacy FTP order import" || sc.Enabled || sc.FlowID != legacy || sc.LastRunStatus == nil {
		t.Errorf("restored flow %+v, schedule %+v", f, sc)
	}
	h.ok("GET", "/rest/v1/recycle-bin", nil, &items)
	if len(items) != 0 {
		t.Errorf("restored items are still in the bin: %+v", items)
	}

	// A live flow with the same name blocks the restore; nothing is restored.
	h.ok("DELETE", fmt.Sprintf("/rest/v1/flows/%d", legacy), nil, &del)
	var clone flow
	h.ok("POST", "/rest/v1/flows", map[string]any{"name": "legacy FTP order IMPORT", "flowType": "execute-sql",
		"transformations": []map[string]any{{"source": map[string]any{"connectionId": 1, "sql": "SELECT 1"}}}}, &clone)
	path := fmt.Sprintf("/rest/v1/recycle-bin/%d/restore", del.RecycleBinID)
	eb := wantError(t, h.call("POST", path, h.key, nil), http.StatusConflict, path)
	if !strings.Contains(eb.Message, fmt.Sprintf("(id %d)", clone.ID)) || !strings.Contains(eb.Message, "same name") {
		t.Errorf("409 message %q does not name the blocking flow", eb.Message)
	}
	h.ok("GET", "/rest/v1/recycle-bin", nil, &items)
	if len(items) != 2 {
		t.Errorf("a failed restore changed the bin: %+v", items)
	}
	recs := h.auditOf("method=restoreRecycleBinItem&result=error&exception=true")
	if len(recs) != 1 || strPtr(recs[0].ObjectType) != "flow" || !strings.Contains(string(recs[0].EX), "same name") {
		t.Errorf("failed restore audit = %+v", recs)
	}
	wantError(t, h.call("POST", "/rest/v1/recycle-bin/999/restore", h.key, nil), http.StatusNotFound, "/rest/v1/recycle-bin/999/restore")
	wantError(t, h.call("POST", path, h.userKey("bob"), nil), http.StatusForbidden, path)
}

func TestRecycleBinConnections(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	ctx := t.Context()
	connID, err := insertConnection(ctx, h.sb.st.db, connection{Name: "Returns drop", ConnectionType: model.TypeLocalFile,
		Properties: map[string]string{model.PropFolder: demo.StagingFolder, model.PropPassword: "drop-secret"}}, time.Now().UnixMilli())
	if err != nil {
		t.Fatal(err)
	}
	var f flow
	h.ok("POST", "/rest/v1/flows", map[string]any{"name": "Load returns", "flowType": "file-to-database",
		"transformations": []map[string]any{{"source": map[string]any{"connectionId": connID, "object": "orders.csv", "format": "CSV"},
			"destination": map[string]any{"connectionId": 1, "object": "returns"}, "mode": "replace"}}}, &f)
	var sc schedule
	h.ok("POST", "/rest/v1/schedules", map[string]any{"name": "Returns hourly", "flowId": f.ID, "schedule": "60"}, &sc)
	var del deleteResponse
	h.ok("DELETE", fmt.Sprintf("/rest/v1/flows/%d", f.ID), nil, &del)
	connBin := h.binConnection(connID)

	var connItem binEntry
	h.ok("GET", fmt.Sprintf("/rest/v1/recycle-bin/%d", connBin), nil, &connItem)
	if strings.Contains(string(connItem.Artifact), "drop-secret") || !strings.Contains(string(connItem.Artifact), secretMask) {
		t.Errorf("the artifact shows a secret: %s", connItem.Artifact)
	}
	var flowItem binEntry
	h.ok("GET", fmt.Sprintf("/rest/v1/recycle-bin/%d", del.RecycleBinID), nil, &flowItem)
	if d, _ := depOf(flowItem, "connection", connID); d.Active || d.RecycleBinID == nil || *d.RecycleBinID != connBin || !flowItem.Restorable {
		t.Errorf("flow item = %+v", flowItem)
	}

	// Bulk restore of the flow recreates its deleted connection from the bin and reuses Warehouse.
	var rr restoreResult
	h.ok("POST", "/rest/v1/recycle-bin/restore", map[string]any{"ids": []int64{del.RecycleBinID, connBin}}, &rr)
	if len(rr.Restored) != 3 || !hasRef(rr.Restored, "connection", connID) || !hasRef(rr.Restored, "flow", f.ID) ||
		!hasRef(rr.Restored, "schedule", sc.ID) || len(rr.Reused) != 1 || !hasRef(rr.Reused, "connection", 1) {
		t.Errorf("bulk restore = %+v", rr)
	}
	c, err := h.sb.st.getConnection(ctx, connID)
	if err != nil || c.Properties[model.PropPassword] != "drop-secret" {
		t.Errorf("restored connection = %+v, %v", c, err)
	}
	if e := h.wait(f.ID, h.run(f.ID, "", nil)); e.Status != model.StatusSuccess {
		t.Errorf("the restored flow does not run: %+v", e)
	}

	// Purging the connection's item leaves the flow item non-restorable.
	h.ok("DELETE", fmt.Sprintf("/rest/v1/flows/%d", f.ID), nil, &del)
	connBin = h.binConnection(connID)
	wantError(t, h.call("DELETE", fmt.Sprintf("/rest/v1/recycle-bin/%d", connBin), h.userKey("carol"), nil), http.StatusForbidden,
		fmt.Sprintf("/rest/v1/recycle-bin/%d", connBin))
	h.ok("DELETE", fmt.Sprintf("/rest/v1/recycle-bin/%d", connBin), nil, nil)
	var visible, all []binEntry
	h.ok("GET", "/rest/v1/recycle-bin?type=flow", nil, &visible)
	h.ok("GET", "/rest/v1/recycle-bin?type=flow&includeNonRestorable=true", nil, &all)
	if len(visible) != 0 || len(all) != 1 || all[0].Restorable || !strings.Contains(strPtr(all[0].NonRestorableReason), "'Returns drop'") {
		t.Errorf("visible %+v, all %+v", visible, all)
	}
	path := fmt.Sprintf("/rest/v1/recycle-bin/%d/restore", del.RecycleBinID)
	eb := wantError(t, h.call("POST", path, h.key, nil), http.StatusConflict, path)
	if !strings.Contains(eb.Message, "neither live nor in the recycle bin") {
		t.Errorf("409 message %q", eb.Message)
	}
	if recs := h.auditOf(fmt.Sprintf("method=purgeRecycleBinItem&object=connection:%d", connID)); len(recs) != 1 || !recs[0].RT {
		t.Errorf("purge audit = %+v", recs)
	}
}

func TestRecycleBinListener(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	var del deletedArtifact
	h.ok("DELETE", "/rest/v1/listeners/1", nil, &del)
	h.ok("POST", "/rest/v1/listeners", map[string]any{"name": "Orders v2", "flowId": 7,
		"properties": map[string]string{"urlPattern": "shopify/orders"}}, nil)
	path := fmt.Sprintf("/rest/v1/recycle-bin/%d/restore", del.RecycleBinID)
	eb := wantError(t, h.call("POST", path, h.key, nil), http.StatusConflict, path)
	if !strings.Contains(eb.Message, "URL pattern 'shopify/orders'") {
		t.Errorf("409 message %q", eb.Message)
	}
	h.ok("PUT", "/rest/v1/listeners/3", map[string]any{"properties": map[string]string{"urlPattern": "shopify/orders/v2"}}, nil)
	var rr restoreResult
	h.ok("POST", path, nil, &rr)
	if len(rr.Restored) != 1 || !hasRef(rr.Restored, "listener", 1) || !hasRef(rr.Reused, "flow", 7) {
		t.Errorf("restore = %+v", rr)
	}
	var l listener
	h.ok("GET", "/rest/v1/listeners/1", nil, &l)
	if l.Name != "Shopify order webhook" || l.Properties["urlPattern"] != "shopify/orders" {
		t.Errorf("restored listener = %+v", l)
	}
}
