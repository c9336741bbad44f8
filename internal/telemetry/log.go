package telemetry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"slices"

	"go.opentelemetry.io/otel/trace"
)

// sessionKeys are attribute keys under which libraries log an MCP session id (mcp-go uses
// "session", "sessionID" and "mcp.session.id"); the log handler replaces their values by SessionHash.
var sessionKeys = []string{"session", "sessionID", "sessionId", "session_id", "mcp.session.id"}

// SessionHash is the short, stable stand-in for an MCP session id in logs and traces: the id
// itself lets anyone who reads it speak in that session, its hash only lets lines be grouped.
// It is the one spelling everywhere (this package's log handler, transport's redactor of mcp-go's
// lines, the tool middleware), and it is idempotent: a value that already is a session hash is
// returned as it is, so a line that passes two redacting handlers still names its session the same
// way as every other line.
func SessionHash(id string) string {
	if id == "" || isSessionHash(id) {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:sessionHashBytes])
}

// sessionHashBytes is how much of the SHA-256 a session hash keeps (12 hex digits).
const sessionHashBytes = 6

// isSessionHash reports whether s has the form SessionHash gives (no session id has it: mcp-go's
// ids are "mcp-session-" and a UUID).
func isSessionHash(s string) bool {
	if len(s) != 2*sessionHashBytes {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

type logAttrsKey struct{}

// WithLogAttrs returns ctx carrying attrs, which the handler from NewLogHandler adds to every
// line logged with that context (log.InfoContext(ctx, …)): how a request id reaches the log
// lines of the client and the tools without either knowing about it.
func WithLogAttrs(ctx context.Context, attrs ...slog.Attr) context.Context {
	prev, _ := ctx.Value(logAttrsKey{}).([]slog.Attr)
	return context.WithValue(ctx, logAttrsKey{}, append(slices.Clip(prev), attrs...))
}

// NewLogHandler wraps h so that each record gets the attributes of its context (WithLogAttrs)
// and the trace id of the span in it, and so that session ids logged by libraries appear only
// as their SessionHash.
func NewLogHandler(h slog.Handler) slog.Handler { return &logHandler{next: h} }

type logHandler struct{ next slog.Handler }

func (h *logHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *logHandler) Handle(ctx context.Context, r slog.Record) error {
	rebuilt := false
	if hasSessionAttr(r) {
		clean := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
		r.Attrs(func(a slog.Attr) bool {
			clean.AddAttrs(hashSession(a))
			return true
		})
		r, rebuilt = clean, true
	}
	var extra []slog.Attr
	if ctx != nil {
		if attrs, ok := ctx.Value(logAttrsKey{}).([]slog.Attr); ok {
			extra = append(extra, attrs...)
		}
		if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
			extra = append(extra, slog.String("trace_id", sc.TraceID().String()))
		}
	}
	if len(extra) > 0 {
		if !rebuilt {
			r = r.Clone()
		}
		r.AddAttrs(extra...)
	}
	return h.next.Handle(ctx, r)
}

func (h *logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = hashSession(a)
	}
	return &logHandler{next: h.next.WithAttrs(clean)}
}

func (h *logHandler) WithGroup(name string) slog.Handler {
	return &logHandler{next: h.next.WithGroup(name)}
}

func isSessionKey(k string) bool { return slices.Contains(sessionKeys, k) }

func hasSessionAttr(r slog.Record) bool {
	found := false
	r.Attrs(func(a slog.Attr) bool {
		found = isSessionKey(a.Key)
		return !found
	})
	return found
}

func hashSession(a slog.Attr) slog.Attr {
	if !isSessionKey(a.Key) {
		return a
	}
	return slog.String(a.Key, SessionHash(a.Value.String()))
}
