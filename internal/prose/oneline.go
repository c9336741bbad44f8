package prose

import "strings"

// OneLine collapses whitespace and cuts s to limit bytes with an ellipsis, so SQL or any other
// multi-line text can be quoted inside one log line or one sentence of documentation.
func OneLine(s string, limit int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > limit {
		s = s[:limit] + "…"
	}
	return s
}
