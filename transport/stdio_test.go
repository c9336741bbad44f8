package transport

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	mcptransport "github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// The stdio tests do not run in parallel: mcp-go keeps the stdio session in a package variable.

// assertJSONRPCOnly fails unless every line of out is a JSON-RPC 2.0 message.
func assertJSONRPCOnly(t *testing.T, out string) {
	t.Helper()
	if out == "" {
		t.Fatal("no output")
	}
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var m struct {
			JSONRPC string `json:"jsonrpc"`
		}
		if err := json.Unmarshal([]byte(line), &m); err != nil || m.JSONRPC != "2.0" {
			t.Errorf("stdout line %d is not JSON-RPC: %q", i+1, line)
		}
	}
}

// responses indexes the responses in out by id (as JSON text).
func responses(t *testing.T, out string) map[string]json.RawMessage {
	t.Helper()
	got := map[string]json.RawMessage{}
	for line := range strings.SplitSeq(strings.TrimSpace(out), "\n") {
		var m struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
		}
		if json.Unmarshal([]byte(line), &m) == nil && m.Method == "" {
			got[string(m.ID)] = json.RawMessage(line)
		}
	}
	return got
}

func TestServeStdioWithClient(t *testing.T) {
	clientIn, serverOut := io.Pipe() // server -> client
	serverIn, clientOut := io.Pipe() // client -> server
	var stdout, logs syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	done := make(chan error, 1)
	go func() {
		done <- ServeStdio(ctx, newStub(), serverIn, io.MultiWriter(serverOut, &stdout), testLogger(&logs))
		serverOut.Close()
	}()

	c := client.NewClient(mcptransport.NewIO(clientIn, clientOut, nil))
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Initialize(ctx, mcp.InitializeRequest{Params: mcp.InitializeParams{
		ClientInfo: mcp.Implementation{Name: "test", Version: "1"}}}); err != nil {
		t.Fatalf("initialize: %v", err)
	}
	tools, err := c.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if len(tools.Tools) != 3 {
		t.Errorf("got %d tools, want 3", len(tools.Tools))
	}
	res, err := c.CallTool(ctx, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"text": "hi"}}})
	if err != nil {
		t.Fatalf("call: %v", err)
	}
	if text := res.Content[0].(mcp.TextContent).Text; text != "hi" || res.IsError {
		t.Errorf("echo = %q (isError %v)", text, res.IsError)
	}
	res, err = c.CallTool(ctx, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: "boom"}})
	if err == nil && !res.IsError {
		t.Error("boom: want an error")
	}

	c.Close() // closes the server's input: EOF is a normal stop
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ServeStdio = %v, want nil on EOF", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ServeStdio did not return after EOF")
	}
	assertJSONRPCOnly(t, stdout.String())
	if !strings.Contains(logs.String(), `panic recovered`) {
		t.Errorf("mcp-go's error log did not reach slog: %s", logs.String())
	}
}

func TestServeStdioAnswersEverythingReadBeforeEOF(t *testing.T) {
	// A piped session: the input ends while a slow call is running, and the last line has no
	// newline. Plain mcp-go would cancel the one and drop the other.
	in := strings.Join([]string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"pipe","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`this is not json`,
		`{"jsonrpc":"2.0","id":"slow","method":"tools/call","params":{"name":"sleep","arguments":{"ms":300}}}`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"text":"last"}}}`,
	}, "\n")
	var stdout syncBuffer
	start := time.Now()
	err := ServeStdio(context.Background(), newStub(), strings.NewReader(in), &stdout, nil)
	if err != nil {
		t.Fatalf("ServeStdio = %v", err)
	}
	if elapsed := time.Since(start); elapsed < 300*time.Millisecond || elapsed > 5*time.Second {
		t.Errorf("returned after %v; want just after the slow call finished", elapsed)
	}
	out := stdout.String()
	assertJSONRPCOnly(t, out)
	got := responses(t, out)
	for id, want := range map[string]string{`1`: `"protocolVersion"`, `"slow"`: `"slept"`, `3`: `"last"`, `null`: `-32700`} {
		if !strings.Contains(string(got[id]), want) {
			t.Errorf("response %s = %s, want it to contain %s", id, got[id], want)
		}
	}
}

func TestServeStdioStopsOnCancel(t *testing.T) {
	serverIn, clientOut := io.Pipe()
	defer clientOut.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout syncBuffer
	done := make(chan error, 1)
	go func() { done <- ServeStdio(ctx, newStub(), serverIn, &stdout, nil) }()

	_, _ = io.WriteString(clientOut, `{"jsonrpc":"2.0","id":1,"method":"ping"}`+"\n")
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(stdout.String(), `"id":1`) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ServeStdio = %v, want nil on cancel", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("ServeStdio did not return after cancel")
	}
	assertJSONRPCOnly(t, stdout.String())
}

func TestIDKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line      string
		key       string
		isRequest bool
		ok        bool
	}{
		{`{"jsonrpc":"2.0","id":1,"method":"ping"}`, "number:1", true, true},
		{`{"jsonrpc":"2.0","id":1.0,"method":"ping"}`, "number:1", true, true},
		{`{"jsonrpc":"2.0","id":1,"method":"ping"`, "", false, false},
		{`{"jsonrpc":"2.0","id":"1","method":"ping"}`, "string:1", true, true},
		{` {"jsonrpc":"2.0","id":1,"result":{}}`, "number:1", false, true},
		{`{"jsonrpc":"2.0","method":"notifications/initialized"}`, "", false, false},
		{`{"jsonrpc":"2.0","id":null,"error":{"code":-32700}}`, "", false, false},
		{`[{"jsonrpc":"2.0","id":1,"method":"ping"}]`, "", false, false},
		{`garbage`, "", false, false},
	}
	for _, tt := range tests {
		key, isRequest, ok := idKey([]byte(tt.line))
		if key != tt.key || isRequest != tt.isRequest || ok != tt.ok {
			t.Errorf("idKey(%s) = %q, %v, %v; want %q, %v, %v", tt.line, key, isRequest, ok, tt.key, tt.isRequest, tt.ok)
		}
	}
}

// brokenPipe is an output whose reader has gone: every write fails, as stdout does once the
// client closed it.
type brokenPipe struct{}

func (brokenPipe) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestServeStdioStopsWhenOutputCloses(t *testing.T) {
	serverIn, clientOut := io.Pipe()
	defer clientOut.Close() // the input stays open: only the failed write may stop the server
	var logs syncBuffer
	done := make(chan error, 1)
	go func() { done <- ServeStdio(context.Background(), newStub(), serverIn, brokenPipe{}, testLogger(&logs)) }()
	_, _ = io.WriteString(clientOut, `{"jsonrpc":"2.0","id":1,"method":"ping"}`+"\n")
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ServeStdio = %v, want nil when the client closed its end", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ServeStdio kept serving a client it cannot write to")
	}
	if !strings.Contains(logs.String(), "cannot write to the client") {
		t.Errorf("no log line says why the server stopped: %s", logs.String())
	}
}
