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
