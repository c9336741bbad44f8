package transport

import (
	"context"
	"io"
	"log"
	"log/slog"
	"regexp"
	"strings"

	"github.com/etlworks/etlworks-mcp/internal/telemetry"
)

// discardLogger stands in for a nil *slog.Logger so callers may omit logging.
var discardLogger = slog.New(slog.DiscardHandler)

// orDiscard returns l, or a logger that drops everything when l is nil.
func orDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return discardLogger
	}
	return l
}

// slogWriter turns each Write from a stdlib *log.Logger into one slog record, so mcp-go's stdio
// error log and net/http's server error log end up in the same structured stream as the rest of
// the program (on stderr, never on the JSON-RPC channel).
type slogWriter struct {
	log   *slog.Logger
	level slog.Level
}

func (w slogWriter) Write(p []byte) (int, error) {
	w.log.Log(context.Background(), w.level, strings.TrimSpace(string(p)))
	return len(p), nil
}

// stdLogger adapts l to the *log.Logger that mcp-go and net/http expect.
func stdLogger(l *slog.Logger, level slog.Level) *log.Logger {
	return log.New(slogWriter{log: l, level: level}, "", 0)
}

var _ io.Writer = slogWriter{}

// RedactSessions returns a logger that never writes a session id: attributes named like a
// session (session, sessionID, mcp.session.id, …) and any mcp-session-<uuid> in messages or
// values become a short hash, enough to follow one session through the log without a value
// that would let a reader of the log join it. A record that names a session is demoted from
// info to debug: per-session chatter is for debugging, not for an operator's log. mcp-go's
// streamable HTTP server and its request logger (server.WithLogger) both log sessions at info.
func RedactSessions(l *slog.Logger) *slog.Logger {
	l = orDiscard(l)
	return slog.New(sessionRedactor{h: l.Handler()})
}

// sessionRedactor is the slog.Handler behind RedactSessions.
type sessionRedactor struct {
	h       slog.Handler
	session bool // an attribute added with WithAttrs named a session
}

func (s sessionRedactor) Enabled(ctx context.Context, level slog.Level) bool {
	return s.h.Enabled(ctx, level)
}

func (s sessionRedactor) Handle(ctx context.Context, r slog.Record) error {
	found := s.session
	attrs := make([]slog.Attr, 0, r.NumAttrs())
	r.Attrs(func(a slog.Attr) bool {
		a, named := redactAttr(a)
		found = found || named
		attrs = append(attrs, a)
		return true
	})
	level := r.Level
	if found && level < slog.LevelWarn {
		level = slog.LevelDebug
		if !s.h.Enabled(ctx, level) {
			return nil
		}
	}
	out := slog.NewRecord(r.Time, level, redactSessionIDs(r.Message), r.PC)
	out.AddAttrs(attrs...)
	return s.h.Handle(ctx, out)
}

func (s sessionRedactor) WithAttrs(attrs []slog.Attr) slog.Handler {
	out := make([]slog.Attr, len(attrs))
	named := s.session
	for i, a := range attrs {
		var n bool
		out[i], n = redactAttr(a)
		named = named || n
	}
	return sessionRedactor{h: s.h.WithAttrs(out), session: named}
}

func (s sessionRedactor) WithGroup(name string) slog.Handler {
	return sessionRedactor{h: s.h.WithGroup(name), session: s.session}
}

// redactAttr hashes a session attribute's value and any session id inside other string values,
// reporting whether the attribute named a session.
func redactAttr(a slog.Attr) (slog.Attr, bool) {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		group := v.Group()
		out := make([]slog.Attr, len(group))
		named := false
		for i, g := range group {
			var n bool
			out[i], n = redactAttr(g)
			named = named || n
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(out...)}, named
	}
	if sessionKey.MatchString(a.Key) {
		return slog.String(a.Key, telemetry.SessionHash(v.String())), true
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

// sessionKey matches attribute keys that hold a session id; sessionID matches the ids mcp-go's
// stateful session manager issues.
var (
	sessionKey = regexp.MustCompile(`(?i)(^|[._])session([._]?id)?$`)
	sessionID  = regexp.MustCompile(`mcp-session-[0-9a-fA-F-]{36}`)
)

func redactSessionIDs(s string) string {
	return sessionID.ReplaceAllStringFunc(s, func(id string) string { return "session " + telemetry.SessionHash(id) })
}
