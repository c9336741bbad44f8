package tools

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/sandbox"
)

// upstream is a sandbox behind a middleware that makes it look like a real Etlworks: list routes
// ignore every filter (only paging and the documented exception flag reach them), and the routes
// in absent answer 404 as an unknown path does. It records the requests it saw.
type upstream struct {
	absent map[string]bool // "METHOD /rest/path" with {id} for any number
	mu     sync.Mutex
	seen   []string
}

var listPaths = []string{"/rest/v1/flows", "/rest/v1/connections", "/rest/v1/schedules", "/rest/v1/audit", "/rest/v1/listeners", "/rest/v1/recycle-bin"}

func (u *upstream) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		route := r.Method + " " + idPattern(r.URL.Path)
		u.mu.Lock()
		u.seen = append(u.seen, route)
		u.mu.Unlock()
		if u.absent[route] {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"status":404,"error":"Not Found","message":"No static resource %s.","path":%q}`, r.URL.Path, r.URL.Path)
			return
		}
		if r.Method == http.MethodGet && slices.Contains(listPaths, r.URL.Path) {
			q := r.URL.Query()
			for k := range q {
				if k != "limit" && k != "offset" && k != "exception" && k != "Authorization" {
					q.Del(k)
				}
			}
			r.URL.RawQuery = q.Encode()
		}
		next.ServeHTTP(w, r)
	})
}

// idPattern replaces numeric path segments with {id}.
func idPattern(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if s != "" && strings.Trim(s, "0123456789") == "" {
			parts[i] = "{id}"
		}
	}
	return strings.Join(parts, "/")
}

func (u *upstream) requests() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return slices.Clone(u.seen)
}

// newUpstreamEnv is newEnv against a sandbox behind u.
func newUpstreamEnv(t *testing.T, u *upstream) *env {
	t.Helper()
	sb, err := sandbox.New(sandbox.Options{RunStep: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	ts := httptest.NewServer(u.wrap(sb.Handler()))
	t.Cleanup(ts.Close)
	api, err := client.New(ts.URL+"/rest", client.WithAPIKey(sb.Credentials().APIKey))
	if err != nil {
		t.Fatal(err)
	}
	srv := server.NewMCPServer("etlworks-mcp-test", "test", server.WithToolCapabilities(false), server.WithRecovery())
	Register(srv, All(Deps{Client: api, PollInterval: 20 * time.Millisecond, UploadDir: t.TempDir()}))
	c, err := mcpclient.NewInProcessClient(srv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_LEGACY_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "tools-test", Version: "1"}
	if _, err := c.Initialize(t.Context(), init); err != nil {
		t.Fatal(err)
	}
	return &env{t: t, api: api, mcp: c}
}

type filteredPage[T any] struct {
	Total    *int   `json:"total"`
	Items    []T    `json:"items"`
	Searched string `json:"searched"`
}

// TestListsFilterWhenTheServerIgnoresFilters: no list or search returns a row that fails its
// filters, whatever the server did with them.
func TestListsFilterWhenTheServerIgnoresFilters(t *testing.T) {
	for _, absent := range []bool{false, true} {
		t.Run(fmt.Sprintf("connection list absent=%v", absent), func(t *testing.T) {
			u := &upstream{absent: map[string]bool{}}
			if absent {
				u.absent["GET /rest/v1/connections"] = true
			}
			e := newUpstreamEnv(t, u)

			var flows filteredPage[flowRow]
			for _, args := range []map[string]any{{"query": "orders"}, {"query": "CSV", "tag": "daily"}, {"type": "file-to-database"}, {"query": "nope-nothing"}} {
				e.ok("list_flows", args, &flows)
				for _, f := range flows.Items {
					q, _ := args["query"].(string)
					tag, _ := args["tag"].(string)
					typ, _ := args["type"].(string)
					if !hasFold(f.Name, q) || (tag != "" && !slices.Contains(f.Tags, tag)) || (typ != "" && f.Type != typ) {
						t.Errorf("list_flows %v returned %+v", args, f)
					}
				}
				if q, _ := args["query"].(string); q == "orders" && len(flows.Items) == 0 {
					t.Errorf("list_flows %v found nothing", args)
				}
			}

			var conns filteredPage[connRow]
			for _, args := range []map[string]any{{"query": "ware"}, {"type": "connection.db.sqlite"}, {}} {
				e.ok("list_connections", args, &conns)
				q, _ := args["query"].(string)
				typ, _ := args["type"].(string)
				for _, c := range conns.Items {
					if !hasFold(c.Name, q) || (typ != "" && c.Type != typ) {
						t.Errorf("list_connections %v returned %+v", args, c)
					}
				}
				if len(conns.Items) == 0 {
					t.Errorf("list_connections %v found nothing", args)
				}
				if absent != strings.Contains(conns.Searched, "no connection list route") {
					t.Errorf("list_connections %v, list absent=%v, says %q", args, absent, conns.Searched)
				}
			}
			var got struct {
				Name string `json:"name"`
			}
			e.ok("get_connection", map[string]any{"connection": "warehouse"}, &got)
			if got.Name != "Warehouse" {
				t.Errorf("connection resolved by name: %+v", got)
			}
			mustContain(t, e.fails("get_connection", map[string]any{"connection": "Warehose"}), `connection "Warehose" not found; closest: "Warehouse"`)

			var scheds filteredPage[schedView]
			no := false
			for _, args := range []map[string]any{{"enabled": no}, {"flow": "Daily revenue rollup"}, {"name": "daily", "enabled": true}} {
				e.ok("list_schedules", args, &scheds)
				if len(scheds.Items) == 0 {
					t.Errorf("list_schedules %v found nothing", args)
				}
				for _, s := range scheds.Items {
					en, hasEn := args["enabled"].(bool)
					name, _ := args["name"].(string)
					if (hasEn && s.Enabled != en) || !hasFold(s.Name, name) || (args["flow"] != nil && s.Flow != "" && s.Flow != args["flow"]) {
						t.Errorf("list_schedules %v returned %+v", args, s)
					}
				}
			}

			var listeners filteredPage[listenerView]
			e.ok("list_listeners", map[string]any{"flow": "Import Shopify orders"}, &listeners)
			if len(listeners.Items) != 1 || listeners.Items[0].Name != "Shopify order webhook" {
				t.Errorf("list_listeners by flow: %+v", listeners.Items)
			}
			if _, _, err := e.api.Schedules.Delete(t.Context(), scheds.Items[0].ID); err != nil {
				t.Fatal(err)
			}
			var bin filteredPage[binRow]
			for _, typ := range []string{"schedule", "flow"} {
				e.ok("list_deleted", map[string]any{"type": typ}, &bin)
				for _, b := range bin.Items {
					if b.Type != typ {
						t.Errorf("list_deleted type=%s returned %+v", typ, b)
					}
				}
				if typ == "schedule" && len(bin.Items) == 0 {
					t.Error("list_deleted type=schedule found nothing")
				}
			}

			var audit filteredPage[auditEventRow]
			for _, args := range []map[string]any{{"action": "runFlow", "since": "30d"}, {"result": "error", "since": "30d"}, {"user": "alice", "object": "flow", "since": "30d"}} {
				e.ok("search_audit", args, &audit)
				if !strings.Contains(audit.Searched, "audit events") {
					t.Errorf("search_audit says no window: %q", audit.Searched)
				}
				for _, a := range audit.Items {
					if (args["action"] != nil && a.Action != args["action"]) || (args["result"] != nil && a.Result != args["result"]) ||
						(args["user"] != nil && !strings.EqualFold(a.User, args["user"].(string))) ||
						(args["object"] != nil && !strings.HasPrefix(a.Object, "flow")) {
						t.Errorf("search_audit %v returned %+v", args, a)
					}
				}
			}
		})
	}
}

// TestSchedulesOnDocumentedRoutes: pause, resume, reschedule and parameter changes are PUTs of
// the whole schedule, never the undocumented /pause, /resume or /reschedule; without a preview
// route the fire times are computed here and labelled so.
func TestSchedulesOnDocumentedRoutes(t *testing.T) {
	u := &upstream{absent: map[string]bool{
		"POST /rest/v1/schedules/{id}/pause": true, "POST /rest/v1/schedules/{id}/resume": true,
		"POST /rest/v1/schedules/{id}/reschedule": true, "POST /rest/v1/schedules/preview": true,
		"GET /rest/v1/schedules/{id}": true,
	}}
	e := newUpstreamEnv(t, u)
	name := "Daily at 01:40"
	var upd struct {
		Updated schedView `json:"updated"`
	}
	e.ok("update_schedule", map[string]any{"schedule": name, "enabled": false}, &upd)
	if upd.Updated.Enabled {
		t.Fatalf("pause: %+v", upd.Updated)
	}
	e.ok("update_schedule", map[string]any{"schedule": upd.Updated.ID, "enabled": true, "cron": "2h", "parameters": map[string]any{"region": "eu"}}, &upd)
	if !upd.Updated.Enabled || upd.Updated.Cron != "0 0 */2 * * ?" || upd.Updated.When != "every 2 hours" || upd.Updated.Params["region"] != "eu" {
		t.Fatalf("resume + reschedule + parameters: %+v", upd.Updated)
	}
	var dry struct {
		NextRuns []string `json:"next_runs"`
		Note     string   `json:"next_runs_note"`
	}
	e.ok("update_schedule", map[string]any{"schedule": name, "cron": "0 0 9 ? * MON", "dry_run": true}, &dry)
	if len(dry.NextRuns) != 3 || !strings.Contains(dry.Note, "computed here") {
		t.Fatalf("dry run without a preview route: %+v", dry)
	}
	for _, r := range dry.NextRuns {
		at, err := time.Parse(time.RFC3339, r)
		if err != nil || at.Weekday() != time.Monday || at.Hour() != 9 {
			t.Errorf("computed fire time %s is not a Monday at 09:00 UTC", r)
		}
	}
	mustContain(t, e.fails("update_schedule", map[string]any{"schedule": name, "cron": "90m"}),
		"no Quartz cron fires exactly every 90 minutes", `"0 0 */2 * * ?" (every 2 hours)`)
	var made struct {
		Created schedView `json:"created"`
	}
	e.ok("create_schedule", map[string]any{"flow": "Export revenue report", "cron": "30m", "name": "Half hourly"}, &made)
	if made.Created.Cron != "0 */30 * * * ?" || made.Created.When != "every 30 minutes" {
		t.Fatalf("an interval is created as its cron: %+v", made.Created)
	}
	var puts int
	for _, r := range u.requests() {
		if strings.HasSuffix(r, "/pause") || strings.HasSuffix(r, "/resume") || strings.HasSuffix(r, "/reschedule") || r == "GET /rest/v1/schedules/{id}" {
			t.Errorf("undocumented schedule route called: %s", r)
		}
		if r == "PUT /rest/v1/schedules/{id}" {
			puts++
		}
	}
	if puts != 2 {
		t.Errorf("want one PUT per update, got %d: %v", puts, u.requests())
	}
}

// hasFold is the test's own substring check, independent of the code under test.
func hasFold(s, part string) bool { return strings.Contains(strings.ToLower(s), strings.ToLower(part)) }
