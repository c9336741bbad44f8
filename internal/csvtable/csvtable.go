// Package csvtable renders query rows as compact CSV, the one way preview_data, run_sql and the
// table-rows resource write a table, so a tool result and the resource it links to read alike.
package csvtable

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/etlworks/etlworks-mcp/internal/bound"
)

// MaxCell is how many bytes of one cell are kept before it is cut with "…".
const MaxCell = 200

// Header writes the column names as one CSV line.
func Header(b *strings.Builder, columns []string) {
	for i, col := range columns {
		if i > 0 {
			b.WriteByte(',')
		}
		WriteCell(b, Cut(col), false)
	}
	b.WriteByte('\n')
}

// Row renders one row of raw JSON cells as a CSV line, newline included.
func Row(row []json.RawMessage) string {
	var line strings.Builder
	for i, cell := range row {
		if i > 0 {
			line.WriteByte(',')
		}
		text, isNull := Cell(cell)
		WriteCell(&line, text, !isNull)
	}
	line.WriteByte('\n')
	return line.String()
}

// Rows appends rows to b while b stays within room bytes and returns how many it wrote.
func Rows(b *strings.Builder, rows [][]json.RawMessage, room int) int {
	shown := 0
	for _, row := range rows {
		line := Row(row)
		if b.Len()+len(line) > room {
			break
		}
		b.WriteString(line)
		shown++
	}
	return shown
}

// Cell renders one raw JSON cell: strings unquoted, null as empty (reported by isNull), numbers
// and booleans as written, nested values as compact JSON; long text is cut at MaxCell bytes.
func Cell(raw json.RawMessage) (text string, isNull bool) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return "", true
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			return Cut(s), false
		}
	case raw[0] == '{' || raw[0] == '[':
		var buf bytes.Buffer
		if json.Compact(&buf, raw) == nil {
			return Cut(buf.String()), false
		}
	}
	return Cut(string(raw)), false
}

// Cut cuts s to MaxCell bytes on a rune boundary, marking the cut with "…".
func Cut(s string) string {
	return bound.Clip(s, MaxCell)
}

// WriteCell writes one RFC 4180 field. With quoteEmpty an empty string is written as "" so it
// reads apart from NULL, which is an empty field.
func WriteCell(b *strings.Builder, s string, quoteEmpty bool) {
	if (s == "" && quoteEmpty) || strings.ContainsAny(s, ",\"\n\r") || strings.TrimSpace(s) != s {
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(s, `"`, `""`))
		b.WriteByte('"')
		return
	}
	b.WriteString(s)
}
