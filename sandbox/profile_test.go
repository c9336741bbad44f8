package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// wildcard matches a ServeMux wildcard, replaced by "1" to make a concrete path.
var wildcard = regexp.MustCompile(`\{[^}]+\}`)

// concrete turns a route pattern into a method and a path that the pattern matches; a pattern
// without a method (it serves every method) gets GET.
func concrete(pattern string) (method, path string) {
	method, path, found := strings.Cut(pattern, " ")
	if !found {
		method, path = http.MethodGet, pattern
	}
	path = strings.ReplaceAll(path, "{$}", "")
	return method, wildcard.ReplaceAllString(path, "1")
}

func TestProfileOption(t *testing.T) {
	for _, name := range []string{"", "extended", "Documented", "documented"} {
		sb, err := New(Options{Profile: name})
		if err != nil {
			t.Fatalf("profile %q: %v", name, err)
		}
		want := strings.ToLower(name)
		if want == "" {
			want = ProfileExtended
		}
		if sb.Profile() != want {
			t.Errorf("profile %q runs as %q", name, sb.Profile())
		}
		if err := sb.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := New(Options{Profile: "public"}); err == nil || !strings.Contains(err.Error(), "documented or extended") {
		t.Errorf("unknown profile: %v", err)
	}
}

// TestProfileRoutes checks every [I] row of the route table: in the documented profile it answers
// exactly as an unknown path does (404, same body, credential or not); in the extended profile it
// is served. Documented rows are served by both.
func TestProfileRoutes(t *testing.T) {
	t.Parallel()
	doc := newHarness(t, Options{Profile: ProfileDocumented})
	ext := newHarness(t, Options{})
	unknown := wantError(t, doc.call("GET", "/rest/v1/no-such-thing", doc.key, nil), http.StatusNotFound, "/rest/v1/no-such-thing")
	if unknown.Message != "No endpoint GET /rest/v1/no-such-thing" {
		t.Fatalf("unknown path message = %q", unknown.Message)
	}
	var extendedOnly, both int
	for _, rt := range doc.sb.routeTable() {
		method, path := concrete(rt.pattern)
		noEndpoint := "No endpoint " + method + " " + path
		t.Run(rt.row+" "+rt.pattern, func(t *testing.T) {
			extRes := ext.call(method, path, ext.key, nil)
			if extRes.status == http.StatusNotFound && strings.Contains(string(extRes.body), noEndpoint) {
				t.Errorf("extended does not serve it: %s", extRes.body)
			}
			docRes := doc.call(method, path, doc.key, nil)
			if rt.tag != tagI {
				if docRes.status == http.StatusNotFound && strings.Contains(string(docRes.body), noEndpoint) {
					t.Errorf("documented does not serve a %s route: %s", rt.tag, docRes.body)
				}
				return
			}
			for _, token := range []string{doc.key, ""} {
				eb := wantError(t, doc.call(method, path, token, nil), http.StatusNotFound, path)
				if eb.Message != noEndpoint {
					t.Errorf("documented message = %q, want %q", eb.Message, noEndpoint)
				}
			}
		})
		if rt.tag == tagI {
			extendedOnly++
		} else {
			both++
		}
	}
	if extendedOnly < 35 || both < 30 {
		t.Errorf("%d [I] and %d documented routes; the table lost rows", extendedOnly, both)
	}

	t.Run("an [I] route does not make another method allowed", func(t *testing.T) {
		for _, path := range []string{"/rest/v1/users/me", "/rest/v1/connections/1/test"} {
			eb := wantError(t, doc.call("PATCH", path, doc.key, nil), http.StatusNotFound, path)
			if !strings.HasPrefix(eb.Message, "No endpoint PATCH") {
				t.Errorf("PATCH %s: %q", path, eb.Message)
			}
		}
		res := doc.call("PATCH", "/rest/v1/flows/1", doc.key, nil)
		if res.status != http.StatusMethodNotAllowed || !strings.Contains(res.header.Get("Allow"), "GET") {
			t.Errorf("PATCH a documented path = %d Allow %q", res.status, res.header.Get("Allow"))
		}
	})
}

func TestProfileIgnoresUndocumentedFilters(t *testing.T) {
	t.Parallel()
	doc := newHarness(t, Options{Profile: ProfileDocumented})
	ext := newHarness(t, Options{})
	count := func(h *harness, path string) int {
		h.t.Helper()
		var rows []map[string]any
		h.ok("GET", path, nil, &rows)
		return len(rows)
	}
	cases := []struct{ all, filtered string }{
		{"/rest/v1/flows", "/rest/v1/flows?name=orders&tag=daily&flowType=file-to-database"},
		{"/rest/v1/schedules", "/rest/v1/schedules?enabled=false&flowId=1&name=hourly"},
		{"/rest/v1/audit", "/rest/v1/audit?user=carol&method=addSchedule&result=error&from=1&to=2&object=flow:1"},
	}
	for _, tc := range cases {
		if got, want := count(doc, tc.filtered), count(doc, tc.all); got != want || want == 0 {
			t.Errorf("documented %s: %d rows, unfiltered %d", tc.filtered, got, want)
		}
		if got, all := count(ext, tc.filtered), count(ext, tc.all); got >= all {
			t.Errorf("extended %s: %d rows of %d; the filter was not applied", tc.filtered, got, all)
		}
	}
	t.Run("flow list keeps documented paging", func(t *testing.T) {
		var page []map[string]any
		res := doc.ok("GET", "/rest/v1/flows?limit=2&offset=1&name=nothing-matches", nil, &page)
		if len(page) != 2 || res.header.Get("X-Total-Count") == "" {
			t.Errorf("page of %d, total %q", len(page), res.header.Get("X-Total-Count"))
		}
	})
}

// keysOf returns the sorted keys of a JSON object.
func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestProfileShapes(t *testing.T) {
	t.Parallel()
	doc := newHarness(t, Options{Profile: ProfileDocumented})
	ext := newHarness(t, Options{})
	flowFields := []string{"connections", "description", "flowType", "id", "mappings", "name", "nestedFlows", "properties",
		"tags", "transformations"}
	extras := map[string][]string{
		"flow":      {"createdAt", "lastRunAt", "lastRunStatus", "suspended", "updatedAt"},
		"execution": {"ended", "exception", "records", "started", "user"},
		"schedule":  {"createdAt", "flowName", "lastRunAt", "lastRunStatus", "nextRun", "nextRuns", "parameters", "updatedAt"},
	}
	id := doc.flowID("Daily revenue rollup")
	cases := []struct {
		name, path, kind string
		list             bool
	}{
		{"flow list", "/rest/v1/flows", "flow", true},
		{"flow", fmt.Sprintf("/rest/v1/flows/%d", id), "flow", false},
		{"status", fmt.Sprintf("/rest/v1/executions/%d", id), "execution", false},
		{"legacy status", fmt.Sprintf("/plugins/dashboard/rest/v1/flows/%d?status=error", id), "execution", false},
		{"schedules", "/rest/v1/schedules", "schedule", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, h := range []*harness{doc, ext} {
				var objs []map[string]any
				if tc.list {
					h.with(t).ok("GET", tc.path, nil, &objs)
				} else {
					var one map[string]any
					h.with(t).ok("GET", tc.path, nil, &one)
					objs = append(objs, one)
				}
				if len(objs) == 0 {
					t.Fatal("no objects")
				}
				for _, o := range objs {
					for _, k := range extras[tc.kind] {
						if _, has := o[k]; has != (h == ext) {
							t.Errorf("%s profile: field %q present=%v in %v", h.sb.Profile(), k, has, keysOf(o))
						}
					}
					if tc.kind == "flow" && h == doc && !slices.Equal(keysOf(o), flowFields) {
						t.Errorf("documented flow fields = %v, want %v", keysOf(o), flowFields)
					}
				}
			}
		})
	}
}

func TestProfileAudit(t *testing.T) {
	t.Parallel()
	doc := newHarness(t, Options{Profile: ProfileDocumented})
	ext := newHarness(t, Options{})
	digits := regexp.MustCompile(`^[0-9]{13}$`)
	documented := []string{"an", "cip", "dn", "dt", "hip", "id", "in", "md", "rt", "tn", "ur"}

	t.Run("fields and string dt", func(t *testing.T) {
		for _, h := range []*harness{doc, ext} {
			var plain, withEx []map[string]any
			h.with(t).ok("GET", "/rest/v1/audit", nil, &plain)
			h.with(t).ok("GET", "/plugins/audit/rest/v1/audit?exception=true", nil, &withEx)
			for _, r := range plain {
				dt, ok := r["dt"].(string)
				if !ok || !digits.MatchString(dt) {
					t.Errorf("%s: dt = %#v, want a string of epoch ms", h.sb.Profile(), r["dt"])
				}
				if _, has := r["ex"]; has {
					t.Errorf("%s: ex without exception=true", h.sb.Profile())
				}
				if h == doc && !slices.Equal(keysOf(r), documented) {
					t.Errorf("documented audit fields = %v", keysOf(r))
				}
				if _, has := r["objectType"]; h == ext && !has {
					t.Errorf("extended lost objectType: %v", keysOf(r))
				}
			}
			if _, has := withEx[0]["ex"]; !has {
				t.Errorf("%s: no ex with exception=true", h.sb.Profile())
			}
		}
	})

	t.Run("last 1,000 events", func(t *testing.T) {
		ctx := t.Context()
		base := time.Now().UnixMilli()
		for i := range 1100 {
			if err := insertAudit(ctx, doc.sb.st.db, auditEvent{md: "editFlow", user: "carol", tenant: demoTenant, ok: true,
				hip: "127.0.0.1", cip: "127.0.0.1", dt: base + int64(i)}); err != nil {
				t.Fatal(err)
			}
		}
		var all []auditRecord
		res := doc.ok("GET", "/rest/v1/audit?limit=5&offset=10", nil, &all)
		if len(all) != documentedAuditWindow || res.header.Get("X-Total-Count") != "1000" {
			t.Fatalf("%d events, X-Total-Count %q; want the last 1,000", len(all), res.header.Get("X-Total-Count"))
		}
		if int64(all[0].DT) != base+1099 || int64(all[999].DT) != base+100 {
			t.Errorf("window from %d to %d, want newest first from %d", all[0].DT, all[999].DT, base+1099)
		}
	})
}

func TestProfileRuns(t *testing.T) {
	t.Parallel()
	doc := newHarness(t, Options{Profile: ProfileDocumented})
	ext := newHarness(t, Options{})
	name := url.PathEscape("Load orders from CSV")
	runByName := func(h *harness, legacy bool) (int64, int64) {
		h.t.Helper()
		path := "/rest/v1/flows/flow-name/" + name + "/run?runDate=2026-05-09"
		if legacy {
			path = "/plugins/flows/rest/v1/flows/flow-name/" + name + "/run?runDate=2026-05-09"
		}
		var resp execResponse
		h.ok("POST", path, map[string]string{"fromBody": "yes"}, &resp)
		if resp.AuditID == nil {
			h.t.Fatalf("run by name: %+v", resp)
		}
		return resp.FlowID, *resp.AuditID
	}

	t.Run("run by name reads the query", func(t *testing.T) {
		for _, legacy := range []bool{false, true} {
			flowID, auditID := runByName(doc.with(t), legacy)
			doc.with(t).wait(flowID, auditID)
			log := doc.with(t).logOf(flowID, auditID)
			if !strings.Contains(log, "runDate=2026-05-09") || strings.Contains(log, "fromBody") {
				t.Errorf("documented run variables:\n%s", log)
			}
		}
		flowID, auditID := runByName(ext.with(t), false)
		ext.with(t).wait(flowID, auditID)
		if log := ext.with(t).logOf(flowID, auditID); !strings.Contains(log, "runDate=2026-05-09") || !strings.Contains(log, "fromBody=yes") {
			t.Errorf("extended run variables:\n%s", log)
		}
	})

	t.Run("sync and parallel are ignored", func(t *testing.T) {
		h := doc.with(t)
		id := h.flowID("Load product catalog")
		var first execResponse
		h.ok("POST", fmt.Sprintf("/rest/v1/flows/%d/run?sync=true", id), nil, &first)
		if first.Status != codeStarted || first.AuditID == nil {
			t.Fatalf("sync=true answered %+v, want an async start", first)
		}
		// The second request counts only if the first run was still active after it answered.
		for attempt := 0; ; attempt++ {
			var second execResponse
			h.ok("POST", fmt.Sprintf("/rest/v1/flows/%d/run?parallel=true", id), nil, &second)
			var e execution
			h.ok("GET", fmt.Sprintf("/rest/v1/executions/%d?auditId=%d", id, *first.AuditID), nil, &e)
			if !model.IsTerminal(e.Status) {
				if second.Status != codeNotStarted || second.AuditID != nil {
					t.Errorf("parallel=true started a second instance: %+v", second)
				}
				break
			}
			if attempt == 20 {
				t.Fatal("the first run always ended before the second request; cannot tell whether parallel was ignored")
			}
			if second.AuditID != nil {
				h.wait(id, *second.AuditID)
			}
			h.ok("POST", fmt.Sprintf("/rest/v1/flows/%d/run", id), nil, &first)
		}
		h.wait(id, *first.AuditID)
		if log := h.logOf(id, *first.AuditID); strings.Contains(log, "sync=") || strings.Contains(log, "parallel=") {
			t.Errorf("sync or parallel became a flow variable:\n%s", log)
		}
	})

	t.Run("stop ignores auditId", func(t *testing.T) {
		id := doc.flowID("Export revenue report")
		for _, h := range []*harness{doc, ext} {
			var resp execResponse
			h.with(t).ok("POST", fmt.Sprintf("/rest/v1/flows/%d/stop?auditId=424242", id), nil, &resp)
			named := resp.Exception != nil && strings.Contains(*resp.Exception, "424242")
			if resp.Status != codeNotStarted || named != (h == ext) {
				t.Errorf("%s: stop answered %+v", h.sb.Profile(), resp)
			}
		}
	})

	t.Run("deletes answer an empty body", func(t *testing.T) {
		paths := func(h *harness) []string {
			var scheds []schedule
			h.with(t).ok("GET", "/rest/v1/schedules", nil, &scheds)
			conns, err := h.sb.st.listConnections(t.Context())
			if err != nil || len(conns) == 0 {
				t.Fatalf("connections: %v", err)
			}
			conn := conns[len(conns)-1]
			return []string{fmt.Sprintf("/rest/v1/schedules/%d", scheds[0].ID),
				fmt.Sprintf("/rest/v1/flows/%d", h.flowID("Archive order files to S3")),
				fmt.Sprintf("/rest/v1/connections/%d", conn.ID)}
		}
		for _, path := range paths(doc) {
			res := doc.with(t).ok("DELETE", path, nil, nil)
			if len(res.body) != 0 || res.header.Get("Content-Type") != "" {
				t.Errorf("documented DELETE %s: %q (%s)", path, res.body, res.header.Get("Content-Type"))
			}
		}
		for _, path := range paths(ext) {
			var body map[string]any
			ext.with(t).ok("DELETE", path, nil, &body)
			if len(body) == 0 {
				t.Errorf("extended DELETE %s: empty body", path)
			}
		}
	})

	t.Run("roles", func(t *testing.T) {
		id := doc.flowID("Load orders from CSV")
		checks := []struct{ login, method, path string }{
			{"bob", "GET", "/rest/v1/audit"},
			{"bob", "GET", "/rest/v1/metrics/executions"},
			{"bob", "GET", "/etl/rest/v1/tasks/1/"},
			{"victor", "POST", fmt.Sprintf("/rest/v1/flows/%d/run", id)},
			{"bob", "PUT", fmt.Sprintf("/rest/v1/flows/%d", id)},
		}
		for _, c := range checks {
			for _, h := range []*harness{doc, ext} {
				path, _, _ := strings.Cut(c.path, "?")
				wantError(t, h.with(t).call(c.method, c.path, h.with(t).userKey(c.login), nil), http.StatusForbidden, path)
			}
		}
	})
}
