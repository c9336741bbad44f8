package resources

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/internal/bound"
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
	t := mcp.NewResourceTemplate(Scheme+"runs/{flow}/{run}/log", "Run log",
		mcp.WithTemplateDescription("The last lines of a run's log, with line numbers."),
		mcp.WithTemplateMIMEType("text/plain"))
	return Def{Template: &t, Handler: func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		run, err := runRef(ctx, d, req)
		if err != nil {
			return nil, err
		}
		log, _, err := d.Client.Executions.Log(ctx, int64(run.FlowID), int64(run.AuditID))
		if err != nil {
			return nil, err
		}
		lines := strings.Split(strings.TrimRight(string(log.Text), "\n"), "\n")
		// The last lines that fit the budget, newest last, each cut to logLineBytes.
		first, room := len(lines), logBytes
		for first > 0 && len(lines)-first < logLines {
			l := len(clipLine(d.Redactor.Text(lines[first-1]))) + 8
			if l > room {
				break
			}
			room -= l
			first--
		}
		var b strings.Builder
		fmt.Fprintf(&b, "Run %d of flow %d (%s): %d lines.", int64(run.AuditID), int64(run.FlowID), run.Status, len(lines))
		if first > 0 {
			fmt.Fprintf(&b, " Showing the last %d; the get_run_log tool reads any part (tail, grep, level).", len(lines)-first)
		}
		b.WriteString("\n")
		for i := first; i < len(lines); i++ {
			fmt.Fprintf(&b, "%5d| %s\n", i+1, clipLine(d.Redactor.Text(lines[i])))
		}
		return textContents(req.Params.URI, "text/plain", b.String()), nil
	}, Untrusted: "run log", Rest: "the get_run_log tool reads any part (tail, grep, level)"}
}

// Bounds of the run-log resource besides logLines: its text stays well inside the read budget.
const (
	logBytes     = 28 << 10
	logLineBytes = 400
)

// clipLine cuts one log line to logLineBytes.
func clipLine(l string) string {
	if len(l) <= logLineBytes {
		return l
	}
	cut := logLineBytes
	for cut > 0 && !utf8.RuneStart(l[cut]) {
		cut--
	}
	return l[:cut] + "…"
}
