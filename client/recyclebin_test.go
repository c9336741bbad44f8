package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
)

func TestRecycleBinService(t *testing.T) {
	t.Parallel()
	const item = `{"id":55,"artifactType":"flow","artifactId":12,"name":"Orders","deletedAt":1764000000000,"deletedBy":"alice","restorable":true,"dependencies":[]}`
	const restored = `{"restored":[{"artifactType":"flow","artifactId":12,"name":"Orders"}],"reused":[{"artifactType":"connection","artifactId":"3","name":"Warehouse"}]}`
	wantRestore := &RestoreResult{
		Restored: []Artifact{{ArtifactType: "flow", ArtifactID: 12, Name: "Orders"}},
		Reused:   []Artifact{{ArtifactType: "connection", ArtifactID: 3, Name: "Warehouse"}},
	}
	runEndpointCases(t, []endpointCase{
		{name: "list", method: http.MethodGet, path: "/rest/v1/recycle-bin", wantQuery: values{},
			answer: `[` + item + `]`, want: json.RawMessage(`[` + item + `]`),
			call: func(ctx context.Context, c *Client) (any, error) {
				raw, _, err := c.RecycleBin.List(ctx, nil)
				return raw, err
			}},
		{name: "list filtered", method: http.MethodGet, path: "/rest/v1/recycle-bin",
			wantQuery: values{"type": "flow", "name": "Ord", "includeNonRestorable": "true", "limit": "10"},
			answer:    `[]`, want: json.RawMessage(`[]`),
			call: func(ctx context.Context, c *Client) (any, error) {
				raw, _, err := c.RecycleBin.List(ctx, &RecycleBinListOptions{Type: "flow", Name: "Ord", IncludeNonRestorable: true, ListOptions: ListOptions{Limit: 10}})
				return raw, err
			}},
		{name: "get", method: http.MethodGet, path: "/rest/v1/recycle-bin/55", wantQuery: values{}, answer: item, want: json.RawMessage(item),
			call: func(ctx context.Context, c *Client) (any, error) {
				raw, _, err := c.RecycleBin.Get(ctx, 55)
				return raw, err
			}},
		{name: "restore", method: http.MethodPost, path: "/rest/v1/recycle-bin/55/restore", wantQuery: values{},
			answer: restored, want: wantRestore,
			call: func(ctx context.Context, c *Client) (any, error) {
				r, _, err := c.RecycleBin.Restore(ctx, 55)
				return r, err
			}},
		{name: "restore, nothing reused", method: http.MethodPost, path: "/rest/v1/recycle-bin/56/restore",
			wantQuery: values{}, answer: `{"restored":[{"artifactType":"flow","artifactId":12,"name":"Orders"}]}`,
			want: &RestoreResult{Restored: wantRestore.Restored, Reused: []Artifact{}},
			call: func(ctx context.Context, c *Client) (any, error) {
				r, _, err := c.RecycleBin.Restore(ctx, 56)
				return r, err
			}},
		{name: "bulk restore", method: http.MethodPost, path: "/rest/v1/recycle-bin/restore", wantQuery: values{},
			wantBody: `{"ids":[55,56]}`, answer: restored, want: wantRestore,
			call: func(ctx context.Context, c *Client) (any, error) {
				r, _, err := c.RecycleBin.RestoreMany(ctx, []int64{55, 56})
				return r, err
			}},
		{name: "purge", method: http.MethodDelete, path: "/rest/v1/recycle-bin/55", wantQuery: values{}, status: http.StatusNoContent, want: true,
			call: func(ctx context.Context, c *Client) (any, error) {
				_, err := c.RecycleBin.Purge(ctx, 55)
				return err == nil, err
			}},
	})
}

func TestRecycleBinService_restoreBlocked(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/v1/recycle-bin/55/restore", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusConflict)
		fmt.Fprint(w, `{"status":409,"error":"Conflict","message":"A flow named 'Orders' already exists"}`)
	})
	got, _, err := c.RecycleBin.Restore(t.Context(), 55)
	if e := apiErrorOf(t, err); e.Status != http.StatusConflict || e.Message != "A flow named 'Orders' already exists" || got != nil {
		t.Errorf("error %+v, result %+v", e, got)
	}
}
