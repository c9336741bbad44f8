package tools

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/internal/bound"
	"github.com/etlworks/etlworks-mcp/internal/lazyre"
)

// runRow is one list_runs row, kept small so that a page of runs stays small: the flow as an id
// (the list names each flow once), the start to the minute, and the first error or warning line
// cut so the row stays within maxRowBytes (about 90 bytes without one).
type runRow struct {
	RunID     int64  `json:"id"`
	FlowID    int64  `json:"flow,omitempty"` // omitted when list_runs was asked about one flow
	Status    string `json:"status"`
	Start     string `json:"start,omitempty"`
	DurationS any    `json:"dur_s,omitempty" jsonschema:"oneof_type=number;string;null"`
	Records   any    `json:"records,omitempty" jsonschema:"oneof_type=integer;string;null"`
	Error     string `json:"error,omitempty"`
	Warning   string `json:"warning,omitempty"`
}

// maxRowBytes bounds a list_runs row that carries a problem line; rows without one take about
// 90 bytes, so a page averages about 120 bytes a row. The line keeps at least minMessage bytes.
const (
	maxRowBytes = 150
	minMessage  = 40
)

// startMinute renders a start time to the minute (RFC 3339 without seconds), which is what a
// list of runs needs.
func startMinute(ms int64) string {
	if ms <= 0 {
		return ""
	}
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04Z")
}

// newRunRow builds a row for run e; withFlow keeps its flow id. The message is set later.
func newRunRow(e *client.Execution, now time.Time, withFlow bool) runRow {
	r := runRow{RunID: int64(e.AuditID), Status: string(e.Status)}
	if withFlow {
		r.FlowID = int64(e.FlowID)
	}
	if e.Detailed() {
		r.Start, r.DurationS, r.Records = startMinute(int64(e.Started)), seconds(e.Duration(now)), e.Records
	} else {
		r.Start, r.DurationS, r.Records = unknown, unknown, unknown
	}
	return r
}

// setMessage puts the run's first problem line in the row, on one line and cut so the row stays
// near maxRowBytes.
func (r *runRow) setMessage(msg string) {
	if msg == "" {
		return
	}
	probe := *r
	probe.Error, probe.Warning = "", ""
	b, _ := json.Marshal(probe)
	room := max(minMessage, maxRowBytes-len(b)-len(`,"warning":""`))
	msg = cutLine(msg, room)
	if r.Status == string(client.StatusWarning) {
		r.Warning = msg
	} else {
		r.Error = msg
	}
}

// cutLine keeps the first non-blank line of s, cut to at most n bytes on a rune boundary with
// "…" marking the cut.
func cutLine(s string, n int) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			s = l
			break
		}
	}
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	cut := bound.RuneCut(s, max(0, n-len("…")))
	return strings.TrimSpace(s[:cut]) + "…"
}

// runProblem is the first line that explains a run that did not succeed: the exception's first
// message line, else (for warning runs and errors without an exception) the first warning or
// error line of its log, read by readLog. It is redacted and "" for other runs.
func runProblem(e *client.Execution, readLog func() []string) string {
	switch e.Status {
	case client.StatusError, client.StatusWarning:
	default:
		return ""
	}
	if s := firstLine(exceptionSummary(e.Exception)); s != "" {
		return redact(problemText(s))
	}
	if readLog == nil {
		return ""
	}
	return redact(problemText(firstProblem(readLog(), e.Status == client.StatusWarning)))
}

// problemLead matches what starts a problem line without explaining it: a log level, or a Java
// exception's qualified class name (the message after it names the problem).
var problemLead = lazyre.New(`^(?:(?:INFO|WARN|WARNING|ERROR|FATAL|SEVERE)\s+|(?:[a-z][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error):\s+)`)

// problemText is a problem line without its lead, so a short cut keeps the words that matter.
func problemText(s string) string {
	s = strings.TrimSpace(s)
	if rest := strings.TrimSpace(problemLead.ReplaceAllString(s, "")); rest != "" {
		return rest
	}
	return s
}

// maxLogReads bounds the logs one list_runs call downloads to find warning lines (a default page
// of runs), and logReaders how many it reads at once.
const (
	maxLogReads = 25
	logReaders  = 3
)

// runProblems returns the first problem line of each run, reading the logs of at most
// maxLogReads runs whose record says nothing (warning runs, errors without an exception), and
// how many such runs it left unread.
func runProblems(ctx context.Context, d Deps, runs []*client.Execution) ([]string, int) {
	out := make([]string, len(runs))
	sem := make(chan struct{}, logReaders)
	var wg sync.WaitGroup
	reads, unread := 0, 0
	for i, e := range runs {
		if s := runProblem(e, nil); s != "" || (e.Status != client.StatusError && e.Status != client.StatusWarning) {
			out[i] = s
			continue
		}
		if reads >= maxLogReads {
			unread++
			continue
		}
		reads++
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i] = runProblem(e, func() []string {
				log, _, err := d.Client.Executions.Log(ctx, int64(e.FlowID), int64(e.AuditID))
				if err != nil {
					return nil
				}
				return splitLog(d.Redactor.Text(string(log.Text)))
			})
		}()
	}
	wg.Wait()
	return out, unread
}
