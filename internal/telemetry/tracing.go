package telemetry

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Propagator is the trace-context format used on both sides: W3C traceparent/tracestate and
// baggage.
func Propagator() propagation.TextMapPropagator {
	return propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
}

// Tracing is the process's tracer provider and how to flush it.
type Tracing struct {
	// Provider starts spans; a no-op provider when tracing is off.
	Provider trace.TracerProvider
	// Enabled tells whether spans are exported.
	Enabled bool
	// Shutdown flushes pending spans and stops the exporter; a no-op when tracing is off.
	Shutdown func(context.Context) error
}

// TracingEnabled reports whether the OTEL_* variables ask for traces: an OTLP endpoint is set
// (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) or OTEL_TRACES_EXPORTER is
// otlp, and neither OTEL_SDK_DISABLED=true nor OTEL_TRACES_EXPORTER=none turns them off.
func TracingEnabled(getenv func(string) string) bool {
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") {
		return false
	}
	switch strings.ToLower(strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER"))) {
	case "none":
		return false
	case "":
		return getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
	}
	return true
}

// NewTracing builds the tracer provider from the standard OTEL_* variables read through getenv:
// off (a no-op provider) unless TracingEnabled; otherwise an OTLP over HTTP exporter, which reads
// its endpoint, headers, timeout and TLS settings from the OTEL_EXPORTER_OTLP_* variables of the
// process, a batch span processor (OTEL_BSP_*), the sampler of OTEL_TRACES_SAMPLER, and the
// resource of OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES (service.name defaults to
// etlworks-mcp). Settings this program cannot honour are refused with a message naming them.
func NewTracing(ctx context.Context, getenv func(string) string, version string) (*Tracing, error) {
	off := &Tracing{Provider: noop.NewTracerProvider(), Shutdown: func(context.Context) error { return nil }}
	if !TracingEnabled(getenv) {
		return off, nil
	}
	if e := strings.ToLower(strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER"))); e != "" && e != "otlp" {
		return nil, fmt.Errorf("OTEL_TRACES_EXPORTER=%q is not supported: use otlp (OTLP over HTTP) or none", e)
	}
	for _, key := range []string{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"} {
		if p := strings.TrimSpace(getenv(key)); p != "" && p != "http/protobuf" {
			return nil, fmt.Errorf("%s=%q is not supported: this server exports OTLP over HTTP (http/protobuf); point it at the collector's HTTP port (4318)", key, p)
		}
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("OpenTelemetry: OTLP exporter: %w", err)
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", "etlworks-mcp"), attribute.String("service.version", version)),
		resource.WithFromEnv(), resource.WithTelemetrySDK())
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return nil, fmt.Errorf("OpenTelemetry: resource from OTEL_RESOURCE_ATTRIBUTES: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	return &Tracing{Provider: tp, Enabled: true, Shutdown: tp.Shutdown}, nil
}
