package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// binary is the etlworks-mcp executable built once for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "etlworks-mcp-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "etlworks-mcp")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build etlworks-mcp: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// session is an MCP client connected to the binary, recording the notifications it receives.
type session struct {
	t     *testing.T
	c     *mcpclient.Client
	mu    sync.Mutex
	notes []mcp.JSONRPCNotification
}

func connectSession(t *testing.T, c *mcpclient.Client) *session {
	t.Helper()
	s := &session{t: t, c: c}
	c.OnNotification(func(n mcp.JSONRPCNotification) {
		s.mu.Lock()
		s.notes = append(s.notes, n)
		s.mu.Unlock()
	})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatalf("start: %v", err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_LEGACY_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "e2e", Version: "1"}
	res, err := c.Initialize(ctx, init)
	if err != nil {
		t.Fatalf("initialize: %v", err)
	}
	if res.ServerInfo.Name != "etlworks-mcp" {
		t.Fatalf("server name %q", res.ServerInfo.Name)
	}
	return s
}

func (s *session) call(name string, args map[string]any, progress bool) (string, bool) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.t.Context(), 60*time.Second)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	if progress {
		req.Params.Meta = &mcp.Meta{ProgressToken: "e2e-" + name}
	}
	res, err := s.c.CallTool(ctx, req)
	if err != nil {
		s.t.Fatalf("%s: %v", name, err)
	}
	if data, ok := structuredJSON(res); ok { // what code reads; tools/testdata/golden pins the text beside it
		return data, false
	}
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String(), res.IsError
}

func (s *session) progressCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, note := range s.notes {
		if note.Method == "notifications/progress" {
			n++
		}
	}
	return n
}

// demoScenario is what the issue promises a third-party client can do on a fresh clone.
func demoScenario(t *testing.T, s *session) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	list, err := s.c.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, tool := range list.Tools {
		names[tool.Name] = true
	}
	for _, want := range []string{"list_flows", "get_flow", "explain_flow", "run_flow", "stop_flow", "list_runs", "get_run", "get_run_log"} {
		if !names[want] {
			t.Errorf("tools/list lacks %s", want)
		}
	}

	text, isErr := s.call("list_flows", map[string]any{}, false)
	if isErr || !strings.Contains(text, "Load orders from CSV") {
		t.Fatalf("list_flows: %s", text)
	}
	text, isErr = s.call("run_flow", map[string]any{"flow": "Load orders from CSV", "wait": true, "timeout_seconds": 60}, true)
	if isErr || !strings.Contains(text, `"status":"success"`) || regexp.MustCompile(`"records":0[,}]`).MatchString(text) {
		t.Fatalf("run_flow Load orders: %s", text)
	}
	if s.progressCount() == 0 {
		t.Error("no progress notification reached the client")
	}
	text, isErr = s.call("run_flow", map[string]any{"flow": "Daily revenue rollup", "wait": true}, false)
	if isErr || !strings.Contains(text, `"status":"error"`) || !strings.Contains(text, "amount_usd") {
		t.Fatalf("run_flow Daily revenue rollup: %s", text)
	}
	text, isErr = s.call("get_run_log", map[string]any{"flow": "Sync CRM customers", "errors_only": true}, false)
	if isErr || !strings.Contains(strings.ToLower(text), "authentication") || !strings.Contains(text, "CRM database") {
		t.Fatalf("get_run_log Sync CRM customers: %s", text)
	}
	text, isErr = s.call("get_flow", map[string]any{"flow": "Load ordres"}, false)
	if !isErr || !strings.Contains(text, "Load orders from CSV") {
		t.Fatalf("unknown flow should fail with a suggestion: %s", text)
	}
	text, isErr = s.call("list_runs", map[string]any{"limit": "x"}, false)
	if !isErr || !strings.Contains(text, `"limit"`) {
		t.Fatalf("bad argument type should fail naming the field: %s", text)
	}
}

// stdioSession starts the binary with args and env (plus a clean HOME) as an MCP client would,
// and connects to it over stdio; the process ends with the test.
func stdioSession(t *testing.T, env []string, args ...string) *session {
	t.Helper()
	c, err := mcpclient.NewStdioMCPClientWithOptions(binary, append([]string{"HOME=" + t.TempDir()}, env...), args,
		transport.WithCommandStderrWriter(&lockedWriter{w: io.Discard}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return connectSession(t, c)
}

func TestStdioEndToEnd(t *testing.T) {
	t.Parallel()
	demoScenario(t, stdioSession(t, nil, "--sandbox"))
}

func TestHTTPEndToEnd(t *testing.T) {
	t.Parallel()
	cmd := newCommand(t, "--sandbox", "--http", "127.0.0.1:0")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	url := waitForLine(t, stderr, regexp.MustCompile(`http://127\.0\.0\.1:\d+/mcp`))
	c, err := mcpclient.NewStreamableHttpClient(url)
	if err != nil {
		t.Fatal(err)
	}
	demoScenario(t, connectSession(t, c))
	c.Close()

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("after SIGTERM the server exited with %v, want 0", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server did not shut down within 10s of SIGTERM")
	}
}

// TestStdoutCarriesOnlyJSONRPC drives the binary with raw JSON lines (including one that is not
// JSON) and checks every line it writes to stdout is a JSON-RPC message.
func TestStdoutCarriesOnlyJSONRPC(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(binary, "--sandbox", "--log-level", "debug")
	cmd.Env = []string{"HOME=" + t.TempDir()}
	var stdout, stderr lockedBuffer // read while the process writes
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`this is not json`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"list_flows","arguments":{"limit":2}}}`,
		`{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"get_run_log","arguments":{"flow":"Daily revenue rollup"}}}`,
	}
	for _, l := range lines {
		io.WriteString(in, l+"\n")
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) && strings.Count(stdout.String(), "\n") < 5 {
		time.Sleep(50 * time.Millisecond)
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after EOF: %v\nstderr: %s", err, stderr.String())
	}
	out := strings.TrimSpace(stdout.String())
	if out == "" {
		t.Fatal("no output")
	}
	for _, l := range strings.Split(out, "\n") {
		var msg map[string]any
		if err := json.Unmarshal([]byte(l), &msg); err != nil || msg["jsonrpc"] != "2.0" {
			t.Fatalf("stdout line is not JSON-RPC: %q", l)
		}
	}
	if !strings.Contains(stderr.String(), "serving MCP over stdio") {
		t.Errorf("no start-up line on stderr: %s", stderr.String())
	}
}

// stopGracefully ends a server the way an operator does (SIGTERM), so it removes its sandbox's
// temporary directory, and kills it only if it does not exit within 10 seconds.
func stopGracefully(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// newCommand prepares the binary with a clean environment, as an MCP client would start it.
func newCommand(t *testing.T, args ...string) *exec.Cmd {
	cmd := exec.Command(binary, args...)
	cmd.Env = []string{"HOME=" + t.TempDir()}
	return cmd
}

func waitForLine(t *testing.T, r io.Reader, re *regexp.Regexp) string {
	t.Helper()
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if m := re.FindString(sc.Text()); m != "" {
				found <- m
				break
			}
		}
		io.Copy(io.Discard, r)
	}()
	select {
	case m := <-found:
		return m
	case <-time.After(20 * time.Second):
		t.Fatalf("no line matching %s on stderr", re)
	}
	return ""
}

// lockedBuffer is a bytes.Buffer that a test may read while a process writes into it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// WriteString lets the buffer stand in for a strings.Builder.
func (l *lockedBuffer) WriteString(s string) (int, error) { return l.Write([]byte(s)) }

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
