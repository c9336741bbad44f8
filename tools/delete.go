package tools

import (
	"context"
	"encoding/json"

	"github.com/etlworks/etlworks-mcp/client"
)

// deleteSpec declares a delete tool. Every delete takes the same steps (resolve the target, read
// its state, ask, delete, report with the call that undoes it); the spec supplies only what differs
// by kind, and deleteTool takes the steps, so no delete can skip the confirmation or report
// differently.
type deleteSpec[In any] struct {
	name        string
	title       string
	description string
	toolset     string
	kind        string // "flow", as the answer and restore_deleted name it
	// target resolves the input to the object to delete and says what the confirmation asks.
	target func(ctx context.Context, in In) (deleteTarget, error)
	// remove is the client call that deletes an object of the kind by id.
	remove func(ctx context.Context, id int64) (*client.Deletion, *client.Response, error)
}

// deleteTarget is what a delete knows of its object before it asks.
type deleteTarget struct {
	id     int64
	name   string
	action string          // the confirmation question, one sentence
	state  json.RawMessage // the object as Etlworks sends it now, which the confirmation is bound to
	// finish adds what this kind's answer says beyond the common one (nil: nothing).
	finish func(del *client.Deletion, out deletion) deletion
}

// deleteTool turns a deleteSpec into a destructive tool.
func deleteTool[In any](d Deps, s deleteSpec[In]) Def {
	return newTool(d, spec[In]{
		name:        s.name,
		title:       s.title,
		description: s.description,
		toolset:     s.toolset,
		effect:      destroys,
		handle: func(ctx context.Context, in In) (any, error) {
			t, err := s.target(ctx, in)
			if err != nil {
				return nil, err
			}
			return d.confirm.then(ctx, t.action, t.state, func() (any, error) {
				del, _, err := s.remove(ctx, t.id)
				if err != nil {
					return nil, err
				}
				out := deletedResult(s.kind, t.id, t.name, int64(del.RecycleBinID))
				if t.finish != nil {
					out = t.finish(del, out)
				}
				return out, nil
			})
		},
	})
}
