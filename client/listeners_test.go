package client

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
)

func TestListenersService(t *testing.T) {
	t.Parallel()
	const l = `{"id":2,"name":"Orders inbox","flowId":5,"urlPattern":"orders","endpointUrl":"http://h/rest/v1/httplistener/orders"}`
	runEndpointCases(t, []endpointCase{
		{name: "list by flow", method: http.MethodGet, path: "/rest/v1/listeners", wantQuery: values{"flowId": "5", "offset": "25"},
			answer: `[` + l + `]`, want: json.RawMessage(`[` + l + `]`),
			call: func(ctx context.Context, c *Client) (any, error) {
				raw, _, err := c.Listeners.List(ctx, &ListenerListOptions{FlowID: 5, ListOptions: ListOptions{Offset: 25}})
				return raw, err
			}},
		{name: "list", method: http.MethodGet, path: "/rest/v1/listeners", wantQuery: values{}, answer: `[]`, want: json.RawMessage(`[]`),
			call: func(ctx context.Context, c *Client) (any, error) {
				raw, _, err := c.Listeners.List(ctx, nil)
				return raw, err
			}},
		{name: "get", method: http.MethodGet, path: "/rest/v1/listeners/2", wantQuery: values{}, answer: l, want: json.RawMessage(l),
			call: func(ctx context.Context, c *Client) (any, error) {
				raw, _, err := c.Listeners.Get(ctx, 2)
				return raw, err
			}},
		{name: "create", method: http.MethodPost, path: "/rest/v1/listeners", wantQuery: values{},
			wantBody: `{"name":"Orders inbox","flowId":5,"urlPattern":"orders"}`, answer: l, want: json.RawMessage(l),
			call: func(ctx context.Context, c *Client) (any, error) {
				raw, _, err := c.Listeners.Create(ctx, json.RawMessage(`{"name":"Orders inbox","flowId":5,"urlPattern":"orders"}`))
				return raw, err
			}},
		{name: "update", method: http.MethodPut, path: "/rest/v1/listeners/2", wantQuery: values{}, wantBody: l, answer: l, want: json.RawMessage(l),
			call: func(ctx context.Context, c *Client) (any, error) {
				raw, _, err := c.Listeners.Update(ctx, 2, json.RawMessage(l))
				return raw, err
			}},
		{name: "delete", method: http.MethodDelete, path: "/rest/v1/listeners/2", wantQuery: values{}, answer: `{"id":2,"name":"Orders inbox","recycleBinId":11}`,
			want: &Deletion{ID: 2, Name: "Orders inbox", RecycleBinID: 11},
			call: func(ctx context.Context, c *Client) (any, error) {
				d, _, err := c.Listeners.Delete(ctx, 2)
				return d, err
			}},
	})
}
