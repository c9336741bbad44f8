package mcpobs

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/mark3labs/mcp-go/tracing"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/etlworks/etlworks-mcp/internal/telemetry"
)

// TestTracer: the adapter turns mcp-go spans into OTel spans with the session id hashed and
// error texts (which may quote user input) left out.
func TestTracer(t *testing.T) {
	t.Parallel()
	spans := tracetest.NewInMemoryExporter()
	tr := Tracer(sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans)))
	const session = "mcp-session-0123"
	ctx, parent := tr.Start(context.Background(), "mcp.tools/call", tracing.SpanKindServer,
		tracing.String("mcp.method", "tools/call"), tracing.String("mcp.session.id", session))
	if tracing.SpanFromContext(ctx) != parent {
		t.Error("the span is not in the context mcp-go reads it from")
	}
	_, child := tr.Start(ctx, "tool.get_flow", tracing.SpanKindInternal, tracing.String("mcp.tool.name", "get_flow"))
	child.RecordError(errors.New(`flow "Payroll secret" not found`))
	child.SetStatus(tracing.StatusError, `flow "Payroll secret" not found`)
	child.End()
	parent.SetStatus(tracing.StatusError, "tool returned error result")
	parent.End()

	got := spans.GetSpans()
	if len(got) != 2 {
		t.Fatalf("%d spans", len(got))
	}
	c, p := got[0], got[1]
	if c.Parent.SpanID() != p.SpanContext.SpanID() || p.SpanKind != trace.SpanKindServer || c.SpanKind != trace.SpanKindInternal {
		t.Errorf("hierarchy or kinds wrong: %+v / %+v", c, p)
	}
	if c.Status.Code != codes.Error || c.Status.Description != "" || p.Status.Description != "tool returned error result" {
		t.Errorf("statuses: %+v %+v", c.Status, p.Status)
	}
	var all strings.Builder
	for _, s := range got {
		for _, a := range s.Attributes {
			all.WriteString(string(a.Key) + "=" + a.Value.Emit() + "\n")
		}
		for _, e := range s.Events {
			all.WriteString(e.Name + "\n")
		}
	}
	if strings.Contains(all.String(), session) || strings.Contains(all.String(), "Payroll") {
		t.Errorf("span data leaks:\n%s", all.String())
	}
	if !strings.Contains(all.String(), "mcp.session.hash="+telemetry.SessionHash(session)) {
		t.Errorf("no session hash:\n%s", all.String())
	}
}

func TestPropagator(t *testing.T) {
	t.Parallel()
	p := Propagator(propagation.TraceContext{})
	h := http.Header{}
	h.Set("Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	ctx := p.Extract(context.Background(), h)
	if sc := trace.SpanContextFromContext(ctx); sc.TraceID().String() != "0af7651916cd43dd8448eb211c80319c" {
		t.Errorf("extracted %v", sc)
	}
	out := http.Header{}
	p.Inject(ctx, out)
	if !strings.Contains(out.Get("Traceparent"), "0af7651916cd43dd8448eb211c80319c") {
		t.Errorf("injected %v", out)
	}
	if p.Extract(ctx, nil) != ctx {
		t.Error("nil headers changed the context")
	}
}

func TestOutcome(t *testing.T) {
	t.Parallel()
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	bg := context.Background()
	tests := []struct {
		ctx  context.Context
		res  *mcp.CallToolResult
		err  error
		want string
	}{
		{bg, mcp.NewToolResultText("ok"), nil, telemetry.OutcomeOK},
		{bg, mcp.NewToolResultError("bad input"), nil, telemetry.OutcomeToolError},
		{bg, nil, errors.New("encode"), telemetry.OutcomeProtocolError},
		{bg, nil, context.Canceled, telemetry.OutcomeCanceled},
		{canceled, mcp.NewToolResultError("cancelled"), nil, telemetry.OutcomeCanceled},
	}
	for i, tt := range tests {
		if got := Outcome(tt.ctx, tt.res, tt.err); got != tt.want {
			t.Errorf("case %d: %s, want %s", i, got, tt.want)
		}
	}
}

// TestToolMiddleware: each call is counted by tool and outcome, and the handler's context carries
// a request id that differs between calls.
func TestToolMiddleware(t *testing.T) {
	t.Parallel()
	m := telemetry.NewMetrics()
	var buf strings.Builder
	log := slog.New(telemetry.NewLogHandler(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	h := ToolMiddleware(m, log)(func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		log.InfoContext(ctx, "inside")
		if req.GetString("fail", "") != "" {
			return mcp.NewToolResultError("no"), nil
		}
		return mcp.NewToolResultText("yes"), nil
	})
	for _, args := range []map[string]any{{}, {"fail": "1"}} {
		req := mcp.CallToolRequest{}
		req.Params.Name = "get_flow"
		req.Params.Arguments = args
		if _, err := h(context.Background(), req); err != nil {
			t.Fatal(err)
		}
	}
	if testutil.ToFloat64(m.ToolCalls.WithLabelValues("get_flow", telemetry.OutcomeOK)) != 1 ||
		testutil.ToFloat64(m.ToolCalls.WithLabelValues("get_flow", telemetry.OutcomeToolError)) != 1 {
		t.Error("calls not counted by outcome")
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 4 || !strings.Contains(lines[0], `"request_id"`) || !strings.Contains(lines[1], `"msg":"tool call"`) {
		t.Fatalf("log:\n%s", buf.String())
	}
	id := func(l string) string { _, after, _ := strings.Cut(l, `"request_id":"`); return after[:12] }
	if id(lines[0]) != id(lines[1]) || id(lines[0]) == id(lines[2]) {
		t.Errorf("request ids: %s / %s / %s", id(lines[0]), id(lines[1]), id(lines[2]))
	}
	h2 := &server.Hooks{}
	SessionHooks(h2, m.Sessions)
	if len(h2.OnRegisterSession) != 1 || len(h2.OnUnregisterSession) != 1 {
		t.Error("session hooks not added")
	}
}
