package telemetry

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Outcomes of a tool call, the values of the outcome label of etlworks_mcp_tool_calls_total.
const (
	OutcomeOK            = "ok"             // the tool answered
	OutcomeToolError     = "tool_error"     // the tool answered with isError (bad input, Etlworks refused…)
	OutcomeProtocolError = "protocol_error" // the handler failed: the client gets a JSON-RPC error
	OutcomeCanceled      = "canceled"       // the client cancelled the call or went away
)

// Metrics are the process's Prometheus metrics, registered on a private registry (never the
// global one), so tests and embedders can build as many as they like.
type Metrics struct {
	// Registry holds every metric below plus the Go runtime and process collectors.
	Registry *prometheus.Registry
	// ToolCalls counts tool calls by tool and outcome (Outcome* constants).
	ToolCalls *prometheus.CounterVec
	// ToolDuration observes tool call durations in seconds by tool.
	ToolDuration *prometheus.HistogramVec
	// Requests counts Etlworks requests by method, route template and status class
	// (2xx, 4xx, 5xx, or "error" when no answer came).
	Requests *prometheus.CounterVec
	// RequestDuration observes Etlworks request durations in seconds by method and route.
	RequestDuration *prometheus.HistogramVec
	// Retries counts Etlworks requests sent again after a retryable answer, by route template.
	Retries *prometheus.CounterVec
	// Sessions is the number of open MCP sessions over HTTP.
	Sessions prometheus.Gauge
	// RunWaits is the number of flow runs run_flow is waiting on right now.
	RunWaits prometheus.Gauge
}

// NewMetrics creates the metrics on a fresh registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		ToolCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "etlworks_mcp_tool_calls_total", Help: "MCP tool calls by tool and outcome (ok, tool_error, protocol_error, canceled).",
		}, []string{"tool", "outcome"}),
		ToolDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "etlworks_mcp_tool_call_duration_seconds", Help: "Duration of MCP tool calls by tool.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600},
		}, []string{"tool"}),
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "etlworks_mcp_etlworks_requests_total", Help: "Requests to Etlworks by method, route template and status class.",
		}, []string{"method", "route", "status"}),
		RequestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "etlworks_mcp_etlworks_request_duration_seconds", Help: "Duration of requests to Etlworks by method and route template.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route"}),
		Retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "etlworks_mcp_etlworks_retries_total", Help: "Requests to Etlworks sent again after a retryable answer, by route template.",
		}, []string{"route"}),
		Sessions: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "etlworks_mcp_http_sessions", Help: "Open MCP sessions over streamable HTTP.",
		}),
		RunWaits: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "etlworks_mcp_run_waits", Help: "Flow runs that run_flow is waiting on.",
		}),
	}
	m.Registry.MustRegister(m.ToolCalls, m.ToolDuration, m.Requests, m.RequestDuration, m.Retries, m.Sessions, m.RunWaits,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in the Prometheus text format (or OpenMetrics when asked).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry, MaxRequestsInFlight: 4})
}

// statusClass turns an HTTP status into the label value 2xx, 3xx, 4xx or 5xx.
func statusClass(code int) string {
	switch code / 100 { // constant labels: every Etlworks request is labelled, so none is built
	case 1:
		return "1xx"
	case 2:
		return "2xx"
	case 3:
		return "3xx"
	case 4:
		return "4xx"
	case 5:
		return "5xx"
	}
	return "other"
}
