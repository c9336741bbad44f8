package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/etlworks/etlworks-mcp/client"
)

// binRow is one recycle-bin item: what was deleted, when, by whom, and what it depends on.
type binRow struct {
	ID           int64    `json:"id"`
	Type         string   `json:"type"`
	Name         string   `json:"name"`
	ObjectID     int64    `json:"object_id,omitempty"`
	DeletedAt    string   `json:"deleted_at,omitempty"`
	DeletedBy    string   `json:"deleted_by,omitempty"`
	Restorable   bool     `json:"restorable"`
	Blocked      string   `json:"blocked,omitempty"`
	Dependencies []string `json:"dependencies,omitempty"`

	pending []string // deleted dependencies a restore would bring back too
}

func viewBinItem(b gjson.Result) binRow {
	r := binRow{
		ID: b.Get("id").Int(), Type: b.Get("artifactType").String(), Name: b.Get("name").String(), ObjectID: b.Get("artifactId").Int(),
		DeletedAt: isoTime(b.Get("deletedAt").Int()), DeletedBy: b.Get("deletedBy").String(),
		Restorable: !b.Get("restorable").Exists() || b.Get("restorable").Bool(),
		Blocked:    clip(redact(b.Get("nonRestorableReason").String()), 200),
	}
	for _, dep := range b.Get("dependencies").Array() {
		r.Dependencies = append(r.Dependencies, dependencyText(dep))
		if !dep.Get("active").Bool() && dep.Get("relation").String() != "usedBy" {
			r.pending = append(r.pending, artifactText(dep.Get("artifactType").String(), dep.Get("artifactId").Int(), dep.Get("name").String()))
		}
	}
	return r
}

// dependencyText renders a dependency with what a restore does to it: `connection 3 "Warehouse"
// (live: reused)`, `schedule 2 "Nightly" (deleted with it: restored with it)`.
func dependencyText(dep gjson.Result) string {
	s := artifactText(dep.Get("artifactType").String(), dep.Get("artifactId").Int(), dep.Get("name").String())
	live := dep.Get("active").Bool()
	switch rel := dep.Get("relation").String(); {
	case rel == "usedBy":
		return s + " (used it)"
	case live:
		return s + " (live: reused)"
	case rel == "deletedWith":
		return s + " (deleted with it: restored with it)"
	case dep.Get("recycleBinId").Int() > 0:
		return s + fmt.Sprintf(" (deleted: restored with it from item %d)", dep.Get("recycleBinId").Int())
	case dep.Get("active").Exists():
		return s + " (gone: blocks the restore)"
	}
	return s
}

// artifactText names an object the way every answer does: `flow 3 "Load orders"`, without the
// id or name it lacks.
func artifactText(typ string, id int64, name string) string {
	s := typ
	if id > 0 {
		s += fmt.Sprintf(" %d", id)
	}
	if name != "" {
		s += fmt.Sprintf(" %q", name)
	}
	return s
}

// ListDeletedInput filters the recycle bin.
type ListDeletedInput struct {
	Type  choice[binTypes] `json:"type,omitempty" jsonschema:"description=Type"`
	Query string           `json:"query,omitempty" jsonschema:"description=Part of the name"`
	page
}

func listDeletedTool(d Deps) Def {
	return newTool(d, spec[ListDeletedInput]{
		name:        "list_deleted",
		title:       "List deleted objects",
		description: "List deleted objects in the recycle bin with who deleted them, when, and their dependencies.",
		toolset:     "audit",
		effect:      reads,
		handle: func(ctx context.Context, in ListDeletedInput) (any, error) {
			opts := &client.RecycleBinListOptions{Type: string(in.Type), Name: strings.TrimSpace(in.Query), IncludeNonRestorable: true}
			return listed(in.page, opts.Type != "" || opts.Name != "", func(lo client.ListOptions) (json.RawMessage, *client.Response, error) {
				return d.Client.RecycleBin.List(ctx, &client.RecycleBinListOptions{IncludeNonRestorable: true, ListOptions: lo})
			}, func(visit func(json.RawMessage) bool) (client.Scan, error) {
				return d.Client.RecycleBin.Scan(ctx, opts, visit)
			}, func(b gjson.Result) bool {
				return (opts.Type == "" || strings.EqualFold(b.Get("artifactType").String(), opts.Type)) && containsFold(b.Get("name").String(), opts.Name)
			}, viewBinItem)
		},
	})
}

// RestoreDeletedInput names the item to restore.
type RestoreDeletedInput struct {
	Item                Ref              `json:"item" jsonschema:"required,description=Recycle-bin id or the deleted object's exact name"`
	Type                choice[binTypes] `json:"type,omitempty" jsonschema:"description=Type"`
	IncludeDependencies *bool            `json:"include_dependencies,omitempty" jsonschema:"description=Default true"`
}

func restoreDeletedTool(d Deps) Def {
	return newTool(d, spec[RestoreDeletedInput]{
		name:        "restore_deleted",
		title:       "Restore deleted object",
		description: "Restore an object and its deleted dependencies from the recycle bin.",
		toolset:     "audit",
		effect:      writesOnce,
		handle: func(ctx context.Context, in RestoreDeletedInput) (any, error) {
			item, err := findBinItem(ctx, d.Client, in)
			if err != nil {
				return nil, err
			}
			if in.IncludeDependencies != nil && !*in.IncludeDependencies && len(item.pending) > 0 {
				return nil, badInput("%s cannot come back alone: Etlworks restores it together with %s. Call again without include_dependencies: false, or restore nothing",
					artifactText(item.Type, item.ObjectID, item.Name), strings.Join(item.pending, ", "))
			}
			res, _, err := d.Client.RecycleBin.Restore(ctx, item.ID)
			var api *client.APIError
			if errors.As(err, &api) && api.Status == http.StatusConflict {
				return nil, fmt.Errorf("cannot restore %s: %s. A restore never overwrites a live object: rename or delete the one in the way, then retry; nothing was restored",
					artifactText(item.Type, item.ObjectID, item.Name), strings.TrimSuffix(redact(api.Message), "."))
			}
			if err != nil {
				return nil, err
			}
			notifyResourceListChanged(ctx)
			restored, reused := restoreReport(item, res)
			out := restoredItems{Restored: restored, Reused: reused}
			if next, ok := binNext[item.Type]; ok {
				call := next(item.ObjectID)
				out.Next = &call
			}
			return out, nil
		},
	})
}

// restoredItems is restore_deleted's answer: what came back (the requested item first), what
// it reused, and where to look at it (fields in the order clients have always seen them).
type restoredItems struct {
	Next     *toolCall `json:"next,omitempty"`
	Restored []string  `json:"restored"`
	Reused   []string  `json:"reused"`
}

// binNext says where to look at a restored object, by type.
var binNext = map[string]func(id int64) toolCall{
	"flow":     func(id int64) toolCall { return hint("get_flow", "shows it", "flow", id) },
	"schedule": func(id int64) toolCall { return hint("list_schedules", fmt.Sprintf("shows schedule %d", id)) },
	"listener": func(id int64) toolCall { return hint("list_listeners", fmt.Sprintf("shows listener %d", id)) },
}

// restoreReport lists what a restore brought back, the requested item first, and what it reused.
// An object the restore brought back is never also listed as reused.
func restoreReport(item binRow, res *client.RestoreResult) (restored, reused []string) {
	key := func(a client.Artifact) string { return fmt.Sprintf("%s:%d", a.ArtifactType, int64(a.ArtifactID)) }
	back := map[string]bool{}
	list := slices.Clone(res.Restored)
	slices.SortStableFunc(list, func(a, b client.Artifact) int {
		isItem := func(x client.Artifact) bool {
			return x.ArtifactType == item.Type && int64(x.ArtifactID) == item.ObjectID
		}
		switch {
		case isItem(a) && !isItem(b):
			return -1
		case isItem(b) && !isItem(a):
			return 1
		}
		return 0
	})
	for _, a := range list {
		back[key(a)] = true
	}
	var kept []client.Artifact
	for _, a := range res.Reused {
		if !back[key(a)] {
			kept = append(kept, a)
		}
	}
	return artifactList(list), artifactList(kept)
}

func artifactList(list []client.Artifact) []string {
	out := []string{}
	for _, a := range list {
		out = append(out, artifactText(a.ArtifactType, int64(a.ArtifactID), a.Name))
	}
	return out
}

// findBinItem resolves restore_deleted's item: a recycle-bin id, or the exact name of a deleted
// object (the most recently deleted one when the same name was deleted more than once).
func findBinItem(ctx context.Context, c *client.Client, in RestoreDeletedInput) (binRow, error) {
	if id, ok := in.Item.id(); ok {
		raw, _, err := c.RecycleBin.Get(ctx, id)
		if client.IsNotFound(err) {
			return binRow{}, fmt.Errorf("recycle-bin item %d not found; list_deleted shows the recycle bin (a name works too)", id)
		}
		if err != nil {
			return binRow{}, err
		}
		return viewBinItem(gjson.ParseBytes(raw)), nil
	}
	name := string(in.Item)
	raw, _, err := c.RecycleBin.List(ctx, &client.RecycleBinListOptions{Type: string(in.Type), Name: name, IncludeNonRestorable: true,
		ListOptions: client.ListOptions{Limit: 200}})
	if err != nil {
		return binRow{}, err
	}
	var exact, folded []binRow
	for _, b := range gjson.ParseBytes(raw).Array() {
		r := viewBinItem(b)
		if string(in.Type) != "" && !strings.EqualFold(r.Type, string(in.Type)) {
			continue // a server that ignores the type filter
		}
		switch {
		case r.Name == name:
			exact = append(exact, r)
		case strings.EqualFold(r.Name, name):
			folded = append(folded, r)
		}
	}
	if len(exact) == 0 {
		exact = folded
	}
	if len(exact) == 0 {
		return binRow{}, binNotFound(ctx, c, in)
	}
	types := map[string]bool{}
	for _, r := range exact {
		types[r.Type] = true
	}
	if len(types) > 1 {
		return binRow{}, badInput("%d deleted objects are named %q (%s); pass \"type\" or the recycle-bin id from list_deleted",
			len(exact), name, strings.Join(slices.Sorted(maps.Keys(types)), ", "))
	}
	newest := exact[0]
	for _, r := range exact[1:] {
		if r.DeletedAt > newest.DeletedAt || (r.DeletedAt == newest.DeletedAt && r.ID > newest.ID) {
			newest = r
		}
	}
	return newest, nil
}

// binNotFound suggests the closest deleted names.
func binNotFound(ctx context.Context, c *client.Client, in RestoreDeletedInput) error {
	var names []string
	if raw, _, err := c.RecycleBin.List(ctx, &client.RecycleBinListOptions{Type: string(in.Type), ListOptions: client.ListOptions{Limit: 200}}); err == nil {
		for _, b := range gjson.ParseBytes(raw).Array() {
			names = append(names, b.Get("name").String())
		}
	}
	msg := fmt.Sprintf("no deleted object named %q", string(in.Item))
	if in.Type != "" {
		msg = fmt.Sprintf("no deleted %s named %q", in.Type, string(in.Item))
	}
	if s := client.Closest(string(in.Item), names, 3); len(s) > 0 {
		msg += "; closest: " + quoteList(s)
	}
	return fmt.Errorf("%s. list_deleted shows the recycle bin", msg)
}
