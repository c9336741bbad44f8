package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/etlworks/etlworks-mcp/internal/bound"
	"github.com/etlworks/etlworks-mcp/internal/untrusted"
)

// defaultRest is how a cut result tells the model to get what was left out, for tools that give
// no better hint of their own.
const defaultRest = "ask for less: a smaller limit (then next_cursor), a filter, or one object"

// text is a handler's answer in prose, CSV or log lines. head is written by this server (a summary
// line); body is what came from Etlworks and is fenced as data when what names it ("run log").
// toResult keeps the whole under budget (bound.ResultBytes when 0), cutting the body and saying
// how to get the rest.
type text struct {
	head, body string
	what       string // what the body is, for the fence label; "" when it is not from Etlworks
	budget     int
	rest       string            // how to get what a cut leaves out; "" for the tool's default
	link       *mcp.ResourceLink // the resource holding what was left out, ending the result; nil for none
}

// render bounds and fences t.
func (t text) render(rest string) string {
	budget := t.budget
	if budget <= 0 {
		budget = bound.ResultBytes
	}
	if t.rest != "" {
		rest = t.rest
	}
	if t.what == "" || strings.TrimSpace(t.body) == "" {
		return bound.Fit(t.head+t.body, budget, rest)
	}
	room := max(budget-len(t.head)-untrusted.Overhead, 0)
	return untrusted.Fence(t.what, t.head, bound.Fit(t.body, room, rest))
}

// toResult renders a handler's value within the result budget: results pass through; text and
// strings are cut to the budget with a note saying what was left out and how to get it; a
// structured result goes out as structuredContent beside its compact text; anything else becomes
// compact JSON text (which models read well and which costs fewer tokens than
// pretty-printed JSON), cut the same way.
func toResult(out any, rest string) (*mcp.CallToolResult, error) {
	if rest == "" {
		rest = defaultRest
	}
	switch v := out.(type) {
	case *mcp.CallToolResult:
		return v, nil
	case text:
		res := mcp.NewToolResultText(v.render(rest))
		if v.link != nil {
			res.Content = append(res.Content, *v.link)
		}
		return res, nil
	case string:
		return mcp.NewToolResultText(bound.Fit(v, bound.ResultBytes, rest)), nil
	case structured:
		return mcp.NewToolResultStructured(v, bound.Fit(v.compact(), bound.ResultBytes, rest)), nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // "->" reads better and costs fewer tokens than "-\u003e"
	if err := enc.Encode(out); err != nil {
		return nil, fmt.Errorf("encode result: %w", err) // a bug, reported as a protocol error
	}
	return mcp.NewToolResultText(bound.Fit(strings.TrimSuffix(b.String(), "\n"), bound.ResultBytes, rest)), nil
}
