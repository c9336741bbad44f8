package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// listFlowsHandler serves GET /v1/flows: filters name (substring), tag and flowType; limit/offset paging.
func (s *Sandbox) listFlowsHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	q, limit, offset, err := listQuery(r)
	if err != nil {
		return err
	}
	list, total, err := s.st.listFlows(r.Context(), flowFilter{name: q.Get("name"), tag: q.Get("tag"),
		flowType: q.Get("flowType"), limit: limit, offset: offset})
	if err != nil {
		return err
	}
	return writeList(w, model.PublicFlows(list), total)
}

// flowFromPath loads the flow named by the {id} wildcard, or returns a 404.
func (s *Sandbox) flowFromPath(r *http.Request) (*flow, error) {
	return loadFromPath(r, "Flow", s.st.getFlow)
}

// flowByID loads a flow, or returns the 404 the API promises.
func (s *Sandbox) flowByID(r *http.Request, id int64) (*flow, error) {
	return loadByID(r.Context(), "Flow", id, s.st.getFlow)
}

// getFlowHandler serves GET /v1/flows/{id}.
func (s *Sandbox) getFlowHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	return answerLoaded(w, r, s.flowFromPath, (*flow).Public)
}

// createFlowHandler serves POST /v1/flows; like Etlworks it answers 200 with the new flow.
func (s *Sandbox) createFlowHandler(w http.ResponseWriter, r *http.Request, p *principal) error {
	started := time.Now()
	var f flow
	var id int64
	return s.mutate(r, p, started, mutation{md: "addFlow", body: &f,
		check: func() error { return s.normalizeFlow(r.Context(), &f, 0) },
		save: func() (err error) {
			f.Suspended = false
			id, err = insertFlow(r.Context(), s.st.db, &f, started.UnixMilli())
			return uniqueName(err, "flow", f.Name)
		},
		payload: func() map[string]any { return map[string]any{"flowId": id, "name": f.Name} },
		answer:  func() error { return s.writeFlow(w, r, id) },
	})
}

// writeFlow answers with the flow as stored now, internal properties left out.
func (s *Sandbox) writeFlow(w http.ResponseWriter, r *http.Request, id int64) error {
	f, err := s.st.getFlow(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, f.Public())
}

// updateFlowHandler serves PUT /v1/flows/{id}: the body replaces the definition. Suspension is
// left alone (suspend/resume change it) and read-only fields in the body are ignored.
func (s *Sandbox) updateFlowHandler(w http.ResponseWriter, r *http.Request, p *principal) error {
	return withLoaded(r, s.flowFromPath, func(old *flow, started time.Time) error {
		var f flow
		var changed []string
		var diff editDiff
		return s.mutate(r, p, started, mutation{md: "editFlow", body: &f,
			check: func() error { return s.normalizeFlow(r.Context(), &f, old.ID) },
			save: func() error {
				f.ID = old.ID
				model.KeepInternal(old, &f)
				changed = changedFields(old, &f)
				diff = diffFields(flowAuditView(old), flowAuditView(&f), model.IsSecretKey)
				return uniqueName(s.st.updateFlow(r.Context(), &f, started.UnixMilli()), "flow", f.Name)
			},
			payload: func() map[string]any {
				return diff.add(map[string]any{"flowId": old.ID, "name": old.Name, "changed": changed})
			},
			answer: func() error { return s.writeFlow(w, r, old.ID) },
		})
	})
}

// deleteResponse is the body of DELETE /v1/flows/{id}: where the flow went, for a later restore,
// and the schedules and listeners that went to the recycle bin with it.
type deleteResponse struct {
	FlowID       int64             `json:"flowId"`
	Name         string            `json:"name"`
	RecycleBinID int64             `json:"recycleBinId"`
	DeletedWith  []deletedArtifact `json:"deletedWith"`
}

// deleteFlowHandler serves DELETE /v1/flows/{id}; the flow's last state goes to the recycle bin.
func (s *Sandbox) deleteFlowHandler(w http.ResponseWriter, r *http.Request, p *principal) error {
	return withLoaded(r, s.flowFromPath, func(f *flow, started time.Time) error {
		binID, moved, err := s.st.deleteFlow(r.Context(), f, p.Login, started.UnixMilli())
		return s.audited(r, p, started, "deleteFlow", map[string]any{"flowId": f.ID, "name": f.Name, "recycleBinId": binID,
			"deletedWith": moved}, err, answerJSON(w, deleteResponse{FlowID: f.ID, Name: f.Name, RecycleBinID: binID, DeletedWith: moved}))
	})
}

// suspendHandler serves POST /v1/flows/{id}/suspend (suspend=true) and /resume; both are idempotent
// and answer with the flow.
func (s *Sandbox) suspendHandler(suspend bool) handlerFunc {
	md := "resumeFlow"
	if suspend {
		md = "suspendFlow"
	}
	return func(w http.ResponseWriter, r *http.Request, p *principal) error {
		return withLoaded(r, s.flowFromPath, func(f *flow, started time.Time) error {
			err := s.st.setSuspended(r.Context(), f.ID, suspend, started.UnixMilli())
			return s.audited(r, p, started, md, map[string]any{"flowId": f.ID, "name": f.Name}, err,
				func() error { return s.writeFlow(w, r, f.ID) })
		})
	}
}

// changedFields names the top-level fields an edit changed, for the audit payload.
func changedFields(old, updated *flow) []string {
	fields := []struct {
		name string
		a, b any
	}{
		{"name", old.Name, updated.Name},
		{"description", old.Description, updated.Description},
		{"flowType", old.FlowType, updated.FlowType},
		{"properties", old.Properties, updated.Properties},
		{"tags", old.Tags, updated.Tags},
		{"transformations", old.Transformations, updated.Transformations},
		{"mappings", old.Mappings, updated.Mappings},
		{"nestedFlows", old.NestedFlows, updated.NestedFlows},
	}
	changed := []string{}
	for _, f := range fields {
		a, _ := json.Marshal(f.a)
		b, _ := json.Marshal(f.b)
		if !bytes.Equal(a, b) {
			changed = append(changed, f.name)
		}
	}
	return changed
}
