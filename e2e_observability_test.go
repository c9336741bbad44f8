package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	mcptransport "github.com/mark3labs/mcp-go/client/transport"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/config"
	"github.com/etlworks/etlworks-mcp/internal/secrets"
	"github.com/etlworks/etlworks-mcp/internal/telemetry"
	"github.com/etlworks/etlworks-mcp/sandbox"
	"github.com/etlworks/etlworks-mcp/transport"
)

// plantedFlow is a flow name typed by the user in the calls below; no label or span may carry it.
const plantedFlow = "Load orders from CSV"

// TestObservabilityInProcess drives tools over streamable HTTP with metrics and an in-memory
// span exporter, and checks what operators get: tool calls by outcome, Etlworks requests by
// route template, the session gauge, spans from the MCP request down to each Etlworks request
// with the trace context propagated in traceparent, and no secret, query string or flow name in
// any label or span (the planted-secret sweep).
func TestObservabilityInProcess(t *testing.T) {
	sb, err := sandbox.New(sandbox.Options{RunStep: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	var mu sync.Mutex
	var traceparents []string
	etl := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		traceparents = append(traceparents, r.Header.Get("Traceparent"))
		mu.Unlock()
		sb.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(etl.Close)
	creds := sb.Credentials()

	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	obs := &observability{metrics: telemetry.NewMetrics(),
		tracing: &telemetry.Tracing{Provider: tp, Enabled: true, Shutdown: tp.Shutdown}}
	var logs bytes.Buffer
	lw := &lockedWriter{w: &logs}
	log := slog.New(telemetry.NewLogHandler(slog.NewJSONHandler(lw, &slog.HandlerOptions{Level: slog.LevelDebug})))
	api, err := client.New(etl.URL+"/rest", append([]client.Option{client.WithAPIKey(creds.APIKey),
		client.WithLogger(log.With("component", "client"))}, obs.clientOptions(0)...)...)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Config{LogLevel: "debug", LogFormat: "json", HTTPAddr: "127.0.0.1:0", SessionIdleTimeout: time.Minute}
	srv, _ := newMCPServer(t.Context(), cfg, api, log, secrets.NewRedactor(creds.APIKey), obs)
	mcpSrv := httptest.NewServer(transport.NewHTTPHandler(srv, transport.HTTPOptions{Log: log.With("component", "http"), SessionIdleTTL: time.Minute}))
	t.Cleanup(mcpSrv.Close)
	metricsSrv := httptest.NewServer(obs.metrics.Handler())
	t.Cleanup(metricsSrv.Close)

	c, err := mcpclient.NewStreamableHttpClient(mcpSrv.URL+transport.MCPPath, mcptransport.WithHTTPHeaders(map[string]string{
		"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}))
	if err != nil {
		t.Fatal(err)
	}
	s := connectSession(t, c)
	if _, isErr := s.call("get_flow", map[string]any{"flow": plantedFlow}, false); isErr {
		t.Fatal("get_flow failed")
	}
	if out, isErr := s.call("run_flow", map[string]any{"flow": plantedFlow, "wait": true}, false); isErr {
		t.Fatalf("run_flow: %s", out)
	}
	if out, isErr := s.call("get_run_log", map[string]any{"flow": plantedFlow}, false); isErr {
		t.Fatalf("get_run_log: %s", out)
	}
	if _, isErr := s.call("get_flow", map[string]any{"flow": "No such flow at all"}, false); !isErr {
		t.Fatal("get_flow of an unknown flow did not fail")
	}
	sessionID := c.GetSessionId()

	metrics := scrape(t, metricsSrv.URL)
	for _, want := range []string{
		`etlworks_mcp_tool_calls_total{outcome="ok",tool="get_flow"} 1`,
		`etlworks_mcp_tool_calls_total{outcome="tool_error",tool="get_flow"} 1`,
		`etlworks_mcp_tool_calls_total{outcome="ok",tool="run_flow"} 1`,
		`etlworks_mcp_tool_call_duration_seconds_count{tool="get_run_log"} 1`,
		`etlworks_mcp_etlworks_requests_total{method="GET",route="/v1/flows",status="2xx"}`,
		`route="/v1/executions/console/download"`,
		`etlworks_mcp_http_sessions 1`,
		`etlworks_mcp_run_waits 0`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	c.Close()
	tp.ForceFlush(context.Background())
	recorded := spans.GetSpans()
	names := map[string]bool{}
	inTrace := 0
	var dump strings.Builder
	for _, sp := range recorded {
		names[sp.Name] = true
		dump.WriteString(sp.Name + "\n")
		for _, a := range sp.Attributes {
			dump.WriteString(string(a.Key) + "=" + a.Value.Emit() + "\n")
		}
		dump.WriteString(sp.Status.Description + "\n")
		for _, e := range sp.Events {
			dump.WriteString(e.Name + "\n")
			for _, a := range e.Attributes {
				dump.WriteString(string(a.Key) + "=" + a.Value.Emit() + "\n")
			}
		}
		// Etlworks spans of tool calls belong to the client's trace; the start-up checks run
		// outside any call, so theirs are roots.
		if strings.HasPrefix(sp.Name, "GET /v1/") && sp.Parent.IsValid() {
			if sp.Parent.TraceID().String() != "0af7651916cd43dd8448eb211c80319c" {
				t.Errorf("Etlworks span %s not in the client's trace: %s", sp.Name, sp.Parent.TraceID())
			}
			inTrace++
		}
	}
	if inTrace == 0 {
		t.Error("no Etlworks span is in the client's trace")
	}
	for _, want := range []string{"mcp.tools/call", "tool.get_flow", "GET /v1/flows", "GET /v1/executions/console/download"} {
		if !names[want] {
			t.Errorf("no span %q among %v", want, names)
		}
	}
	mu.Lock()
	propagated := 0
	for _, tpHdr := range traceparents {
		if strings.HasPrefix(tpHdr, "00-0af7651916cd43dd8448eb211c80319c-") {
			propagated++
		}
	}
	mu.Unlock()
	if propagated == 0 {
		t.Error("no Etlworks request carried the client's trace context")
	}

	// The planted-secret sweep: neither /metrics nor any span carries the API key, a query
	// string, the token parameter, the session id or the flow name the user typed.
	for where, text := range map[string]string{"/metrics": metrics, "spans": dump.String()} {
		for _, planted := range []string{creds.APIKey, plantedFlow, "Load%20orders", "Authorization", "Bearer", sessionID, "?"} {
			if planted != "" && strings.Contains(text, planted) {
				t.Errorf("%s carries %q", where, planted)
			}
		}
	}

	// Log lines of a tool call carry a request id and the session's hash, never the session id.
	var sawCall, sawClient bool
	lw.mu.Lock()
	logText := logs.String()
	lw.mu.Unlock()
	for _, line := range strings.Split(strings.TrimSpace(logText), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if strings.Contains(line, sessionID) {
			t.Errorf("log line carries the session id: %s", line)
		}
		switch rec["msg"] {
		case "tool call":
			sawCall = true
			if rec["request_id"] == nil || rec["session"] != telemetry.SessionHash(sessionID) {
				t.Errorf("tool call line without request id or session hash: %s", line)
			}
		case "etlworks request":
			if rec["task"] == "startup-checks" {
				continue // the credential check and capability probe run outside any call
			}
			sawClient = true
			if rec["request_id"] == nil {
				t.Errorf("client line of a call without request id: %s", line)
			}
		}
	}
	if !sawCall || !sawClient {
		t.Errorf("tool call line %v, client line %v in the log", sawCall, sawClient)
	}
}

func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url + telemetry.MetricsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return string(b)
}

// TestJSONLogsAndMetricsAddr runs the binary with --log-format json and --metrics-addr: every
// stderr line, the start-up lines included, is JSON, and /metrics answers on its own port while
// the MCP port does not serve it.
func TestJSONLogsAndMetricsAddr(t *testing.T) {
	cmd := newCommand(t, "--sandbox", "--http", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--log-format", "json")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer stopGracefully(cmd)
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	metricsRe := regexp.MustCompile(`http://127\.0\.0\.1:\d+/metrics`)
	mcpRe := regexp.MustCompile(`http://127\.0\.0\.1:\d+/mcp`)
	var metricsURL, mcpURL string
	var seen []string
	timeout := time.After(20 * time.Second)
	for metricsURL == "" || mcpURL == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("server exited; stderr:\n%s", strings.Join(seen, "\n"))
			}
			seen = append(seen, l)
			if m := metricsRe.FindString(l); m != "" {
				metricsURL = m
			}
			if m := mcpRe.FindString(l); m != "" && strings.Contains(l, "etlworks-mcp") {
				mcpURL = m
			}
		case <-timeout:
			t.Fatalf("no start-up lines; stderr:\n%s", strings.Join(seen, "\n"))
		}
	}
	for _, l := range seen {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Errorf("stderr line is not JSON: %q", l)
		}
	}
	body := scrape(t, strings.TrimSuffix(metricsURL, telemetry.MetricsPath))
	if !strings.Contains(body, "etlworks_mcp_http_sessions 0") || !strings.Contains(body, "go_goroutines") {
		t.Errorf("/metrics body:\n%.2000s", body)
	}
	resp, err := http.Get(strings.TrimSuffix(mcpURL, transport.MCPPath) + telemetry.MetricsPath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("the MCP port serves /metrics: %d", resp.StatusCode)
	}
}

// TestJSONErrors: with --log-format json, errors found after the flags are read are JSON records
// too, with the exit code of their kind (2 for settings, 1 for failures).
func TestJSONErrors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, tc := range []struct {
		name     string
		env      map[string]string
		args     []string
		code     int
		contains string
	}{
		{"unsupported exporter", map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, []string{"--sandbox", "--log-format", "json"}, 2, "OTEL_TRACES_EXPORTER"},
		{"metrics port taken", nil, []string{"--sandbox", "--log-format", "json", "--metrics-addr", busy.Addr().String()}, 1, "metrics: listen"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runMain(t, tc.env, tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.contains) {
				t.Fatalf("exit %d (want %d), stderr lacks %q:\n%s", code, tc.code, tc.contains, errOut)
			}
			for _, l := range strings.Split(strings.TrimSpace(errOut), "\n") {
				if !json.Valid([]byte(l)) {
					t.Errorf("stderr line is not JSON: %q", l)
				}
			}
		})
	}
}
