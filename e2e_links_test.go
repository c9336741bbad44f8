package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

// TestCutLogLinksToTheRest: through the binary, a cut get_run_log result ends with a resource_link,
// and reading that link returns the lines the result left out.
func TestCutLogLinksToTheRest(t *testing.T) {
	s := stdioSession(t, nil, "--sandbox")
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name, req.Params.Arguments = "get_run_log", map[string]any{"flow": "Daily revenue rollup", "tail": 2}
	res, err := s.c.CallTool(ctx, req)
	if err != nil || res.IsError || len(res.Content) != 2 {
		t.Fatalf("get_run_log: %v %+v", err, res)
	}
	link, ok := res.Content[1].(mcp.ResourceLink)
	if !ok {
		t.Fatalf("the result does not end with a resource_link: %#v", res.Content[1])
	}
	rest, err := s.c.ReadResource(ctx, mcp.ReadResourceRequest{Params: mcp.ReadResourceParams{URI: link.URI}})
	if err != nil {
		t.Fatalf("read %s: %v", link.URI, err)
	}
	text := rest.Contents[0].(mcp.TextResourceContents).Text
	if !strings.Contains(text, "Showing lines 1-") || !strings.Contains(text, "    1| ") {
		t.Fatalf("%s:\n%s", link.URI, text)
	}
	shown := res.Content[0].(mcp.TextContent).Text
	for _, l := range strings.Split(text, "\n") {
		if i := strings.Index(l, "| "); i > 0 && strings.Contains(shown, l[:i+2]) {
			t.Fatalf("the link repeats line %q the result showed", l[:i])
		}
	}
}

// TestCutPreviewLinksToTheNextRows: through the binary, a cut preview_data result ends with a
// resource_link, and reading it returns the rows after the ones the result showed.
func TestCutPreviewLinksToTheNextRows(t *testing.T) {
	s := stdioSession(t, nil, "--sandbox")
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name, req.Params.Arguments = "preview_data", map[string]any{"connection": "Warehouse", "object": "orders", "limit": 3}
	res, err := s.c.CallTool(ctx, req)
	if err != nil || res.IsError || len(res.Content) != 2 {
		t.Fatalf("preview_data: %v %+v", err, res)
	}
	link, ok := res.Content[1].(mcp.ResourceLink)
	if !ok {
		t.Fatalf("the result does not end with a resource_link: %#v", res.Content[1])
	}
	req.Params.Arguments = map[string]any{"connection": "Warehouse", "object": "orders", "limit": 6}
	six, err := s.c.CallTool(ctx, req)
	if err != nil || six.IsError {
		t.Fatalf("preview_data limit 6: %v %+v", err, six)
	}
	rest, err := s.c.ReadResource(ctx, mcp.ReadResourceRequest{Params: mcp.ReadResourceParams{URI: link.URI}})
	if err != nil {
		t.Fatalf("read %s: %v", link.URI, err)
	}
	text := rest.Contents[0].(mcp.TextResourceContents).Text
	shown, all := csvRows(res.Content[0].(mcp.TextContent).Text), csvRows(six.Content[0].(mcp.TextContent).Text)
	next := csvRows(text)
	if !strings.Contains(text, "rows 4-6") || len(shown) != 3 || len(all) != 6 || strings.Join(next, "\n") != strings.Join(all[3:], "\n") {
		t.Fatalf("%s does not hold rows 4-6:\n%s\nwant %q", link.URI, text, all[3:])
	}
}

// csvRows returns the data lines of a fenced orders table: the lines that start with an order id.
func csvRows(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "500") {
			out = append(out, l)
		}
	}
	return out
}
