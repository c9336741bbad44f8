package main

import (
	"context"
	"strings"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
)

// TestModernProtocolClient lets mcp-go's client negotiate on its own, which settles on the
// stateless 2026-07-28 protocol, and checks tools, resources and prompts still work over HTTP and
// stdio.
func TestModernProtocolClient(t *testing.T) {
	t.Parallel()
	t.Run("http", func(t *testing.T) {
		url, stop := startHTTPServer(t)
		defer stop()
		c, err := mcpclient.NewStreamableHttpClient(url)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		modernScenario(t, c)
	})
	t.Run("stdio", func(t *testing.T) {
		c, err := mcpclient.NewStdioMCPClient(binary, []string{"HOME=" + t.TempDir()}, "--sandbox")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		modernScenario(t, c)
	})
}

func modernScenario(t *testing.T, c *mcpclient.Client) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Initialize(ctx, mcp.InitializeRequest{}); err != nil {
		t.Fatalf("initialize: %v", err)
	}
	t.Logf("negotiated protocol %s", c.ProtocolVersion())
	req := mcp.CallToolRequest{}
	req.Params.Name = "get_run"
	req.Params.Arguments = map[string]any{"flow": "Daily revenue rollup"}
	res, err := c.CallTool(ctx, req)
	if err != nil || res.IsError || !strings.Contains(res.Content[0].(mcp.TextContent).Text, "amount_usd") {
		t.Fatalf("get_run: %v %+v", err, res)
	}
	if _, err := c.ReadResource(ctx, mcp.ReadResourceRequest{Params: mcp.ReadResourceParams{URI: "etlworks://flows"}}); err != nil {
		t.Fatalf("read resource: %v", err)
	}
	if _, err := c.GetPrompt(ctx, mcp.GetPromptRequest{Params: mcp.GetPromptParams{Name: "review_schedules"}}); err != nil {
		t.Fatalf("get prompt: %v", err)
	}
}
