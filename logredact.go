package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/etlworks/etlworks-mcp/internal/secrets"
)

// redactHandler is the last step before a log line is written: it redacts the message and every
// attribute value with the process's Redactor (by shape and by value), and masks attributes whose
// key names a credential. Every component logs through it, so none can leak by forgetting.
type redactHandler struct {
	next slog.Handler
	red  *secrets.Redactor
}

func newRedactHandler(next slog.Handler, red *secrets.Redactor) slog.Handler {
	return &redactHandler{next: next, red: red}
}

func (h *redactHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h *redactHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.red.Text(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *redactHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = h.attr(a)
	}
	return &redactHandler{next: h.next.WithAttrs(clean), red: h.red}
}

func (h *redactHandler) WithGroup(name string) slog.Handler {
	return &redactHandler{next: h.next.WithGroup(name), red: h.red}
}

// attr redacts one attribute; numbers, booleans, times and durations pass as they are.
func (h *redactHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		group := v.Group()
		clean := make([]any, len(group))
		for i, g := range group {
			clean[i] = h.attr(g)
		}
		return slog.Group(a.Key, clean...)
	}
	switch v.Kind() {
	case slog.KindString, slog.KindAny:
	default:
		return slog.Attr{Key: a.Key, Value: v}
	}
	if secrets.IsSecretKey(a.Key) {
		return slog.String(a.Key, secrets.Mask)
	}
	var text string
	if v.Kind() == slog.KindString {
		text = v.String()
	} else {
		text = fmt.Sprint(v.Any())
	}
	clean := h.red.Text(text)
	if v.Kind() == slog.KindAny && clean == text {
		return slog.Attr{Key: a.Key, Value: v} // nothing to hide: keep the value, so handlers format it as usual
	}
	return slog.String(a.Key, clean)
}
