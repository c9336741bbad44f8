package tools

import (
	"context"
	"time"

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

// progressDeliveryBound bounds how long a result waits for its progress notifications to leave
// the session's queue. The queue empties in microseconds unless the client stops reading (a full
// pipe), and a result must not wait long on a client that does not read notifications.
const progressDeliveryBound = 500 * time.Millisecond

// progressHandoff is the head start the writer keeps once it has taken the last notification off
// the queue: it then only encodes one small message and writes it, which takes microseconds, so
// 5 ms is a wide margin, paid once per waited run_flow.
const progressHandoff = 5 * time.Millisecond

// awaitProgressDelivery returns once every notification queued for this call's session has been
// taken by the transport's writer and that writer has had progressHandoff to write it, or after
// progressDeliveryBound. mcp-go v1.2.1 queues notifications per session and writes them from
// another goroutine (stdio, in-process) or a per-request forwarder (streamable HTTP), while the
// result is written by the request's goroutine when the handler returns: a notification still
// queued then can reach the client after the result (stdio) or be dropped (HTTP, where the
// forwarder and the final drain race). mcp-go offers no delivery receipt, so this is a bound, not
// a guarantee: TestProgressPrecedesResult (e2e, stdio and HTTP) and TestRunFlowProgressInOrder
// (in-process) check that the last progress notification arrives before the result.
func awaitProgressDelivery(ctx context.Context) {
	s := server.ClientSessionFromContext(ctx)
	if s == nil {
		return
	}
	queue := s.NotificationChannel()
	deadline := time.Now().Add(progressDeliveryBound)
	for len(queue) > 0 && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(time.Millisecond)
	}
	t := time.NewTimer(progressHandoff)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
