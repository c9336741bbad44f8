package tools

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/sandbox"
)

// serverOpts shape one in-process server for the confirmation tests.
type serverOpts struct {
	sb   *sandbox.Server // a sandbox shared with another server ("another replica"); nil starts one
	key  string          // ETLWORKS_MCP_CONFIRM_KEY; "" = a random key of this server's own
	ask  mcpclient.ElicitationHandler
	deps func(*Deps)
}

// newServerEnv is newEnv with SQL writes allowed and the options above: two of them on one
// sandbox behave as two server processes behind a load balancer.
func newServerEnv(t *testing.T, o serverOpts) *env {
	t.Helper()
	sb := o.sb
	if sb == nil {
		var err error
		if sb, err = sandbox.Start(t.Context(), "", sandbox.Options{RunStep: 10 * time.Millisecond}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = sb.Close() })
	}
	api, err := client.New(sb.URL, client.WithAPIKey(sb.Sandbox.Credentials().APIKey))
	if err != nil {
		t.Fatal(err)
	}
	d := Deps{Client: api, AllowSQLWrites: true, ConfirmKey: []byte(o.key)}
	if o.deps != nil {
		o.deps(&d)
	}
	srv := server.NewMCPServer("confirm", "test", server.WithToolCapabilities(false), server.WithRecovery())
	Register(srv, All(d))
	var opts []mcpclient.ClientOption
	if o.ask != nil {
		opts = append(opts, mcpclient.WithElicitationHandler(o.ask))
	}
	c, err := mcpclient.NewInProcessClientWithOptions(srv, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_LEGACY_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "confirm-test", Version: "1"}
	if o.ask != nil {
		init.Params.Capabilities.Elicitation = &mcp.ElicitationCapability{}
	}
	if _, err := c.Initialize(t.Context(), init); err != nil {
		t.Fatal(err)
	}
	return &env{t: t, sb: sb, api: api, mcp: c}
}

// ask makes the first call of a destructive tool and returns its confirm token.
func (e *env) ask(name string, args map[string]any) string {
	e.t.Helper()
	var out struct {
		Status string `json:"status"`
		Token  string `json:"confirm_token"`
	}
	e.ok(name, args, &out)
	if out.Status != "confirmation_required" || out.Token == "" {
		e.t.Fatalf("%s must ask for confirmation first, got %+v", name, out)
	}
	confirmations.asked.Add(1)
	return out.Token
}

// with returns args plus a confirm token.
func with(args map[string]any, token string) map[string]any {
	out := map[string]any{confirmField: token}
	for k, v := range args {
		out[k] = v
	}
	return out
}

const testKey = "a confirm key shared by every replica, 32+ bytes"

// TestSQLWriteTokenReplay reproduces issue 8: one token allowed 13 INSERTs (3 in a row, 10
// concurrently). Now each token inserts one row.
func TestSQLWriteTokenReplay(t *testing.T) {
	e := newServerEnv(t, serverOpts{})
	create := map[string]any{"connection": "Warehouse", "sql": "CREATE TABLE replay (n INTEGER)"}
	e.ok("run_sql", with(create, e.ask("run_sql", create)), nil)
	insert := map[string]any{"connection": "Warehouse", "sql": "INSERT INTO replay VALUES (1)"}
	count := func() string {
		return e.ok("run_sql", map[string]any{"connection": "Warehouse", "sql": "SELECT count(*) AS n FROM replay"}, nil)
	}

	token := e.ask("run_sql", insert)
	e.ok("run_sql", with(insert, token), nil)
	confirmations.honoured.Add(1)
	for range 2 {
		mustContain(t, e.fails("run_sql", with(insert, token)), "already used", "without confirm_token")
	}
	mustContain(t, count(), "\n1\n")

	token = e.ask("run_sql", insert)
	var ok, refused atomic.Int64
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			text, isErr := e.call("run_sql", with(insert, token))
			switch {
			case !isErr:
				ok.Add(1)
			case strings.Contains(text, "already used"):
				refused.Add(1)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 1 || refused.Load() != 9 {
		t.Fatalf("10 concurrent uses of one token: %d ran, %d refused as used; want 1 and 9", ok.Load(), refused.Load())
	}
	confirmations.honoured.Add(1)
	mustContain(t, count(), "\n2\n")
	logConfirmations(t)
}

// TestDeleteTokenAfterRestore reproduces issue 8: a delete token deleted the flow again after it
// had been restored, on the server that issued it and on another replica sharing the key.
func TestDeleteTokenAfterRestore(t *testing.T) {
	a := newServerEnv(t, serverOpts{key: testKey})
	b := newServerEnv(t, serverOpts{key: testKey, sb: a.sb})
	del := map[string]any{"flow": "Legacy FTP order import"}
	token := a.ask("delete_flow", del)
	a.ok("delete_flow", with(del, token), nil)
	confirmations.honoured.Add(1)
	a.ok("restore_deleted", map[string]any{"item": "Legacy FTP order import"}, nil)

	mustContain(t, a.fails("delete_flow", with(del, token)), "without confirm_token")
	mustContain(t, b.fails("delete_flow", with(del, token)), "target changed", "without confirm_token")
	a.ok("get_flow", del, nil) // still there
	logConfirmations(t)
}

// TestDeleteTokenAfterEdit: an edit between the question and the answer voids the answer, since
// the user agreed to delete the flow as it was.
func TestDeleteTokenAfterEdit(t *testing.T) {
	e := newServerEnv(t, serverOpts{})
	for _, tc := range []struct {
		tool string
		args map[string]any
		edit func()
	}{
		{"delete_flow", map[string]any{"flow": "Legacy FTP order import"}, func() {
			e.ok("update_flow", map[string]any{"flow": "Legacy FTP order import", "set": map[string]any{"description": "edited meanwhile"}}, nil)
		}},
		{"delete_connection", map[string]any{"connection": "Staging files"}, func() {
			e.ok("update_connection", map[string]any{"connection": "Staging files", "description": "edited meanwhile"}, nil)
		}},
	} {
		token := e.ask(tc.tool, tc.args)
		tc.edit()
		mustContain(t, e.fails(tc.tool, with(tc.args, token)), "target changed", "edited, restored or replaced", "without confirm_token")
		// Confirmed again as it is now, it goes ahead.
		e.ok(tc.tool, with(tc.args, e.ask(tc.tool, tc.args)), nil)
		confirmations.honoured.Add(1)
	}
	logConfirmations(t)
}

// TestTokensAcrossReplicas: with a shared key a delete token issued by one server works on another
// (it is bound to the flow's state), an SQL-write token does not (it has no state, so it is bound
// to the issuing process), and without a shared key nothing crosses. Each refusal says why.
func TestTokensAcrossReplicas(t *testing.T) {
	a := newServerEnv(t, serverOpts{key: testKey})
	b := newServerEnv(t, serverOpts{key: testKey, sb: a.sb})
	c := newServerEnv(t, serverOpts{sb: a.sb}) // a random key of its own
	foreign := "this confirmation came from another server instance or has expired: call again without confirm_token"

	del := map[string]any{"schedule": "Every 6 hours"}
	token := a.ask("delete_schedule", del)
	mustContain(t, c.fails("delete_schedule", with(del, token)), foreign)
	b.ok("delete_schedule", with(del, token), nil)
	confirmations.honoured.Add(1)

	sql := map[string]any{"connection": "Warehouse", "sql": "DELETE FROM orders"}
	token = a.ask("run_sql", sql)
	for _, other := range []*env{b, c} {
		msg := other.fails("run_sql", with(sql, token))
		if !strings.Contains(msg, foreign) || strings.Contains(msg, "does not match") {
			t.Errorf("an SQL-write token on another server: %s", msg)
		}
	}
	mustContain(t, a.ok("run_sql", map[string]any{"connection": "Warehouse", "sql": "SELECT count(*) FROM orders"}, nil), "\n120\n")
	mustContain(t, a.fails("run_sql", with(map[string]any{"connection": "Warehouse", "sql": "DELETE FROM customers"}, token)), "does not match these arguments")
	logConfirmations(t)
}

// TestForgedInputResponses reproduces issue 8: a client that never declared elicitation sent
// inputResponses accepting a confirmation it was never asked for, and the delete ran on the first
// call. An answer now needs the request state the server signed when it asked.
func TestForgedInputResponses(t *testing.T) {
	e := newServerEnv(t, serverOpts{})
	del := map[string]any{"flow": "Legacy FTP order import"}
	token := e.ask("delete_flow", del) // a real token, passed off as a request state below
	for name, state := range map[string]string{"no request state": "", "made-up state": "e1.a.b.1.c.-.AAAA", "a confirm token": token} {
		// Sent as raw JSON-RPC: mcp-go's client would replace inputResponses with its own.
		params := map[string]any{"name": "delete_flow", "arguments": del, "inputResponses": map[string]any{
			"confirm": map[string]any{"action": "accept", "content": map[string]any{"confirm": true}}}}
		if state != "" {
			params["requestState"] = state
		}
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		resp, err := e.mcp.GetTransport().SendRequest(ctx, transport.JSONRPCRequest{JSONRPC: "2.0", ID: mcp.NewRequestId(int64(len(name))),
			Method: "tools/call", Params: params})
		cancel()
		if err != nil || resp.Error != nil {
			t.Fatalf("%s: %v %+v", name, err, resp)
		}
		var res struct {
			IsError bool `json:"isError"`
		}
		if err := json.Unmarshal(resp.Result, &res); err != nil || !res.IsError || !strings.Contains(string(resp.Result), "inputResponses") {
			t.Errorf("%s: a forged answer was not refused: %s", name, resp.Result)
		}
	}
	e.ok("get_flow", del, nil) // not deleted

	// A client that does declare elicitation is asked, and its answer (echoing the server's state)
	// goes through once.
	answer := &elicitAnswer{accept: true}
	asked := newServerEnv(t, serverOpts{ask: answer, sb: e.sb})
	mustContain(t, asked.ok("delete_flow", del, nil), `"deleted"`)
	if answer.asked.Load() != 1 {
		t.Fatalf("asked %d times", answer.asked.Load())
	}
	logConfirmations(t)
}
