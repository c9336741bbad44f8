package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
)

// runCall runs one tool in process, through the MCP protocol, and prints its result: for people
// and scripts. Runs that wait print their progress on stderr.
//
//	etlworks-mcp call TOOL ['{"json":"args"}'] [flags]
func runCall(ctx context.Context, args []string, getenv func(string) string, std streams) error {
	var positional []string
	for len(args) > 0 && len(positional) < 2 && !strings.HasPrefix(args[0], "-") {
		positional, args = append(positional, args[0]), args[1:]
	}
	cfg, err := loadConfig(args, getenv)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(std.out, usage())
		return nil
	}
	if err != nil {
		return err
	}
	positional = append(positional, cfg.Args...)
	if len(positional) == 0 || len(positional) > 2 {
		return &usageError{errors.New(`call needs a tool name and at most one JSON object of arguments, e.g. call get_flow '{"flow":"Load orders from CSV"}'`)}
	}
	name := positional[0]
	arguments := map[string]any{}
	if len(positional) == 2 {
		if err := json.Unmarshal([]byte(positional[1]), &arguments); err != nil {
			return &usageError{fmt.Errorf("arguments of %s must be one JSON object, e.g. '{\"flow\":\"Load orders from CSV\"}': %v", name, err)}
		}
	}
	app, srv, _, err := start(ctx, cfg, std, nil)
	if err != nil {
		return err
	}
	defer app.close()
	if _, ok := srv.ListTools()[name]; !ok {
		names := make([]string, 0)
		for n := range srv.ListTools() {
			names = append(names, n)
		}
		return &usageError{fmt.Errorf("no tool %q; tools: %s", name, strings.Join(sortedCopy(names), ", "))}
	}
	c, err := mcpclient.NewInProcessClient(srv)
	if err != nil {
		return err
	}
	defer c.Close()
	c.OnNotification(func(n mcp.JSONRPCNotification) {
		if n.Method == string(mcp.MethodNotificationProgress) {
			if msg, ok := n.Params.AdditionalFields["message"].(string); ok {
				fmt.Fprintf(std.err, "%s  %s\n", time.Now().Format("15:04:05"), msg)
			}
		}
	})
	if err := c.Start(ctx); err != nil {
		return err
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_LEGACY_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "etlworks-mcp call", Version: version}
	if _, err := c.Initialize(ctx, init); err != nil {
		return err
	}
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = arguments
	req.Params.Meta = &mcp.Meta{ProgressToken: "call"}
	res, err := c.CallTool(ctx, req)
	if err != nil {
		return err
	}
	for _, content := range res.Content {
		if t, ok := content.(mcp.TextContent); ok {
			fmt.Fprintln(std.out, prettyJSON(t.Text))
		}
	}
	if res.IsError {
		return toolFailedError{}
	}
	return nil
}

// prettyJSON indents JSON results for people; anything else is printed as it is.
func prettyJSON(s string) string {
	var v any
	if json.Unmarshal([]byte(s), &v) != nil {
		return s
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return s
	}
	return string(b)
}
