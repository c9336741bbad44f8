package mcpobs

import (
	"context"
	"fmt"
	"net/http"

	"github.com/mark3labs/mcp-go/tracing"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/etlworks/etlworks-mcp/internal/telemetry"
)

// sessionAttr is the attribute under which mcp-go records the raw session id; the adapter
// records its telemetry.SessionHash instead, since the id itself lets anyone speak in the session.
const sessionAttr = "mcp.session.id"

// toolErrorStatus is the one status description mcp-go sets that the adapter keeps: other
// descriptions are error messages, which may quote names or values the user typed.
const toolErrorStatus = "tool returned error result"

// Tracer adapts an OpenTelemetry tracer provider to mcp-go's tracing.Tracer, for
// server.WithTracer: a server span per JSON-RPC method and an internal span per tool call.
func Tracer(tp trace.TracerProvider) tracing.Tracer {
	return &tracer{t: tp.Tracer("github.com/mark3labs/mcp-go")}
}

type tracer struct{ t trace.Tracer }

func (a *tracer) Start(ctx context.Context, name string, kind tracing.SpanKind, attrs ...tracing.Attribute) (context.Context, tracing.Span) {
	ctx, s := a.t.Start(ctx, name, trace.WithSpanKind(spanKind(kind)), trace.WithAttributes(convert(attrs)...))
	sp := &span{s: s}
	return tracing.ContextWithSpan(ctx, sp), sp
}

func spanKind(k tracing.SpanKind) trace.SpanKind {
	switch k {
	case tracing.SpanKindServer:
		return trace.SpanKindServer
	case tracing.SpanKindClient:
		return trace.SpanKindClient
	case tracing.SpanKindInternal:
		return trace.SpanKindInternal
	}
	return trace.SpanKindUnspecified
}

func convert(attrs []tracing.Attribute) []attribute.KeyValue {
	out := make([]attribute.KeyValue, 0, len(attrs))
	for _, a := range attrs {
		if a.Key == sessionAttr {
			out = append(out, attribute.String("mcp.session.hash", telemetry.SessionHash(a.Value)))
			continue
		}
		out = append(out, attribute.String(a.Key, a.Value))
	}
	return out
}

type span struct{ s trace.Span }

func (s *span) SetAttributes(attrs ...tracing.Attribute) { s.s.SetAttributes(convert(attrs)...) }

// RecordError records the error's type only: its message may carry what the user typed.
func (s *span) RecordError(err error) {
	if err != nil {
		s.s.SetAttributes(attribute.String("error.type", fmt.Sprintf("%T", err)))
	}
}

func (s *span) SetStatus(code tracing.StatusCode, description string) {
	switch code {
	case tracing.StatusOK:
		s.s.SetStatus(codes.Ok, "")
	case tracing.StatusError:
		if description != toolErrorStatus {
			description = ""
		}
		s.s.SetStatus(codes.Error, description)
	}
}

func (s *span) End() { s.s.End() }

// Propagator adapts an OpenTelemetry propagator to mcp-go's tracing.Propagator, for
// server.WithPropagator: a client's traceparent header becomes the parent of the server span.
func Propagator(p propagation.TextMapPropagator) tracing.Propagator { return &propagator{p: p} }

type propagator struct{ p propagation.TextMapPropagator }

func (a *propagator) Inject(ctx context.Context, h http.Header) {
	a.p.Inject(ctx, propagation.HeaderCarrier(h))
}

func (a *propagator) Extract(ctx context.Context, h http.Header) context.Context {
	if h == nil {
		return ctx
	}
	return a.p.Extract(ctx, propagation.HeaderCarrier(h))
}
