// Command minimal is the baseline of the cold-start benchmark: the smallest mcp-go stdio server
// with one tool, built in the same run as etlworks-mcp so that the ratio between the two
// compares start-up work, not machines or toolchains.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

func main() {
	srv := server.NewMCPServer("minimal", "1.0.0", server.WithToolCapabilities(true))
	srv.AddTool(mcp.NewTool("echo", mcp.WithDescription("Echoes its text argument."),
		mcp.WithString("text", mcp.Required(), mcp.Description("Text to echo."))),
		func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return mcp.NewToolResultText(req.GetString("text", "")), nil
		})
	if err := server.ServeStdio(srv); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
