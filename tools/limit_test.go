package tools

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/etlworks/etlworks-mcp/client"
)

func TestLimitCallsPerCredential(t *testing.T) {
	t.Parallel()
	c, err := client.New("http://127.0.0.1:1/rest", client.WithPerRequestKeys())
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	var started sync.WaitGroup
	slow := func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		started.Done()
		<-release
		return mcp.NewToolResultText("done"), nil
	}
	h := LimitCallsPerCredential(c, 2)(slow)
	alice := client.WithRequestAPIKey(t.Context(), "alice-key")
	bob := client.WithRequestAPIKey(t.Context(), "bob-key")
	req := mcp.CallToolRequest{}
	req.Params.Name = "get_flow"
	results := make(chan *mcp.CallToolResult, 3)
	started.Add(3)
	for _, ctx := range []context.Context{alice, alice, bob} {
		go func() {
			res, _ := h(ctx, req)
			results <- res
		}()
	}
	started.Wait() // alice's two calls and bob's one are in flight
	res, err := h(alice, req)
	if err != nil || !res.IsError {
		t.Fatalf("alice's third call: %v %+v", err, res)
	}
	text := res.Content[0].(mcp.TextContent).Text
	for _, want := range []string{"get_flow was not run", "2 tool calls in flight", "--max-calls-per-user", "wait"} {
		if !strings.Contains(text, want) {
			t.Errorf("refusal %q does not say %q", text, want)
		}
	}
	close(release)
	for range 3 {
		if r := <-results; r.IsError {
			t.Errorf("a call within the limit was refused: %+v", r)
		}
	}
	started.Add(1)
	if res, _ := h(alice, req); res.IsError {
		t.Errorf("alice's call after the others finished was refused")
	}
}
