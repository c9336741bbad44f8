package tools

import (
	"fmt"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/internal/links"
)

// logRestLink points at the run-log resource range that holds what get_run_log left out, so a
// client that reads resources gets the rest without a second tool call: the newest selected lines
// when the excerpt was cut for size (cut > 0), else the lines before the first one shown. It is
// nil when nothing was left out. sel are the shown line indexes (0-based), total the log's lines.
func logRestLink(run *client.Execution, sel []int, cut, total int) *mcp.ResourceLink {
	var from, to int
	switch {
	case cut > 0 && len(sel) > 0:
		from, to = sel[len(sel)-cut]+1, sel[len(sel)-1]+1
	case len(sel) > 0 && sel[0] > 0:
		from, to = 1, sel[0]
	case len(sel) == 0 && total > 0:
		from, to = 1, total
	default:
		return nil
	}
	l := mcp.NewResourceLink(links.RunLog(int64(run.FlowID), int64(run.AuditID), from, to),
		fmt.Sprintf("run %d log, lines %d-%d", int64(run.AuditID), from, to),
		fmt.Sprintf("Lines %d-%d of the log of run %d, which this result left out", from, to, int64(run.AuditID)), "text/plain")
	return &l
}

// tableRestLink points at the table-rows resource range that holds what preview_data left out:
// the rows it read but cut for size, else the next page of as many rows as were asked for (the
// resource reads at most links.MaxTableRow rows). It is nil when nothing was left out or the rest
// lies past what the resource can read.
func tableRestLink(c connRef, object string, res *client.QueryResult, limit, shown int) *mcp.ResourceLink {
	n := min(len(res.Rows), limit)
	var from, to int
	switch {
	case shown < n:
		from, to = shown+1, n
	case res.Truncated || len(res.Rows) > n:
		from, to = n+1, min(n+limit, links.MaxTableRow)
	}
	if from == 0 || from > to {
		return nil
	}
	l := mcp.NewResourceLink(links.TableRows(c.ID, object, from, to),
		fmt.Sprintf("%s rows %d-%d", clip(object, 100), from, to),
		fmt.Sprintf("Rows %d-%d of %s on %s, which this result left out (CSV)", from, to, clip(object, 100), c.Name), "text/csv")
	return &l
}
