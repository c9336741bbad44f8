package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestWebhooksService(t *testing.T) {
	t.Parallel()
	const wh = `{"id":4,"name":"Failures","events":["Flow.Failed"],"url":"https://hooks.example.com/x","method":"POST","enabled":true}`
	runEndpointCases(t, []endpointCase{
		{name: "list", method: http.MethodGet, path: "/rest/v1/webhooks", wantQuery: values{"limit": "20"},
			answer: `[` + wh + `]`, want: json.RawMessage(`[` + wh + `]`),
			call: func(ctx context.Context, c *Client) (any, error) {
				raw, _, err := c.Webhooks.List(ctx, &ListOptions{Limit: 20})
				return raw, err
			}},
		{name: "get", method: http.MethodGet, path: "/rest/v1/webhooks/4", wantQuery: values{}, answer: wh, want: json.RawMessage(wh),
			call: func(ctx context.Context, c *Client) (any, error) {
				raw, _, err := c.Webhooks.Get(ctx, 4)
				return raw, err
			}},
		{name: "create", method: http.MethodPost, path: "/rest/v1/webhooks", wantQuery: values{},
			wantBody: `{"name":"Failures","events":["Flow.Failed"],"url":"https://hooks.example.com/x","method":"POST","headers":[{"key":"X-Team","value":"data"}],"secret":"s3cr3t","enabled":true}`,
			answer:   wh, want: json.RawMessage(wh),
			call: func(ctx context.Context, c *Client) (any, error) {
				raw, _, err := c.Webhooks.Create(ctx, &Webhook{Name: "Failures", Events: []string{"Flow.Failed"}, URL: "https://hooks.example.com/x",
					Method: "POST", Headers: []WebhookHeader{{Key: "X-Team", Value: "data"}}, Secret: "s3cr3t", Enabled: true})
				return raw, err
			}},
		{name: "update", method: http.MethodPut, path: "/rest/v1/webhooks/4", wantQuery: values{},
			wantBody: `{"name":"Failures","events":["Flow.Failed"],"url":"","enabled":false}`, answer: wh, want: json.RawMessage(wh),
			call: func(ctx context.Context, c *Client) (any, error) {
				raw, _, err := c.Webhooks.Update(ctx, 4, &Webhook{Name: "Failures", Events: []string{"Flow.Failed"}})
				return raw, err
			}},
		{name: "delete", method: http.MethodDelete, path: "/rest/v1/webhooks/4", wantQuery: values{}, answer: `{"id":4,"name":"Failures"}`,
			want: &Deletion{ID: 4, Name: "Failures"},
			call: func(ctx context.Context, c *Client) (any, error) {
				d, _, err := c.Webhooks.Delete(ctx, 4)
				return d, err
			}},
	})
}

// A server that echoes the request into its error must not leak the webhook's secrets.
func TestWebhooksService_errorHidesSecrets(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/v1/webhooks", func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"status":400,"error":"Bad Request","message":"bad webhook: secret=%s pass=%s"}`, body["secret"], body["basicPass"])
	})
	_, _, err := c.Webhooks.Create(t.Context(), &Webhook{Name: "x", URL: "https://h", Secret: "hmac-key-123", BasicPass: "pw-456"})
	if err == nil || strings.Contains(err.Error(), "hmac-key-123") || strings.Contains(err.Error(), "pw-456") {
		t.Fatalf("error %v must exist and carry no secret", err)
	}
}

func TestFindByName_webhooksAndListeners(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/v1/webhooks", func(w http.ResponseWriter, r *http.Request) {
		testFormValues(t, r, values{"limit": "200"})
		fmt.Fprint(w, `[{"id":4,"name":"Failures"},{"id":5,"name":"Successes"}]`)
	})
	mux.HandleFunc("/rest/v1/listeners", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `[{"id":2,"name":"Orders inbox"}]`)
	})
	names := map[string]string{"webhooks/4": "Failures", "listeners/2": "Orders inbox"}
	mux.HandleFunc("GET /rest/v1/{kind}/{id}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"id":%s,"name":%q}`, r.PathValue("id"), names[r.PathValue("kind")+"/"+r.PathValue("id")])
	})
	wh, err := c.Webhooks.FindByName(t.Context(), "failures")
	if err != nil || wh.ID != 4 || wh.Name != "Failures" {
		t.Fatalf("webhook: %+v, %v", wh, err)
	}
	l, err := c.Listeners.FindByName(t.Context(), "Orders inbox")
	if err != nil || l.ID != 2 {
		t.Fatalf("listener: %+v, %v", l, err)
	}
	_, err = c.Webhooks.FindByName(t.Context(), "Nope")
	var nf *NameNotFoundError
	if !errors.As(err, &nf) || nf.Kind != "webhook" || len(nf.Names) != 2 {
		t.Fatalf("unknown name: %v", err)
	}
}
