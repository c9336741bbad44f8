package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A scan sends limit=200 and the filters, pages by offset, and stops on a short page or when a
// server that ignores offset repeats its first page.
func TestScan(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("GET /rest/v1/flows", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		testHeader(t, r, "Content-Type", "")
		q := r.URL.Query()
		if q.Get("limit") != "200" || q.Get("tag") != "daily" || q.Get("name") != "" {
			t.Errorf("query %v", q)
		}
		offset, _ := strconv.Atoi(q.Get("offset"))
		n := min(200, 450-offset)
		rows := make([]string, n)
		for i := range rows {
			rows[i] = fmt.Sprintf(`{"id":%d,"name":"F%d"}`, offset+i+1, offset+i+1)
		}
		fmt.Fprint(w, "["+strings.Join(rows, ",")+"]")
	})
	seen := 0
	sc, err := c.Flows.Scan(t.Context(), &FlowListOptions{Tag: "daily", ListOptions: ListOptions{Limit: 5, Offset: 7}}, func(json.RawMessage) bool { seen++; return true })
	if err != nil || seen != 450 || sc.Rows != 450 || sc.Truncated || calls.Load() != 3 {
		t.Fatalf("scan: %+v %v, saw %d in %d calls", sc, err, seen, calls.Load())
	}

	// A server that ignores offset: the second page repeats the first and ends the scan.
	mux.HandleFunc("GET /rest/v1/schedules", func(w http.ResponseWriter, r *http.Request) {
		rows := make([]string, 200)
		for i := range rows {
			rows[i] = fmt.Sprintf(`{"id":%d}`, i+1)
		}
		fmt.Fprint(w, "["+strings.Join(rows, ",")+"]")
	})
	sc, err = c.Schedules.Scan(t.Context(), nil, func(json.RawMessage) bool { return true })
	if err != nil || sc.Rows != 200 {
		t.Fatalf("offset ignored: %+v %v", sc, err)
	}

	// The documented audit trail: the last 1,000 events whatever limit and offset say.
	var auditCalls atomic.Int32
	mux.HandleFunc("GET /rest/v1/audit", func(w http.ResponseWriter, r *http.Request) {
		auditCalls.Add(1)
		rows := make([]string, 1000)
		for i := range rows {
			rows[i] = fmt.Sprintf(`{"id":%d,"md":"runFlow","dt":"%d"}`, 1000-i, 1777716000000-int64(i))
		}
		fmt.Fprint(w, "["+strings.Join(rows, ",")+"]")
	})
	sc, err = c.Audit.Scan(t.Context(), nil, func(json.RawMessage) bool { return true })
	if err != nil || sc.Rows != 1000 || sc.Truncated || auditCalls.Load() != 2 {
		t.Fatalf("limit and offset ignored: %+v %v in %d calls", sc, err, auditCalls.Load())
	}
}

// Resolve: flows by name through the name index (confirmed by the flow's GET), schedules by id
// from the list (there is no documented GET), connections indexed from the flows' connections
// arrays when the connection list route is absent, and one not-found message with the closest names.
func TestResolve(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	const flow = `{"id":1,"name":"Load orders","connections":[{"id":5,"name":"Warehouse","connectionType":"connection.db.sqlite"}]}`
	mux.HandleFunc("GET /rest/v1/flows", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `[`+flow+`,{"id":2,"name":"Other","connections":[{"id":5,"name":"Warehouse"},{"id":6,"name":"Files"}]}]`)
	})
	mux.HandleFunc("GET /rest/v1/flows/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") != "1" {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"status":404,"message":"Flow not found"}`)
			return
		}
		fmt.Fprint(w, flow)
	})
	mux.HandleFunc("GET /rest/v1/connections", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"status":404,"error":"Not Found","message":"No static resource v1/connections."}`)
	})
	mux.HandleFunc("GET /rest/v1/connections/{id}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"id":%s,"name":"Files","connectionType":"connection.file.local","properties":{}}`, r.PathValue("id"))
	})
	mux.HandleFunc("GET /rest/v1/schedules", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `[{"id":3,"name":"Nightly","flowId":1},{"id":4,"name":"Hourly","flowId":1}]`)
	})
	ctx := t.Context()

	n, err := c.Resolve(ctx, KindFlow, "load ORDERS")
	if err != nil || n.ID != 1 || n.Name != "Load orders" || !n.Full {
		t.Fatalf("flow by name: %+v %v", n, err)
	}
	testJSONEqual(t, "flow row", n.Raw, flow)
	if n, err = c.Resolve(ctx, KindFlow, "1"); err != nil || n.Name != "Load orders" || !n.Full {
		t.Fatalf("flow by id: %+v %v", n, err)
	}
	if n, err = c.Resolve(ctx, KindSchedule, "4"); err != nil || n.Name != "Hourly" || !n.Full {
		t.Fatalf("schedule by id: %+v %v", n, err)
	}
	if n, err = c.Resolve(ctx, KindConnection, "Files"); err != nil || n.ID != 6 || !n.Full || n.Via != ViaFlowConnections {
		t.Fatalf("connection through the flows: %+v %v", n, err)
	}
	var nf *NameNotFoundError
	_, err = c.Resolve(ctx, KindConnection, "Warehose")
	if !errors.As(err, &nf) || err.Error() != `connection "Warehose" not found; closest: "Warehouse"` {
		t.Fatalf("unknown connection: %v", err)
	}
	_, err = c.Resolve(ctx, KindFlow, "9")
	if !errors.As(err, &nf) || err.Error() != `flow "9" not found` {
		t.Fatalf("unknown flow id: %v", err)
	}
	_, err = c.Resolve(ctx, KindSchedule, "Nighty")
	if !errors.As(err, &nf) || !strings.Contains(err.Error(), `closest: "Nightly"`) {
		t.Fatalf("unknown schedule: %v", err)
	}
	if _, err = c.Resolve(ctx, KindFlow, " "); err == nil {
		t.Fatal("an empty reference resolved")
	}
	var seen []string
	sc, err := c.Connections.FlowConnections(ctx, func(row json.RawMessage) bool {
		var h struct{ Name string }
		_ = json.Unmarshal(row, &h)
		seen = append(seen, h.Name)
		return true
	})
	if err != nil || sc.Rows != 2 || strings.Join(seen, ",") != "Warehouse,Files" {
		t.Fatalf("flow connections, each once: %v %+v %v", seen, sc, err)
	}
}

// Any 2xx delete answer is success, whatever its body.
func TestDeleteBodies(t *testing.T) {
	t.Parallel()
	for _, body := range []string{"", "true", "1", "deleted", `"ok"`, `{"artifactType":"schedule","artifactId":3,"recycleBinId":"9","deletedWith":"odd"}`, "[]", "null"} {
		c, mux, _ := setup(t)
		mux.HandleFunc("DELETE /rest/v1/schedules/3", func(w http.ResponseWriter, r *http.Request) {
			testNoBody(t, r)
			fmt.Fprint(w, body)
		})
		mux.HandleFunc("DELETE /rest/v1/connections/3", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) })
		d, _, err := c.Schedules.Delete(t.Context(), 3)
		if err != nil || d == nil {
			t.Errorf("schedule delete answered %q: %v", body, err)
			continue
		}
		if strings.HasPrefix(body, "{") && (d.ObjectID() != 3 || d.RecycleBinID != 9) {
			t.Errorf("delete answer %q read as %+v", body, d)
		}
		if _, _, err := c.Connections.Delete(t.Context(), 3); err != nil {
			t.Errorf("connection delete answered %q: %v", body, err)
		}
	}
}

// Audit events decode with the documented names, dt as a number, a numeric string, ISO-8601 or
// unreadable text (kept raw), and the extended object fields.
func TestDecodeAuditEvent(t *testing.T) {
	t.Parallel()
	ms := time.Date(2026, 5, 2, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		dt     string
		at     time.Time
		rawOut string
	}{
		{`1777716000000`, ms, ""}, {`"1777716000000"`, ms, ""}, {`"2026-05-02T10:00:00Z"`, ms, ""},
		{`"2026-05-02T12:00:00+02:00"`, ms, ""}, {`"2026-05-02 10:00:00"`, ms, ""}, {`"May 2nd"`, time.Time{}, "May 2nd"},
		{`null`, time.Time{}, ""},
	} {
		e := DecodeAuditEvent(json.RawMessage(`{"id":"7","an":"etl","md":"editFlow","ur":"alice","tn":"t","rt":true,"in":false,
			"ex":null,"hip":"10.0.0.1","cip":"10.0.0.2","dn":15,"dt":` + c.dt + `,"objectType":"flow","objectId":3,"objectName":"X"}`))
		if !e.At.Equal(c.at) || e.DTRaw != c.rawOut || e.ID != 7 || e.Method != "editFlow" || e.User != "alice" || !e.Success ||
			e.DurationMs != 15 || e.ClientIP != "10.0.0.2" || e.ObjectID != 3 || e.objectType() != "flow" {
			t.Errorf("dt %s: %+v", c.dt, e)
		}
	}
	// Documented records name no object: the type comes from md.
	e := DecodeAuditEvent(json.RawMessage(`{"id":8,"md":"deleteConnection","rt":"false","dt":"1777716000000"}`))
	if ok, _ := (AuditFilter{Object: "connection", Result: "error"}).Match(e); !ok {
		t.Errorf("documented record: %+v", e)
	}
	if ok, unreadable := (AuditFilter{Object: "connection:5"}).Match(e); ok || !unreadable {
		t.Errorf("an id filter on a record without an id: ok=%v unreadable=%v", ok, unreadable)
	}
}

// Search re-applies every filter and orders newest first.
func TestAuditSearch(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /rest/v1/audit", func(w http.ResponseWriter, r *http.Request) {
		if q := r.URL.Query(); q.Get("user") != "alice" || q.Get("exception") != "true" || q.Get("limit") != "200" || q.Has("method") {
			t.Errorf("query %v", q)
		}
		fmt.Fprint(w, `[{"id":1,"md":"editFlow","ur":"alice","rt":true,"dt":"1000"},{"id":2,"md":"editFlow","ur":"bob","rt":true,"dt":"3000"},
			{"id":3,"md":"runFlow","ur":"ALICE","rt":false,"dt":"2000"}]`)
	})
	s, err := c.Audit.Search(t.Context(), AuditFilter{User: "alice"}, true)
	if err != nil || len(s.Events) != 2 || s.Events[0].ID != 3 || s.Events[1].ID != 1 || s.Rows != 3 {
		t.Fatalf("search: %+v %v", s, err)
	}
	s, err = c.Audit.Search(t.Context(), AuditFilter{User: "alice", Method: "edit"}, true)
	if err != nil || len(s.Events) != 1 || s.Events[0].ID != 1 || s.Actions["editFlow"] != 2 || s.Actions["runFlow"] != 1 {
		t.Fatalf("search by action prefix, with the actions read: %+v %v", s, err)
	}
}

// An action matches by prefix or by a camelCase word, in any case.
func TestMatchAction(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		md, q string
		want  bool
	}{
		{"deleteFlow", "delete", true}, {"deleteConnection", "DELETE", true}, {"deleteFlow", "deleteFl", true},
		{"runFlow", "flow", true}, {"editFlow", "editFlow", true}, {"editFlow", "edit flow", true},
		{"restoreRecycleBinItem", "recycle", true}, {"restoreRecycleBinItem", "bin item", true}, {"runFlow", "", true},
		{"editFlow", "low", false}, {"editFlow", "delete", false}, {"runFlow", "runFlows", false}, {"addFlow", "dd", false},
	} {
		if got := MatchAction(c.md, c.q); got != c.want {
			t.Errorf("MatchAction(%q, %q) = %v, want %v", c.md, c.q, got, c.want)
		}
	}
}
