package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

func TestLogHandler(t *testing.T) {
	t.Parallel()
	const session = "mcp-session-5033cade-3adb-43bc-85e0-84b7a9c76f70"
	var buf bytes.Buffer
	log := slog.New(NewLogHandler(slog.NewJSONHandler(&buf, nil)))
	tp := sdktrace.NewTracerProvider()
	ctx, span := tp.Tracer("test").Start(context.Background(), "call")
	defer span.End()
	ctx = WithLogAttrs(ctx, slog.String("request_id", "r1"))
	ctx = WithLogAttrs(ctx, slog.String("session", SessionHash(session)))

	log.InfoContext(ctx, "in a call", "k", "v")
	log.Info("library line", "sessionID", session)
	log.With("mcp.session.id", session).Info("library line with attrs")
	log.Info("no context")

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("got %d lines:\n%s", len(lines), buf.String())
	}
	if strings.Contains(buf.String(), session) {
		t.Errorf("a line carries the raw session id:\n%s", buf.String())
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first["request_id"] != "r1" || first["session"] != SessionHash(session) || first["k"] != "v" ||
		first["trace_id"] != span.SpanContext().TraceID().String() {
		t.Errorf("call line: %v", first)
	}
	for _, l := range lines[1:3] {
		if !strings.Contains(l, SessionHash(session)) {
			t.Errorf("session not hashed: %s", l)
		}
	}
	if strings.Contains(lines[3], "request_id") || strings.Contains(lines[3], "trace_id") {
		t.Errorf("line without a call context got call attributes: %s", lines[3])
	}
	if h := SessionHash(session); len(h) != 12 || h == SessionHash("other") || SessionHash("") != "" {
		t.Errorf("SessionHash = %q", h)
	}
}

// TestSessionHashIsIdempotent: a line that passes two redacting handlers names its session with
// the same hash as a line that passed one.
func TestSessionHashIsIdempotent(t *testing.T) {
	id := "mcp-session-0b5c3d4e-1f2a-4b6c-8d9e-0f1a2b3c4d5e"
	h := SessionHash(id)
	if h == id || len(h) != 12 || SessionHash(h) != h {
		t.Fatalf("SessionHash(%q) = %q, SessionHash of that = %q", id, h, SessionHash(h))
	}
	if SessionHash("0123456789ab-x") == "0123456789ab-x" {
		t.Fatal("a value that is not a hash was left as it is")
	}
}

// TestQuietSessions: mcp-go's lines name sessions only by hash, and at debug unless they warn.
func TestQuietSessions(t *testing.T) {
	t.Parallel()
	const id = "mcp-session-0f8fad5b-d9cb-469f-a165-70867728950e"
	var buf bytes.Buffer
	log := QuietSessions(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	log.Info("Delivered sampling response", "session", id, "request", 3)
	log.With("mcp.session.id", id).Info("mcp.request", "mcp.method", "tools/list")
	log.Error("Failed to handle sampling response", "err", errors.New("no active session found for session "+id))
	log.Warn("failed to terminate session during CloseSessions", "sessionID", id)
	log.WithGroup("g").Info("grouped", slog.Group("inner", "session_id", id))
	log.Info("unrelated", "path", "/mcp")
	out := buf.String()
	if strings.Contains(out, id) {
		t.Fatalf("a session id survived:\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want := []string{
		`"level":"DEBUG","msg":"Delivered sampling response","session":"` + SessionHash(id) + `","request":3`,
		`"level":"DEBUG","msg":"mcp.request","mcp.session.id":"` + SessionHash(id) + `"`,
		`"level":"ERROR","msg":"Failed to handle sampling response","err":"no active session found for session session ` + SessionHash(id) + `"`,
		`"level":"WARN","msg":"failed to terminate session during CloseSessions","sessionID":"` + SessionHash(id) + `"`,
		`"level":"DEBUG","msg":"grouped","g":{"inner":{"session_id":"` + SessionHash(id) + `"}}`,
		`"level":"INFO","msg":"unrelated","path":"/mcp"`,
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), out)
	}
	for i, w := range want {
		if !strings.Contains(lines[i], w) {
			t.Errorf("line %d = %s\nwant it to contain %s", i+1, lines[i], w)
		}
	}
	info := QuietSessions(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})))
	before := len(buf.String())
	info.Info("Sweeping expired session", "session", id)
	if len(buf.String()) != before {
		t.Errorf("an info line about a session passed an info-level logger: %s", buf.String()[before:])
	}
}

// TestSessionHashedOnceThroughBothHandlers: mcp-go's lines pass QuietSessions and then the
// program's log handler; the session must still read as SessionHash(id), the spelling tool-call
// lines carry, not as a hash of a hash.
func TestSessionHashedOnceThroughBothHandlers(t *testing.T) {
	var buf bytes.Buffer
	root := slog.New(NewLogHandler(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	id := "mcp-session-0b5c3d4e-1f2a-4b6c-8d9e-0f1a2b3c4d5e"
	QuietSessions(root).Info("Delivered", "session", id)
	want := `"session":"` + SessionHash(id) + `"`
	if !strings.Contains(buf.String(), want) || strings.Contains(buf.String(), id) {
		t.Fatalf("log line %s lacks %s", buf.String(), want)
	}
}
