package tools

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/internal/hostlist"
	"github.com/etlworks/etlworks-mcp/sandbox"
)

// confirmations counts, across this package's tests, how often a destructive tool asked for
// confirmation and how often a confirmation was honoured (the action then ran). The figures are
// logged by each test that changes them (go test -v -run 'Delete|Restore|Elicit' ./tools).
var confirmations struct{ asked, honoured, declined atomic.Int64 }

func logConfirmations(t *testing.T) {
	t.Helper()
	t.Logf("confirmations so far: asked %d, honoured %d, declined %d",
		confirmations.asked.Load(), confirmations.honoured.Load(), confirmations.declined.Load())
}

// confirmed calls a destructive tool the way a client without elicitation does: the first call
// must return a confirm token and change nothing, the second passes it back and must succeed.
func (e *env) confirmed(name string, args map[string]any, out any) string {
	e.t.Helper()
	var ask struct {
		Status       string `json:"status"`
		Action       string `json:"action"`
		ConfirmToken string `json:"confirm_token"`
		NothingDone  bool   `json:"nothing_done"`
	}
	e.ok(name, args, &ask)
	if ask.Status != "confirmation_required" || ask.ConfirmToken == "" || !ask.NothingDone || ask.Action == "" {
		e.t.Fatalf("%s: first call must ask for confirmation, got %+v", name, ask)
	}
	confirmations.asked.Add(1)
	again := map[string]any{confirmField: ask.ConfirmToken}
	for k, v := range args {
		again[k] = v
	}
	text := e.ok(name, again, out)
	confirmations.honoured.Add(1)
	return text
}

// elicitAnswer is a scripted user: it answers every confirmation question with accept (or not)
// and counts the questions.
type elicitAnswer struct {
	accept   bool
	asked    atomic.Int64
	lastText atomic.Value
}

func (a *elicitAnswer) Elicit(_ context.Context, req mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	a.asked.Add(1)
	a.lastText.Store(req.Params.Message)
	confirmations.asked.Add(1)
	if !a.accept {
		confirmations.declined.Add(1)
		return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionDecline}}, nil
	}
	confirmations.honoured.Add(1)
	return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{
		Action: mcp.ElicitationResponseActionAccept, Content: map[string]any{"confirm": true},
	}}, nil
}

// newElicitingEnv is newEnv with a client that declares elicitation and answers through h.
func newElicitingEnv(t *testing.T, h mcpclient.ElicitationHandler) *env {
	t.Helper()
	ctx := t.Context()
	sb, err := sandbox.Start(ctx, "", sandbox.Options{RunStep: 10 * time.Millisecond})
	if err != nil {
		t.Fatalf("start sandbox: %v", err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	api, err := client.New(sb.URL, client.WithAPIKey(sb.Sandbox.Credentials().APIKey))
	if err != nil {
		t.Fatal(err)
	}
	srv := server.NewMCPServer("etlworks-mcp-test", "test", server.WithToolCapabilities(false), server.WithRecovery())
	Register(srv, All(Deps{Client: api, PollInterval: 20 * time.Millisecond}))
	c, err := mcpclient.NewInProcessClientWithOptions(srv, mcpclient.WithElicitationHandler(h))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_LEGACY_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "tools-test-eliciting", Version: "1"}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}
	return &env{t: t, sb: sb, api: api, mcp: c}
}

// TestNoSecretInAutomationResults runs the schedule, webhook, audit and flow-editing tools over
// values that hold credentials and checks that none reaches a result or a debug log line.
func TestNoSecretInAutomationResults(t *testing.T) {
	e := newEnv(t)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	api, err := client.New(e.sb.URL, client.WithAPIKey(e.sb.Sandbox.Credentials().APIKey), client.WithLogger(log))
	if err != nil {
		t.Fatal(err)
	}
	srv := server.NewMCPServer("secrets", "test", server.WithRecovery())
	Register(srv, All(Deps{Client: api, Log: log, WebhookHosts: hostlist.Loopback}))
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
	if _, err := c.Initialize(t.Context(), init); err != nil {
		t.Fatal(err)
	}
	e.mcp = c // the env now calls through the logging client
	secrets := []string{"hook-pass-9Q", "tok-7Zx81", "hmac-K3y-55", "param-pw-31", "prop-key-77", "param-pw-42"}
	var results strings.Builder
	call := func(name string, args map[string]any) {
		text, _ := e.call(name, args)
		results.WriteString(text)
	}
	call("create_webhook", map[string]any{"name": "S", "url": "http://ops:hook-pass-9Q@127.0.0.1:9/h?token=tok-7Zx81",
		"events": []any{"Flow.Failed"}, "secret": "hmac-K3y-55"})
	call("list_webhooks", map[string]any{})
	var ask map[string]any
	e.ok("delete_webhook", map[string]any{"webhook": "S"}, &ask)
	results.WriteString(fmt.Sprint(ask))
	confirmations.asked.Add(1)
	call("delete_webhook", map[string]any{"webhook": "S", "confirm_token": ask["confirm_token"]})
	confirmations.honoured.Add(1)
	call("create_schedule", map[string]any{"flow": "Export revenue report", "cron": "5m", "name": "P",
		"parameters": map[string]any{"db_password": "param-pw-31"}})
	call("list_schedules", map[string]any{"limit": 100})
	call("update_schedule", map[string]any{"schedule": "P", "parameters": map[string]any{"db_password": "param-pw-42"}, "dry_run": true})
	call("update_schedule", map[string]any{"schedule": "P", "parameters": map[string]any{"db_password": "param-pw-42"}})
	call("update_flow", map[string]any{"flow": "Export revenue report", "set": map[string]any{"properties.api_key": "prop-key-77"}, "dry_run": true})
	call("update_flow", map[string]any{"flow": "Export revenue report", "set": map[string]any{"properties.api_key": "prop-key-77"}})
	call("get_flow", map[string]any{"flow": "Export revenue report"})
	call("search_audit", map[string]any{"limit": 100})
	call("list_deleted", map[string]any{})
	for _, s := range secrets {
		if strings.Contains(results.String(), s) {
			t.Errorf("a result carries %q", s)
		}
		if strings.Contains(logs.String(), s) {
			t.Errorf("a log line carries %q", s)
		}
	}
	if !strings.Contains(logs.String(), "etlworks request") || !strings.Contains(results.String(), "token=[REDACTED]") {
		t.Fatal("the debug log or the results are not what this test expects; it proved nothing")
	}
	if !strings.Contains(results.String(), "set params db_password again by hand") {
		t.Errorf("the schedule undo must name the secret it leaves out:\n%s", results.String())
	}
	logConfirmations(t)
}
