package tools

import (
	"fmt"
	"strings"

	"github.com/etlworks/etlworks-mcp/internal/lazyre"
)

// The evidence diagnose_run quotes from a log: the first error with a little context, the lines of
// its trace that say something (the exception, each "Caused by:"), never the stack frames, and a
// line that repeats an earlier one's message once, marked "(×N)".

// maxTraceLines bounds how many lines of one error's trace the evidence keeps, frames left out.
const maxTraceLines = 6

// traceScan bounds how far past the first error line the trace is read.
const traceScan = 400

// causedBy matches a "Caused by:" line of a Java trace, indented or not.
var causedBy = lazyre.New(`^\s*Caused by:`)

// logPrefix is the time and level that start an Etlworks log line.
var logPrefix = lazyre.New(`^\d{4}-\d\d-\d\d[ T][\d:.,]+\s+(?:[A-Z]+\s+)?`)

// messagePrefix is what restates an error without changing it: "Flow failed: ", "Caused by: ",
// an exception class.
var messagePrefix = lazyre.New(`^(?:Flow failed|Caused by|Error|[\w$]+(?:\.[\w$]+)+(?:Exception|Error)|[\w$]*(?:Exception|Error)):\s*`)

// errorMessage is a line's message without its time, level and restating prefixes, for finding
// lines that say the same thing.
func errorMessage(line string) string {
	m := strings.TrimSpace(logPrefix.ReplaceAllString(line, ""))
	for {
		next := messagePrefix.ReplaceAllString(m, "")
		if next == m {
			return m
		}
		m = strings.TrimSpace(next)
	}
}

// firstErrorInContext returns the first error line with two lines before it and the telling lines
// of its trace, each prefixed with its line number; frames are left out and a repeated message is
// kept once with its count.
func firstErrorInContext(lines []string) []string {
	first := -1
	for i, l := range lines {
		if errorLine.MatchString(l) && !stackLine.MatchString(l) {
			first = i
			break
		}
	}
	if first < 0 {
		return nil
	}
	keep := []int{}
	for j := max(0, first-errorContext); j < first; j++ {
		if !stackLine.MatchString(lines[j]) {
			keep = append(keep, j)
		}
	}
	keep = append(keep, first)
	trace := 0
	for j := first + 1; j < len(lines) && j <= first+traceScan && trace < maxTraceLines; j++ {
		switch l := lines[j]; {
		case stackLine.MatchString(l):
		case causedBy.MatchString(l) || (errorLine.MatchString(l) && !logPrefix.MatchString(l)) || errorMessage(l) == errorMessage(lines[first]):
			keep, trace = append(keep, j), trace+1
		default:
			j = len(lines) // the next log line: the trace has ended
		}
	}
	return collapseRepeats(lines, keep)
}

// collapseRepeats renders the kept lines with their numbers; a line whose message an earlier kept
// line already says is left out and counted on that line.
func collapseRepeats(lines []string, keep []int) []string {
	var out []string
	var msgs []string
	counts := []int{}
	for _, i := range keep {
		msg := errorMessage(lines[i])
		if k := indexOf(msgs, msg); k >= 0 && msg != "" {
			counts[k]++
			continue
		}
		msgs, counts = append(msgs, msg), append(counts, 1)
		out = append(out, fmt.Sprintf("%d: %s", i+1, clip(redact(strings.TrimSpace(lines[i])), maxLineBytes)))
	}
	for k, n := range counts {
		if n > 1 {
			out[k] += fmt.Sprintf(" (×%d)", n)
		}
	}
	return out
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}
