// Package transport serves an already-built *server.MCPServer over stdio or streamable HTTP.
//
// It knows nothing of the Etlworks tools: main composes the server and hands it over, which keeps
// this package testable with a one-tool stub and keeps the tools testable without a transport.
// Both transports log to the injected *slog.Logger only; stdio writes nothing but JSON-RPC to its
// output, and HTTP adds the hardening a locally reachable MCP endpoint needs (Origin and Host
// checks, a body limit, panic recovery, graceful shutdown).
package transport
