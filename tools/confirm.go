package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// confirmTTL is how long a confirmation stays valid.
const confirmTTL = 5 * time.Minute

// maxSpent bounds the confirmations remembered as used within confirmTTL (about 100 bytes each).
const maxSpent = 10_000

// confirmer guards destructive actions. A client that supports elicitation is asked directly; any
// other client gets a confirm token from a first call, which a second call with the same
// arguments must pass back. Both are single-use confirmations signed by this server (see
// confirm_token.go), bound to the tool, its arguments and the target's state.
type confirmer struct {
	*signer
	// who names the caller of the call in ctx (a hash of its Etlworks credential; "" for the
	// server's own), which every confirmation is bound to.
	who func(ctx context.Context) string
}

// newConfirmer signs with key, or with a random per-process key when key is empty; who names
// the caller of a call (nil: every call has the same caller).
func newConfirmer(key []byte, who func(ctx context.Context) string) *confirmer {
	if who == nil {
		who = func(context.Context) string { return "" }
	}
	return &confirmer{signer: newSigner(key, maxSpent), who: who}
}

// confirmOutcome is what confirm decided.
type confirmOutcome int

const (
	confirmed confirmOutcome = iota // go ahead
	pending                         // return the result as it is: a question, or a token to echo
	declined                        // the user said no: change nothing
)

// confirmable is the confirm_token field of every destructive tool's input, embedded last. The
// confirmer reads the token from the call's arguments; the field declares it in the schema and
// lets strict binding accept it.
type confirmable struct {
	ConfirmToken string `json:"confirm_token,omitempty" jsonschema:"description=From the first call"`
}

// confirmField is the input field that carries a confirm token back.
const confirmField = "confirm_token"

// elicitID keys the confirmation question among an elicitation's input requests.
const elicitID = "confirm"

// then runs do only once the user has confirmed action; until then it returns the question or the
// token to echo, and after a refusal the reason. target is the object acted on as Etlworks sends
// it now, which the confirmation is bound to; nil for an action without such state (an SQL write).
// It is the one confirm-then-act sequence every destructive tool goes through.
func (c *confirmer) then(ctx context.Context, action string, target json.RawMessage, do func() (any, error)) (any, error) {
	outcome, res, err := c.confirm(ctx, action, target)
	if err != nil {
		return nil, err
	}
	if outcome != confirmed {
		return res, nil
	}
	return do()
}

// confirm decides whether the destructive call in ctx may proceed. action says, in one sentence,
// what will happen ("Delete flow 12 "Load orders"; it can be restored from the recycle bin").
func (c *confirmer) confirm(ctx context.Context, action string, target json.RawMessage) (confirmOutcome, *mcp.CallToolResult, error) {
	req := callFrom(ctx)
	if req == nil {
		return declined, nil, fmt.Errorf("confirm: no tool call in context") // a wiring bug
	}
	tool, args, who := req.Params.Name, req.GetArguments(), c.who(ctx)
	state := c.stateDigest(target)
	if answer := server.ElicitationResponse(req.Params.InputResponses, elicitID); answer != nil {
		// Honoured only with the request state this server signed when it asked: a client cannot
		// answer a question it was never asked, nor reuse an answer.
		if err := c.redeem(kindElicit, "inputResponses", req.Params.RequestState, tool, who, args, state); err != nil {
			return declined, nil, &inputError{msg: err.Error()}
		}
		if answer.Action == mcp.ElicitationResponseActionAccept && accepted(answer.Content) {
			return confirmed, nil, nil
		}
		return declined, declinedResult(action), nil
	}
	if token, _ := args[confirmField].(string); token != "" {
		if err := c.redeem(kindToken, confirmField, token, tool, who, args, state); err != nil {
			return declined, nil, &inputError{msg: err.Error()}
		}
		return confirmed, nil, nil
	}
	if canElicit(ctx) {
		return pending, server.NewInputRequestBuilder(c.issue(kindElicit, tool, who, args, state)).Elicit(elicitID, mcp.ElicitationParams{
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
	out := confirmationRequired{
		Status:       "confirmation_required",
		Action:       action,
		ConfirmToken: c.issue(kindToken, tool, who, args, state),
		ExpiresInS:   int(confirmTTL.Seconds()),
		Next:         fmt.Sprintf("ask the user; if they agree, call %s again with the same arguments plus %s (it works once)", tool, confirmField),
		NothingDone:  true,
	}
	b, _ := json.Marshal(out)
	return pending, mcp.NewToolResultText(string(b)), nil
}

// confirmationRequired is a destructive tool's first answer without elicitation: what it would
// do and the single-use token that confirms it (fields in the order clients have always seen them).
type confirmationRequired struct {
	Action       string `json:"action"`
	ConfirmToken string `json:"confirm_token"` // the confirmField argument of the confirmed call
	ExpiresInS   int    `json:"expires_in_s"`
	Next         string `json:"next"`
	NothingDone  bool   `json:"nothing_done"` // always true
	Status       string `json:"status"`       // "confirmation_required"
}

// confirmationDeclined is the answer when the user said no.
type confirmationDeclined struct {
	Action      string `json:"action"`
	NothingDone bool   `json:"nothing_done"` // always true
	Status      string `json:"status"`       // "declined"
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
	b, _ := json.Marshal(confirmationDeclined{Status: "declined", Action: action, NothingDone: true})
	return mcp.NewToolResultText(string(b))
}

// canElicit reports whether the client declared the elicitation capability; asking a client that
// did not would hang until the request times out.
func canElicit(ctx context.Context) bool {
	cs, ok := server.ClientSessionFromContext(ctx).(server.SessionWithClientInfo)
	return ok && cs.GetClientCapabilities().Elicitation != nil
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
