package mcpobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/etlworks/etlworks-mcp/internal/telemetry"
)

// ToolMiddleware is the outer layer of every tool call: it gives the call a request id (and,
// when it runs in a session with an id, the session's hash) that every line logged with its
// context carries, counts the call by tool and outcome, times it, and logs one debug line when
// it ends. m may be nil (no metrics).
func ToolMiddleware(m *telemetry.Metrics, log *slog.Logger) server.ToolHandlerMiddleware {
	return func(next server.ToolHandlerFunc) server.ToolHandlerFunc {
		return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			attrs := []slog.Attr{slog.String("request_id", newRequestID())}
			if s := server.ClientSessionFromContext(ctx); s != nil && s.SessionID() != "" {
				attrs = append(attrs, slog.String("session", telemetry.SessionHash(s.SessionID())))
			}
			ctx = telemetry.WithLogAttrs(ctx, attrs...)
			start := time.Now()
			res, err := next(ctx, req)
			elapsed := time.Since(start)
			outcome := Outcome(ctx, res, err)
			if m != nil {
				m.ToolCalls.WithLabelValues(req.Params.Name, outcome).Inc()
				m.ToolDuration.WithLabelValues(req.Params.Name).Observe(elapsed.Seconds())
			}
			log.DebugContext(ctx, "tool call", "tool", req.Params.Name, "outcome", outcome, "duration", elapsed)
			return res, err
		}
	}
}

// Outcome classifies a finished tool call as one of the telemetry.Outcome* values.
func Outcome(ctx context.Context, res *mcp.CallToolResult, err error) string {
	switch {
	case ctx.Err() != nil || errors.Is(err, context.Canceled):
		return telemetry.OutcomeCanceled
	case err != nil:
		return telemetry.OutcomeProtocolError
	case res != nil && res.IsError:
		return telemetry.OutcomeToolError
	}
	return telemetry.OutcomeOK
}

// newRequestID is a short random id that tells the log lines of concurrent calls apart.
func newRequestID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// SessionHooks keeps open in step with the MCP sessions registered and unregistered (closed,
// deleted or expired).
func SessionHooks(h *server.Hooks, open prometheus.Gauge) {
	h.AddOnRegisterSession(func(context.Context, server.ClientSession) { open.Inc() })
	h.AddOnUnregisterSession(func(context.Context, server.ClientSession) { open.Dec() })
}
