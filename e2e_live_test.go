package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
)

// liveScenario checks, through one transport, that progress reaches the client before the result,
// that cancelling the call stops the wait (and with stop_on_cancel the run), and that resources,
// completions and prompts work end to end.
func liveScenario(t *testing.T, s *session) {
	// Progress before the result.
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name = "run_flow"
	req.Params.Arguments = map[string]any{"flow": "Load product catalog", "wait": true}
	req.Params.Meta = &mcp.Meta{ProgressToken: "live-1"}
	res, err := s.c.CallTool(ctx, req)
	before := s.progressCount()
	if err != nil || res.IsError {
		t.Fatalf("run_flow: %v %+v", err, res)
	}
	if before < 2 {
		t.Fatalf("only %d progress notifications arrived before the result", before)
	}

	// Cancel with stop_on_cancel: the call returns promptly and the run ends canceled.
	cctx, ccancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		r := mcp.CallToolRequest{}
		r.Params.Name = "run_flow"
		r.Params.Arguments = map[string]any{"flow": "Load orders from CSV", "wait": true, "stop_on_cancel": true}
		r.Params.Meta = &mcp.Meta{ProgressToken: "live-2"}
		_, _ = s.c.CallTool(cctx, r)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for s.progressCount() == before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	ccancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the call did not return after it was cancelled")
	}
	for time.Now().Before(deadline) {
		text, _ := s.call("get_run", map[string]any{"flow": "Load orders from CSV"}, false)
		if strings.Contains(text, `"status":"canceled"`) {
			break
		}
		if strings.Contains(text, `"status":"success"`) {
			t.Fatalf("stop_on_cancel did not stop the run: %s", text)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Resources, completion and a prompt.
	rres, err := s.c.ReadResource(ctx, mcp.ReadResourceRequest{Params: mcp.ReadResourceParams{URI: "etlworks://runs/Daily%20revenue%20rollup/latest/log"}})
	if err != nil || len(rres.Contents) == 0 || !strings.Contains(rres.Contents[0].(mcp.TextResourceContents).Text, "amount_usd") {
		t.Fatalf("read run log resource: %v %+v", err, rres)
	}
	comp, err := s.c.Complete(ctx, mcp.CompleteRequest{Params: mcp.CompleteParams{
		Ref: mcp.PromptReference{Type: "ref/prompt", Name: "diagnose_failed_run"}, Argument: mcp.CompleteArgument{Name: "flow", Value: "Sync"}}})
	if err != nil || len(comp.Completion.Values) == 0 || comp.Completion.Values[0] != "Sync CRM customers" {
		t.Fatalf("completion: %v %+v", err, comp)
	}
	p, err := s.c.GetPrompt(ctx, mcp.GetPromptRequest{Params: mcp.GetPromptParams{Name: "diagnose_failed_run", Arguments: map[string]string{"flow": "Sync CRM customers"}}})
	if err != nil || !strings.Contains(p.Messages[0].Content.(mcp.TextContent).Text, "credentials") {
		t.Fatalf("diagnose_failed_run prompt: %v %+v", err, p)
	}
}

func TestLiveOverStdio(t *testing.T) {
	t.Parallel()
	liveScenario(t, stdioSession(t, nil, "--sandbox"))
}

func TestLiveOverHTTP(t *testing.T) {
	t.Parallel()
	url, stop := startHTTPServer(t)
	defer stop()
	c, err := mcpclient.NewStreamableHttpClient(url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	liveScenario(t, connectSession(t, c))
}

// startHTTPServer runs the binary with --sandbox --http on a random port and returns its URL.
func startHTTPServer(t *testing.T) (string, func()) {
	t.Helper()
	cmd := newCommand(t, "--sandbox", "--http", "127.0.0.1:0")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	url := waitForLine(t, stderr, regexp.MustCompile(`http://127\.0\.0\.1:\d+/mcp`))
	return url, func() { stopGracefully(cmd) }
}
