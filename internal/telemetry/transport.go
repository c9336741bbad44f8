package telemetry

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// UnknownRoute labels a request whose route template the caller did not provide: the raw path
// is never used, because it may carry a flow name.
const UnknownRoute = "other"

// TransportOptions configure NewTransport. Every field is optional.
type TransportOptions struct {
	// Metrics receive one request count and duration per exchange, and the retries; nil: none.
	Metrics *Metrics
	// Tracer starts a client span per exchange; nil: no spans.
	Tracer trace.TracerProvider
	// Propagator writes the trace context into the request headers; nil: W3C Trace Context.
	Propagator propagation.TextMapPropagator
	// Route tells the route template of a request (such as /v1/flows/{id}) and which attempt it
	// is (0 for the first, 1 for the first retry…); "" means UnknownRoute.
	Route func(r *http.Request) (route string, attempt int)
}

// NewTransport wraps base (nil: http.DefaultTransport) so that each request is counted, timed
// and traced by its route template, with the trace context injected as traceparent headers.
func NewTransport(base http.RoundTripper, o TransportOptions) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if o.Propagator == nil {
		o.Propagator = propagation.TraceContext{}
	}
	t := &instrumented{base: base, opts: o}
	if o.Tracer != nil {
		t.tracer = o.Tracer.Tracer("github.com/etlworks/etlworks-mcp/internal/telemetry")
	}
	return t
}

type instrumented struct {
	base   http.RoundTripper
	opts   TransportOptions
	tracer trace.Tracer
}

func (t *instrumented) RoundTrip(req *http.Request) (*http.Response, error) {
	route, attempt := "", 0
	if t.opts.Route != nil {
		route, attempt = t.opts.Route(req)
	}
	if route == "" {
		route = UnknownRoute
	}
	m := t.opts.Metrics
	if m != nil && attempt > 0 {
		m.Retries.WithLabelValues(route).Inc()
	}
	ctx := req.Context()
	var span trace.Span
	if t.tracer != nil {
		attrs := []attribute.KeyValue{
			attribute.String("http.request.method", req.Method),
			attribute.String("url.template", route),
			attribute.String("url.scheme", req.URL.Scheme),
			attribute.String("server.address", req.URL.Hostname()),
		}
		if p, err := strconv.Atoi(req.URL.Port()); err == nil {
			attrs = append(attrs, attribute.Int("server.port", p))
		}
		if attempt > 0 {
			attrs = append(attrs, attribute.Int("http.request.resend_count", attempt))
		}
		ctx, span = t.tracer.Start(ctx, req.Method+" "+route, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
		defer span.End()
	}
	out := req.Clone(ctx) // a RoundTripper must not change the caller's request
	t.opts.Propagator.Inject(ctx, propagation.HeaderCarrier(out.Header))

	start := time.Now()
	resp, err := t.base.RoundTrip(out)
	status := "error"
	if err == nil {
		status = statusClass(resp.StatusCode)
	}
	if m != nil {
		m.Requests.WithLabelValues(req.Method, route, status).Inc()
		m.RequestDuration.WithLabelValues(req.Method, route).Observe(time.Since(start).Seconds())
	}
	if span != nil {
		switch {
		case err != nil:
			// The error text is not recorded: a url.Error quotes the full URL, query included.
			span.SetAttributes(attribute.String("error.type", errorType(err)))
			span.SetStatus(codes.Error, errorType(err))
		default:
			span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
			if resp.StatusCode >= 400 {
				span.SetAttributes(attribute.String("error.type", strconv.Itoa(resp.StatusCode)))
				span.SetStatus(codes.Error, "")
			}
		}
	}
	return resp, err
}

// errorType names a transport failure without quoting it.
func errorType(err error) string {
	var nerr net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.As(err, &nerr) && nerr.Timeout():
		return "timeout"
	}
	return "transport"
}
