package telemetry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"slices"

	"go.opentelemetry.io/otel/trace"

	"github.com/etlworks/etlworks-mcp/internal/lazyre"
)

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
// and the trace id of the span in it, and so that session ids appear only as their SessionHash
// (redactSessions: session attributes and any mcp-go session id in a message or value).
func NewLogHandler(h slog.Handler) slog.Handler { return &logHandler{next: h, withContext: true} }

// QuietSessions returns a logger for libraries that log per-session chatter (mcp-go's streamable
// HTTP server and its request logger log sessions at info): session ids are hashed as by
// NewLogHandler, and a record that names a session is demoted from info to debug, since it is for
// debugging, not for an operator's log. Warnings and errors keep their level. nil discards.
func QuietSessions(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(&logHandler{next: l.Handler(), quiet: true})
}

// logHandler is the one log handler that hashes session ids (behind NewLogHandler and
// QuietSessions).
type logHandler struct {
	next        slog.Handler
	withContext bool // add the context's attributes and trace id (NewLogHandler)
	quiet       bool // demote records that name a session to debug (QuietSessions)
	named       bool // an attribute added with WithAttrs named a session
}

func (h *logHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *logHandler) Handle(ctx context.Context, r slog.Record) error {
	named := h.named
	out := slog.NewRecord(r.Time, r.Level, redactSessionIDs(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		a, n := redactSessionAttr(a)
		named = named || n
		out.AddAttrs(a)
		return true
	})
	if h.quiet && named && out.Level < slog.LevelWarn {
		out.Level = slog.LevelDebug
		if !h.next.Enabled(ctx, out.Level) {
			return nil
		}
	}
	if h.withContext && ctx != nil {
		if attrs, ok := ctx.Value(logAttrsKey{}).([]slog.Attr); ok {
			out.AddAttrs(attrs...)
		}
		if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
			out.AddAttrs(slog.String("trace_id", sc.TraceID().String()))
		}
	}
	return h.next.Handle(ctx, out)
}

func (h *logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	named := h.named
	for i, a := range attrs {
		var n bool
		clean[i], n = redactSessionAttr(a)
		named = named || n
	}
	return &logHandler{next: h.next.WithAttrs(clean), withContext: h.withContext, quiet: h.quiet, named: named}
}

func (h *logHandler) WithGroup(name string) slog.Handler {
	return &logHandler{next: h.next.WithGroup(name), withContext: h.withContext, quiet: h.quiet, named: h.named}
}

// redactSessionAttr hashes a session attribute's value (by key, in groups too) and any session id
// inside other string or error values, reporting whether the attribute named a session.
func redactSessionAttr(a slog.Attr) (slog.Attr, bool) {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		group := v.Group()
		out := make([]slog.Attr, len(group))
		named := false
		for i, g := range group {
			var n bool
			out[i], n = redactSessionAttr(g)
			named = named || n
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(out...)}, named
	}
	if sessionKey.MatchString(a.Key) {
		return slog.String(a.Key, SessionHash(v.String())), true
	}
	switch v.Kind() {
	case slog.KindString:
		if s := v.String(); sessionID.MatchString(s) {
			return slog.String(a.Key, redactSessionIDs(s)), true
		}
	case slog.KindAny:
		if err, ok := v.Any().(error); ok && sessionID.MatchString(err.Error()) {
			return slog.String(a.Key, redactSessionIDs(err.Error())), true
		}
	}
	return slog.Attr{Key: a.Key, Value: v}, false
}

// sessionKey matches attribute keys under which libraries log an MCP session id (mcp-go uses
// "session", "sessionID" and "mcp.session.id"); sessionID matches the ids mcp-go's stateful
// session manager issues.
var (
	sessionKey = lazyre.New(`(?i)(^|[._])session([._]?id)?$`)
	sessionID  = lazyre.New(`mcp-session-[0-9a-fA-F-]{36}`)
)

// redactSessionIDs replaces every mcp-go session id in s by "session " and its SessionHash.
func redactSessionIDs(s string) string {
	return sessionID.ReplaceAllStringFunc(s, func(id string) string { return "session " + SessionHash(id) })
}
