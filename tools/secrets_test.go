package tools

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/etlworks/etlworks-mcp/client"
)

// TestNoSecretInResultsOrLogs calls every tool, successfully and not, with debug logging on, and
// checks that no credential of the sandbox reaches a result or a log line.
func TestNoSecretInResultsOrLogs(t *testing.T) {
	e := newEnv(t)
	creds := e.sb.Sandbox.Credentials()
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	api, err := client.New(e.sb.URL, client.WithLogin(creds.Login, creds.Password), client.WithLogger(log))
	if err != nil {
		t.Fatal(err)
	}
	srv := server.NewMCPServer("secrets", "test", server.WithRecovery())
	defs := All(Deps{Client: api, Log: log, PollInterval: 20 * time.Millisecond})
	Register(srv, defs)

	calls := []struct {
		tool string
		args map[string]any
	}{
		{"list_flows", map[string]any{}},
		{"get_flow", map[string]any{"flow": "Sync CRM customers"}},
		{"explain_flow", map[string]any{"flow": "Sync CRM customers"}},
		{"run_flow", map[string]any{"flow": "Sync CRM customers", "wait": true}},
		{"get_run", map[string]any{"flow": "Sync CRM customers"}},
		{"list_runs", map[string]any{"flow": "Sync CRM customers"}},
		{"get_run_log", map[string]any{"flow": "Sync CRM customers"}},
		{"get_run_log", map[string]any{"flow": "Sync CRM customers", "errors_only": true}},
		{"stop_flow", map[string]any{"flow": "Sync CRM customers"}},
		{"get_flow", map[string]any{"flow": "no such flow"}},
	}
	var results strings.Builder
	for _, c := range calls {
		var h server.ToolHandlerFunc
		for _, d := range defs {
			if d.Tool.Name == c.tool {
				h = d.Handler
			}
		}
		text, _ := e.call(c.tool, c.args) // through MCP, API-key client
		results.WriteString(text)
		req := callRequest(c.tool, c.args)
		res, err := h(context.Background(), req) // directly, password client with debug logs
		if err != nil {
			t.Fatalf("%s: %v", c.tool, err)
		}
		results.WriteString(resultText(res))
	}
	for name, secret := range map[string]string{
		"API key": creds.APIKey, "password": creds.Password, "CRM password": creds.CRMPassword, "stale CRM password": "crm-demo-2025",
	} {
		if strings.Contains(results.String(), secret) {
			t.Errorf("a tool result carries the %s", name)
		}
		if strings.Contains(logs.String(), secret) {
			t.Errorf("a log line carries the %s", name)
		}
	}
	if !strings.Contains(logs.String(), "etlworks request") {
		t.Fatal("debug logging captured nothing; the check above proved nothing")
	}
}
