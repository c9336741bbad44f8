package tools

import (
	"context"
	"fmt"
	"sync"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/etlworks/etlworks-mcp/client"
)

// LimitCallsPerCredential is a tool middleware that lets each caller's Etlworks credential (as
// c.CredentialID names it) have at most max tool calls in flight. A call beyond that is answered
// at once with a tool error saying to wait, rather than queued, so one caller cannot hold the
// server's connections to Etlworks or build an unbounded backlog. max < 1 limits nothing.
func LimitCallsPerCredential(c *client.Client, max int) server.ToolHandlerMiddleware {
	l := &callLimiter{max: max, inFlight: map[string]int{}}
	return func(next server.ToolHandlerFunc) server.ToolHandlerFunc {
		if max < 1 {
			return next
		}
		return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			who := c.CredentialID(ctx)
			if !l.enter(who) {
				return mcp.NewToolResultError(fmt.Sprintf("%s was not run: this Etlworks key already has %d tool calls in flight, "+
					"the most this server runs at once for one caller (--max-calls-per-user); wait for one to finish, then call again",
					req.Params.Name, l.max)), nil
			}
			defer l.leave(who)
			return next(ctx, req)
		}
	}
}

// callLimiter counts calls in flight per credential; an entry lives only while its count is
// above zero, so the map is bounded by the calls in flight.
type callLimiter struct {
	max      int
	mu       sync.Mutex
	inFlight map[string]int
}

func (l *callLimiter) enter(who string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inFlight[who] >= l.max {
		return false
	}
	l.inFlight[who]++
	return true
}

func (l *callLimiter) leave(who string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inFlight[who]--; l.inFlight[who] <= 0 {
		delete(l.inFlight, who)
	}
}
