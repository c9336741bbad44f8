// Package links holds the addresses of the resources that tools point to when they cut a result,
// so the resource that serves an address and the tools that link to it share one spelling.
package links

import (
	"fmt"
	"strings"
)

// Scheme is the URI scheme of every etlworks-mcp resource.
const Scheme = "etlworks://"

// RunLogTemplate is the run-log resource: {run} is a run id or "latest", and from and to (line
// numbers, 1-based, inclusive, both optional) select a range (RFC 6570 form-style query).
const RunLogTemplate = Scheme + "runs/{flow}/{run}/log{?from,to}"

// RunLog is the address of lines from..to of a run's log, as RunLogTemplate reads it.
func RunLog(flow, run int64, from, to int) string {
	return fmt.Sprintf("%sruns/%d/%d/log?from=%d&to=%d", Scheme, flow, run, from, to)
}

// TableRowsTemplate is the table-rows resource: {connection} is a connection id or exact name,
// {object} a table, view or file name, and from and to (row numbers, 1-based, inclusive, both
// optional) select a range.
const TableRowsTemplate = Scheme + "connections/{connection}/objects/{object}/rows{?from,to}"

// MaxTableRow is the last row the table-rows resource can read: the Explorer data route has no
// offset, so a read fetches rows 1..to, bounded like preview_data's limit.
const MaxTableRow = 1000

// TableRows is the address of rows from..to of an object, as TableRowsTemplate reads it. The
// object name is percent-encoded whole (a "/" in a file path too), so it stays one variable.
func TableRows(connection int64, object string, from, to int) string {
	return fmt.Sprintf("%sconnections/%d/objects/%s/rows?from=%d&to=%d", Scheme, connection, escape(object), from, to)
}

// escape percent-encodes every byte but RFC 3986 unreserved ones, which is what a simple URI
// template variable matches.
func escape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
