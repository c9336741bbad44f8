package tools

import (
	"context"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/etlworks/etlworks-mcp/internal/secrets"
)

type progressKey struct{}

// progress sends MCP progress notifications for one tool call, when the client asked for them by
// sending a progress token.
type progress struct {
	srv   *server.MCPServer
	token mcp.ProgressToken
	red   *secrets.Redactor // progress messages carry log lines: they are redacted like results
}

// withProgress stores the call's progress token (if any) in ctx for the handler.
func withProgress(ctx context.Context, req mcp.CallToolRequest, red *secrets.Redactor) context.Context {
	if req.Params.Meta == nil || req.Params.Meta.ProgressToken == nil {
		return ctx
	}
	srv := server.ServerFromContext(ctx)
	if srv == nil {
		return ctx
	}
	return context.WithValue(ctx, progressKey{}, &progress{srv: srv, token: req.Params.Meta.ProgressToken, red: red})
}

// reportProgress notifies the client of progress; total 0 means unknown. Progress is advisory:
// a failure to deliver it never fails the tool.
func reportProgress(ctx context.Context, done, total float64, message string) {
	p, _ := ctx.Value(progressKey{}).(*progress)
	if p == nil {
		return
	}
	params := map[string]any{"progressToken": p.token, "progress": done, "message": p.red.Text(message)}
	if total > 0 {
		params["total"] = total
	}
	_ = p.srv.SendNotificationToClient(ctx, string(mcp.MethodNotificationProgress), params)
}

// hasProgress reports whether the client asked for progress on this call.
func hasProgress(ctx context.Context) bool {
	p, _ := ctx.Value(progressKey{}).(*progress)
	return p != nil
}

// notifyResourceListChanged tells every connected client that the resource list changed (a flow
// was created, deleted or restored), so one showing etlworks://flows can refresh it.
func notifyResourceListChanged(ctx context.Context) {
	if srv := server.ServerFromContext(ctx); srv != nil {
		srv.SendNotificationToAllClients(string(mcp.MethodNotificationResourcesListChanged), nil)
	}
}
