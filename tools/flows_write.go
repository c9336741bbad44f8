package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/etlworks/etlworks-mcp/client"
)

// UpdateFlowInput changes parts of a flow by path.
type UpdateFlowInput struct {
	Flow       Ref        `json:"flow" jsonschema:"required,description=Id or exact name"`
	Set        jsonObject `json:"set,omitempty" jsonschema:"description=Path to value; null removes"`
	CreateKeys bool       `json:"create_keys,omitempty" jsonschema:"description=Allow new last keys"`
	Suspended  *bool      `json:"suspended,omitempty" jsonschema:"description=Suspend (true) or resume (false)"`
	DryRun     bool       `json:"dry_run,omitempty" jsonschema:"description=Preview only"`
}

func (in *UpdateFlowInput) validate() error {
	if len(in.Set) == 0 && in.Suspended == nil {
		return badInput(`give "set" (at least one path, e.g. {"transformations.0.source.sql": "SELECT …"}) or "suspended"`)
	}
	return validSet(in.Set)
}

// validSet checks every path of a "set" map.
func validSet(set jsonObject) error {
	for p := range set {
		if _, err := splitPath(p); err != nil {
			return badInput(`"set": %v`, err)
		}
	}
	return nil
}

func updateFlowTool(d Deps) Def {
	return newTool(d, spec[UpdateFlowInput]{
		name:        "update_flow",
		title:       "Update flow",
		description: "Edit a flow by path or suspend/resume it; dry_run first shows the diff.",
		toolset:     "flows",
		effect:      writesOnce,
		handle: func(ctx context.Context, in UpdateFlowInput) (any, error) {
			f, raw, err := readFlow(ctx, d.Client, in.Flow)
			if err != nil {
				return nil, err
			}
			doc, err := decodeDefinition(raw)
			if err != nil {
				return nil, fmt.Errorf("read flow %d: %w", f.ID, err)
			}
			doc, changes, err := applySet(doc, in.Set, in.CreateKeys)
			if err != nil {
				return nil, err
			}
			head := fmt.Sprintf("flow %d %q", f.ID, f.Name)
			suspend := suspendChange(raw, in.Suspended)
			if len(changes) == 0 && suspend == "" {
				return head + ": no change; every path already has that value and the flow is already in that state. Nothing was sent.", nil
			}
			check := checkFlowShape(doc)
			check.kindChanges(changes)
			if in.DryRun {
				if suspend != "" {
					if err := suspendKnownAbsent(ctx, d.Client, f.ID, *in.Suspended); err != nil {
						return nil, err
					}
					check.Warnings = append(check.Warnings, "would "+suspend)
				}
				return editReport("Dry run for "+head+"; nothing changed.", changes, check, len(changes) > 0,
					"next: call update_flow again with the same arguments and without dry_run to apply it"), nil
			}
			if len(check.Problems) > 0 && len(changes) > 0 {
				return nil, badInput("the change would leave %s invalid: %s. Nothing changed.", head, strings.Join(check.Problems, "; "))
			}
			var out strings.Builder
			if len(changes) > 0 {
				body, err := json.Marshal(doc)
				if err != nil {
					return nil, err
				}
				stored, _, err := d.Client.Flows.Update(ctx, f.ID, body)
				if err != nil {
					return nil, err
				}
				out.WriteString(editReport("Updated "+head+".", storedChanges(stored, changes), flowCheck{Warnings: check.Warnings}, false,
					"undo: "+undoArgs(f.ID, changes)+"\nnext: "+hint("run_flow", "tests the flow", "flow", f.ID).String()))
			}
			if suspend != "" {
				if err := applySuspend(ctx, d.Client, f.ID, *in.Suspended); err != nil {
					if len(changes) > 0 {
						return nil, fmt.Errorf("the definition of %s was updated, but could not %s it: %w", head, suspendWord(*in.Suspended), err)
					}
					return nil, err
				}
				if out.Len() > 0 {
					out.WriteString("\n")
				}
				done := "Resumed"
				if *in.Suspended {
					done = "Suspended"
				}
				fmt.Fprintf(&out, "%s %s.\nundo: %s", done, head, resumeCall(f.ID, !*in.Suspended))
			}
			return out.String(), nil
		},
	})
}

// applySet applies the changes in path order and returns the ones that changed something.
func applySet(doc any, set jsonObject, createKeys bool) (any, []fieldChange, error) {
	paths := sortedKeys(set)
	var changes []fieldChange
	for _, p := range paths {
		var ch fieldChange
		var err error
		doc, ch, err = setPath(doc, p, normalizeValue(set[p]), createKeys)
		if err != nil {
			return nil, nil, badInput(`"set" path %q: %v`, p, err)
		}
		if !(ch.Existed && sameJSON(ch.Before, ch.After)) && !(!ch.Existed && ch.After == nil) {
			changes = append(changes, ch)
		}
	}
	return doc, changes, nil
}

// storedChanges re-reads each changed path from the definition Etlworks stored, so the report
// shows what was saved (the server may normalize values), not what was sent.
func storedChanges(stored []byte, changes []fieldChange) []fieldChange {
	doc, err := decodeDefinition(stored)
	if err != nil {
		return changes
	}
	out := make([]fieldChange, len(changes))
	for i, ch := range changes {
		out[i] = ch
		if v, ok := lookupPath(doc, ch.Path); ok {
			out[i].After = v
		}
	}
	return out
}

// lookupPath reads a value at a display path (transformations[0].source.sql).
func lookupPath(doc any, path string) (any, bool) {
	segs, err := splitPath(path)
	if err != nil {
		return nil, false
	}
	if len(segs) > 2 && segs[0] == "properties" {
		segs = []string{"properties", strings.Join(segs[1:], ".")}
	}
	cur := doc
	for _, s := range segs {
		switch n := cur.(type) {
		case map[string]any:
			v, ok := n[s]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(s)
			if err != nil || i < 0 || i >= len(n) {
				return nil, false
			}
			cur = n[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// undoArgs renders the update_flow call that puts the old values back. Secret values are
// never shown, so they are left out and named instead.
func undoArgs(id int64, changes []fieldChange) string {
	set := map[string]any{}
	var secret []string
	for _, ch := range changes {
		if isSecretKey(lastSegment(ch.Path)) {
			secret = append(secret, ch.Path)
			continue
		}
		set[ch.Path] = ch.Before // nil (absent before) removes the field again
	}
	out := "nothing to undo but secrets"
	if len(set) > 0 {
		out = clip(hint("update_flow", "", "flow", id, "set", set).String(), 4000)
	}
	if len(secret) > 0 {
		out += " (secret values are not shown: set " + strings.Join(secret, ", ") + " again by hand)"
	}
	return out
}

// plainJSON encodes v compactly without HTML escaping, so SQL such as a <> b reads as written.
func plainJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// editReport is the text result of an edit: a headline, the diff, the checks (for a dry run) and
// what to do next.
func editReport(head string, changes []fieldChange, check flowCheck, dryRun bool, next string) string {
	var b strings.Builder
	b.WriteString(head + "\n")
	b.WriteString(renderDiff(changes))
	switch {
	case len(check.Problems) > 0:
		b.WriteString("checks: would be refused: " + strings.Join(check.Problems, "; ") + "\n")
	case dryRun:
		b.WriteString("checks: shape ok; Etlworks checks connections, names and SQL when the change is applied (a refusal changes nothing)\n")
	}
	if len(check.Warnings) > 0 {
		b.WriteString("warnings: " + strings.Join(check.Warnings, "; ") + "\n")
	}
	b.WriteString(next)
	return b.String()
}

// CreateFlowInput creates a flow from a definition, or as a copy of another flow.
type CreateFlowInput struct {
	Name       string     `json:"name" jsonschema:"required,description=Name of the new flow"`
	Definition jsonObject `json:"definition,omitempty" jsonschema:"description=Flow JSON\\, merged over copy_from"`
	CopyFrom   Ref        `json:"copy_from,omitempty" jsonschema:"description=Flow to copy (id or name)"`
	Set        jsonObject `json:"set,omitempty" jsonschema:"description=Paths to change\\, as in update_flow"`
	DryRun     bool       `json:"dry_run,omitempty" jsonschema:"description=Preview only"`
}

func (in *CreateFlowInput) validate() error {
	if strings.TrimSpace(in.Name) == "" {
		return badInput(`"name" must not be blank`)
	}
	if in.CopyFrom == "" && len(in.Definition) == 0 {
		return badInput(`give "definition" (flowType and transformations, as get_flow shows them) or "copy_from" (a flow to copy)`)
	}
	return validSet(in.Set)
}

func createFlowTool(d Deps) Def {
	return newTool(d, spec[CreateFlowInput]{
		name:        "create_flow",
		title:       "Create flow",
		description: "Create a flow from a definition or as a changed copy.",
		toolset:     "flows",
		effect:      writes,
		handle: func(ctx context.Context, in CreateFlowInput) (any, error) {
			var doc any = map[string]any{}
			if in.CopyFrom != "" {
				src, raw, err := readFlow(ctx, d.Client, in.CopyFrom)
				if err != nil {
					return nil, err
				}
				if doc, err = decodeDefinition(raw); err != nil {
					return nil, fmt.Errorf("read flow %d: %w", src.ID, err)
				}
			}
			if len(in.Definition) > 0 {
				doc = mergePatch(doc, normalizeValue(map[string]any(in.Definition)))
			}
			if len(in.Set) > 0 {
				var err error
				if doc, _, err = applySet(doc, in.Set, false); err != nil {
					return nil, err
				}
			}
			m, ok := doc.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("flow %q is not a JSON object", in.CopyFrom)
			}
			for _, k := range readOnlyFlowFields {
				delete(m, k)
			}
			m["name"] = strings.TrimSpace(in.Name)
			check := checkFlowShape(m)
			body, err := json.Marshal(m)
			if err != nil {
				return nil, err
			}
			if in.DryRun || len(check.Problems) > 0 {
				next := "call create_flow again without dry_run to create it"
				if len(check.Problems) > 0 {
					next = "fix the problems in checks; nothing was created"
				}
				return flowPreview{DryRun: in.DryRun, Checks: check, Preview: summarizeFlow(gjson.ParseBytes(body)), Next: next}, nil
			}
			stored, _, err := d.Client.Flows.Create(ctx, body)
			if err != nil {
				return nil, err
			}
			notifyResourceListChanged(ctx)
			s := summarizeFlow(gjson.ParseBytes(stored))
			return flowCreated{Created: true, Flow: s, Checks: check,
				Next: hint("run_flow", "tests it; delete_flow removes it", "flow", s.ID)}, nil
		},
	})
}

// DeleteFlowInput names the flow to delete.
type DeleteFlowInput struct {
	Flow Ref `json:"flow" jsonschema:"required,description=Id or exact name"`
	confirmable
}

func deleteFlowTool(d Deps) Def {
	return deleteTool(d, deleteSpec[DeleteFlowInput]{
		name:        "delete_flow",
		title:       "Delete flow",
		description: "Delete a flow after confirmation; restore_deleted undoes it.",
		toolset:     "flows",
		kind:        "flow",
		target: func(ctx context.Context, in DeleteFlowInput) (deleteTarget, error) {
			f, state, err := readFlow(ctx, d.Client, in.Flow)
			if err != nil {
				return deleteTarget{}, err
			}
			return deleteTarget{id: f.ID, name: f.Name, state: state,
				action: fmt.Sprintf("Delete flow %d %q%s; restore_deleted can bring it back.", f.ID, f.Name, attachedTo(ctx, d.Client, f.ID)),
				finish: func(del *client.Deletion, out deletion) deletion {
					notifyResourceListChanged(ctx)
					if len(del.DeletedWith) > 0 {
						out.DeletedWith = artifactList(del.DeletedWith)
					}
					return out
				}}, nil
		},
		remove: func(ctx context.Context, id int64) (*client.Deletion, *client.Response, error) {
			return d.Client.Flows.Delete(ctx, id)
		},
	})
}

// attachedTo names the schedules and listeners of a flow, which go to the recycle bin with it, so
// the confirmation question says so; it is best effort and empty when there are none.
func attachedTo(ctx context.Context, c *client.Client, flowID int64) string {
	var names []string
	collect := func(kind string) func(json.RawMessage) bool {
		return func(row json.RawMessage) bool {
			if gjson.GetBytes(row, "flowId").Int() == flowID { // the server may ignore the filter
				names = append(names, fmt.Sprintf("%s %q", kind, gjson.GetBytes(row, "name").String()))
			}
			return len(names) < 20
		}
	}
	_, _ = c.Schedules.Scan(ctx, &client.ScheduleListOptions{FlowID: flowID}, collect("schedule"))
	_, _ = c.Listeners.Scan(ctx, &client.ListenerListOptions{FlowID: flowID}, collect("listener"))
	if len(names) == 0 {
		return ""
	}
	return " with its " + strings.Join(names, ", ")
}
