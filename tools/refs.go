package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/invopop/jsonschema"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/internal/bound"
)

// Ref names an Etlworks object by numeric id or exact name. Models often send ids as JSON numbers,
// so a number is accepted although the schema advertises a string.
type Ref string

// UnmarshalJSON accepts a string or a whole number.
func (r *Ref) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*r = Ref(strings.TrimSpace(s))
		return nil
	}
	if n, err := strconv.ParseInt(string(b), 10, 64); err == nil && n > 0 {
		*r = Ref(strconv.FormatInt(n, 10))
		return nil
	}
	return &fieldError{msg: fmt.Sprintf("expected an id or a name, got %s", b)}
}

// JSONSchema advertises a plain string; the field's tags add the description.
func (Ref) JSONSchema() *jsonschema.Schema { return &jsonschema.Schema{Type: "string"} }

// id returns the numeric id when the reference is one.
func (r Ref) id() (int64, bool) {
	n, err := strconv.ParseInt(string(r), 10, 64)
	return n, err == nil && n > 0
}

// resolved is an object found by id or exact name, with its body when resolving already read
// the whole of it.
type resolved struct {
	ID   int64
	Name string
	raw  json.RawMessage
}

// found keeps what the resolver returned; whole says its Raw is the complete object.
func found(n *client.Named, whole bool) resolved {
	r := resolved{ID: n.ID, Name: n.Name}
	if whole {
		r.raw = n.Raw
	}
	return r
}

// body returns the object as Etlworks sends it, reading it with get only when resolving did not.
func (r resolved) body(ctx context.Context, get func(context.Context, int64) (json.RawMessage, *client.Response, error)) (json.RawMessage, error) {
	if r.raw != nil {
		return r.raw, nil
	}
	raw, _, err := get(ctx, r.ID)
	return raw, err
}

// flowRef is a resolved flow.
type flowRef struct{ resolved }

// definition returns the flow's definition, fetching it only when resolving did not.
func (f flowRef) definition(ctx context.Context, c *client.Client) (json.RawMessage, error) {
	return f.body(ctx, c.Flows.Get)
}

// resolve finds an object by id or exact name with the client's one resolver; an unknown one is
// a *client.NameNotFoundError, which describeError turns into the closest names and the list tool.
func resolve(ctx context.Context, c *client.Client, kind client.Kind, ref Ref) (*client.Named, error) {
	if ref == "" {
		return nil, badInput("%q is required: a %s id or its exact name (list_%ss shows them)", string(kind), kind, kind)
	}
	return c.Resolve(ctx, kind, string(ref))
}

// resolveFlow turns an id or exact name into a flow. The flow list's rows are whole definitions,
// so a flow found by name needs no second read.
func resolveFlow(ctx context.Context, c *client.Client, ref Ref) (flowRef, error) {
	n, err := resolve(ctx, c, client.KindFlow, ref)
	if err != nil {
		return flowRef{}, err
	}
	return flowRef{found(n, n.Full)}, nil
}

// readFlow resolves ref and returns the flow with its definition.
func readFlow(ctx context.Context, c *client.Client, ref Ref) (flowRef, json.RawMessage, error) {
	f, err := resolveFlow(ctx, c, ref)
	if err != nil {
		return flowRef{}, nil, err
	}
	raw, err := f.definition(ctx, c)
	return f, raw, err
}

// notFoundError says an object that is not one of the resolver's kinds (a table in a connection)
// does not exist, and offers the closest names.
type notFoundError struct {
	kind, ref   string
	suggestions []string
}

func (e *notFoundError) Error() string {
	msg := fmt.Sprintf("%s %s not found", e.kind, bound.Quote(e.ref))
	if len(e.suggestions) > 0 {
		msg += "; closest: " + quoteList(e.suggestions)
	}
	return msg + fmt.Sprintf(". Use list_%ss to see the available %ss.", e.kind, e.kind)
}

func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = bound.Quote(s)
	}
	return strings.Join(q, ", ")
}
