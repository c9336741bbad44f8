// Package bound holds the limits on what a model reads and on how long a call may take, and the
// one implementation of each: how much of a value an error echoes (Echo), and how a result that is
// over its budget is cut and says what was left out (Fit). Tools, resources, prompts and the
// client share it, so a limit is stated once and applied the same way everywhere.
package bound

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits shared by every package that shows text to a model.
const (
	// EchoBytes is how much of any one value an error message repeats: enough to recognise it,
	// never enough for a megabyte of input to come back as two.
	EchoBytes = 200
	// ResultBytes is the default budget of one tool result or resource read (about 8k tokens).
	ResultBytes = 32 << 10
	// MaxResultBytes is the hard cap of a result a caller asked to be bigger (run_sql max_rows).
	MaxResultBytes = 256 << 10
	// DefaultCallTimeout bounds one tool call, resource read or prompt get when the operator sets
	// no --call-timeout.
	DefaultCallTimeout = 60 * time.Second
)

// Echo returns s cut to at most EchoBytes bytes (on a rune boundary), with the number of bytes
// left out, so errors can quote any value without growing with it.
func Echo(s string) string {
	if len(s) <= EchoBytes {
		return s
	}
	cut := RuneCut(s, EchoBytes)
	return s[:cut] + fmt.Sprintf("…(%d more bytes)", len(s)-cut)
}

// Quote is strconv.Quote(Echo(s)): a value shown in an error, bounded and escaped so that it
// cannot end the quotation or add lines of its own.
func Quote(s string) string { return strconv.Quote(Echo(s)) }

// Fit returns text unchanged when it is at most limit bytes; otherwise it keeps the beginning
// (cut at a line end when one is near, never inside a rune) and ends with a line saying how much
// was left out and how to get it (rest, e.g. "use get_run_log with tail or grep"). The result,
// note included, is at most limit bytes.
func Fit(text string, limit int, rest string) string {
	if len(text) <= limit {
		return text
	}
	note := func(shown int) string {
		n := fmt.Sprintf("\n[cut: showed %d of %d bytes", shown, len(text))
		if rest != "" {
			n += "; " + rest
		}
		return n + "]"
	}
	keep := limit - len(note(len(text)))
	if keep < 0 {
		keep = 0
	}
	cut := RuneCut(text, keep)
	if nl := strings.LastIndexByte(text[:cut], '\n'); nl >= cut*3/4 {
		cut = nl
	}
	return text[:cut] + note(cut)
}

// Clip cuts s to at most n bytes on a rune boundary and marks a cut with a trailing "…"; a string
// that fits is returned as it is.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:RuneCut(s, n)] + "…"
}

// RuneCut returns the largest index <= n that does not split a UTF-8 sequence of s: the one
// place a byte budget meets UTF-8.
func RuneCut(s string, n int) int {
	if n >= len(s) {
		return len(s)
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}
