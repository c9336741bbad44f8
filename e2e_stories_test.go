package main

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/sandbox"
	"github.com/etlworks/etlworks-mcp/tools"
)

// TestReadmeStoriesBothProfiles is issue 9's acceptance: the README's stories, over stdio through
// the built binary, against `--sandbox` and `--sandbox --sandbox-profile documented`. The sandbox is
// seeded first in a data directory the test owns, so the test knows the CRM database's password
// (what `etlworks-mcp sandbox` prints), then the binary serves that directory.
func TestReadmeStoriesBothProfiles(t *testing.T) {
	var extendedTools []string
	for _, profile := range []string{sandbox.ProfileExtended, sandbox.ProfileDocumented} {
		t.Run(profile, func(t *testing.T) {
			dir := t.TempDir()
			seeded, err := sandbox.New(sandbox.Options{DataDir: dir, Profile: profile})
			if err != nil {
				t.Fatal(err)
			}
			crmPassword := seeded.Credentials().CRMPassword
			if err := seeded.Close(); err != nil {
				t.Fatal(err)
			}
			server := stdioSession(t, nil, "--sandbox", "--sandbox-data", dir, "--sandbox-profile", profile)
			documented := profile == sandbox.ProfileDocumented
			story := func(name string, fn func(t *testing.T, s *session)) {
				t.Run(name, func(t *testing.T) { fn(t, &session{t: t, c: server.c}) })
			}

			story("list flows", func(t *testing.T, s *session) {
				text := s.ok("list_flows", map[string]any{"limit": 50})
				for _, want := range []string{"Load orders from CSV", "Daily revenue rollup", "Sync CRM customers"} {
					if !strings.Contains(text, want) {
						t.Errorf("list_flows lacks %q: %s", want, text)
					}
				}
			})
			story("run Load orders from CSV", func(t *testing.T, s *session) {
				var run struct {
					Status  string `json:"status"`
					Records any    `json:"records"`
				}
				text := s.okJSON("run_flow", map[string]any{"flow": "Load orders from CSV", "wait": true, "timeout_seconds": 60}, &run)
				if n, _ := run.Records.(float64); run.Status != "success" || n <= 0 {
					t.Fatalf("run_flow (want success and its records): %s", text)
				}
			})
			story("why the rollup failed", func(t *testing.T, s *session) {
				text := s.ok("diagnose_run", map[string]any{"flow": "Daily revenue rollup"})
				if !strings.Contains(text, "amount_usd") || !strings.Contains(strings.ToLower(text), "sql") {
					t.Errorf("diagnose_run names neither the column nor SQL: %s", text)
				}
			})
			story("why the CRM sync failed", func(t *testing.T, s *session) {
				text := s.ok("get_run_log", map[string]any{"flow": "Sync CRM customers", "errors_only": true})
				if !strings.Contains(strings.ToLower(text), "authentication") || !strings.Contains(text, "CRM database") {
					t.Errorf("get_run_log: %s", text)
				}
				text = s.ok("diagnose_run", map[string]any{"flow": "Sync CRM customers"})
				if !strings.Contains(strings.ToLower(text), "credential") {
					t.Errorf("diagnose_run does not name credentials: %s", text)
				}
			})
			story("fix the rollup", func(t *testing.T, s *session) {
				var flow struct {
					Transformations []struct {
						SQL string `json:"sql"`
					} `json:"transformations"`
				}
				s.okJSON("get_flow", map[string]any{"flow": "Daily revenue rollup"}, &flow)
				if len(flow.Transformations) == 0 || !strings.Contains(flow.Transformations[0].SQL, "amount_usd") {
					t.Fatalf("seeded rollup: %+v", flow)
				}
				set := map[string]any{"transformations.0.source.sql": strings.ReplaceAll(flow.Transformations[0].SQL, "amount_usd", "amount")}
				if text := s.ok("update_flow", map[string]any{"flow": "Daily revenue rollup", "set": set}); !strings.Contains(text, "Updated flow") {
					t.Fatalf("update_flow: %s", text)
				}
				var run struct {
					Status string `json:"status"`
				}
				if text := s.okJSON("run_flow", map[string]any{"flow": "Daily revenue rollup", "wait": true, "timeout_seconds": 60}, &run); run.Status != "success" {
					t.Fatalf("rerun after the fix: %s", text)
				}
			})
			story("fix the CRM password", func(t *testing.T, s *session) {
				text := s.ok("update_connection", map[string]any{"connection": "CRM database", "properties": map[string]any{"password": crmPassword}})
				if !strings.Contains(text, `"updated":true`) || strings.Contains(text, crmPassword) {
					t.Fatalf("update_connection: %s", text)
				}
				text, isErr := s.call("test_connection", map[string]any{"connection": "CRM database"}, false)
				switch {
				case documented:
					expectAbsent(t, "test_connection", text, isErr)
				case isErr || !strings.Contains(text, `"ok":true`):
					t.Errorf("test_connection after the fix: %s", text)
				}
				var run struct {
					Status string `json:"status"`
				}
				if text := s.okJSON("run_flow", map[string]any{"flow": "Sync CRM customers", "wait": true, "timeout_seconds": 60}, &run); run.Status != "success" {
					t.Fatalf("rerun after the fix: %s", text)
				}
			})
			story("pause and resume a schedule", func(t *testing.T, s *session) {
				for _, enabled := range []bool{false, true} {
					s.ok("update_schedule", map[string]any{"schedule": "Daily at 02:00", "enabled": enabled})
					var page struct {
						Items []struct {
							Name    string `json:"name"`
							Enabled bool   `json:"enabled"`
						} `json:"items"`
					}
					text := s.okJSON("list_schedules", map[string]any{"flow": "Daily revenue rollup"}, &page)
					i := slices.IndexFunc(page.Items, func(v struct {
						Name    string `json:"name"`
						Enabled bool   `json:"enabled"`
					}) bool {
						return v.Name == "Daily at 02:00"
					})
					if i < 0 || page.Items[i].Enabled != enabled {
						t.Fatalf("after update_schedule enabled=%v, list_schedules shows: %s", enabled, text)
					}
				}
				// Both changes are edits of the whole schedule (PUT /v1/schedules/{id}, audited as
				// editSchedule), as Etlworks documents them, not pauseSchedule or resumeSchedule. The
				// documented audit trail names no object, so there the search is by user and action.
				args := map[string]any{"user": "alice", "action": "editSchedule", "object": "Daily at 02:00"}
				if documented {
					delete(args, "object")
				}
				var page struct {
					Items []struct {
						Action string `json:"action"`
					} `json:"items"`
				}
				text := s.okJSON("search_audit", args, &page)
				if len(page.Items) != 2 {
					t.Errorf("pause and resume are not two editSchedule events: %s", text)
				}
				for _, md := range []string{"pauseSchedule", "resumeSchedule"} {
					if text := s.ok("search_audit", map[string]any{"action": md}); !strings.Contains(text, `"total":0`) {
						t.Errorf("a schedule change went through %s: %s", md, text)
					}
				}
			})
			story("search the audit trail by user", func(t *testing.T, s *session) {
				var page struct {
					Items []struct {
						User string `json:"user"`
					} `json:"items"`
				}
				text := s.okJSON("search_audit", map[string]any{"user": "alice"}, &page)
				if len(page.Items) == 0 {
					t.Fatalf("no audit event by alice: %s", text)
				}
				for _, e := range page.Items {
					if e.User != "alice" {
						t.Fatalf("an event by %q in a search by alice: %s", e.User, text)
					}
				}
				if !strings.Contains(text, "editFlow") {
					t.Errorf("the rollup fix is not in alice's audit trail: %s", text)
				}
			})
			story("run history of the last 7 days", func(t *testing.T, s *session) {
				since := time.Now().Add(-7 * 24 * time.Hour).UTC().Format(time.RFC3339)
				var page struct {
					Items []struct {
						Flow   int64  `json:"flow"`
						Status string `json:"status"`
						Start  string `json:"start"` // to the minute
					} `json:"items"`
				}
				text := s.okJSON("list_runs", map[string]any{"since": since, "limit": 100}, &page)
				flows := map[int64]bool{}
				sinceT, _ := time.Parse(time.RFC3339, since)
				for _, r := range page.Items {
					flows[r.Flow] = true
					if start, err := time.Parse("2006-01-02T15:04Z", r.Start); err != nil || start.Before(sinceT.Truncate(time.Minute)) {
						t.Errorf("a run started %s, before %s: %s", r.Start, since, text)
					}
				}
				if len(flows) < 3 {
					t.Errorf("history of the last 7 days covers %d flows: %s", len(flows), text)
				}
				source := "GET /v1/executions" // the extended profile's run list
				if documented {
					source = "reporting API (GET /v1/metrics/executions"
				}
				if !strings.Contains(text, source) {
					t.Errorf("history should name %q as its source: %s", source, text)
				}
			})

			listed := server.toolNames(t)
			if !documented {
				// The extended profile has every capability: every tool stays.
				if all := len(tools.All(tools.Deps{})); len(listed) != all || server.sawNote("notifications/tools/list_changed") {
					t.Errorf("extended tools/list has %d of %d tools: %v", len(listed), all, listed)
				}
				extendedTools = listed
				return
			}
			story("absent capabilities", func(t *testing.T, s *session) {
				if extendedTools == nil {
					t.Fatal("the extended profile did not list its tools")
				}
				absent := s.absentCapabilities(t)
				for name, args := range map[string]map[string]any{
					"list_deleted": {},
					"run_sql":      {"connection": "Warehouse", "sql": "SELECT 1"},
					"list_objects": {"connection": "Warehouse"},
				} {
					text, isErr := s.call(name, args, false)
					expectAbsent(t, name, text, isErr)
				}
				needs := map[string]client.Capability{}
				for _, d := range tools.All(tools.Deps{}) {
					needs[d.Tool.Name] = d.Needs
				}
				listed = s.toolNames(t)
				var want []string
				for _, name := range extendedTools {
					if absent[needs[name]] {
						continue
					}
					want = append(want, name)
				}
				if !slices.Equal(listed, want) {
					t.Errorf("tools/list on documented:\n got %v\nwant %v (extended less the tools of absent %v)", listed, want, absent)
				}
				for _, gone := range []string{"test_connection", "list_deleted", "run_sql", "list_objects"} {
					if slices.Contains(listed, gone) {
						t.Errorf("%s is still in tools/list", gone)
					}
				}
				if !server.sawNote("notifications/tools/list_changed") {
					t.Error("tools left tools/list and the client was not told (notifications/tools/list_changed)")
				}
			})
		})
	}
}

// expectAbsent checks a call to a tool whose capability the instance lacks: an error that says no
// REST route exists and where the Etlworks UI does it, never a missing object.
func expectAbsent(t *testing.T, tool, text string, isErr bool) {
	t.Helper()
	if !isErr || !strings.Contains(text, "no REST route") || !strings.Contains(text, "in the Etlworks UI") ||
		strings.Contains(strings.ToLower(text), "check the id") {
		t.Errorf("%s on an instance without its route: %s", tool, text)
	}
}

// toolNames returns the sorted names tools/list offers.
func (s *session) toolNames(t *testing.T) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	list, err := s.c.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range list.Tools {
		names = append(names, tool.Name)
	}
	sort.Strings(names)
	return names
}

// absentCapabilities reads etlworks://instance and returns the capabilities it shows absent.
func (s *session) absentCapabilities(t *testing.T) map[client.Capability]bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	res, err := s.c.ReadResource(ctx, mcp.ReadResourceRequest{Params: mcp.ReadResourceParams{URI: "etlworks://instance"}})
	if err != nil || len(res.Contents) == 0 {
		t.Fatalf("etlworks://instance: %v", err)
	}
	text, _ := res.Contents[0].(mcp.TextResourceContents)
	var view struct {
		Capabilities []struct {
			Name  string `json:"name"`
			State string `json:"state"`
		} `json:"capabilities"`
	}
	if err := json.Unmarshal([]byte(text.Text), &view); err != nil {
		t.Fatalf("etlworks://instance: %v\n%s", err, text.Text)
	}
	out := map[client.Capability]bool{}
	for _, c := range view.Capabilities {
		if c.State == client.CapAbsent.String() {
			out[client.Capability(c.Name)] = true
		}
	}
	return out
}

// sawNote reports whether the client received a notification with this method.
func (s *session) sawNote(method string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.ContainsFunc(s.notes, func(n mcp.JSONRPCNotification) bool { return n.Method == method })
}
