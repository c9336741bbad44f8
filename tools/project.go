package tools

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/etlworks/etlworks-mcp/internal/bound"
	"github.com/etlworks/etlworks-mcp/internal/secrets"
)

// Page sizes: lists return defaultLimit rows unless asked, never more than maxLimit.
const (
	defaultLimit = 25
	maxLimit     = 100
)

// page is the paging part of a list input.
type page struct {
	Limit  int    `json:"limit,omitempty" jsonschema:"maximum=100,description=Rows (default 25)"`
	Cursor string `json:"cursor,omitempty" jsonschema:"description=Previous next_cursor"`
}

// offset decodes the cursor; the cursor is opaque to the model but simply encodes an offset.
func (p page) offset() (int, error) {
	if p.Cursor == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(p.Cursor)
	if err == nil {
		if n, err := strconv.Atoi(strings.TrimPrefix(string(b), "o")); err == nil && n >= 0 && strings.HasPrefix(string(b), "o") {
			return n, nil
		}
	}
	return 0, badInput("cursor %q is not one this server issued; pass next_cursor from the previous page or omit it", p.Cursor)
}

func (p page) limit() int {
	if p.Limit <= 0 {
		return defaultLimit
	}
	return min(p.Limit, maxLimit)
}

// validate checks the limit and the cursor; a list input that embeds page and has no other rule
// gets it by promotion, so bind checks its paging without a method of its own.
func (p page) validate() error {
	if p.Limit < 0 || p.Limit > maxLimit {
		return badInput(`"limit" must be between 1 and %d, got %d`, maxLimit, p.Limit)
	}
	_, err := p.offset()
	return err
}

// nextCursor returns the cursor of the page after one that started at offset and held n rows, or
// "" when there is none.
func nextCursor(offset, n, total int) string {
	next := offset + n
	if n == 0 || (total >= 0 && next >= total) {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte("o" + strconv.Itoa(next)))
}

// listResult is the envelope of every list tool: rows, the total when known, and the next cursor.
type listResult[T any] struct {
	Total      *int   `json:"total,omitempty"`
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

func newListResult[T any](items []T, offset, total int) listResult[T] {
	if items == nil {
		items = []T{}
	}
	r := listResult[T]{Items: items, NextCursor: nextCursor(offset, len(items), total)}
	if total >= 0 {
		r.Total = &total
	}
	return r
}

// isoTime renders epoch milliseconds as compact UTC RFC 3339, or "" when absent.
func isoTime(ms int64) string {
	if ms <= 0 {
		return ""
	}
	return time.UnixMilli(ms).UTC().Format(time.RFC3339)
}

// seconds rounds a duration to tenths of a second for compact results.
func seconds(d time.Duration) float64 {
	return math.Round(d.Seconds()*10) / 10
}

// strs reads a gjson array of strings; never nil.
func strs(r gjson.Result) []string {
	out := []string{}
	for _, v := range r.Array() {
		out = append(out, v.String())
	}
	return out
}

// clip shortens s to at most n bytes on a rune boundary, saying how much was cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := bound.RuneCut(s, n)
	return s[:cut] + fmt.Sprintf("… [%d more bytes]", len(s)-cut)
}

// redact hides credentials in text that came from Etlworks (logs, messages) before a model sees it,
// by shape; the result renderer also redacts the process's own secrets by value.
func redact(s string) string { return secrets.Redact(s) }

// isSecretKey reports whether a property name looks like it holds a credential.
func isSecretKey(k string) bool { return secrets.IsSecretKey(k) }
