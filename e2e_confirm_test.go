package main

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// confirmToken makes the first call of a destructive tool and returns the token it hands out.
func (s *session) confirmToken(name string, args map[string]any) string {
	s.t.Helper()
	var ask struct {
		Status string `json:"status"`
		Token  string `json:"confirm_token"`
	}
	s.okJSON(name, args, &ask)
	if ask.Status != "confirmation_required" || ask.Token == "" {
		s.t.Fatalf("%s must ask first: %+v", name, ask)
	}
	return ask.Token
}

// fails calls a tool that must fail and returns its text.
func (s *session) fails(name string, args map[string]any) string {
	s.t.Helper()
	text, isErr := s.call(name, args, false)
	if !isErr {
		s.t.Fatalf("%s %v succeeded, want an error: %s", name, args, text)
	}
	return text
}

func plus(args map[string]any, token string) map[string]any {
	out := map[string]any{"confirm_token": token}
	for k, v := range args {
		out[k] = v
	}
	return out
}

// TestConfirmationsAcrossRestart runs the binary twice on one sandbox data directory with one
// ETLWORKS_MCP_CONFIRM_KEY, as a restart or a second replica would: a delete confirmed on the
// first process goes through on the second (it is bound to the flow's state, not the process),
// an SQL-write confirmation does not (it has no state), and without the key nothing crosses. Each
// token works once, and an elicitation answer the server never asked for is refused.
func TestConfirmationsAcrossRestart(t *testing.T) {
	data := t.TempDir()
	key := []string{"ETLWORKS_MCP_CONFIRM_KEY=" + strings.Repeat("0123456789abcdef", 3)}
	args := []string{"--sandbox", "--sandbox-data", data, "--allow-sql-writes"}
	del := map[string]any{"flow": "Legacy FTP order import"}
	sql := map[string]any{"connection": "Warehouse", "sql": "DELETE FROM orders"}
	foreign := "this confirmation came from another server instance or has expired: call again without confirm_token"

	first := stdioSession(t, key, args...)
	delToken, sqlToken := first.confirmToken("delete_flow", del), first.confirmToken("run_sql", sql)
	otherToken := first.confirmToken("delete_flow", map[string]any{"flow": "Archive order files to S3"})
	first.c.Close()

	second := stdioSession(t, key, args...)
	if msg := second.fails("run_sql", plus(sql, sqlToken)); !strings.Contains(msg, foreign) {
		t.Errorf("an SQL-write token after a restart: %s", msg)
	}
	if out := second.ok("delete_flow", plus(del, delToken)); !strings.Contains(out, `"deleted"`) {
		t.Fatalf("a delete token after a restart with the same key: %s", out)
	}
	second.ok("restore_deleted", map[string]any{"item": "Legacy FTP order import"})
	if msg := second.fails("delete_flow", plus(del, delToken)); !strings.Contains(msg, "without confirm_token") {
		t.Errorf("a used token after a restore: %s", msg)
	}

	// A client that never declared elicitation answers a question it was never asked.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	resp, err := second.c.GetTransport().SendRequest(ctx, transport.JSONRPCRequest{JSONRPC: "2.0", ID: mcp.NewRequestId(int64(900)),
		Method: "tools/call", Params: map[string]any{"name": "delete_flow", "arguments": del,
			"inputResponses": map[string]any{"confirm": map[string]any{"action": "accept", "content": map[string]any{"confirm": true}}}}})
	if err != nil || resp.Error != nil || !strings.Contains(string(resp.Result), `"isError":true`) || !strings.Contains(string(resp.Result), "inputResponses") {
		t.Fatalf("a forged elicitation answer: %v %+v %s", err, resp, resp.Result)
	}
	second.ok("get_flow", del) // still there
	second.c.Close()

	third := stdioSession(t, nil, args...) // no key: a random one of its own
	if msg := third.fails("delete_flow", plus(map[string]any{"flow": "Archive order files to S3"}, otherToken)); !strings.Contains(msg, foreign) {
		t.Errorf("a token signed with another key: %s", msg)
	}
}

// TestElicitationModernProtocol: a client on the stateless 2026-07-28 protocol that declares
// elicitation is asked, and its answer, which echoes the request state the server signed, is
// honoured once.
func TestElicitationModernProtocol(t *testing.T) {
	tr := transport.NewStdioWithOptions(binary, []string{"HOME=" + t.TempDir()}, []string{"--sandbox"},
		transport.WithCommandStderrWriter(&lockedWriter{w: io.Discard}))
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	if err := tr.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var asked atomic.Int64
	c := mcpclient.NewClient(tr, mcpclient.WithElicitationHandler(elicitFunc(func(req mcp.ElicitationRequest) *mcp.ElicitationResult {
		asked.Add(1)
		if !strings.Contains(req.Params.Message, "Legacy FTP order import") {
			t.Errorf("question: %s", req.Params.Message)
		}
		return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept, Content: map[string]any{"confirm": true}}}
	})))
	defer c.Close()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Initialize(ctx, mcp.InitializeRequest{}); err != nil {
		t.Fatal(err)
	}
	if !mcp.IsModernProtocol(c.ProtocolVersion()) {
		t.Fatalf("negotiated %s, want the stateless protocol", c.ProtocolVersion())
	}
	req := mcp.CallToolRequest{}
	req.Params.Name = "delete_flow"
	req.Params.Arguments = map[string]any{"flow": "Legacy FTP order import"}
	res, err := c.CallTool(ctx, req)
	if err != nil || res.IsError || asked.Load() != 1 {
		t.Fatalf("delete with elicitation: %v %+v (asked %d)", err, res, asked.Load())
	}
	b, _ := json.Marshal(res.Content)
	if !strings.Contains(string(b), "deleted") {
		t.Fatalf("result: %s", b)
	}
}

// elicitFunc adapts a function to mcp-go's ElicitationHandler.
type elicitFunc func(mcp.ElicitationRequest) *mcp.ElicitationResult

func (f elicitFunc) Elicit(_ context.Context, req mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	return f(req), nil
}
