package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/mark3labs/mcp-go/server"
	"go.opentelemetry.io/otel/trace"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/config"
	"github.com/etlworks/etlworks-mcp/internal/mcpobs"
	"github.com/etlworks/etlworks-mcp/internal/secrets"
	"github.com/etlworks/etlworks-mcp/internal/telemetry"
	"github.com/etlworks/etlworks-mcp/tools"
)

// observability is what serve adds for operators: Prometheus metrics (with --metrics-addr),
// OpenTelemetry traces (with the OTEL_* variables) and request ids on log lines. A nil
// *observability (call, tests) adds nothing.
type observability struct {
	metrics *telemetry.Metrics // nil without --metrics-addr
	tracing *telemetry.Tracing
}

// newObservability builds metrics when cfg asks for them and the tracer provider the OTEL_*
// variables describe (a no-op one when they are unset).
func newObservability(ctx context.Context, cfg config.Config, getenv func(string) string) (*observability, error) {
	tr, err := telemetry.NewTracing(ctx, getenv, version)
	if err != nil {
		return nil, &usageError{err}
	}
	o := &observability{tracing: tr}
	if cfg.MetricsAddr != "" {
		o.metrics = telemetry.NewMetrics()
	}
	return o, nil
}

// clientOptions route the Etlworks client through the pooled transport (sized for inFlight
// concurrent Etlworks requests), measured and traced when metrics or traces are on.
func (o *observability) clientOptions(inFlight int) []client.Option {
	if o == nil {
		return nil
	}
	pool := client.NewTransport(inFlight)
	if o.metrics == nil && o.tracerProvider() == nil {
		return []client.Option{client.WithHTTPClient(&http.Client{Transport: pool})} // nothing to count or trace
	}
	rt := telemetry.NewTransport(pool, telemetry.TransportOptions{
		Metrics: o.metrics, Tracer: o.tracerProvider(), Propagator: telemetry.Propagator(),
		Route: func(r *http.Request) (string, int) {
			info, _ := client.RequestInfoOf(r)
			return info.Route, info.Attempt
		},
	})
	return []client.Option{client.WithHTTPClient(&http.Client{Transport: rt})}
}

// tracerProvider is the provider spans go to, nil when tracing is off.
func (o *observability) tracerProvider() trace.TracerProvider {
	if o.tracing == nil || !o.tracing.Enabled {
		return nil
	}
	return o.tracing.Provider
}

// serverOptions are the tracer hooks and the tool middleware for the MCP server, and (over HTTP)
// hooks that keep the open-sessions gauge.
func (o *observability) serverOptions(hooks *server.Hooks, log *slog.Logger, overHTTP bool) []server.ServerOption {
	if o == nil {
		return nil
	}
	var opts []server.ServerOption
	if tp := o.tracerProvider(); tp != nil {
		opts = append(opts, server.WithTracer(mcpobs.Tracer(tp)), server.WithPropagator(mcpobs.Propagator(telemetry.Propagator())))
	}
	opts = append(opts, server.WithToolHandlerMiddleware(mcpobs.ToolMiddleware(o.metrics, log.With("component", "mcp"))))
	if o.metrics != nil && overHTTP {
		mcpobs.SessionHooks(hooks, o.metrics.Sessions)
	}
	return opts
}

// runWaits is the gauge run_flow keeps of the runs it waits on; nil without metrics.
func (o *observability) runWaits() tools.Gauge {
	if o == nil || o.metrics == nil {
		return nil
	}
	return o.metrics.RunWaits
}

// serveMetrics starts the /metrics listener when configured and announces it.
func (o *observability) serveMetrics(ctx context.Context, cfg config.Config, log *slog.Logger, stderr io.Writer) error {
	if o == nil || o.metrics == nil {
		return nil
	}
	addr, err := telemetry.ServeMetrics(ctx, cfg.MetricsAddr, o.metrics, log.With("component", "metrics"))
	if err != nil {
		return err
	}
	announce(cfg, log, stderr, fmt.Sprintf("etlworks-mcp %s: serving Prometheus metrics at http://%s%s.", version, addr, telemetry.MetricsPath))
	return nil
}

// close flushes the spans not yet exported.
func (o *observability) close() {
	if o == nil || o.tracing == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = o.tracing.Shutdown(ctx)
}

// announce writes a start-up line for people: plain text, or a JSON log record with
// --log-format json, so that every line on stderr is then JSON.
func announce(cfg config.Config, log *slog.Logger, stderr io.Writer, line string) {
	if cfg.LogFormat == "json" {
		log.Info(line)
		return
	}
	fmt.Fprintln(stderr, line)
}

// reported logs err as a JSON record when --log-format is json, so that every line on stderr is
// JSON, and marks it as reported so exitCode does not print it again as text.
func reported(cfg config.Config, stderr io.Writer, err error) error {
	if err == nil || cfg.LogFormat != "json" || errors.Is(err, context.Canceled) {
		return err
	}
	newLogger(cfg, stderr, secrets.NewRedactor(cfg.APIKey, cfg.Password, cfg.Token)).Error("etlworks-mcp: " + err.Error())
	return &reportedError{err}
}

// reportedError is an error already written to stderr; it keeps the exit code of the one it wraps.
type reportedError struct{ err error }

func (e *reportedError) Error() string { return e.err.Error() }
func (e *reportedError) Unwrap() error { return e.err }
