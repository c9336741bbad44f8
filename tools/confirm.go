package tools

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// confirmTTL is how long a confirm token stays valid.
const confirmTTL = 5 * time.Minute

// confirmer guards destructive actions. A client that supports elicitation is asked directly; any
// other client gets a confirm token from a first call, which a second call with the same
// arguments must pass back. The token is an HMAC over the tool, its arguments and an expiry, so it
// cannot be reused for other arguments and needs no server-side state.
type confirmer struct {
	key []byte
	now func() time.Time
}

func newConfirmer() *confirmer {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic(fmt.Sprintf("tools: no randomness for confirm tokens: %v", err))
	}
	return &confirmer{key: key, now: time.Now}
}

// confirmOutcome is what confirm decided.
type confirmOutcome int

const (
	confirmed confirmOutcome = iota // go ahead
	pending                         // return the result as it is: a question, or a token to echo
	declined                        // the user said no: change nothing
)

// confirmField is the input field that carries a confirm token back.
const confirmField = "confirm_token"

// confirm decides whether the destructive call in ctx may proceed. action says, in one sentence,
// what will happen ("Delete flow 12 "Load orders"; it can be restored from the recycle bin").
func (c *confirmer) confirm(ctx context.Context, action string) (confirmOutcome, *mcp.CallToolResult, error) {
	req := callFrom(ctx)
	if req == nil {
		return declined, nil, fmt.Errorf("confirm: no tool call in context") // a wiring bug
	}
	if answer := server.ElicitationResponse(req.Params.InputResponses, "confirm"); answer != nil {
		if answer.Action == mcp.ElicitationResponseActionAccept && accepted(answer.Content) {
			return confirmed, nil, nil
		}
		return declined, declinedResult(action), nil
	}
	args := req.GetArguments()
	token, _ := args[confirmField].(string)
	if token != "" {
		if err := c.check(req.Params.Name, args, token); err != nil {
			return declined, nil, badInput("%v", err)
		}
		return confirmed, nil, nil
	}
	if canElicit(ctx) {
		return pending, server.NewInputRequestBuilder("confirm").Elicit("confirm", mcp.ElicitationParams{
			Message: action + " Proceed?",
			RequestedSchema: map[string]any{
				"type": "object",
				"properties": map[string]any{
					"confirm": map[string]any{"type": "boolean", "title": "Proceed", "description": action},
				},
				"required": []string{"confirm"},
			},
		}).ToolResult(), nil
	}
	out := map[string]any{
		"status":       "confirmation_required",
		"action":       action,
		confirmField:   c.sign(req.Params.Name, args, c.now().Add(confirmTTL)),
		"expires_in_s": int(confirmTTL.Seconds()),
		"next":         fmt.Sprintf("ask the user; if they agree, call %s again with the same arguments plus %s", req.Params.Name, confirmField),
		"nothing_done": true,
	}
	b, _ := json.Marshal(out)
	return pending, mcp.NewToolResultText(string(b)), nil
}

func accepted(content any) bool {
	m, ok := content.(map[string]any)
	if !ok {
		return false
	}
	v, ok := m["confirm"].(bool)
	return ok && v
}

func declinedResult(action string) *mcp.CallToolResult {
	b, _ := json.Marshal(map[string]any{"status": "declined", "action": action, "nothing_done": true})
	return mcp.NewToolResultText(string(b))
}

// canElicit reports whether the client declared the elicitation capability; asking a client that
// did not would hang until the request times out.
func canElicit(ctx context.Context) bool {
	cs, ok := server.ClientSessionFromContext(ctx).(server.SessionWithClientInfo)
	return ok && cs.GetClientCapabilities().Elicitation != nil
}

// sign returns a token binding tool, arguments (less any token) and expiry.
func (c *confirmer) sign(tool string, args map[string]any, expires time.Time) string {
	exp := strconv.FormatInt(expires.Unix(), 10)
	return exp + "." + base64.RawURLEncoding.EncodeToString(c.mac(tool, args, exp))
}

func (c *confirmer) mac(tool string, args map[string]any, exp string) []byte {
	rest := make(map[string]any, len(args))
	for k, v := range args {
		if k != confirmField {
			rest[k] = v
		}
	}
	canonical, _ := json.Marshal(rest) // map keys are sorted: the same arguments give the same bytes
	h := hmac.New(sha256.New, c.key)
	fmt.Fprintf(h, "%s\n%s\n%s", tool, canonical, exp)
	return h.Sum(nil)
}

// check verifies a token against the call it came back with.
func (c *confirmer) check(tool string, args map[string]any, token string) error {
	exp, sig, ok := strings.Cut(token, ".")
	unix, err := strconv.ParseInt(exp, 10, 64)
	mac, err2 := base64.RawURLEncoding.DecodeString(sig)
	if !ok || err != nil || err2 != nil {
		return fmt.Errorf("%q is not a token this server issued; call %s without it to get one", confirmField, tool)
	}
	if !hmac.Equal(mac, c.mac(tool, args, exp)) {
		return fmt.Errorf("%q does not match these arguments; the arguments must be exactly those of the call that issued it", confirmField)
	}
	if c.now().After(time.Unix(unix, 0)) {
		return fmt.Errorf("%q has expired; call %s without it to get a new one", confirmField, tool)
	}
	return nil
}

type callKey struct{}

// withCall keeps the raw tool call in ctx for the few handlers that need more than their input.
func withCall(ctx context.Context, req mcp.CallToolRequest) context.Context {
	return context.WithValue(ctx, callKey{}, &req)
}

func callFrom(ctx context.Context) *mcp.CallToolRequest {
	req, _ := ctx.Value(callKey{}).(*mcp.CallToolRequest)
	return req
}
