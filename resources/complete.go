package resources

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/tidwall/gjson"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/internal/bound"
)

// maxCompletions is the protocol's cap on values in one completion answer.
const maxCompletions = 100

// Completer completes the arguments of resource templates and prompts by argument name: flow
// (names and ids of every flow, from the client's name index), run (recent run ids of the flow
// already chosen), connection (likewise) and object (the chosen connection's tables, views and
// files). An answer holds the best 100 values, with the number of matches in Total.
// One provider serves both, so a flow completes the same way wherever it is asked for.
type Completer struct {
	d Deps
}

// NewCompleter returns the completion provider for main to install on the server.
func NewCompleter(d Deps) *Completer { return &Completer{d: d} }

// CompleteResourceArgument implements server.ResourceCompletionProvider.
func (c *Completer) CompleteResourceArgument(ctx context.Context, _ string, arg mcp.CompleteArgument, cc mcp.CompleteContext) (*mcp.Completion, error) {
	return c.complete(ctx, arg, cc)
}

// CompletePromptArgument implements server.PromptCompletionProvider.
func (c *Completer) CompletePromptArgument(ctx context.Context, _ string, arg mcp.CompleteArgument, cc mcp.CompleteContext) (*mcp.Completion, error) {
	return c.complete(ctx, arg, cc)
}

func (c *Completer) complete(ctx context.Context, arg mcp.CompleteArgument, cc mcp.CompleteContext) (*mcp.Completion, error) {
	limit := c.d.CallTimeout
	if limit <= 0 {
		limit = bound.DefaultCallTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, limit) // a completion is bounded like any read
	defer cancel()
	switch arg.Name {
	case "flow", "connection":
		kind := client.KindFlow
		if arg.Name == "connection" {
			kind = client.KindConnection // without a connection list route: the connections the flows use
		}
		l, err := c.d.Client.Names(ctx, kind)
		if err != nil {
			return nil, err
		}
		out := rank(indexed(l), arg.Value)
		out.HasMore = out.HasMore || l.Capped
		return out, nil
	case "run":
		return c.completeRun(ctx, arg.Value, cc.Arguments["flow"])
	case "object":
		return c.completeObject(ctx, arg.Value, cc.Arguments["connection"])
	}
	return empty(), nil
}

// completeObject offers the objects of the connection already chosen (tables, views, files).
func (c *Completer) completeObject(ctx context.Context, prefix, connection string) (*mcp.Completion, error) {
	if connection == "" {
		return empty(), nil // the connection argument comes first
	}
	id, _, err := resolveRef(ctx, c.d.Client, client.KindConnection, unescape(connection))
	if err != nil {
		return nil, err
	}
	raw, _, err := c.d.Client.Explorer.Objects(ctx, id, &client.ObjectListOptions{Pattern: prefix, ListOptions: client.ListOptions{Limit: maxCompletions}})
	if err != nil {
		return nil, err
	}
	var cands []candidate
	for _, o := range gjson.ParseBytes(raw).Array() {
		cands = append(cands, candidate{name: o.Get("name").String()})
	}
	return rank(cands, prefix), nil
}

// completeRun offers the flow's recent run ids, newest first, plus "latest".
func (c *Completer) completeRun(ctx context.Context, prefix, flow string) (*mcp.Completion, error) {
	if flow == "" {
		return empty(), nil // the flow argument comes first
	}
	flowID, _, err := resolveFlow(ctx, c.d.Client, flow)
	if err != nil {
		return empty(), nil // an unfinished flow name completes to nothing rather than an error
	}
	h, err := c.d.Client.Executions.History(ctx, client.HistoryOptions{FlowID: flowID, Limit: maxCompletions})
	if err != nil {
		return nil, err
	}
	runs := h.Runs
	values := []string{}
	if strings.HasPrefix("latest", prefix) {
		values = append(values, "latest")
	}
	for _, r := range runs {
		if id := strconv.FormatInt(int64(r.AuditID), 10); strings.HasPrefix(id, prefix) && len(values) < maxCompletions {
			values = append(values, id)
		}
	}
	return &mcp.Completion{Values: values, Total: len(values)}, nil
}

func empty() *mcp.Completion { return &mcp.Completion{Values: []string{}} }

// candidate is a name or id that may complete a value.
type candidate struct{ name, id string }

// indexed returns the names and ids of a name index: every object of the kind, so completion
// covers all of them however long the list.
func indexed(l *client.NameList) []candidate {
	out := make([]candidate, len(l.Entries))
	for i, e := range l.Entries {
		out[i] = candidate{name: e.Name, id: strconv.FormatInt(e.ID, 10)}
	}
	return out
}

// rank returns the names that start with prefix (case-insensitive), then names with a word that
// starts with it, then names that contain it; a numeric prefix matches ids. Capped at 100, with
// Total the number of matches and HasMore set when some were left out.
func rank(cands []candidate, prefix string) *mcp.Completion {
	p := strings.ToLower(strings.TrimSpace(prefix))
	type scored struct {
		value string
		score int
	}
	var hits []scored
	for _, c := range cands {
		n := strings.ToLower(c.name)
		switch {
		case p == "" || strings.HasPrefix(n, p):
			hits = append(hits, scored{c.name, 0})
		case strings.Contains(" "+n, " "+p):
			hits = append(hits, scored{c.name, 1})
		case strings.Contains(n, p):
			hits = append(hits, scored{c.name, 2})
		case strings.HasPrefix(c.id, p):
			hits = append(hits, scored{c.id, 3})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].score != hits[j].score {
			return hits[i].score < hits[j].score
		}
		return strings.ToLower(hits[i].value) < strings.ToLower(hits[j].value)
	})
	out := &mcp.Completion{Values: []string{}, Total: len(hits)}
	for i := 0; i < len(hits) && i < maxCompletions; i++ {
		out.Values = append(out.Values, hits[i].value)
	}
	out.HasMore = len(hits) > len(out.Values)
	return out
}
