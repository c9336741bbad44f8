package client

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

func TestAuditService(t *testing.T) {
	t.Parallel()
	const ev = `{"id":8,"an":"etlworks","md":"editFlow","ur":"alice","tn":"Demo","rt":true,"in":true,"dn":12,"dt":1764000000000,"objectType":"flow","objectId":3,"objectName":"Orders"}`
	from := time.UnixMilli(1764000000000)
	to := from.Add(time.Hour)
	runEndpointCases(t, []endpointCase{
		{name: "list, no filters", method: http.MethodGet, path: "/rest/v1/audit", wantQuery: values{},
			answer: `[` + ev + `]`, want: json.RawMessage(`[` + ev + `]`),
			call: func(ctx context.Context, c *Client) (any, error) {
				raw, _, err := c.Audit.List(ctx, nil)
				return raw, err
			}},
		{name: "list, every filter", method: http.MethodGet, path: "/rest/v1/audit",
			wantQuery: values{"method": "editFlow", "user": "alice", "result": "error", "object": "flow:3", "from": "1764000000000",
				"to": "1764003600000", "exception": "true", "limit": "25", "offset": "50"},
			answer: `[]`, want: json.RawMessage(`[]`),
			call: func(ctx context.Context, c *Client) (any, error) {
				raw, _, err := c.Audit.List(ctx, &AuditListOptions{Method: "editFlow", User: "alice", Result: "error", Object: "flow:3",
					From: from, To: to, Exception: true, ListOptions: ListOptions{Limit: 25, Offset: 50}})
				return raw, err
			}},
		{name: "get", method: http.MethodGet, path: "/rest/v1/audit/8", wantQuery: values{}, answer: ev, want: json.RawMessage(ev),
			call: func(ctx context.Context, c *Client) (any, error) { raw, _, err := c.Audit.Get(ctx, 8); return raw, err }},
	})
}
