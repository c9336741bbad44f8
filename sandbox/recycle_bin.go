package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// binEntry is the wire shape of a recycle-bin item (our design, tag [I]: not in Etlworks' public
// documentation).
type binEntry struct {
	ID                  int64           `json:"id"`
	ArtifactType        string          `json:"artifactType"`
	ArtifactID          int64           `json:"artifactId"`
	Name                string          `json:"name"`
	DeletedAt           int64           `json:"deletedAt"`
	DeletedBy           string          `json:"deletedBy"`
	Restorable          bool            `json:"restorable"`
	NonRestorableReason *string         `json:"nonRestorableReason"`
	Dependencies        []binDep        `json:"dependencies"`
	Artifact            json.RawMessage `json:"artifact,omitempty"` // GET /v1/recycle-bin/{id} only; secrets masked
}

// binDep is one dependency of an item as it stands now. relation says how a restore treats it:
// "requires" (restored from the bin or reused when live), "deletedWith" (restored along with the
// item) or "usedBy" (shown for information: the flows that used a deleted connection).
type binDep struct {
	ArtifactType string `json:"artifactType"`
	ArtifactID   int64  `json:"artifactId"`
	Name         string `json:"name"`
	Relation     string `json:"relation"`
	Active       bool   `json:"active"`       // a live object with this id (or name) exists and will be reused
	RecycleBinID *int64 `json:"recycleBinId"` // the item a restore would bring back, when not active
}

// binTypes are the artifact types of the platform's recycle bin; formats and agents are not
// modelled by the sandbox, so no item of theirs ever exists.
var binTypes = []string{"flow", "connection", "listener", "schedule", "format", "agent"}

// relationOf classifies a dependency of an item of type owner.
func relationOf(owner, dep string) string {
	switch {
	case owner == "flow" && (dep == "schedule" || dep == "listener"):
		return "deletedWith"
	case owner == "connection":
		return "usedBy"
	}
	return "requires"
}

// dependencies returns an item's dependencies: the stored ones plus those its artifact names
// (a flow's connections and nested flows, a schedule's or listener's flow), without duplicates.
func dependencies(b *binItem) []binDep {
	var out []binDep
	add := func(typ string, id int64, name string) {
		if id == 0 || slices.ContainsFunc(out, func(d binDep) bool { return d.ArtifactType == typ && d.ArtifactID == id }) {
			return
		}
		out = append(out, binDep{ArtifactType: typ, ArtifactID: id, Name: name, Relation: relationOf(b.Type, typ)})
	}
	for _, d := range b.Deps {
		add(d.ArtifactType, d.ArtifactID, d.Name)
	}
	switch b.Type {
	case "flow":
		var f flow
		if json.Unmarshal(b.Artifact, &f) == nil {
			for _, tr := range f.Transformations {
				add("connection", tr.Source.ConnectionID, tr.Source.Connection)
				add("connection", tr.Destination.ConnectionID, tr.Destination.Connection)
			}
			for _, n := range f.NestedFlows {
				add("flow", n.FlowID, n.Name)
			}
		}
	case "schedule", "listener":
		var a struct {
			FlowID   int64   `json:"flowId"`
			FlowName *string `json:"flowName"`
		}
		if json.Unmarshal(b.Artifact, &a) == nil && a.FlowName != nil {
			add("flow", a.FlowID, *a.FlowName)
		} else {
			add("flow", a.FlowID, "")
		}
	}
	if out == nil {
		out = []binDep{}
	}
	return out
}

// describe evaluates an item against the live state: each dependency's status, and whether (and
// why not) the item can be restored.
func describe(ctx context.Context, q querier, b *binItem) (binEntry, error) {
	e := binEntry{ID: b.ID, ArtifactType: b.Type, ArtifactID: b.ArtifactID, Name: b.Name, DeletedAt: b.DeletedAt,
		DeletedBy: b.DeletedBy, Restorable: b.Restorable, Dependencies: dependencies(b)}
	for i := range e.Dependencies {
		d := &e.Dependencies[i]
		_, live, err := liveByID(ctx, q, d.ArtifactType, d.ArtifactID)
		if err != nil {
			return e, err
		}
		if !live && d.Relation == "requires" {
			_, live, err = liveByName(ctx, q, d.ArtifactType, d.Name)
			if err != nil {
				return e, err
			}
		}
		d.Active = live
		if !live {
			item, err := latestBinItem(ctx, q, d.ArtifactType, d.ArtifactID)
			if err == nil {
				d.RecycleBinID = &item.ID
			} else if !errors.Is(err, errNotFound) {
				return e, err
			}
		}
	}
	var reason string
	switch {
	case !b.Restorable:
		reason = "the item is marked non-restorable"
	case liveTables[b.Type] == "":
		reason = fmt.Sprintf("restoring a %s is not modelled by the sandbox", b.Type)
	default:
		for _, d := range e.Dependencies {
			if d.Relation == "requires" && !d.Active && d.RecycleBinID == nil {
				reason = fmt.Sprintf("its %s '%s' (id %d) is neither live nor in the recycle bin", d.ArtifactType, d.Name, d.ArtifactID)
				break
			}
		}
	}
	if reason != "" {
		e.Restorable, e.NonRestorableReason = false, &reason
	}
	return e, nil
}

// listBinHandler serves GET /v1/recycle-bin?type=&name=&includeNonRestorable=: newest first, with
// X-Total-Count; non-restorable items only on request.
func (s *Sandbox) listBinHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	q, limit, offset, err := listQuery(r)
	if err != nil {
		return err
	}
	typ := q.Get("type")
	if typ != "" && !slices.Contains(binTypes, typ) {
		return badRequest("Parameter 'type' must be one of flow, connection, listener, schedule, format, agent; not '%s'", typ)
	}
	all, err := boolParam(q, "includeNonRestorable")
	if err != nil {
		return err
	}
	items, err := binItems(r.Context(), s.st.db, typ, q.Get("name"))
	if err != nil {
		return err
	}
	var match []binEntry
	for _, b := range items {
		e, err := describe(r.Context(), s.st.db, b)
		if err != nil {
			return err
		}
		if e.Restorable || all {
			match = append(match, e)
		}
	}
	return writeList(w, pageOf(match, limit, offset), len(match))
}

// binItemFromPath loads the recycle-bin item named by the {id} wildcard, or returns a 404.
func (s *Sandbox) binItemFromPath(r *http.Request) (*binItem, error) {
	return loadFromPath(r, "Recycle bin item", func(ctx context.Context, id int64) (*binItem, error) {
		return oneBinItem(ctx, s.st.db, id)
	})
}

// getBinHandler serves GET /v1/recycle-bin/{id}: the item with the artifact's last state.
func (s *Sandbox) getBinHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	b, err := s.binItemFromPath(r)
	if err != nil {
		return err
	}
	e, err := describe(r.Context(), s.st.db, b)
	if err != nil {
		return err
	}
	e.Artifact = maskSecrets(b.Artifact)
	return writeJSON(w, http.StatusOK, e)
}

// purgeHandler serves DELETE /v1/recycle-bin/{id} (Administrator): the item is gone for good.
func (s *Sandbox) purgeHandler(w http.ResponseWriter, r *http.Request, p *principal) error {
	return withLoaded(r, s.binItemFromPath, func(b *binItem, started time.Time) error {
		_, err := s.st.db.ExecContext(r.Context(), `DELETE FROM recycle_bin WHERE id = ?`, b.ID)
		s.recordObjectMutation(r, p, "purgeRecycleBinItem", auditObject{Type: b.Type, ID: b.ArtifactID, Name: b.Name},
			map[string]any{"recycleBinId": b.ID, "artifactType": b.Type, "artifactId": b.ArtifactID, "name": b.Name}, err, started)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, map[string]any{"id": b.ID, "artifactType": b.Type, "artifactId": b.ArtifactID,
			"name": b.Name, "purged": true})
	})
}

// maskSecrets returns v as JSON with every string value under a secret-looking key masked, and
// internal (x-standin-*) properties left out, at any depth.
func maskSecrets(v any) json.RawMessage {
	b, ok := v.(json.RawMessage)
	if !ok {
		var err error
		if b, err = json.Marshal(v); err != nil {
			return json.RawMessage(`null`)
		}
	}
	var tree any
	if json.Unmarshal(b, &tree) != nil {
		return json.RawMessage(`null`)
	}
	out, err := json.Marshal(maskTree(tree))
	if err != nil {
		return json.RawMessage(`null`)
	}
	return out
}

func maskTree(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if model.IsInternalProp(k) {
				delete(t, k)
				continue
			}
			if s, ok := x.(string); ok && s != "" && model.IsSecretKey(k) {
				t[k] = secretMask
			} else {
				t[k] = maskTree(x)
			}
		}
	case []any:
		for i := range t {
			t[i] = maskTree(t[i])
		}
	}
	return v
}
