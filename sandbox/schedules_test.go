package sandbox

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestSchedulesSeeded(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	var list []schedule
	res := h.ok("GET", "/rest/v1/schedules", nil, &list)
	if len(list) != seededFlows || res.header.Get("X-Total-Count") != fmt.Sprint(seededFlows) {
		t.Fatalf("%d schedules, X-Total-Count %q", len(list), res.header.Get("X-Total-Count"))
	}
	for i, sc := range list {
		if sc.ID != int64(i+1) || sc.FlowID != sc.ID || sc.FlowName == nil || sc.LastRunStatus == nil || sc.LastRunAt == nil {
			t.Errorf("schedule %d = %+v", i+1, sc)
		}
		if sc.Enabled != (len(sc.NextRuns) == 3) || sc.Enabled != (sc.NextRun != nil) {
			t.Errorf("schedule %d: enabled %v, nextRun %v, nextRuns %v", sc.ID, sc.Enabled, sc.NextRun, sc.NextRuns)
		}
	}
	first, shopify, legacy := list[0], list[6], list[11]
	if first.Name != "Daily at 01:30" || first.Schedule != "0 30 1 * * ?" || *first.FlowName != "Load orders from CSV" {
		t.Errorf("schedule 1 = %+v", first)
	}
	if shopify.Name != "Every 6 hours" || shopify.Schedule != "0 10 0/6 * * ?" || shopify.Retries != 1 {
		t.Errorf("schedule 7 = %+v", shopify)
	}
	if legacy.Enabled || legacy.Name != "Daily at 00:15" {
		t.Errorf("the legacy import's schedule should be paused: %+v", legacy)
	}
	if next := time.UnixMilli(*first.NextRun); next.Hour() != 1 || next.Minute() != 30 || !next.After(time.Now()) {
		t.Errorf("nextRun of schedule 1 = %s", next)
	}
	var archive schedule
	h.ok("GET", "/rest/v1/schedules/10", nil, &archive)
	if archive.Parameters["runDate"] != "{today}" {
		t.Errorf("archive schedule parameters = %v", archive.Parameters)
	}
	// The seeded history links up: scheduled runs of flow 2 carry schedule 2.
	runs := h.scheduledRuns(2, 2)
	if len(runs) == 0 || *runs[0].EventName != "Daily at 02:00" || runs[0].User != "scheduler" {
		t.Errorf("scheduled runs of flow 2 = %+v", runs)
	}
	for _, q := range []struct {
		query string
		want  int
	}{{"?enabled=false", 1}, {"?flowId=2", 1}, {"?name=daily", 11}, {"?limit=5&offset=10", 2}} {
		var got []schedule
		h.ok("GET", "/rest/v1/schedules"+q.query, nil, &got)
		if len(got) != q.want {
			t.Errorf("%s: %d schedules, want %d", q.query, len(got), q.want)
		}
	}
	wantError(t, h.call("GET", "/rest/v1/schedules/999", h.key, nil), http.StatusNotFound, "/rest/v1/schedules/999")
}

func TestSchedulesManage(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	body := map[string]any{"name": "Weekday catalog", "flowId": 4, "schedule": "0 0 12 ? * MON-FRI",
		"parameters": map[string]string{"source": "partner"}, "emailFailure": true, "emails": "ops@acme-retail.example"}
	var sc schedule
	h.ok("POST", "/rest/v1/schedules", body, &sc)
	if sc.ID != seededFlows+1 || !sc.Enabled || sc.Parameters["source"] != "partner" || sc.NextRun == nil || len(sc.NextRuns) != 3 {
		t.Fatalf("created = %+v", sc)
	}
	for _, ms := range sc.NextRuns {
		if at := time.UnixMilli(ms); at.Hour() != 12 || at.Weekday() == time.Saturday || at.Weekday() == time.Sunday {
			t.Errorf("weekday noon schedule fires at %s", at)
		}
	}
	path := fmt.Sprintf("/rest/v1/schedules/%d", sc.ID)

	t.Run("validation", func(t *testing.T) {
		h := h.with(t)
		with := func(k string, v any) map[string]any {
			b := map[string]any{"name": "x", "flowId": 4, "schedule": "5"}
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
			return b
		}
		for _, c := range []struct {
			body any
			want string
		}{
			{with("schedule", "0 61 * * * ?"), `schedule "0 61 * * * ?": minute field "61" is out of range 0-59`},
			{with("schedule", "0 30 1 * *"), "6 or 7 fields"},
			{with("schedule", nil), "Field 'schedule' is required"},
			{with("flowId", nil), "Field 'flowId' is required"},
			{with("flowId", 99), "Field 'flowId': flow 99 not found"},
			{with("name", "weekday CATALOG"), "Field 'name': a schedule named"},
			{with("retries", -1), "Field 'retries'"},
			{with("emails", "ops"), "Field 'emails'"},
			{`{"name": 5}`, "field 'name' must be a string"},
		} {
			eb := wantError(t, h.call("POST", "/rest/v1/schedules", h.key, c.body), http.StatusBadRequest, "/rest/v1/schedules")
			if !strings.Contains(eb.Message, c.want) {
				t.Errorf("message %q does not contain %q", eb.Message, c.want)
			}
		}
	})

	t.Run("update merges", func(t *testing.T) {
		h := h.with(t)
		var got schedule
		h.ok("PUT", path, map[string]any{"description": "Noon refresh", "nextRun": 1}, &got)
		if got.Description != "Noon refresh" || got.Schedule != sc.Schedule || got.Parameters["source"] != "partner" || got.Emails != sc.Emails {
			t.Errorf("updated = %+v", got)
		}
		wantError(t, h.call("PUT", path, h.key, map[string]any{"schedule": "0 0 25 * * ?"}), http.StatusBadRequest, path)
	})

	t.Run("pause resume reschedule", func(t *testing.T) {
		h := h.with(t)
		var got schedule
		h.ok("POST", path+"/pause", nil, &got)
		if got.Enabled || got.NextRun != nil || len(got.NextRuns) != 0 {
			t.Errorf("paused = %+v", got)
		}
		h.ok("POST", path+"/resume", nil, &got)
		if !got.Enabled || got.NextRun == nil {
			t.Errorf("resumed = %+v", got)
		}
		before := time.Now()
		h.ok("POST", path+"/reschedule", map[string]string{"schedule": "30m"}, &got)
		if next := time.UnixMilli(*got.NextRun); got.Schedule != "30m" || next.Before(before.Add(30*time.Minute-time.Second)) ||
			next.After(time.Now().Add(30*time.Minute)) {
			t.Errorf("rescheduled = %+v (next %s)", got, next)
		}
		eb := wantError(t, h.call("POST", path+"/reschedule", h.key, map[string]string{"schedule": "0 0 12 * * *"}), http.StatusBadRequest, path+"/reschedule")
		if !strings.Contains(eb.Message, "'?'") {
			t.Errorf("message %q", eb.Message)
		}
	})

	t.Run("run now", func(t *testing.T) {
		h := h.with(t)
		var resp execResponse
		h.ok("POST", path+"/run?sync=true", nil, &resp)
		if resp.Status != codeSuccess || resp.AuditID == nil {
			t.Fatalf("run = %+v", resp)
		}
		e := h.wait(4, *resp.AuditID)
		if e.EventID == nil || *e.EventID != sc.ID || strPtr(e.EventName) != "Weekday catalog" || e.User != "alice" {
			t.Errorf("execution = %+v", e)
		}
		recs := h.auditOf("method=runFlow&object=flow:4")
		if len(recs) == 0 || !strings.Contains(string(recs[0].Payload), fmt.Sprintf(`"eventId":%d`, sc.ID)) ||
			!strings.Contains(string(recs[0].Payload), `"source":"partner"`) {
			t.Errorf("run audit = %+v", recs)
		}
		wantError(t, h.call("POST", path+"/run", h.userKey("victor"), nil), http.StatusForbidden, path+"/run")
		h.call("POST", path+"/run", h.userKey("bob"), nil) // an Operator may run a schedule
	})

	t.Run("roles", func(t *testing.T) {
		h := h.with(t)
		if res := h.call("GET", path, h.userKey("victor"), nil); res.status != http.StatusOK {
			t.Errorf("a Viewer reads schedules: %d", res.status)
		}
		wantError(t, h.call("POST", path+"/pause", h.userKey("bob"), nil), http.StatusForbidden, path+"/pause")
	})

	t.Run("delete and audit", func(t *testing.T) {
		h := h.with(t)
		var del deletedArtifact
		h.ok("DELETE", path, nil, &del)
		if del.ArtifactType != "schedule" || del.ArtifactID != sc.ID || del.RecycleBinID == 0 {
			t.Errorf("delete = %+v", del)
		}
		wantError(t, h.call("GET", path, h.key, nil), http.StatusNotFound, path)
		seen := map[string]bool{}
		for _, r := range h.auditOf(fmt.Sprintf("object=schedule:%d", sc.ID)) {
			seen[r.MD] = r.RT
			if strPtr(r.ObjectType) != "schedule" || r.ObjectID == nil || *r.ObjectID != sc.ID {
				t.Errorf("record object = %v %v", r.ObjectType, r.ObjectID)
			}
		}
		for _, md := range []string{"addSchedule", "editSchedule", "pauseSchedule", "resumeSchedule", "rescheduleSchedule", "deleteSchedule"} {
			if !seen[md] {
				t.Errorf("no successful %s audit record for the schedule: %v", md, seen)
			}
		}
	})
}
