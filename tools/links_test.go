package tools

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

// callContent calls a tool and returns its whole result, every content item.
func (e *env) callContent(name string, args map[string]any) *mcp.CallToolResult {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.t.Context(), 30*time.Second)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name, req.Params.Arguments = name, args
	res, err := e.mcp.CallTool(ctx, req)
	if err != nil || res.IsError {
		e.t.Fatalf("%s: %v %+v", name, err, res)
	}
	return res
}

// TestRunLogCutEndsWithALink: a get_run_log result that leaves lines out ends with a
// resource_link to the run-log range that holds them; a result that shows everything has none.
func TestRunLogCutEndsWithALink(t *testing.T) {
	e := newEnv(t)
	whole := e.callContent("get_run_log", map[string]any{"flow": "Daily revenue rollup", "tail": 2000})
	if len(whole.Content) != 1 {
		t.Fatalf("a whole log needs no link: %+v", whole.Content)
	}
	res := e.callContent("get_run_log", map[string]any{"flow": "Daily revenue rollup", "tail": 3})
	if len(res.Content) != 2 {
		t.Fatalf("a cut log must end with a resource_link: %+v", res.Content)
	}
	link, ok := res.Content[1].(mcp.ResourceLink)
	if !ok || link.Type != "resource_link" || link.MIMEType != "text/plain" {
		t.Fatalf("last item: %#v", res.Content[1])
	}
	head := res.Content[0].(mcp.TextContent).Text
	// The tail shows the last lines; the link holds the ones before the first shown.
	m := regexp.MustCompile(`(?m)^\s*(\d+)\| `).FindStringSubmatch(head)
	first, _ := strconv.Atoi(m[1])
	if first < 2 || !strings.HasPrefix(link.URI, "etlworks://runs/2/") || !strings.HasSuffix(link.URI, "/log?from=1&to="+strconv.Itoa(first-1)) {
		t.Fatalf("link %s does not hold the lines before %d:\n%s", link.URI, first, head)
	}
	grep := e.callContent("get_run_log", map[string]any{"flow": "Daily revenue rollup", "grep": "no line has this"})
	if l, ok := grep.Content[len(grep.Content)-1].(mcp.ResourceLink); !ok || !strings.HasSuffix(l.URI, "/log?from=1&to="+strconv.Itoa(resultLineCount(t, grep))) {
		t.Fatalf("a search that matched nothing links the whole log: %+v", grep.Content)
	}
}

// lineCount reads "N lines" from a get_run_log head.
func resultLineCount(t *testing.T, res *mcp.CallToolResult) int {
	t.Helper()
	m := regexp.MustCompile(`: (\d+) lines`).FindStringSubmatch(res.Content[0].(mcp.TextContent).Text)
	if m == nil {
		t.Fatalf("no line count in %+v", res.Content[0])
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestPreviewCutEndsWithALink: a preview_data result that leaves rows out ends with a
// resource_link to the table-rows range that holds the next ones; a whole table has none, and a
// cut run_sql result says how to page in SQL instead (it links to nothing that would re-run SQL).
func TestPreviewCutEndsWithALink(t *testing.T) {
	e := newEnv(t)
	res := e.callContent("preview_data", map[string]any{"connection": "Warehouse", "object": "orders", "limit": 5})
	if len(res.Content) != 2 {
		t.Fatalf("a cut preview must end with a resource_link: %+v", res.Content)
	}
	link, ok := res.Content[1].(mcp.ResourceLink)
	if !ok || link.Type != "resource_link" || link.MIMEType != "text/csv" || link.URI != "etlworks://connections/1/objects/orders/rows?from=6&to=10" {
		t.Fatalf("last item: %#v", res.Content[1])
	}
	if whole := e.callContent("preview_data", map[string]any{"connection": "Warehouse", "object": "products"}); len(whole.Content) != 1 {
		t.Fatalf("a whole table needs no link: %+v", whole.Content)
	}
	if all := e.callContent("preview_data", map[string]any{"connection": "Warehouse", "object": "orders", "limit": 1000}); len(all.Content) != 1 {
		t.Fatalf("orders has 120 rows, all shown at limit 1000: %+v", all.Content)
	}
	sql := e.callContent("run_sql", map[string]any{"connection": "Warehouse", "sql": "SELECT * FROM orders", "max_rows": 5})
	if len(sql.Content) != 1 || !strings.Contains(sql.Content[0].(mcp.TextContent).Text, "to page, add ORDER BY and LIMIT/OFFSET to the SQL") {
		t.Fatalf("cut run_sql: %+v", sql.Content)
	}
}
