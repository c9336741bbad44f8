package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// RecycleBinService lists and restores deleted objects (/v1/recycle-bin). Etlworks documents the
// recycle bin as a UI feature only and publishes no REST route for it: these paths are this
// project's design, served by the sandbox's extended profile (CapRecycleBin).
type RecycleBinService service

// RecycleBinListOptions filters the recycle bin.
type RecycleBinListOptions struct {
	Type                 string `query:"type"` // flow, connection, listener, format, agent or schedule
	Name                 string `query:"name"` // part of the deleted object's name
	IncludeNonRestorable bool   `query:"includeNonRestorable"`
	ListOptions
}

// List returns one page of deleted objects, newest first, as the raw JSON array.
func (s *RecycleBinService) List(ctx context.Context, opts *RecycleBinListOptions) (json.RawMessage, *Response, error) {
	return s.client.getList(ctx, "v1/recycle-bin", queryOf(opts))
}

// Get returns one recycle-bin item with the deleted object's last state ("artifact").
func (s *RecycleBinService) Get(ctx context.Context, id int64) (json.RawMessage, *Response, error) {
	return s.client.sendRaw(ctx, http.MethodGet, "v1/recycle-bin/"+itoa(id), nil, nil)
}

// Artifact names one object a restore brought back or reused, or one a delete took along.
type Artifact struct {
	ArtifactType string `json:"artifactType"`
	ArtifactID   ID     `json:"artifactId"`
	Name         string `json:"name"`
	RecycleBinID ID     `json:"recycleBinId,omitempty"` // where a deleted one went, when the server says
}

// RestoreResult is what a restore did: the objects it recreated and the live ones it reused
// (dependencies that already existed). Restoring never overwrites a live object.
type RestoreResult struct {
	Restored []Artifact `json:"restored"`
	Reused   []Artifact `json:"reused"`
}

// Restore brings item id back together with the deleted objects it needs (Etlworks restores
// dependencies and reuses live ones; it never overwrites). A 409 means it cannot be restored: it is
// non-restorable, or a live object already has its name.
func (s *RecycleBinService) Restore(ctx context.Context, id int64) (*RestoreResult, *Response, error) {
	return s.restore(ctx, "v1/recycle-bin/"+itoa(id)+"/restore", nil)
}

// RestoreMany restores several items in one call (bulk restore): all of them, or none.
func (s *RecycleBinService) RestoreMany(ctx context.Context, ids []int64) (*RestoreResult, *Response, error) {
	if ids == nil {
		ids = []int64{}
	}
	b, err := json.Marshal(map[string][]int64{"ids": ids})
	if err != nil {
		return nil, nil, err
	}
	return s.restore(ctx, "v1/recycle-bin/restore", b)
}

func (s *RecycleBinService) restore(ctx context.Context, path string, body json.RawMessage) (*RestoreResult, *Response, error) {
	raw, resp, err := s.client.sendRaw(ctx, http.MethodPost, path, nil, body)
	if err != nil {
		return nil, resp, err
	}
	out := &RestoreResult{}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return nil, resp, fmt.Errorf("client: decode POST %s response: %w", path, err)
		}
	}
	if out.Restored == nil {
		out.Restored = []Artifact{}
	}
	if out.Reused == nil {
		out.Reused = []Artifact{}
	}
	return out, resp, nil
}

// Purge deletes item id for good; it can no longer be restored.
func (s *RecycleBinService) Purge(ctx context.Context, id int64) (*Response, error) {
	return s.client.do(ctx, &request{method: http.MethodDelete, path: "v1/recycle-bin/" + itoa(id)}, nil)
}
