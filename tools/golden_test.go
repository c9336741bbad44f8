package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

// goldenDir holds one file per tool pinning what its calls answer on the demo sandbox tenant.
// Regenerate them all with: UPDATE_GOLDEN=true go test ./tools -run TestGolden
const goldenDir = "testdata/golden"

// goldenCall is one pinned call. A confirmed call is a destructive one: its golden holds the
// confirmation-required answer and then the result of the same call with its confirm_token.
type goldenCall struct {
	tool      string
	args      map[string]any
	confirmed bool
}

// goldenCalls run in this order on one sandbox: later calls read what earlier ones made (the copies
// "Golden copy" and "Golden rollup" keep the pinned runs, schedules and audit events clear of the
// seeded history, which depends on the time of day).
var goldenCalls = []goldenCall{
	{tool: "list_flows", args: map[string]any{"limit": 3}},
	{tool: "list_flows", args: map[string]any{"query": "revenue"}},
	{tool: "get_flow", args: map[string]any{"flow": "Load orders from CSV"}},
	{tool: "get_flow", args: map[string]any{"flow": "Load orders from CSV", "paths": true}},
	{tool: "explain_flow", args: map[string]any{"flow": "Load orders from CSV"}},
	{tool: "create_flow", args: map[string]any{"name": "Golden copy", "copy_from": "Load orders from CSV", "dry_run": true}},
	{tool: "create_flow", args: map[string]any{"name": "Golden copy", "copy_from": "Load orders from CSV"}},
	{tool: "create_flow", args: map[string]any{"name": "Golden rollup", "copy_from": "Daily revenue rollup"}},
	{tool: "update_flow", args: map[string]any{"flow": "Golden copy", "set": map[string]any{"description": "Pinned by the golden files"}, "dry_run": true}},
	{tool: "update_flow", args: map[string]any{"flow": "Golden copy", "set": map[string]any{"description": "Pinned by the golden files"}}},
	{tool: "run_flow", args: map[string]any{"flow": "Golden copy", "wait": true}},
	{tool: "run_flow", args: map[string]any{"flow": "Golden rollup", "wait": true}},
	{tool: "stop_flow", args: map[string]any{"flow": "Golden copy"}},
	{tool: "list_runs", args: map[string]any{"flow": "Golden copy"}},
	{tool: "list_runs", args: map[string]any{"flow": "Golden rollup", "group_by": "flow"}},
	{tool: "get_run", args: map[string]any{"flow": "Golden copy"}},
	{tool: "get_run_log", args: map[string]any{"flow": "Golden rollup", "level": "error"}},
	{tool: "diagnose_run", args: map[string]any{"flow": "Golden rollup"}},
	{tool: "list_schedules", args: map[string]any{"flow": "Load orders from CSV"}},
	{tool: "create_schedule", args: map[string]any{"flow": "Golden copy", "cron": "0 0 5 * * ?", "name": "Golden schedule", "dry_run": true}},
	{tool: "create_schedule", args: map[string]any{"flow": "Golden copy", "cron": "0 0 5 * * ?", "name": "Golden schedule"}},
	{tool: "update_schedule", args: map[string]any{"schedule": "Golden schedule", "enabled": false, "dry_run": true}},
	{tool: "update_schedule", args: map[string]any{"schedule": "Golden schedule", "enabled": false}},
	{tool: "delete_schedule", args: map[string]any{"schedule": "Golden schedule"}, confirmed: true},
	{tool: "list_webhooks", args: map[string]any{}},
	{tool: "create_webhook", args: map[string]any{"name": "Golden hook", "url": "http://127.0.0.1:9/hook", "events": []any{"Flow.Executed"}, "dry_run": true}},
	{tool: "create_webhook", args: map[string]any{"name": "Golden hook", "url": "http://127.0.0.1:9/hook", "events": []any{"Flow.Executed"}}},
	{tool: "delete_webhook", args: map[string]any{"webhook": "Golden hook"}, confirmed: true},
	{tool: "list_listeners", args: map[string]any{}},
	{tool: "delete_flow", args: map[string]any{"flow": "Golden rollup"}, confirmed: true},
	{tool: "search_audit", args: map[string]any{"object": "Golden copy"}},
	{tool: "list_deleted", args: map[string]any{"query": "Golden"}},
	{tool: "restore_deleted", args: map[string]any{"item": "Golden rollup"}},
	{tool: "list_connections", args: map[string]any{}},
	{tool: "get_connection", args: map[string]any{"connection": "Warehouse"}},
	{tool: "test_connection", args: map[string]any{"connection": "Warehouse"}},
	{tool: "list_connector_types", args: map[string]any{"query": "postgres"}},
	{tool: "create_connection", args: map[string]any{"name": "Golden API", "type": "connection.http", "dry_run": true,
		"properties": map[string]any{"url": "https://api.example.com", "password": "golden-secret-1"}}},
	{tool: "create_connection", args: map[string]any{"name": "Golden API", "type": "connection.http",
		"properties": map[string]any{"url": "https://api.example.com", "password": "golden-secret-1"}}},
	{tool: "update_connection", args: map[string]any{"connection": "Golden API", "properties": map[string]any{"url": "https://api2.example.com"}, "dry_run": true}},
	{tool: "update_connection", args: map[string]any{"connection": "Golden API", "properties": map[string]any{"url": "https://api2.example.com"}}},
	{tool: "delete_connection", args: map[string]any{"connection": "Golden API"}, confirmed: true},
	{tool: "get_oauth_url", args: map[string]any{"connection": "Shopify API", "provider": "google"}},
	{tool: "list_objects", args: map[string]any{"connection": "Warehouse"}},
	{tool: "describe_object", args: map[string]any{"connection": "Warehouse", "object": "orders"}},
	{tool: "preview_data", args: map[string]any{"connection": "Warehouse", "object": "products", "limit": 3}},
	{tool: "run_sql", args: map[string]any{"connection": "Warehouse", "sql": "SELECT COUNT(*) AS n FROM products"}},
	{tool: "upload_file", args: map[string]any{"connection": "Staging files", "name": "golden.csv", "content": "id,note\n1,pinned\n"}},
}

// TestGolden pins every tool's output through the MCP protocol: each golden file holds, per call,
// the content items (text, resource links) and the structuredContent, with volatile values
// normalised. A tool without a golden call fails the test, and so does a golden file left over.
func TestGolden(t *testing.T) {
	e := newEnv(t)
	update := os.Getenv("UPDATE_GOLDEN") == "true"
	n := newNormaliser(e)
	got := map[string]*strings.Builder{}
	for _, c := range goldenCalls {
		b := got[c.tool]
		if b == nil {
			b = &strings.Builder{}
			got[c.tool] = b
		}
		res := e.raw(c.tool, c.args)
		writeGolden(b, c.tool, c.args, res, n)
		if c.confirmed {
			var ask struct {
				Token string `json:"confirm_token"`
			}
			if err := json.Unmarshal([]byte(resultText(res)), &ask); err != nil || ask.Token == "" {
				t.Fatalf("%s: no confirmation asked: %s", c.tool, resultText(res))
			}
			args := withArg(c.args, confirmField, ask.Token)
			writeGolden(b, c.tool, args, e.raw(c.tool, args), n)
		}
	}
	for _, d := range All(Deps{}) {
		if got[d.Tool.Name] == nil {
			t.Errorf("tool %s has no golden call: add one to goldenCalls", d.Tool.Name)
		}
	}
	for tool, b := range got {
		path := filepath.Join(goldenDir, tool+".golden")
		if update {
			if err := os.MkdirAll(goldenDir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v; run UPDATE_GOLDEN=true go test ./tools -run TestGolden", tool, err)
			continue
		}
		if string(want) != b.String() {
			t.Errorf("%s: output differs from %s; if intended, run UPDATE_GOLDEN=true go test ./tools -run TestGolden\n%s",
				tool, path, firstDifference(string(want), b.String()))
		}
	}
	files, _ := filepath.Glob(filepath.Join(goldenDir, "*.golden"))
	for _, f := range files {
		if got[strings.TrimSuffix(filepath.Base(f), ".golden")] == nil {
			t.Errorf("%s pins no tool: remove it", f)
		}
	}
}

// raw calls a tool through the protocol and returns the whole result; a protocol error fails.
func (e *env) raw(name string, args map[string]any) *mcp.CallToolResult {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.t.Context(), 30*time.Second)
	defer cancel()
	res, err := e.mcp.CallTool(ctx, callRequest(name, args))
	if err != nil {
		e.t.Fatalf("%s(%v): protocol error: %v", name, args, err)
	}
	return res
}

// writeGolden appends one call and its result to a golden file's text.
func writeGolden(b *strings.Builder, tool string, args map[string]any, res *mcp.CallToolResult, n *normaliser) {
	a, _ := json.Marshal(args)
	fmt.Fprintf(b, "### %s %s\n", tool, n.apply(string(a)))
	if res.IsError {
		b.WriteString("isError: true\n")
	}
	for _, c := range res.Content {
		switch v := c.(type) {
		case mcp.TextContent:
			fmt.Fprintf(b, "--- text\n%s\n", n.apply(v.Text))
		case mcp.ResourceLink:
			fmt.Fprintf(b, "--- resource_link\n%s %s\n", n.apply(v.URI), n.apply(v.Name))
		default:
			fmt.Fprintf(b, "--- %T\n", c)
		}
	}
	if res.StructuredContent != nil {
		var s strings.Builder
		enc := json.NewEncoder(&s)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		_ = enc.Encode(res.StructuredContent)
		fmt.Fprintf(b, "--- structuredContent\n%s", n.apply(s.String()))
	}
	b.WriteString("\n")
}

// firstDifference shows the first line where two golden texts differ.
func firstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\nwant: %s\ngot:  %s", i+1, wl, gl)
		}
	}
	return "(same lines, different bytes)"
}
