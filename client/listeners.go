package client

import (
	"context"
	"encoding/json"
	"net/http"
)

// ListenersService manages HTTP listeners (/v1/listeners): user-defined endpoints under
// /rest/v1/httplistener/... that run a flow when called (inbound webhooks). The definition's shape
// is not documented publicly, so it travels as raw JSON.
type ListenersService service

// ListenerListOptions filters GET /v1/listeners (the sandbox's design).
type ListenerListOptions struct {
	FlowID int64 `query:"flowId"`
	ListOptions
}

// List returns one page of listeners as the raw JSON array.
func (s *ListenersService) List(ctx context.Context, opts *ListenerListOptions) (json.RawMessage, *Response, error) {
	return s.client.getList(ctx, "v1/listeners", queryOf(opts))
}

// Get returns one listener as raw JSON.
func (s *ListenersService) Get(ctx context.Context, id int64) (json.RawMessage, *Response, error) {
	return s.client.sendRaw(ctx, http.MethodGet, "v1/listeners/"+itoa(id), nil, nil)
}

// Create adds a listener from its definition and returns it as stored.
func (s *ListenersService) Create(ctx context.Context, def json.RawMessage) (json.RawMessage, *Response, error) {
	return s.client.sendRaw(ctx, http.MethodPost, "v1/listeners", nil, def)
}

// Update replaces listener id's definition and returns it as stored.
func (s *ListenersService) Update(ctx context.Context, id int64, def json.RawMessage) (json.RawMessage, *Response, error) {
	return s.client.sendRaw(ctx, http.MethodPut, "v1/listeners/"+itoa(id), nil, def)
}

// Delete moves listener id to the recycle bin.
func (s *ListenersService) Delete(ctx context.Context, id int64) (*Deletion, *Response, error) {
	return s.client.deleteTo(ctx, "v1/listeners/"+itoa(id))
}

// FindByName returns the listener with this exact name (or the one case-insensitive match).
func (s *ListenersService) FindByName(ctx context.Context, name string) (*Named, error) {
	return s.client.resolveName(ctx, KindListener, name)
}
