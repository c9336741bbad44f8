package resources

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/internal/bound"
	"github.com/etlworks/etlworks-mcp/internal/links"
)

// logLines bounds the run-log resource; get_run_log reads any part of a log.
const logLines = 400

// runRef resolves the {flow} and {run} variables; run "latest" (or empty) means the latest run.
func runRef(ctx context.Context, d Deps, req mcp.ReadResourceRequest) (*client.Execution, error) {
	flowID, _, err := resolveFlow(ctx, d.Client, arg(req, "flow"))
	if err != nil {
		return nil, err
	}
	var runID int64
	if r := arg(req, "run"); r != "" && r != "latest" {
		if runID, err = strconv.ParseInt(r, 10, 64); err != nil || runID <= 0 {
			return nil, fmt.Errorf("run %s is not a run id: use a number or \"latest\"", bound.Quote(r))
		}
	}
	run, _, err := d.Client.Executions.Get(ctx, flowID, &client.ExecutionGetOptions{AuditID: runID})
	if err != nil {
		return nil, err
	}
	if run.FlowID == 0 {
		run.FlowID = client.ID(flowID)
	}
	d.Client.Executions.Fill(ctx, run) // times and counts the status route may leave out
	return run, nil
}

func runStatus(d Deps) Def {
	t := mcp.NewResourceTemplate(Scheme+"runs/{flow}/{run}", "Run status",
		mcp.WithTemplateDescription("Status of one run of a flow ({run} is a run id or \"latest\"). Subscribe to follow a running run."),
		mcp.WithTemplateMIMEType("application/json"))
	return Def{Template: &t, Handler: func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		run, err := runRef(ctx, d, req)
		if err != nil {
			return nil, err
		}
		return jsonContents(req.Params.URI, run)
	}}
}

func runLog(d Deps) Def {
	t := mcp.NewResourceTemplate(links.RunLogTemplate, "Run log",
		mcp.WithTemplateDescription("A run's log with line numbers: the last lines, or lines from..to."),
		mcp.WithTemplateMIMEType("text/plain"))
	return Def{Template: &t, Handler: func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		from, to, err := lineRange(req)
		if err != nil {
			return nil, err
		}
		run, err := runRef(ctx, d, req)
		if err != nil {
			return nil, err
		}
		log, _, err := d.Client.Executions.Log(ctx, int64(run.FlowID), int64(run.AuditID))
		if err != nil {
			return nil, err
		}
		lines := strings.Split(strings.TrimRight(string(log.Text), "\n"), "\n")
		var b strings.Builder
		fmt.Fprintf(&b, "Run %d of flow %d (%s): %d lines.", int64(run.AuditID), int64(run.FlowID), run.Status, len(lines))
		if from == 0 && to == 0 {
			first := lastLinesThatFit(d, lines)
			if first > 0 {
				fmt.Fprintf(&b, " Showing the last %d; add ?from=1&to=%d for earlier lines, or the get_run_log tool (tail, grep, level).", len(lines)-first, first)
			}
			b.WriteString("\n")
			writeLines(&b, d, lines, first, len(lines))
			return textContents(req.Params.URI, "text/plain", b.String()), nil
		}
		start, end := max(from, 1)-1, len(lines)
		if to > 0 {
			end = min(to, len(lines))
		}
		if start >= end {
			return nil, fmt.Errorf("lines %d-%d are not in the log: it has %d lines", max(from, 1), to, len(lines))
		}
		stop := linesThatFit(d, lines, start, end)
		fmt.Fprintf(&b, " Showing lines %d-%d", start+1, stop)
		if stop < end {
			fmt.Fprintf(&b, "; the rest of the range is at %s", links.RunLog(int64(run.FlowID), int64(run.AuditID), stop+1, end))
		}
		b.WriteString(".\n")
		writeLines(&b, d, lines, start, stop)
		return textContents(req.Params.URI, "text/plain", b.String()), nil
	}, Untrusted: "run log", Rest: "the get_run_log tool reads any part (tail, grep, level)"}
}

// lineRange reads the optional from and to of a run-log address: positive line numbers, from
// not after to.
func lineRange(req mcp.ReadResourceRequest) (from, to int, err error) {
	return positiveRange(req, "line")
}

// positiveRange reads the optional from and to of an address whose range counts units ("line",
// "row"): positive integers, from not after to.
func positiveRange(req mcp.ReadResourceRequest, unit string) (from, to int, err error) {
	for _, v := range []struct {
		name string
		to   *int
	}{{"from", &from}, {"to", &to}} {
		s := arg(req, v.name)
		if s == "" {
			continue
		}
		n, perr := strconv.Atoi(s)
		if perr != nil || n <= 0 {
			return 0, 0, fmt.Errorf("%s=%s is not a %s number: use a positive integer, e.g. ?from=1&to=200", v.name, bound.Quote(s), unit)
		}
		*v.to = n
	}
	if from > 0 && to > 0 && from > to {
		return 0, 0, fmt.Errorf("from=%d is after to=%d: give from <= to", from, to)
	}
	return from, to, nil
}

// lastLinesThatFit returns the index of the first of the last lines that fit the budget (at most
// logLines of them), newest last, each cut to logLineBytes.
func lastLinesThatFit(d Deps, lines []string) int {
	first, room := len(lines), logBytes
	for first > 0 && len(lines)-first < logLines {
		l := len(clipLine(d.Redactor.Text(lines[first-1]))) + 8
		if l > room {
			break
		}
		room -= l
		first--
	}
	return first
}

// linesThatFit returns the end (exclusive) of the lines from start that fit the budget, at most
// logLines of them and at least one.
func linesThatFit(d Deps, lines []string, start, end int) int {
	stop, room := start, logBytes
	for stop < end && stop-start < logLines {
		l := len(clipLine(d.Redactor.Text(lines[stop]))) + 8
		if l > room && stop > start {
			break
		}
		room -= l
		stop++
	}
	return stop
}

// writeLines writes lines[from:to] numbered, redacted and cut to logLineBytes each.
func writeLines(b *strings.Builder, d Deps, lines []string, from, to int) {
	for i := from; i < to; i++ {
		fmt.Fprintf(b, "%5d| %s\n", i+1, clipLine(d.Redactor.Text(lines[i])))
	}
}

// Bounds of the run-log resource besides logLines: its text stays well inside the read budget.
const (
	logBytes     = 28 << 10
	logLineBytes = 400
)

// clipLine cuts one log line to logLineBytes.
func clipLine(l string) string {
	return bound.Clip(l, logLineBytes)
}
