package transport

import (
	"context"
	"io"
	"log"
	"log/slog"
	"strings"
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
