package tools

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/internal/secrets"
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

// TestResultRendererRedacts: the renderer every tool goes through redacts what a handler returns
// (text, a value encoded as JSON, an error) by shape and by the Redactor's values, so a tool that
// forgets to redact cannot leak.
func TestResultRendererRedacts(t *testing.T) {
	red := secrets.NewRedactor("own-api-key-4011")
	type in struct {
		Mode string `json:"mode"`
	}
	def := newTool(Deps{Redactor: red}, spec[in]{name: "leaky", description: "test", effect: reads,
		handle: func(_ context.Context, i in) (any, error) {
			switch i.Mode {
			case "text":
				return "key own-api-key-4011 and https://u:Pw4021x@h", nil
			case "json":
				return map[string]string{"note": "password=Pw4031x", "k": "own-api-key-4011"}, nil
			}
			return nil, errors.New("failed with token: Pw4041x and own-api-key-4011")
		}})
	for _, mode := range []string{"text", "json", "error"} {
		res, err := def.Handler(context.Background(), callRequest("leaky", map[string]any{"mode": mode}))
		if err != nil {
			t.Fatal(err)
		}
		out := resultText(res)
		for _, leak := range []string{"own-api-key-4011", "Pw4021x", "Pw4031x", "Pw4041x"} {
			if strings.Contains(out, leak) {
				t.Errorf("%s result holds %q: %s", mode, leak, out)
			}
		}
		if !strings.Contains(out, "[REDACTED]") {
			t.Errorf("%s result shows no redaction: %s", mode, out)
		}
	}
}
