// Package mcpobs connects mcp-go to internal/telemetry: an adapter from mcp-go's tracing hooks
// to OpenTelemetry (the mcp-go/otel module is not published), a tool middleware that counts,
// times and labels every tool call and gives its log lines a request id and the session's hash,
// and session hooks for the open-sessions gauge. It is kept apart from telemetry so that the
// Etlworks client can use telemetry without importing mcp-go.
package mcpobs
