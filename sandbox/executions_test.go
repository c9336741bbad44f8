package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

func TestHistory(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	all := func(h *harness, query string) ([]execution, int) {
		h.t.Helper()
		var list []execution
		res := h.ok("GET", "/rest/v1/executions"+query, nil, &list)
		total, err := strconv.Atoi(res.header.Get("X-Total-Count"))
		if err != nil {
			h.t.Fatalf("X-Total-Count: %v", err)
		}
		return list, total
	}

	t.Run("seeded history", func(t *testing.T) {
		h := h.with(t)
		list, total := all(h, "?limit=200")
		if total < 150 || len(list) != 200 {
			t.Fatalf("total %d, page %d", total, len(list))
		}
		var rest []execution
		h.ok("GET", "/rest/v1/executions?limit=200&offset=200", nil, &rest)
		list = append(list, rest...)
		users, perFlow, statuses := map[string]int{}, map[int64]int{}, map[string]int{}
		oldest := time.Now()
		for i, e := range list {
			if i > 0 && e.Started > list[i-1].Started {
				t.Fatalf("not newest first at %d", i)
			}
			users[e.User]++
			perFlow[e.FlowID]++
			statuses[e.Status]++
			oldest = time.UnixMilli(e.Started)
			if e.Ended == nil || *e.Ended < e.Started || (e.Status == model.StatusError) != (e.Exception != nil) {
				t.Errorf("inconsistent record %+v", e)
			}
			if e.User == "scheduler" && (e.EventID == nil || e.EventName == nil) {
				t.Errorf("scheduled run without its schedule: %+v", e)
			}
		}
		if len(list) != total {
			t.Errorf("paged through %d of %d", len(list), total)
		}
		if age := time.Since(oldest); age < 12*24*time.Hour || age > 15*24*time.Hour {
			t.Errorf("history starts %v ago", age)
		}
		if users["scheduler"] < users["alice"]+users["bob"] || users["alice"] == 0 || users["bob"] == 0 {
			t.Errorf("users = %v", users)
		}
		if statuses[model.StatusSuccess] == 0 || statuses[model.StatusWarning] == 0 || statuses[model.StatusError] == 0 {
			t.Errorf("statuses = %v", statuses)
		}
		for id := int64(1); id <= seededFlows; id++ {
			if perFlow[id] < 5 {
				t.Errorf("flow %d has %d seeded runs", id, perFlow[id])
			}
		}
	})

	t.Run("failures of the broken flows match their real errors", func(t *testing.T) {
		h := h.with(t)
		for flowID, want := range map[int64]string{2: "no such column: amount_usd", 3: "Authentication failed for connection 'CRM database'",
			11: "no such column: amount_usd"} {
			list, total := all(h, fmt.Sprintf("?flowId=%d&status=error", flowID))
			if total < 3 {
				t.Errorf("flow %d: %d failures", flowID, total)
			}
			for _, e := range list {
				if e.FlowID != flowID || e.Status != model.StatusError || !strings.Contains(*e.Exception, want) {
					t.Errorf("flow %d: %+v", flowID, e)
				}
			}
			log := h.logOf(flowID, list[0].AuditID)
			if !strings.Contains(log, want) || !strings.Contains(log, "\n\tat ") || !strings.Contains(log, " ERROR ") {
				t.Errorf("flow %d log:\n%s", flowID, log)
			}
			var latest execution
			h.ok("GET", fmt.Sprintf("/rest/v1/executions/%d", flowID), nil, &latest)
			if latest.Status != model.StatusError {
				t.Errorf("flow %d latest = %+v", flowID, latest)
			}
		}
	})

	t.Run("filters and paging", func(t *testing.T) {
		h := h.with(t)
		page1, total := all(h, "?flowId=1&limit=3")
		page2, _ := all(h, "?flowId=1&limit=3&offset=3")
		if len(page1) != 3 || len(page2) != 3 || page1[2].Started < page2[0].Started || total < 14 {
			t.Errorf("pages %v / %v, total %d", page1, page2, total)
		}
		var alias []execution
		res := h.ok("GET", "/rest/v1/flows/1/executions?limit=3", nil, &alias)
		if res.header.Get("X-Total-Count") != strconv.Itoa(total) || alias[0].AuditID != page1[0].AuditID {
			t.Errorf("alias differs: %v", alias)
		}
		from, to := time.Now().Add(-48*time.Hour).UnixMilli(), time.Now().Add(-24*time.Hour).UnixMilli()
		window, _ := all(h, fmt.Sprintf("?from=%d&to=%d&limit=200", from, to))
		if len(window) == 0 {
			t.Error("no runs in the window")
		}
		for _, e := range window {
			if e.Started < from || e.Started > to {
				t.Errorf("%d outside [%d, %d]", e.Started, from, to)
			}
		}
		warnings, _ := all(h, "?status=warning")
		for _, e := range warnings {
			if e.Status != model.StatusWarning {
				t.Errorf("status filter returned %s", e.Status)
			}
		}
		wantError(t, h.call("GET", "/rest/v1/executions?status=done", h.key, nil), http.StatusBadRequest, "/rest/v1/executions")
		wantError(t, h.call("GET", "/rest/v1/executions?from=yesterday", h.key, nil), http.StatusBadRequest, "/rest/v1/executions")
		wantError(t, h.call("GET", "/rest/v1/flows/99/executions", h.key, nil), http.StatusNotFound, "/rest/v1/flows/99/executions")
	})

	t.Run("status of one flow", func(t *testing.T) {
		h := h.with(t)
		var latest, legacy, success execution
		h.ok("GET", "/rest/v1/executions/1", nil, &latest)
		h.ok("GET", "/plugins/dashboard/rest/v1/flows/1", nil, &legacy)
		if latest.FlowID != 1 || latest.AuditID != legacy.AuditID || latest.FlowName != "Load orders from CSV" {
			t.Errorf("latest %+v, legacy %+v", latest, legacy)
		}
		h.ok("GET", "/rest/v1/executions/2?status=success", nil, &success)
		if success.Status != model.StatusSuccess || success.FlowID != 2 {
			t.Errorf("latest success = %+v", success)
		}
		other, _ := all(h, "?flowId=3&limit=1")
		path := "/rest/v1/executions/1"
		wantError(t, h.call("GET", fmt.Sprintf("%s?auditId=%d", path, other[0].AuditID), h.key, nil), http.StatusNotFound, path)
		eb := wantError(t, h.call("GET", "/rest/v1/executions/99", h.key, nil), http.StatusNotFound, "/rest/v1/executions/99")
		if eb.Message != "Flow 99 not found" {
			t.Errorf("message = %q", eb.Message)
		}
		var f flow
		h.ok("POST", "/rest/v1/flows", newFlowBody("Never run"), &f)
		eb = wantError(t, h.call("GET", fmt.Sprintf("/rest/v1/executions/%d", f.ID), h.key, nil), http.StatusNotFound,
			fmt.Sprintf("/rest/v1/executions/%d", f.ID))
		if !strings.Contains(eb.Message, "never") {
			t.Errorf("message = %q", eb.Message)
		}
	})

	t.Run("log download", func(t *testing.T) {
		h := h.with(t)
		e := h.wait(1, h.run(1, "", nil))
		path := fmt.Sprintf("/rest/v1/executions/console/download?flowId=1&auditId=%d", e.AuditID)
		header := h.call("GET", path, h.key, nil)
		query := h.call("GET", path+"&Authorization="+url.QueryEscape("Bearer "+h.key), "", nil)
		legacy := h.call("GET", strings.Replace(path, "/rest/v1/executions", "/plugins/dashboard/rest/v1/flows", 1), h.key, nil)
		for name, res := range map[string]response{"header": header, "query": query, "legacy": legacy} {
			if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/plain") ||
				res.header.Get("Content-Disposition") != fmt.Sprintf(`attachment; filename="flow-1-%d.log"`, e.AuditID) ||
				!strings.Contains(string(res.body), "Records processed: 120") {
				t.Errorf("%s: %d %v\n%s", name, res.status, res.header, res.body)
			}
		}
		latest := h.call("GET", "/rest/v1/executions/console/download?flowId=1", h.key, nil)
		if string(latest.body) != string(header.body) {
			t.Error("without auditId the latest run's log is returned")
		}
		wantError(t, h.call("GET", "/rest/v1/executions/console/download?auditId=1", h.key, nil), http.StatusBadRequest,
			"/rest/v1/executions/console/download")
		wantError(t, h.call("GET", "/rest/v1/executions/console/download?flowId=2&auditId="+strconv.FormatInt(e.AuditID, 10), h.key, nil),
			http.StatusNotFound, "/rest/v1/executions/console/download")
		wantError(t, h.call("GET", "/rest/v1/executions/console/download?flowId=1&auditId=1", "", nil), http.StatusUnauthorized,
			"/rest/v1/executions/console/download")
	})
}

func TestAudit(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	var runs, executions int64
	h.sb.st.db.QueryRow(`SELECT COUNT(*) FROM audit WHERE md = 'runFlow'`).Scan(&runs)
	h.sb.st.db.QueryRow(`SELECT COUNT(*) FROM executions`).Scan(&executions)
	if runs != executions || runs == 0 {
		t.Errorf("%d runFlow audit records for %d seeded runs", runs, executions)
	}

	e := h.wait(2, h.run(2, "", nil))
	var recs []auditRecord
	res := h.ok("GET", "/rest/v1/audit?method=runFlow&limit=1&exception=true", nil, &recs)
	if n, _ := strconv.Atoi(res.header.Get("X-Total-Count")); int64(n) != runs+1 {
		t.Errorf("X-Total-Count = %d, want %d", n, runs+1)
	}
	r := recs[0]
	if r.AN != "etlworks" || r.MD != "runFlow" || r.UR != "alice" || r.TN != demoTenant || r.RT || !r.IN || int64(r.DT) != e.Started ||
		r.DN != *e.Ended-e.Started || r.HIP == "" || r.CIP != "127.0.0.1" || !strings.Contains(string(r.EX), "amount_usd") {
		t.Errorf("run audit record = %+v", r)
	}
	var one auditRecord
	h.ok("GET", fmt.Sprintf("/rest/v1/audit/%d", r.ID), nil, &one)
	if !strings.Contains(string(one.Payload), fmt.Sprintf(`"auditId":%d`, e.AuditID)) || !strings.Contains(string(one.Payload), `"status":"error"`) {
		t.Errorf("payload = %s", one.Payload)
	}

	t.Run("fields and filters", func(t *testing.T) {
		h := h.with(t)
		var plain []map[string]any
		h.ok("GET", "/rest/v1/audit?limit=5", nil, &plain)
		for _, rec := range plain {
			if _, ok := rec["ex"]; ok {
				t.Errorf("ex without exception=true: %v", rec)
			}
			for _, k := range []string{"id", "an", "md", "ur", "tn", "rt", "in", "hip", "cip", "dn", "dt"} {
				if _, ok := rec[k]; !ok {
					t.Errorf("record lacks %q: %v", k, rec)
				}
			}
		}
		var errs []auditRecord
		h.ok("GET", "/rest/v1/audit?result=error&user=scheduler&limit=200", nil, &errs)
		if len(errs) == 0 {
			t.Fatal("no failed scheduler runs")
		}
		for _, rec := range errs {
			if rec.RT || rec.UR != "scheduler" {
				t.Errorf("filtered record = %+v", rec)
			}
		}
		var seeded []auditRecord
		h.ok("GET", "/rest/v1/audit?method=editFlow&user=carol", nil, &seeded)
		if len(seeded) != 1 {
			t.Errorf("the seeded edit that broke the rollup: %+v", seeded)
		}
		var legacy []auditRecord
		h.ok("GET", "/plugins/audit/rest/v1/audit?limit=1", nil, &legacy)
		if len(legacy) != 1 || legacy[0].ID != r.ID {
			t.Errorf("legacy path = %+v", legacy)
		}
		wantError(t, h.call("GET", "/rest/v1/audit/999999", h.key, nil), http.StatusNotFound, "/rest/v1/audit/999999")
		wantError(t, h.call("GET", "/rest/v1/audit?result=maybe", h.key, nil), http.StatusBadRequest, "/rest/v1/audit")
	})
}
