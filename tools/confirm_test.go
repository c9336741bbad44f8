package tools

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

func TestConfirmToken(t *testing.T) {
	c := newConfirmer()
	now := time.Unix(1_800_000_000, 0)
	c.now = func() time.Time { return now }
	args := map[string]any{"flow": "Load orders", "force": true}
	ctx := withCall(context.Background(), callRequest("delete_flow", args))

	outcome, res, err := c.confirm(ctx, "Delete flow 1.")
	if err != nil || outcome != pending || res == nil {
		t.Fatalf("first call must ask: %v %v %v", outcome, res, err)
	}
	text := resultText(res)
	mustContain(t, text, `"status":"confirmation_required"`, `"nothing_done":true`, "confirm_token")
	var out map[string]any
	decode(t, text, &out)
	token := out["confirm_token"].(string)

	withToken := map[string]any{"flow": "Load orders", "force": true, "confirm_token": token}
	if o, _, err := c.confirm(withCall(context.Background(), callRequest("delete_flow", withToken)), "x"); o != confirmed || err != nil {
		t.Fatalf("echoed token must confirm: %v %v", o, err)
	}
	other := map[string]any{"flow": "Daily revenue", "force": true, "confirm_token": token}
	if o, _, err := c.confirm(withCall(context.Background(), callRequest("delete_flow", other)), "x"); o == confirmed || err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Fatalf("token for other arguments must be refused: %v %v", o, err)
	}
	if o, _, err := c.confirm(withCall(context.Background(), callRequest("delete_connection", withToken)), "x"); o == confirmed || err == nil {
		t.Fatalf("token for another tool must be refused: %v %v", o, err)
	}
	now = now.Add(confirmTTL + time.Second)
	if o, _, err := c.confirm(withCall(context.Background(), callRequest("delete_flow", withToken)), "x"); o == confirmed || err == nil || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("expired token must be refused: %v %v", o, err)
	}
	bogus := map[string]any{"flow": "Load orders", "confirm_token": "garbage"}
	if o, _, err := c.confirm(withCall(context.Background(), callRequest("delete_flow", bogus)), "x"); o == confirmed || err == nil {
		t.Fatalf("garbage token must be refused: %v %v", o, err)
	}
}

func TestConfirmElicitationAnswers(t *testing.T) {
	c := newConfirmer()
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
		req := callRequest("delete_flow", map[string]any{"flow": "x"})
		req.Params.InputResponses = mcp.InputResponses{"confirm": mcp.NewElicitationInputResponse(mcp.ElicitationResult{
			ElicitationResponse: mcp.ElicitationResponse{Action: tc.action, Content: tc.content},
		})}
		got, res, err := c.confirm(withCall(context.Background(), req), "Delete flow x.")
		if err != nil || got != tc.want {
			t.Fatalf("%s %v: got %v, %v", tc.action, tc.content, got, err)
		}
		if got == declined {
			mustContain(t, resultText(res), `"status":"declined"`, `"nothing_done":true`)
		}
	}
}
