package transport

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	mcptransport "github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/etlworks/etlworks-mcp/internal/telemetry"
)

const (
	initBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",` +
		`"capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`
	listBody   = `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`
	notifyBody = `{"jsonrpc":"2.0","method":"notifications/initialized"}`
)

// startHTTP runs ServeHTTP on a free loopback port and returns its base URL and a stop function
// that cancels the context and returns ServeHTTP's result.
func startHTTP(t *testing.T, opts HTTPOptions) (base string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	opts.Addr = "127.0.0.1:0"
	addrs := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- ServeHTTP(ctx, newStub(), opts, func(a net.Addr) { addrs <- a }) }()
	select {
	case a := <-addrs:
		base = "http://" + a.String()
	case err := <-done:
		cancel()
		t.Fatalf("ServeHTTP: %v", err)
	}
	var once sync.Once
	var result error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case result = <-done:
			case <-time.After(10 * time.Second):
				result = errors.New("ServeHTTP did not return within 10s of cancel")
			}
		})
		return result
	}
	t.Cleanup(func() { _ = stop() })
	return base, stop
}

type reply struct {
	status int
	header http.Header
	body   string
}

// send makes one raw request. Headers apply as given; "Host" sets the Host line. A nil body
// sends none; an io.Reader without a length goes chunked.
func send(t *testing.T, method, url string, headers map[string]string, body io.Reader) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json, text/event-stream")
	for k, v := range headers {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// initSession initializes a legacy (2025-11-25) session over raw HTTP and returns its id.
func initSession(t *testing.T, mcpURL string) string {
	t.Helper()
	r := send(t, http.MethodPost, mcpURL, nil, strings.NewReader(initBody))
	id := r.header.Get("Mcp-Session-Id")
	if r.status != http.StatusOK || id == "" {
		t.Fatalf("initialize: %d %q session %q", r.status, r.body, id)
	}
	return id
}

func TestHTTPWithClient(t *testing.T) {
	t.Parallel()
	base, _ := startHTTP(t, HTTPOptions{})
	tests := []struct {
		name        string
		opts        []client.ClientOption
		wantSession bool
	}{
		{"legacy session", []client.ClientOption{client.WithProtocolVersion(mcp.ProtocolVersion20251125)}, true},
		{"negotiated", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			tr, err := mcptransport.NewStreamableHTTP(base + MCPPath)
			if err != nil {
				t.Fatal(err)
			}
			c := client.NewClient(tr, tt.opts...)
			defer c.Close()
			if err := c.Start(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Initialize(ctx, mcp.InitializeRequest{Params: mcp.InitializeParams{
				ClientInfo: mcp.Implementation{Name: "test", Version: "1"}}}); err != nil {
				t.Fatalf("initialize: %v", err)
			}
			if got := c.GetSessionId() != ""; got != tt.wantSession {
				t.Errorf("session id %q (protocol %s), want one: %v", c.GetSessionId(), c.ProtocolVersion(), tt.wantSession)
			}
			tools, err := c.ListTools(ctx, mcp.ListToolsRequest{})
			if err != nil || len(tools.Tools) != 3 {
				t.Fatalf("list: %v, %v", tools, err)
			}
			res, err := c.CallTool(ctx, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"text": "hi"}}})
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			if text := res.Content[0].(mcp.TextContent).Text; text != "hi" {
				t.Errorf("echo = %q", text)
			}
		})
	}
}

func TestHTTPProbes(t *testing.T) {
	t.Parallel()
	base, _ := startHTTP(t, HTTPOptions{})
	mcpURL := base + MCPPath
	session := initSession(t, mcpURL)
	withSession := func(extra map[string]string) map[string]string {
		h := map[string]string{"Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-11-25"}
		for k, v := range extra {
			h[k] = v
		}
		return h
	}
	tests := []struct {
		name     string
		method   string
		path     string
		headers  map[string]string
		body     string
		want     int
		contains string
	}{
		{"foreign origin", "POST", MCPPath, map[string]string{"Origin": "http://evil.example.com"}, initBody, 403, "Origin http://evil.example.com is not allowed"},
		{"null origin", "POST", MCPPath, map[string]string{"Origin": "null"}, initBody, 403, ""},
		{"localhost origin", "POST", MCPPath, map[string]string{"Origin": "http://localhost:6274"}, initBody, 200, `"protocolVersion"`},
		{"ipv6 loopback origin", "POST", MCPPath, map[string]string{"Origin": "http://[::1]:3000"}, initBody, 200, ""},
		{"same origin", "POST", MCPPath, map[string]string{"Origin": base}, initBody, 200, ""},
		{"host rebinding", "POST", MCPPath, map[string]string{"Host": "evil.example.com"}, initBody, 403, ""},
		{"rebinding with matching origin", "POST", MCPPath, map[string]string{"Host": "evil.example.com", "Origin": "http://evil.example.com"}, initBody, 403, ""},
		{"malformed json", "POST", MCPPath, nil, `{"jsonrpc":`, 400, "-32700"},
		{"notification", "POST", MCPPath, withSession(nil), notifyBody, 202, ""},
		{"list on session", "POST", MCPPath, withSession(nil), listBody, 200, `"echo"`},
		{"missing session", "POST", MCPPath, map[string]string{"MCP-Protocol-Version": "2025-11-25"}, listBody, 400, "Mcp-Session-Id"},
		{"initialize with version header", "POST", MCPPath, map[string]string{"MCP-Protocol-Version": "2025-11-25"}, initBody, 200, ""},
		{"unknown session", "POST", MCPPath, withSession(map[string]string{"Mcp-Session-Id": "mcp-session-00000000-0000-4000-8000-000000000000"}), listBody, 404, `"id":2`},
		{"malformed session id", "POST", MCPPath, withSession(map[string]string{"Mcp-Session-Id": "bogus"}), listBody, 404, "no such session"},
		{"GET unknown session", "GET", MCPPath, withSession(map[string]string{"Mcp-Session-Id": "mcp-session-00000000-0000-4000-8000-000000000000"}), "", 404, `"code":-32600`},
		{"DELETE unknown session", "DELETE", MCPPath, withSession(map[string]string{"Mcp-Session-Id": "mcp-session-00000000-0000-4000-8000-000000000000"}), "", 404, "no such session"},
		{"GET without session", "GET", MCPPath, map[string]string{"MCP-Protocol-Version": "2025-11-25"}, "", 400, "Mcp-Session-Id header is required"},
		{"DELETE without session", "DELETE", MCPPath, nil, "", 400, "Mcp-Session-Id header is required"},
		{"bad protocol version header", "POST", MCPPath, withSession(map[string]string{"MCP-Protocol-Version": "1999-01-01"}), listBody, 400, "1999-01-01"},
		{"panicking handler", "POST", MCPPath, withSession(nil), `{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"boom"}}`, 500, "-32603"},
		{"oversized body", "POST", MCPPath, nil, `{"x":"` + strings.Repeat("a", DefaultMaxBodyBytes) + `"}`, 413, "limit"},
		{"healthz", "GET", HealthPath, nil, "", 200, `{"status":"ok"}`},
		{"healthz with foreign origin", "GET", HealthPath, map[string]string{"Origin": "http://evil.example.com"}, "", 200, ""},
		{"unknown path", "GET", "/", nil, "", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			r := send(t, tt.method, base+tt.path, tt.headers, body)
			if r.status != tt.want {
				t.Errorf("status %d, want %d; body %q", r.status, tt.want, r.body)
			}
			if !strings.Contains(r.body, tt.contains) {
				t.Errorf("body %q lacks %q", r.body, tt.contains)
			}
		})
	}
}

func TestHTTPSessionDelete(t *testing.T) {
	t.Parallel()
	base, _ := startHTTP(t, HTTPOptions{})
	mcpURL := base + MCPPath
	session := initSession(t, mcpURL)
	h := map[string]string{"Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-11-25"}
	if r := send(t, http.MethodPost, mcpURL, h, strings.NewReader(listBody)); r.status != http.StatusOK {
		t.Fatalf("list before delete: %d %s", r.status, r.body)
	}
	if r := send(t, http.MethodDelete, mcpURL, h, nil); r.status != http.StatusOK {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if r := send(t, http.MethodPost, mcpURL, h, strings.NewReader(listBody)); r.status != http.StatusNotFound {
		t.Errorf("list after delete: %d %s, want 404", r.status, r.body)
	}
	for _, method := range []string{http.MethodGet, http.MethodDelete} {
		if r := send(t, method, mcpURL, h, nil); r.status != http.StatusNotFound || !strings.Contains(r.body, "no such session") {
			t.Errorf("%s after delete: %d %s, want 404", method, r.status, r.body)
		}
	}
}

// recordingIDs is mcp-go's stateful session manager, remembering the ids it issued.
type recordingIDs struct {
	server.InsecureStatefulSessionIdManager
	mu     sync.Mutex
	issued []string
}

func (r *recordingIDs) Generate() string {
	id := r.InsecureStatefulSessionIdManager.Generate()
	r.mu.Lock()
	r.issued = append(r.issued, id)
	r.mu.Unlock()
	return id
}

func (r *recordingIDs) last() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.issued) == 0 {
		return ""
	}
	return r.issued[len(r.issued)-1]
}

// TestHTTPFailedInitializeOpensNoSession: mcp-go hands out a session even when initialize fails,
// and then serves every method on it, uninitialized. The gate ends that session and withholds
// its id; a tools/call naming it is refused with a JSON-RPC error.
func TestHTTPFailedInitializeOpensNoSession(t *testing.T) {
	t.Parallel()
	ids := &recordingIDs{}
	streamable := server.NewStreamableHTTPServer(newStub(), server.WithSessionIdManager(ids))
	srv := httptest.NewServer(&sessionGate{ids: ids, mcp: streamable, log: discardLogger, next: streamable})
	defer srv.Close()
	for _, body := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":"not an object"}`,
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":7}}`,
	} {
		r := send(t, http.MethodPost, srv.URL, nil, strings.NewReader(body))
		if r.status != http.StatusOK || !strings.Contains(r.body, `"error"`) || r.header.Get("Mcp-Session-Id") != "" {
			t.Errorf("failed initialize %s: %d %q, session %q; want its error and no session", body, r.status, r.body, r.header.Get("Mcp-Session-Id"))
		}
		id := ids.last()
		if terminated, err := ids.Validate(id); err == nil && !terminated {
			t.Errorf("the session %s mcp-go opened for a failed initialize is still open", id)
		}
		r = send(t, http.MethodPost, srv.URL, map[string]string{"Mcp-Session-Id": id, "MCP-Protocol-Version": "2025-11-25"},
			strings.NewReader(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}`))
		if r.status != http.StatusNotFound || !strings.Contains(r.body, `"id":2`) || !strings.Contains(r.body, `"code":-32600`) || strings.Contains(r.body, `"hi"`) {
			t.Errorf("tools/call on the failed initialize's session: %d %s; want a 404 JSON-RPC error", r.status, r.body)
		}
	}
	r := send(t, http.MethodPost, srv.URL, nil, strings.NewReader(initBody))
	if r.status != http.StatusOK || r.header.Get("Mcp-Session-Id") != ids.last() || !strings.Contains(r.body, `"result"`) {
		t.Errorf("a good initialize after failed ones: %d %q session %q", r.status, r.body, r.header.Get("Mcp-Session-Id"))
	}
}

// approve accepts every elicitation, as a user clicking OK would.
type approve struct{}

func (approve) Elicit(context.Context, mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept}}, nil
}

// TestHTTPSessionsAreNotLoggedByID drives a legacy session through an elicitation round trip,
// which mcp-go logs at info with the session id. At info nothing may name the session; at debug
// only its short hash may.
func TestHTTPSessionsAreNotLoggedByID(t *testing.T) {
	t.Parallel()
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
		t.Run(level.String(), func(t *testing.T) {
			t.Parallel()
			var logs syncBuffer
			s := newStub()
			s.AddTool(mcp.NewTool("confirm", mcp.WithDescription("Ask the user.")),
				func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
					res, err := server.ServerFromContext(ctx).RequestElicitation(ctx, mcp.ElicitationRequest{Params: mcp.ElicitationParams{
						Message: "Go ahead?", RequestedSchema: map[string]any{"type": "object", "properties": map[string]any{}}}})
					if err != nil {
						return nil, err
					}
					return mcp.NewToolResultText(string(res.Action)), nil
				})
			srv := httptest.NewServer(NewHTTPHandler(s, HTTPOptions{Log: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: level}))}))
			defer srv.Close()
			tr, err := mcptransport.NewStreamableHTTP(srv.URL + MCPPath)
			if err != nil {
				t.Fatal(err)
			}
			c := client.NewClient(tr, client.WithProtocolVersion(mcp.ProtocolVersion20251125), client.WithElicitationHandler(approve{}))
			defer c.Close()
			ctx := t.Context()
			if err := c.Start(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Initialize(ctx, mcp.InitializeRequest{}); err != nil {
				t.Fatal(err)
			}
			res, err := c.CallTool(ctx, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "confirm"}})
			if err != nil || res.IsError || res.Content[0].(mcp.TextContent).Text != "accept" {
				t.Fatalf("confirm: %+v, %v", res, err)
			}
			id := c.GetSessionId()
			// mcp-go logs the delivered answer after handing it to the tool, so the call can return
			// first: end the client, then wait for every request's handler to finish, before reading.
			_ = c.Close()
			srv.Close()
			out := logs.String()
			if id == "" || strings.Contains(out, id) || strings.Contains(out, id[len("mcp-session-"):]) {
				t.Errorf("the log carries the session id %s:\n%s", id, out)
			}
			hash := `"session":"` + telemetry.SessionHash(id) + `"`
			for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
				if strings.Contains(line, "session") && !strings.Contains(line, `"level":"DEBUG"`) {
					t.Errorf("a line naming a session above debug: %s", line)
				}
			}
			if level == slog.LevelDebug && !strings.Contains(out, "Delivered sampling response") || level == slog.LevelDebug && !strings.Contains(out, hash) {
				t.Errorf("at debug the elicitation answer is not logged with the session's hash %s:\n%s", hash, out)
			}
		})
	}
}

func TestHTTPBodyLimit(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(NewHTTPHandler(newStub(), HTTPOptions{MaxBodyBytes: 64}))
	defer srv.Close()
	tests := []struct {
		name string
		body io.Reader
		want int
	}{
		{"over the limit with length", strings.NewReader(strings.Repeat(" ", 65)), 413},
		{"over the limit chunked", io.MultiReader(strings.NewReader(strings.Repeat(" ", 65))), 413},
		{"at the limit reaches mcp-go", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}` + strings.Repeat(" ", 24)), 404}, // no session: stateful mode refuses
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := send(t, http.MethodPost, srv.URL+MCPPath, nil, tt.body)
			if r.status != tt.want {
				t.Errorf("status %d, want %d; body %q", r.status, tt.want, r.body)
			}
			if tt.want == 413 && (!strings.Contains(r.body, `"code":-32600`) || r.header.Get("Content-Type") != "application/json") {
				t.Errorf("413 body %q (%s) is not a JSON-RPC error", r.body, r.header.Get("Content-Type"))
			}
		})
	}
}

func TestHTTPAllowedOrigins(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(NewHTTPHandler(newStub(), HTTPOptions{AllowedOrigins: []string{"https://App.Example.com"}}))
	defer srv.Close()
	r := send(t, http.MethodPost, srv.URL+MCPPath, map[string]string{"Origin": "https://app.example.com"}, strings.NewReader(initBody))
	if r.status != http.StatusOK || r.header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
		t.Errorf("allowed origin: %d, Allow-Origin %q", r.status, r.header.Get("Access-Control-Allow-Origin"))
	}
	r = send(t, http.MethodOptions, srv.URL+MCPPath, map[string]string{"Origin": "https://app.example.com",
		"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "mcp-protocol-version"}, nil)
	if r.status != http.StatusNoContent || !strings.Contains(r.header.Get("Access-Control-Allow-Headers"), "Mcp-Protocol-Version") {
		t.Errorf("preflight: %d, Allow-Headers %q", r.status, r.header.Get("Access-Control-Allow-Headers"))
	}
	r = send(t, http.MethodPost, srv.URL+MCPPath, map[string]string{"Origin": "https://other.example.com"}, strings.NewReader(initBody))
	if r.status != http.StatusForbidden {
		t.Errorf("other origin: %d, want 403", r.status)
	}
}

func TestOriginPolicy(t *testing.T) {
	t.Parallel()
	p := newOriginPolicy([]string{"https://app.example.com", "http://10.0.0.5:3000/", "not a url"})
	tests := []struct {
		origin, host string
		want         bool
	}{
		{"http://localhost:5173", "127.0.0.1:8931", true},
		{"http://127.0.0.1:1", "127.0.0.1:8931", true},
		{"http://[::1]:3000", "127.0.0.1:8931", true},
		{"https://localhost", "127.0.0.1:8931", true},
		{"https://mcp.example.com", "mcp.example.com", true},
		{"https://mcp.example.com", "MCP.example.com:443", true},
		{"http://mcp.example.com:8080", "mcp.example.com:8080", true},
		{"http://mcp.example.com:8080", "mcp.example.com:9090", false},
		{"https://app.example.com:443", "127.0.0.1:8931", true},
		{"http://app.example.com", "127.0.0.1:8931", false}, // scheme differs from the allowed one
		{"http://10.0.0.5:3000", "127.0.0.1:8931", true},
		{"http://evil.example.com", "127.0.0.1:8931", false},
		{"null", "127.0.0.1:8931", false},
		{"file://", "127.0.0.1:8931", false},
		{"http://localhost.evil.example.com", "127.0.0.1:8931", false},
	}
	for _, tt := range tests {
		if got := p.allows(tt.origin, tt.host); got != tt.want {
			t.Errorf("allows(%q, %q) = %v, want %v", tt.origin, tt.host, got, tt.want)
		}
	}
	if got := p.list(); len(got) != 2 {
		t.Errorf("list = %q", got)
	}
}

func TestHTTPLogging(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	srv := httptest.NewServer(NewHTTPHandler(newStub(), HTTPOptions{Log: testLogger(&logs)}))
	defer srv.Close()
	send(t, http.MethodPost, srv.URL+MCPPath, map[string]string{"Authorization": "Bearer SECRET-TOKEN"}, strings.NewReader(initBody))
	send(t, http.MethodPost, srv.URL+MCPPath, map[string]string{"Origin": "http://evil.example.com"}, strings.NewReader(initBody))
	out := logs.String()
	for _, want := range []string{`"msg":"http request"`, `"status":200`, `"status":403`, `"path":"/mcp"`, `"msg":"refused request from a foreign origin"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "SECRET-TOKEN") {
		t.Errorf("log carries the Authorization header:\n%s", out)
	}
}

func TestServeHTTPGracefulShutdown(t *testing.T) {
	t.Parallel()
	base, stop := startHTTP(t, HTTPOptions{})
	ctx := t.Context()
	// A client holding a GET stream open must not keep the server from stopping.
	tr, err := mcptransport.NewStreamableHTTP(base+MCPPath, mcptransport.WithContinuousListening())
	if err != nil {
		t.Fatal(err)
	}
	c := client.NewClient(tr, client.WithProtocolVersion(mcp.ProtocolVersion20251125))
	defer c.Close()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Initialize(ctx, mcp.InitializeRequest{}); err != nil {
		t.Fatal(err)
	}

	type result struct {
		res *mcp.CallToolResult
		err error
	}
	slow := make(chan result, 1)
	go func() {
		res, err := c.CallTool(ctx, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "sleep", Arguments: map[string]any{"ms": 300}}})
		slow <- result{res, err}
	}()
	time.Sleep(100 * time.Millisecond) // let the call reach the handler

	start := time.Now()
	if err := stop(); err != nil {
		t.Fatalf("ServeHTTP = %v, want nil after a graceful stop", err)
	}
	if elapsed := time.Since(start); elapsed > DefaultShutdownTimeout {
		t.Errorf("stop took %v", elapsed)
	}
	r := <-slow
	if r.err != nil || r.res.IsError || r.res.Content[0].(mcp.TextContent).Text != "slept" {
		t.Errorf("in-flight call was not allowed to finish: %+v, %v", r.res, r.err)
	}
	if _, err := http.Get(base + HealthPath); err == nil {
		t.Error("server still accepts connections after stop")
	}
}

func TestServeHTTPShutdownTimeout(t *testing.T) {
	t.Parallel()
	base, stop := startHTTP(t, HTTPOptions{ShutdownTimeout: 200 * time.Millisecond})
	mcpURL := base + MCPPath
	session := initSession(t, mcpURL)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, mcpURL, strings.NewReader(
			`{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"sleep","arguments":{"ms":30000}}}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Mcp-Session-Id", session)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	err := stop()
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("ServeHTTP = %v, want a shutdown timeout", err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("stop took %v with a 200ms budget", elapsed)
	}
}

func TestServeHTTPListenError(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	called := false
	err = ServeHTTP(t.Context(), newStub(), HTTPOptions{Addr: ln.Addr().String()}, func(net.Addr) { called = true })
	if err == nil || !strings.Contains(err.Error(), "listen on "+ln.Addr().String()) {
		t.Errorf("ServeHTTP = %v, want a listen error", err)
	}
	if called {
		t.Error("ready called although listening failed")
	}
}

func TestHTTPGetStream(t *testing.T) {
	t.Parallel()
	base, _ := startHTTP(t, HTTPOptions{})
	session := initSession(t, base+MCPPath)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+MCPPath, nil)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Mcp-Session-Id", session)
	req.Header.Set("MCP-Protocol-Version", "2025-11-25")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Errorf("GET stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

func TestHTTPContextFunc(t *testing.T) {
	t.Parallel()
	type key struct{}
	s := newStub()
	s.AddTool(mcp.NewTool("tenant", mcp.WithDescription("Report the tenant from the context.")),
		func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			tenant, _ := ctx.Value(key{}).(string)
			return mcp.NewToolResultText(tenant), nil
		})
	srv := httptest.NewServer(NewHTTPHandler(s, HTTPOptions{ContextFunc: func(ctx context.Context, r *http.Request) context.Context {
		return context.WithValue(ctx, key{}, r.Header.Get("X-Tenant"))
	}}))
	defer srv.Close()
	session := initSession(t, srv.URL+MCPPath)
	r := send(t, http.MethodPost, srv.URL+MCPPath,
		map[string]string{"Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-11-25", "X-Tenant": "acme"},
		strings.NewReader(`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"tenant"}}`))
	if r.status != http.StatusOK || !strings.Contains(r.body, `"text":"acme"`) {
		t.Errorf("tenant call: %d %s", r.status, r.body)
	}
}
