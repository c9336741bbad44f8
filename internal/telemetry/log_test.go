package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
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
