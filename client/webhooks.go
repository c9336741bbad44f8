package client

import (
	"context"
	"encoding/json"
	"net/http"
)

// WebhooksService manages outbound event notifications (/v1/webhooks, Administrator): Etlworks
// calls a URL when an event such as Flow.Executed happens.
type WebhooksService service

// Webhook is the body of a create or update of /v1/webhooks. Secret and BasicPass are
// credentials: they are kept out of any error this client returns.
type Webhook struct {
	Name          string          `json:"name"`
	Description   string          `json:"description,omitempty"`
	Events        []string        `json:"events"` // e.g. Flow.Executed, Flow.Failed
	URL           string          `json:"url"`    // may be empty for an e-mail-only webhook
	Method        string          `json:"method,omitempty"`
	ContentType   string          `json:"contentType,omitempty"`
	IncludeEntity bool            `json:"includeEntity,omitempty"`
	Headers       []WebhookHeader `json:"headers,omitempty"`
	Secret        string          `json:"secret,omitempty"`
	BasicUser     string          `json:"basicUser,omitempty"`
	BasicPass     string          `json:"basicPass,omitempty"`
	Enabled       bool            `json:"enabled"`
}

// WebhookHeader is one extra header sent with each delivery.
type WebhookHeader struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// List returns one page of webhooks as the raw JSON array.
func (s *WebhooksService) List(ctx context.Context, opts *ListOptions) (json.RawMessage, *Response, error) {
	return s.client.getList(ctx, "v1/webhooks", queryOf(opts))
}

// Get returns one webhook as raw JSON.
func (s *WebhooksService) Get(ctx context.Context, id int64) (json.RawMessage, *Response, error) {
	return s.client.sendRaw(ctx, http.MethodGet, "v1/webhooks/"+itoa(id), nil, nil)
}

// Create adds a webhook and returns it as stored.
func (s *WebhooksService) Create(ctx context.Context, wh *Webhook) (json.RawMessage, *Response, error) {
	return s.send(ctx, http.MethodPost, "v1/webhooks", wh)
}

// Update replaces webhook id and returns it as stored.
func (s *WebhooksService) Update(ctx context.Context, id int64, wh *Webhook) (json.RawMessage, *Response, error) {
	return s.send(ctx, http.MethodPut, "v1/webhooks/"+itoa(id), wh)
}

// Delete removes webhook id.
func (s *WebhooksService) Delete(ctx context.Context, id int64) (*Deletion, *Response, error) {
	return s.client.deleteTo(ctx, "v1/webhooks/"+itoa(id))
}

func (s *WebhooksService) send(ctx context.Context, method, path string, wh *Webhook) (json.RawMessage, *Response, error) {
	r, err := newJSONRequest(method, path, nil, wh)
	if err != nil {
		return nil, nil, err
	}
	if wh != nil {
		r.secrets = []string{wh.Secret, wh.BasicPass}
	}
	return s.client.doRaw(ctx, r)
}

// FindByName returns the webhook with this exact name (or the one case-insensitive match).
func (s *WebhooksService) FindByName(ctx context.Context, name string) (*Named, error) {
	return s.client.resolveName(ctx, KindWebhook, name)
}
