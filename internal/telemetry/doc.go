// Package telemetry holds the process's metrics, traces and log correlation: a private
// Prometheus registry with the metrics operators scrape from --metrics-addr, an OpenTelemetry
// tracer provider configured only by the standard OTEL_* variables, an http.RoundTripper that
// measures and traces every Etlworks request, and a slog handler that stamps each log line with
// the ids of the call it belongs to.
//
// It never imports mcp-go (the MCP-side adapters live in internal/mcpobs), so the Etlworks client
// may use it. Nothing it records carries a URL query string, a credential or a name typed by a
// user: requests are labelled by route template (/v1/flows/{id}), never by raw path.
package telemetry
