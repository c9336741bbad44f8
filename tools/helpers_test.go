package tools

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/internal/hostlist"
	"github.com/etlworks/etlworks-mcp/sandbox"
)

// env is one sandbox, an Etlworks client pointed at it, and an MCP client talking to a server
// that holds every tool, in process but through the real protocol.
type env struct {
	t     testing.TB
	sb    *sandbox.Server
	api   *client.Client
	mcp   *mcpclient.Client
	mu    sync.Mutex
	notes []mcp.JSONRPCNotification
	// uploadDir is the directory upload_file may read local files from.
	uploadDir string
}

// newEnv starts a fast sandbox (runs take well under a second) and connects to it.
func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvWithStep(t, 10*time.Millisecond)
}

// newEnvWithStep is newEnv with runs paced by step (slower runs for progress and cancellation).
func newEnvWithStep(t testing.TB, step time.Duration) *env {
	t.Helper()
	return newEnvWithOptions(t, sandbox.Options{RunStep: step})
}

// newEnvOnProfile is newEnv on the given sandbox profile (documented or extended).
func newEnvOnProfile(t testing.TB, profile string) *env {
	t.Helper()
	return newEnvWithOptions(t, sandbox.Options{RunStep: 10 * time.Millisecond, Profile: profile})
}

// newEnvWithOptions is newEnv on a sandbox started with opts.
func newEnvWithOptions(t testing.TB, opts sandbox.Options) *env {
	t.Helper()
	return newEnvWithClient(t, opts)
}

// newEnvWithClient is newEnvWithOptions with the Etlworks client built with extra options (a
// counting HTTP client, say).
func newEnvWithClient(t testing.TB, opts sandbox.Options, clientOpts ...client.Option) *env {
	t.Helper()
	ctx := t.Context()
	sb, err := sandbox.Start(ctx, "", opts)
	if err != nil {
		t.Fatalf("start sandbox: %v", err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	creds := sb.Sandbox.Credentials()
	api, err := client.New(sb.URL, append([]client.Option{client.WithAPIKey(creds.APIKey)}, clientOpts...)...)
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	srv := server.NewMCPServer("etlworks-mcp-test", "test", server.WithToolCapabilities(false), server.WithRecovery(),
		server.WithOutputSchemaValidation())
	uploadDir := t.TempDir()
	Register(srv, All(Deps{Client: api, PollInterval: 20 * time.Millisecond, UploadDir: uploadDir, WebhookHosts: hostlist.Loopback}))
	c, err := mcpclient.NewInProcessClient(srv)
	if err != nil {
		t.Fatalf("mcp client: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	e := &env{t: t, sb: sb, api: api, mcp: c, uploadDir: uploadDir}
	c.OnNotification(func(n mcp.JSONRPCNotification) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.notes = append(e.notes, n)
	})
	if err := c.Start(ctx); err != nil {
		t.Fatalf("start: %v", err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_LEGACY_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "tools-test", Version: "1"}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatalf("initialize: %v", err)
	}
	return e
}

// call invokes a tool and returns its text and isError flag; a protocol error fails the test. For a
// result with structuredContent, the text is that content's JSON (what code reads); the compact text
// beside it is pinned by the golden files.
func (e *env) call(name string, args map[string]any) (string, bool) {
	e.t.Helper()
	return e.callWithMeta(name, args, nil)
}

func (e *env) callWithMeta(name string, args map[string]any, meta *mcp.Meta) (string, bool) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.t.Context(), 30*time.Second)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	req.Params.Meta = meta
	res, err := e.mcp.CallTool(ctx, req)
	if err != nil {
		e.t.Fatalf("%s(%v): protocol error: %v", name, args, err)
	}
	return resultData(res), res.IsError
}

// ok calls a tool that must succeed and decodes its JSON result into out (when non-nil).
func (e *env) ok(name string, args map[string]any, out any) string {
	e.t.Helper()
	text, isErr := e.call(name, args)
	if isErr {
		e.t.Fatalf("%s(%v) failed: %s", name, args, text)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(text), out); err != nil {
			e.t.Fatalf("%s: result is not the expected JSON: %v\n%s", name, err, text)
		}
	}
	return text
}

// fails calls a tool that must fail and returns its error text.
func (e *env) fails(name string, args map[string]any) string {
	e.t.Helper()
	text, isErr := e.call(name, args)
	if !isErr {
		e.t.Fatalf("%s(%v) succeeded, want an error: %s", name, args, text)
	}
	return text
}

func (e *env) notifications(method string) []mcp.JSONRPCNotification {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []mcp.JSONRPCNotification
	for _, n := range e.notes {
		if n.Method == method {
			out = append(out, n)
		}
	}
	return out
}

func mustContain(t *testing.T, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("result lacks %q:\n%s", w, text)
		}
	}
}

func jsonUnmarshal(text string, out any) error { return json.Unmarshal([]byte(text), out) }

func callRequest(name string, args map[string]any) mcp.CallToolRequest {
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	return req
}

// resultText is everything a client can read in a result: its text and, when it has one, its
// structuredContent as JSON on a line of its own (for checks that nothing leaks).
func resultText(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	if res.StructuredContent != nil {
		j, _ := json.Marshal(res.StructuredContent)
		b.WriteString("\n" + string(j))
	}
	return b.String()
}

// resultData is what code reads in a result: its structuredContent as JSON when it has one (and
// is not an error), else its text.
func resultData(res *mcp.CallToolResult) string {
	if res.StructuredContent != nil && !res.IsError {
		j, err := json.Marshal(res.StructuredContent)
		if err == nil {
			return string(j)
		}
	}
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}
