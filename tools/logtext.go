package tools

import (
	"fmt"
	"strings"

	"github.com/etlworks/etlworks-mcp/internal/lazyre"
)

// Bounds for log excerpts: a model needs the relevant lines, not the file.
const (
	defaultTail   = 200
	maxTail       = 2000
	maxLineBytes  = 400
	maxExcerpt    = 24 << 10 // bytes of excerpt text
	errorContext  = 2        // lines shown before each error line
	maxStackLines = 4        // stack frames kept after each error line
)

// errorLine matches the lines that report a failure in Etlworks (Java) logs.
var errorLine = lazyre.New(`\b(ERROR|FATAL|SEVERE)\b|Exception\b|Caused by:|\bfailed\b|\bError:`)

// warnLine matches the lines that report a warning; get_run_log's warning level shows them with
// the error lines, and a warning run's first one says why it is not a success.
var warnLine = lazyre.New(`\b(WARN|WARNING)\b`)

// stackLine matches stack-trace continuation lines.
var stackLine = lazyre.New(`^\s+(at |\.\.\. \d+ more)`)

// splitLog splits a log into lines without the trailing empty line.
func splitLog(text string) []string {
	text = strings.TrimRight(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	if text == "" {
		return nil
	}
	return strings.Split(text, "\n")
}

// errorSelection returns the indexes of error lines with a little context before them and the
// first frames of their stack traces, in order and without repeats.
func errorSelection(lines []string) []int {
	return levelSelection(lines, false)
}

// levelSelection is errorSelection that, with warnings, also keeps the warning lines.
func levelSelection(lines []string, warnings bool) []int {
	keep := make([]bool, len(lines))
	for i, l := range lines {
		if stackLine.MatchString(l) || !(errorLine.MatchString(l) || warnings && warnLine.MatchString(l)) {
			continue
		}
		for j := max(0, i-errorContext); j <= i; j++ {
			keep[j] = true
		}
		for j, frames := i+1, 0; j < len(lines) && stackLine.MatchString(lines[j]) && frames < maxStackLines; j, frames = j+1, frames+1 {
			keep[j] = true
		}
	}
	var out []int
	for i, k := range keep {
		if k {
			out = append(out, i)
		}
	}
	return out
}

// firstProblems returns up to n error lines (no context) with their line numbers, for run summaries;
// with warnings, it also takes warning lines.
func firstProblems(lines []string, n int, warnings bool) []string {
	out := []string{}
	for i, l := range lines {
		if len(out) >= n {
			break
		}
		if (errorLine.MatchString(l) || warnings && warnLine.MatchString(l)) && !stackLine.MatchString(l) {
			out = append(out, fmt.Sprintf("%d: %s", i+1, clip(redact(l), maxLineBytes)))
		}
	}
	return out
}

// firstProblem returns the first error line of a log, or with warnings the first error or
// warning line, without its time stamp; "" when there is none.
func firstProblem(lines []string, warnings bool) string {
	for _, l := range lines {
		if !stackLine.MatchString(l) && (errorLine.MatchString(l) || warnings && warnLine.MatchString(l)) {
			return logStamp.ReplaceAllString(strings.TrimSpace(l), "")
		}
	}
	return ""
}

// excerpt renders the selected lines with their 1-based numbers, marking gaps with "…", cut to
// maxExcerpt bytes; it reports how many selected lines it had to leave out.
func excerpt(lines []string, sel []int) (string, int) {
	var b strings.Builder
	prev := -1
	for k, i := range sel {
		if prev >= 0 && i > prev+1 {
			b.WriteString("     …\n")
		}
		line := fmt.Sprintf("%5d| %s\n", i+1, clip(redact(lines[i]), maxLineBytes))
		if b.Len()+len(line) > maxExcerpt {
			return b.String(), len(sel) - k
		}
		b.WriteString(line)
		prev = i
	}
	return b.String(), 0
}
