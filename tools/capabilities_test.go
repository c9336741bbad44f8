package tools

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"regexp"
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

// missingRoutes are, per optional group a probe can find, the requests a stand-in of an instance
// without the group answers with 404 (in the shape of its answer to any unknown path).
var missingRoutes = map[client.Capability]*regexp.Regexp{
	client.CapConnectorTypes: regexp.MustCompile(`^GET /rest/v1/connection-types$`),
	client.CapOAuth:          regexp.MustCompile(`^(GET /rest/v1/connections/oauth/|POST /rest/v1/connections/\d+/oauth/)`),
	client.CapExplorer:       regexp.MustCompile(`^\w+ /rest/v1/explorer/`),
	client.CapWebhooks:       regexp.MustCompile(`^(GET /rest/v1/webhooks|\w+ /rest/v1/webhooks/)`),
	client.CapListenerList:   regexp.MustCompile(`^GET /rest/v1/listeners`),
	client.CapRecycleBin:     regexp.MustCompile(`^\w+ /rest/v1/recycle-bin`),
	client.CapRunHistory:     regexp.MustCompile(`^GET /rest/v1/(executions|flows/\d+/executions)$`),
	client.CapUsersMe:        regexp.MustCompile(`^GET /rest/v1/users/me$`),
	client.CapAuditDetail:    regexp.MustCompile(`^GET /rest/v1/audit/\d+$`),
	client.CapScheduleGet:    regexp.MustCompile(`^GET /rest/v1/schedules/\d+$`),
	client.CapConnectionTest: regexp.MustCompile(`^POST /rest/v1/connections/\d+/test$`),       // never probed (a POST)
	client.CapFlowSuspend:    regexp.MustCompile(`^POST /rest/v1/flows/\d+/(suspend|resume)$`), // never probed (a POST)
}

// without wraps an Etlworks handler so that the routes of the given groups answer like unknown
// paths do (a 404 with the standard error body naming the path), as on an older instance.
func without(h http.Handler, groups []client.Capability) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := r.Method + " " + r.URL.Path
		for _, g := range groups {
			if missingRoutes[g].MatchString(req) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusNotFound)
				fmt.Fprintf(w, `{"status":404,"error":"Not Found","message":"No endpoint %s %s","path":%q}`, r.Method, r.URL.Path, r.URL.Path)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// capEnv is an MCP server over a sandbox whose instance lacks some groups, with the client
// watching for tools/list_changed.
type capEnv struct {
	api   *client.Client
	mcp   *mcpclient.Client
	mu    sync.Mutex
	notes []string
}

func newCapEnv(t *testing.T, groups []client.Capability) *capEnv {
	t.Helper()
	sb, err := sandbox.New(sandbox.Options{RunStep: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	up := httptest.NewServer(without(sb.Handler(), groups))
	t.Cleanup(up.Close)
	api, err := client.New(up.URL+"/rest", client.WithAPIKey(sb.Credentials().APIKey), client.WithHTTPClient(up.Client()), client.WithRetries(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	hooks := &server.Hooks{}
	srv := server.NewMCPServer("t", "1", server.WithToolCapabilities(true), server.WithHooks(hooks))
	defs := All(Deps{Client: api, UploadDir: t.TempDir()})
	Register(srv, defs)
	WatchCapabilities(hooks, srv, api, defs)
	c, err := mcpclient.NewInProcessClient(srv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	e := &capEnv{api: api, mcp: c}
	c.OnNotification(func(n mcp.JSONRPCNotification) {
		e.mu.Lock()
		e.notes = append(e.notes, n.Method)
		e.mu.Unlock()
	})
	if err := c.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_LEGACY_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "t", Version: "1"}
	if _, err := c.Initialize(t.Context(), init); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *capEnv) listed(t *testing.T) []string {
	t.Helper()
	res, err := e.mcp.ListTools(t.Context(), mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tl := range res.Tools {
		names = append(names, tl.Name)
	}
	return names
}

func (e *capEnv) call(t *testing.T, name string, args map[string]any) (string, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	res, err := e.mcp.CallTool(ctx, callRequest(name, args))
	if err != nil {
		t.Fatalf("%s: protocol error %v", name, err)
	}
	return resultData(res), res.IsError
}

// probedGroups are the groups missingRoutes can remove; each seed drops a different subset.
var probedGroups = []client.Capability{client.CapConnectorTypes, client.CapOAuth, client.CapExplorer, client.CapWebhooks,
	client.CapListenerList, client.CapRecycleBin, client.CapRunHistory, client.CapUsersMe, client.CapAuditDetail, client.CapScheduleGet}

// toolArgs call each tool that needs a probed group in a way that reaches its route.
var toolArgs = map[string]map[string]any{
	"list_connector_types": {},
	"get_oauth_url":        {"connection": "Warehouse", "provider": "google"},
	"list_objects":         {"connection": "Warehouse"},
	"list_webhooks":        {},
	"list_listeners":       {},
	"list_deleted":         {},
}

func TestCapabilitiesDetectedOnRandomSubsets(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0x5eed))
		var gone []client.Capability
		for _, g := range probedGroups {
			if rng.IntN(2) == 0 {
				gone = append(gone, g)
			}
		}
		t.Run(fmt.Sprintf("seed %d without %v", seed, gone), func(t *testing.T) {
			e := newCapEnv(t, gone)
			before := e.listed(t)
			if len(before) != len(All(Deps{Client: e.api})) {
				t.Fatalf("before the probe every tool is offered, got %d", len(before))
			}
			states := e.api.Probe(t.Context())
			for _, g := range probedGroups {
				want := client.CapPresent
				if slices.Contains(gone, g) {
					want = client.CapAbsent
				}
				if states[g] != want {
					t.Errorf("%s: state %s, want %s", g, states[g], want)
				}
			}
			after := e.listed(t)
			for name, need := range toolNeeds {
				listed := slices.Contains(after, name)
				if slices.Contains(gone, need) == listed {
					t.Errorf("%s (needs %s): listed=%v with %v absent", name, need, listed, gone)
				}
			}
			for name, args := range toolArgs {
				text, isErr := e.call(t, name, args)
				if slices.Contains(gone, toolNeeds[name]) {
					if !isErr || !strings.Contains(text, "this server found no REST route for") || !strings.Contains(text, "in the Etlworks UI:") ||
						strings.Contains(text, "check the id") {
						t.Errorf("%s on an instance without %s: %v %s", name, toolNeeds[name], isErr, text)
					}
				} else if strings.Contains(text, "no REST route") {
					t.Errorf("%s says the route is missing on an instance that has it: %s", name, text)
				}
			}
			hidesTools := false
			for _, need := range toolNeeds {
				hidesTools = hidesTools || slices.Contains(gone, need)
			}
			if hidesTools != e.sawListChanged() {
				t.Errorf("notifications/tools/list_changed sent: %v, want %v", e.sawListChanged(), hidesTools)
			}
		})
	}
}

func (e *capEnv) sawListChanged() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Contains(e.notes, string(mcp.MethodNotificationToolsListChanged))
}

func TestCapabilityLearnedOnFirstUse(t *testing.T) {
	e := newCapEnv(t, nil)
	e2 := newCapEnv(t, []client.Capability{client.CapConnectionTest}) // lacks connection tests, which no probe finds
	if !slices.Contains(e2.listed(t), "test_connection") {
		t.Fatal("test_connection must be offered until a call has answered")
	}
	text, isErr := e2.call(t, "test_connection", map[string]any{"connection": "Warehouse"})
	if !isErr || !strings.Contains(text, "no REST route for testing a connection") || !strings.Contains(text, "Explorer, via the compass icon") {
		t.Fatalf("first call: %v %s", isErr, text)
	}
	if slices.Contains(e2.listed(t), "test_connection") {
		t.Fatal("test_connection still listed after the instance showed it lacks the route")
	}
	if text, _ := e2.call(t, "test_connection", map[string]any{"connection": "Warehouse"}); !strings.Contains(text, "no REST route") {
		t.Fatalf("a direct call after the tool left tools/list: %s", text)
	}
	// An object's 404 on a present route is not a missing route.
	text, isErr = e.call(t, "test_connection", map[string]any{"connection": "987654"})
	if !isErr || strings.Contains(text, "no REST route") {
		t.Fatalf("unknown connection id: %v %s", isErr, text)
	}
	if !slices.Contains(e.listed(t), "test_connection") {
		t.Fatal("an object's 404 removed test_connection")
	}
}

// newDocumentedEnv serves every tool against the sandbox's documented profile, probed.
func newDocumentedEnv(t *testing.T) *capEnv {
	t.Helper()
	sb, err := sandbox.Start(t.Context(), "", sandbox.Options{RunStep: 10 * time.Millisecond, Profile: sandbox.ProfileDocumented})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	api, err := client.New(sb.URL, client.WithAPIKey(sb.Sandbox.Credentials().APIKey))
	if err != nil {
		t.Fatal(err)
	}
	hooks := &server.Hooks{}
	srv := server.NewMCPServer("t", "1", server.WithToolCapabilities(true), server.WithHooks(hooks))
	defs := All(Deps{Client: api, UploadDir: t.TempDir(), PollInterval: 20 * time.Millisecond})
	Register(srv, defs)
	WatchCapabilities(hooks, srv, api, defs)
	c, err := mcpclient.NewInProcessClient(srv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	e := &capEnv{api: api, mcp: c}
	if err := c.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_LEGACY_PROTOCOL_VERSION
	if _, err := c.Initialize(t.Context(), init); err != nil {
		t.Fatal(err)
	}
	api.Probe(t.Context())
	return e
}

// TestDocumentedProfileHistory runs the history tools against the sandbox's documented profile:
// no GET /v1/executions, records only in the reporting API, no [I] routes.
func TestDocumentedProfileHistory(t *testing.T) {
	e := newDocumentedEnv(t)
	text, isErr := e.call(t, "list_runs", map[string]any{"flow": "Daily revenue rollup", "since": "7d", "limit": 5})
	if isErr || !strings.Contains(text, "reporting API") || !strings.Contains(text, `"records":`) || strings.Contains(text, `"records":"unknown"`) {
		t.Fatalf("list_runs: %v %s", isErr, text)
	}
	text, isErr = e.call(t, "get_run", map[string]any{"flow": "Daily revenue rollup"})
	if isErr || strings.Contains(text, "unknown") || !strings.Contains(text, `"started":"20`) {
		t.Fatalf("get_run should take started and records from the reporting API: %v %s", isErr, text)
	}
	text, isErr = e.call(t, "run_flow", map[string]any{"flow": "Load orders from CSV", "wait": true})
	if isErr || !strings.Contains(text, `"status":"success"`) || strings.Contains(text, "unknown") || !strings.Contains(text, `"records":`) {
		t.Fatalf("run_flow with wait should take started, duration and records from the reporting API: %v %s", isErr, text)
	}
	listed := e.listed(t)
	for _, name := range []string{"list_connector_types", "list_objects", "run_sql", "list_webhooks", "list_deleted"} {
		if slices.Contains(listed, name) {
			t.Errorf("%s is offered on the documented profile, which lacks its routes", name)
		}
	}
	text, _ = e.call(t, "list_deleted", map[string]any{})
	if !strings.Contains(text, "no REST route for the recycle bin") || !strings.Contains(text, "Recycle Bin icon") {
		t.Errorf("list_deleted on the documented profile: %s", text)
	}
}

// TestGetRunLive: get_run on a running run shows its tasks' records and latency.
func TestGetRunLive(t *testing.T) {
	e := newEnvWithStep(t, 300*time.Millisecond)
	var started runOutcome
	e.ok("run_flow", map[string]any{"flow": "Load orders from CSV"}, &started)
	var got runDetail
	for i := 0; i < 1000 && got.Live == nil; i++ { // until the run has begun a task (bounded, not timed)
		e.ok("get_run", map[string]any{"flow": "Load orders from CSV", "run_id": started.RunID}, &got)
		if got.Status != "queued" && got.Status != "running" {
			break
		}
	}
	if got.Live == nil || len(got.Live.Tasks) == 0 || got.Live.Tasks[0].Type == "" {
		t.Fatalf("no live tasks for a running run: %+v", got)
	}
}

func TestLooksLikeOutage(t *testing.T) {
	for _, tc := range []struct {
		dg   diagnosis
		exc  string
		want bool
	}{
		{diagnosis{Cause: &cause{Category: "connectivity"}}, "", true},
		{diagnosis{Cause: &cause{Category: "SQL"}}, "java.lang.OutOfMemoryError: Java heap space", true},
		{diagnosis{Unavailable: []string{"run log: Etlworks is unavailable or busy (503: x). Retry."}}, "", true},
		{diagnosis{Cause: &cause{Category: "SQL"}}, "ERROR: column amount_usd does not exist", false},
	} {
		if got := looksLikeOutage(&tc.dg, &client.Execution{Exception: tc.exc}); got != tc.want {
			t.Errorf("%+v %q: %v, want %v", tc.dg, tc.exc, got, tc.want)
		}
	}
}

// TestToolNeedsNameRealTools keeps the table honest: every entry is a tool and a known group.
func TestToolNeedsNameRealTools(t *testing.T) {
	names := map[string]bool{}
	for _, d := range All(Deps{}) {
		names[d.Tool.Name] = true
		if d.Needs != toolNeeds[d.Tool.Name] {
			t.Errorf("%s: Needs %q, table %q", d.Tool.Name, d.Needs, toolNeeds[d.Tool.Name])
		}
	}
	for name, need := range toolNeeds {
		if _, ok := client.CapabilityByName(need); !ok || !names[name] {
			t.Errorf("toolNeeds[%s] = %s: unknown tool or group", name, need)
		}
	}
}
