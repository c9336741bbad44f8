package sandbox

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestAuditSearch(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	before := time.Now().UnixMilli()
	// A few mutations of different kinds, each of which must leave an event naming its object.
	var sc schedule
	h.ok("POST", "/rest/v1/schedules", map[string]any{"name": "Audit me", "flowId": 3, "schedule": "0 0 6 ? * MON"}, &sc)
	h.ok("POST", "/rest/v1/webhooks", map[string]any{"name": "Audit hook", "events": []string{"Flow.Failed"}}, nil)
	wantError(t, h.call("POST", "/rest/v1/schedules", h.userKey("carol"), map[string]any{"name": "Bad", "flowId": 3, "schedule": "x y"}),
		http.StatusBadRequest, "/rest/v1/schedules")
	e := h.wait(2, h.run(2, "", nil))
	after := time.Now().UnixMilli()

	t.Run("object", func(t *testing.T) {
		h := h.with(t)
		byID := h.auditOf("object=flow:2")
		if len(byID) < 10 {
			t.Fatalf("object=flow:2: %d records", len(byID))
		}
		for _, r := range byID {
			if strPtr(r.ObjectType) != "flow" || r.ObjectID == nil || *r.ObjectID != 2 || strPtr(r.ObjectName) != "Daily revenue rollup" {
				t.Errorf("object=flow:2 returned %s %v %s (%s)", strPtr(r.ObjectType), r.ObjectID, strPtr(r.ObjectName), r.MD)
			}
		}
		if byName := h.auditOf("object=" + strings.ReplaceAll("Daily revenue rollup", " ", "%20")); len(byName) != len(byID) {
			t.Errorf("by name %d records, by id %d", len(byName), len(byID))
		}
		if typed := h.auditOf("object=flow:daily%20REVENUE"); len(typed) != len(byID) {
			t.Errorf("type:name %d records, want %d", len(typed), len(byID))
		}
		for _, r := range h.auditOf("object=schedule") {
			if strPtr(r.ObjectType) != "schedule" {
				t.Errorf("object=schedule returned %+v", r)
			}
		}
		webhook := h.auditOf("object=webhook")
		if len(webhook) != 1 || webhook[0].MD != "addWebhook" || strPtr(webhook[0].ObjectName) != "Audit hook" {
			t.Errorf("object=webhook = %+v", webhook)
		}
		// Seeded connection edits are found by object too.
		if recs := h.auditOf("object=connection:Shopify%20API"); len(recs) != 1 || recs[0].MD != "editConnection" {
			t.Errorf("connection edit = %+v", recs)
		}
	})

	t.Run("user action result time", func(t *testing.T) {
		h := h.with(t)
		failed := h.auditOf("user=carol&action=addSchedule&result=error&exception=true")
		if len(failed) != 1 || failed[0].RT || !strings.Contains(string(failed[0].EX), "6 or 7 fields") {
			t.Errorf("carol's failed attempt = %+v", failed)
		}
		window := h.auditOf(fmt.Sprintf("from=%d&to=%d", before, after))
		mds := map[string]bool{}
		for _, r := range window {
			mds[r.MD] = true
			if int64(r.DT) < before || int64(r.DT) > after {
				t.Errorf("record outside the window: %+v", r)
			}
		}
		for _, md := range []string{"addSchedule", "addWebhook", "runFlow"} {
			if !mds[md] {
				t.Errorf("no %s in the time window: %v", md, mds)
			}
		}
		run := h.auditOf(fmt.Sprintf("method=runFlow&user=alice&from=%d", before))
		if len(run) != 1 || run[0].DN != *e.Ended-e.Started || !strings.Contains(string(run[0].Payload), fmt.Sprintf(`"auditId":%d`, e.AuditID)) {
			t.Errorf("run record = %+v", run)
		}
	})

	t.Run("paging", func(t *testing.T) {
		h := h.with(t)
		var page1, page2 []auditRecord
		res := h.ok("GET", "/rest/v1/audit?object=flow:2&limit=3", nil, &page1)
		h.ok("GET", "/rest/v1/audit?object=flow:2&limit=3&offset=3", nil, &page2)
		total, _ := strconv.Atoi(res.header.Get("X-Total-Count"))
		if len(page1) != 3 || len(page2) != 3 || page1[2].ID == page2[0].ID || total != len(h.auditOf("object=flow:2")) {
			t.Errorf("pages %d+%d, total %d", len(page1), len(page2), total)
		}
		if page1[0].DT < page1[2].DT {
			t.Error("not newest first")
		}
	})
}

func TestObjectDerivation(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		md, payload string
		want        auditObject
	}{
		{"addFlow", `{"flowId": 3, "name": "X"}`, auditObject{"flow", 3, "X"}},
		{"runFlow", `{"flowId": 2, "flowName": "Y", "auditId": 9}`, auditObject{"flow", 2, "Y"}},
		{"editConnection", `{"connectionId": 4, "name": "Z"}`, auditObject{"connection", 4, "Z"}},
		{"executeSql", `{"connectionId": 4, "sql": "select 1"}`, auditObject{"connection", 4, ""}},
		{"pauseSchedule", `{"scheduleId": 5, "name": "S"}`, auditObject{"schedule", 5, "S"}},
		{"issueToken", `{"login": "alice"}`, auditObject{}},
		{"addFlow", ``, auditObject{}},
	} {
		if got := deriveObject(c.md, []byte(c.payload)); got != c.want {
			t.Errorf("%s %s = %+v, want %+v", c.md, c.payload, got, c.want)
		}
	}
	for _, c := range []struct {
		in   string
		want objectFilter
	}{
		{"flow:2", objectFilter{typ: "flow", id: 2}},
		{"Flow", objectFilter{typ: "flow"}},
		{"12", objectFilter{id: 12}},
		{"schedule:Daily at 02:00", objectFilter{typ: "schedule", name: "Daily at 02:00"}},
		{"Daily at 02:00", objectFilter{name: "Daily at 02:00"}},
	} {
		if got := parseObjectFilter(c.in); got != c.want {
			t.Errorf("%q = %+v, want %+v", c.in, got, c.want)
		}
	}
}
