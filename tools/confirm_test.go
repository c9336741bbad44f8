package tools

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

// askToken makes the first call of a destructive tool through c and returns the token it issues.
func askToken(t *testing.T, c *confirmer, tool string, args map[string]any, target json.RawMessage) string {
	t.Helper()
	outcome, res, err := c.confirm(withCall(context.Background(), callRequest(tool, args)), "Delete flow 1.", target)
	if err != nil || outcome != pending || res == nil {
		t.Fatalf("first call must ask: %v %v %v", outcome, res, err)
	}
	text := resultText(res)
	mustContain(t, text, `"status":"confirmation_required"`, `"nothing_done":true`, "confirm_token")
	var out map[string]any
	decode(t, text, &out)
	return out["confirm_token"].(string)
}

// echo makes the second call: the arguments plus the token.
func echo(c *confirmer, tool string, args map[string]any, token string, target json.RawMessage) (confirmOutcome, error) {
	again := map[string]any{confirmField: token}
	for k, v := range args {
		again[k] = v
	}
	o, _, err := c.confirm(withCall(context.Background(), callRequest(tool, again)), "x", target)
	return o, err
}

func TestConfirmToken(t *testing.T) {
	c := newConfirmer(nil, nil)
	now := time.Unix(1_800_000_000, 0)
	c.now = func() time.Time { return now }
	args := map[string]any{"flow": "Load orders", "force": true}
	token := askToken(t, c, "delete_flow", args, nil)
	if len(token) > 120 {
		t.Errorf("token is %d characters; the model echoes it, keep it short", len(token))
	}

	if _, err := echo(c, "delete_flow", map[string]any{"flow": "Daily revenue", "force": true}, token, nil); err == nil || !strings.Contains(err.Error(), "does not match these arguments") {
		t.Fatalf("token for other arguments must be refused: %v", err)
	}
	if _, err := echo(c, "delete_connection", args, token, nil); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Fatalf("token for another tool must be refused: %v", err)
	}
	if o, err := echo(c, "delete_flow", args, token, nil); o != confirmed || err != nil {
		t.Fatalf("echoed token must confirm: %v %v", o, err)
	}
	// Single use: the same token again, twice.
	for range 2 {
		if o, err := echo(c, "delete_flow", args, token, nil); o == confirmed || err == nil || !strings.Contains(err.Error(), "already used") {
			t.Fatalf("a used token must be refused: %v %v", o, err)
		}
	}
	fresh := askToken(t, c, "delete_flow", args, nil)
	now = now.Add(confirmTTL + time.Second)
	if o, err := echo(c, "delete_flow", args, fresh, nil); o == confirmed || err == nil || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("expired token must be refused: %v %v", o, err)
	}
	for _, bogus := range []string{"garbage", "c1.a.b.c.d.e.f", strings.Repeat("x", 5000)} {
		if o, err := echo(c, "delete_flow", args, bogus, nil); o == confirmed || err == nil || !strings.Contains(err.Error(), "not a token this server issued") {
			t.Fatalf("garbage token %.20q must be refused: %v %v", bogus, o, err)
		}
	}
}

// TestConfirmTokenConcurrent: ten simultaneous uses of one token, exactly one goes ahead (run
// with -race).
func TestConfirmTokenConcurrent(t *testing.T) {
	c := newConfirmer(nil, nil)
	args := map[string]any{"connection": "Warehouse", "sql": "INSERT INTO t VALUES (1)"}
	token := askToken(t, c, "run_sql", args, nil)
	var ok, used atomic.Int64
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			o, err := echo(c, "run_sql", args, token, nil)
			switch {
			case o == confirmed && err == nil:
				ok.Add(1)
			case err != nil && strings.Contains(err.Error(), "already used"):
				used.Add(1)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 1 || used.Load() != 9 {
		t.Fatalf("%d calls went ahead and %d were refused as used; want 1 and 9", ok.Load(), used.Load())
	}
}

// TestConfirmBinding: a token is bound to the target's state, to its key, and (without state) to
// the process that issued it; each refusal says which.
func TestConfirmBinding(t *testing.T) {
	key := []byte(strings.Repeat("shared-key-", 4))
	a, b, other := newConfirmer(key, nil), newConfirmer(key, nil), newConfirmer(nil, nil)
	flow := json.RawMessage(`{"id":1,"name":"Load orders","updatedAt":1764000000000,"lastRunAt":1,"properties":{"a":"1"}}`)
	args := map[string]any{"flow": "Load orders"}

	// Fields that change on their own (last run, next run) and key order do not matter.
	ran := json.RawMessage(`{"properties":{"a":"1"},"updatedAt":1764000000000,"name":"Load orders","id":1,"lastRunAt":2,"lastRunStatus":"error"}`)
	if o, err := echo(a, "delete_flow", args, askToken(t, a, "delete_flow", args, flow), ran); o != confirmed || err != nil {
		t.Fatalf("a run in between must not void the token: %v %v", o, err)
	}
	// An edit or a restore (new updatedAt, new definition) does.
	for _, changed := range []string{
		`{"id":1,"name":"Load orders","updatedAt":1764000009999,"lastRunAt":1,"properties":{"a":"1"}}`,
		`{"id":1,"name":"Load orders","updatedAt":1764000000000,"lastRunAt":1,"properties":{"a":"2"}}`,
	} {
		_, err := echo(a, "delete_flow", args, askToken(t, a, "delete_flow", args, flow), json.RawMessage(changed))
		if err == nil || !strings.Contains(err.Error(), "target changed") {
			t.Fatalf("a changed target must void the token: %v", err)
		}
	}
	// Another replica with the same key accepts a state-bound token...
	if o, err := echo(b, "delete_flow", args, askToken(t, a, "delete_flow", args, flow), flow); o != confirmed || err != nil {
		t.Fatalf("a replica sharing the key must accept a state-bound token: %v %v", o, err)
	}
	// ...but not one without state (an SQL write), and a server with another key accepts neither.
	sql := map[string]any{"connection": "Warehouse", "sql": "DELETE FROM t"}
	for name, tc := range map[string]struct {
		issuer, user *confirmer
		args         map[string]any
		target       json.RawMessage
	}{
		"sql write on a replica":   {a, b, sql, nil},
		"sql write on another key": {a, other, sql, nil},
		"delete on another key":    {a, other, args, flow},
	} {
		_, err := echo(tc.user, "delete_flow", tc.args, askToken(t, tc.issuer, "delete_flow", tc.args, tc.target), tc.target)
		want := "this confirmation came from another server instance or has expired: call again without confirm_token"
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "does not match") {
			t.Errorf("%s: got %v, want %q", name, err, want)
		}
	}
}

// TestConfirmSpentSetFull: when the set of used confirmations is full, new ones are refused
// (never old ones forgotten) until the oldest have expired.
func TestConfirmSpentSetFull(t *testing.T) {
	c := &confirmer{signer: newSigner(nil, 3), who: func(context.Context) string { return "" }}
	now := time.Unix(1_800_000_000, 0)
	c.now = func() time.Time { return now }
	args := func(i int) map[string]any { return map[string]any{"sql": strings.Repeat("x", i)} }
	for i := range 3 {
		if o, err := echo(c, "run_sql", args(i), askToken(t, c, "run_sql", args(i), nil), nil); o != confirmed || err != nil {
			t.Fatalf("token %d: %v %v", i, o, err)
		}
	}
	late := askToken(t, c, "run_sql", args(3), nil)
	if o, err := echo(c, "run_sql", args(3), late, nil); o == confirmed || err == nil || !strings.Contains(err.Error(), "too many confirmations") {
		t.Fatalf("a full set must refuse new tokens: %v %v", o, err)
	}
	if _, err := echo(c, "run_sql", args(0), askToken(t, c, "run_sql", args(0), nil), nil); err == nil {
		t.Fatal("a full set must refuse every new token")
	}
	now = now.Add(confirmTTL + time.Second) // the used tokens have expired: they need no memory
	if o, err := echo(c, "run_sql", args(4), askToken(t, c, "run_sql", args(4), nil), nil); o != confirmed || err != nil {
		t.Fatalf("after expiry there is room again: %v %v", o, err)
	}
}

// TestConfirmElicitationAnswers: an answer counts only with the request state this server signed
// for this very call, once.
func TestConfirmElicitationAnswers(t *testing.T) {
	c := newConfirmer(nil, nil)
	args := map[string]any{"flow": "x"}
	answer := func(action mcp.ElicitationResponseAction, content any, state string) (confirmOutcome, *mcp.CallToolResult, error) {
		req := callRequest("delete_flow", args)
		req.Params.InputResponses = mcp.InputResponses{"confirm": mcp.NewElicitationInputResponse(mcp.ElicitationResult{
			ElicitationResponse: mcp.ElicitationResponse{Action: action, Content: content},
		})}
		req.Params.RequestState = state
		return c.confirm(withCall(context.Background(), req), "Delete flow x.", nil)
	}
	for _, tc := range []struct {
		action  mcp.ElicitationResponseAction
		content any
		want    confirmOutcome
	}{
		{mcp.ElicitationResponseActionAccept, map[string]any{"confirm": true}, confirmed},
		{mcp.ElicitationResponseActionAccept, map[string]any{"confirm": false}, declined},
		{mcp.ElicitationResponseActionDecline, nil, declined},
		{mcp.ElicitationResponseActionCancel, nil, declined},
	} {
		state := c.issue(kindElicit, "delete_flow", "", args, noBinding)
		got, res, err := answer(tc.action, tc.content, state)
		if err != nil || got != tc.want {
			t.Fatalf("%s %v: got %v, %v", tc.action, tc.content, got, err)
		}
		if got == declined {
			mustContain(t, resultText(res), `"status":"declined"`, `"nothing_done":true`)
		}
		if _, _, err := answer(mcp.ElicitationResponseActionAccept, map[string]any{"confirm": true}, state); err == nil || !strings.Contains(err.Error(), "already used") {
			t.Fatalf("a request state must work once: %v", err)
		}
	}
	accept := map[string]any{"confirm": true}
	for name, state := range map[string]string{
		"no request state":       "",
		"made-up request state":  "e1.x.y.1.z.-.AAAA",
		"a confirm token":        c.issue(kindToken, "delete_flow", "", args, noBinding),
		"state of another call":  c.issue(kindElicit, "delete_flow", "", map[string]any{"flow": "y"}, noBinding),
		"state of another tool":  c.issue(kindElicit, "delete_connection", "", args, noBinding),
		"state from another key": newConfirmer(nil, nil).issue(kindElicit, "delete_flow", "", args, noBinding),
	} {
		if o, _, err := answer(mcp.ElicitationResponseActionAccept, accept, state); o == confirmed || err == nil {
			t.Errorf("%s: a forged answer was honoured (%v)", name, err)
		}
	}
}
