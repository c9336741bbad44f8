package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
)

func TestSchedulesService(t *testing.T) {
	t.Parallel()
	const sch = `{"id":3,"name":"Nightly","flowId":12,"enabled":true,"schedule":"0 0 2 * * ?","nextRuns":[1764000000000]}`
	yes, no := true, false
	list := func(opts *ScheduleListOptions) func(ctx context.Context, c *Client) (any, error) {
		return func(ctx context.Context, c *Client) (any, error) {
			raw, resp, err := c.Schedules.List(ctx, opts)
			if err == nil && resp.Total != 1 {
				err = fmt.Errorf("Total = %d, want 1", resp.Total)
			}
			return raw, err
		}
	}
	runEndpointCases(t, []endpointCase{
		{name: "list, no options", method: http.MethodGet, path: "/rest/v1/schedules", wantQuery: values{},
			answer: `{"items":[` + sch + `],"total":1}`, want: json.RawMessage(`[` + sch + `]`), call: list(nil)},
		{name: "list by flow, enabled", method: http.MethodGet, path: "/rest/v1/schedules",
			wantQuery: values{"name": "Night", "flowId": "12", "enabled": "true", "limit": "5", "offset": "10"},
			answer:    `{"items":[` + sch + `],"total":1}`, want: json.RawMessage(`[` + sch + `]`),
			call: list(&ScheduleListOptions{Name: "Night", FlowID: 12, Enabled: &yes, ListOptions: ListOptions{Limit: 5, Offset: 10}})},
		{name: "list paused", method: http.MethodGet, path: "/rest/v1/schedules", wantQuery: values{"enabled": "false"},
			answer: `{"items":[],"total":1}`, want: json.RawMessage(`[]`), call: list(&ScheduleListOptions{Enabled: &no})},
		{name: "preview", method: http.MethodPost, path: "/rest/v1/schedules/preview", wantQuery: values{},
			wantBody: `{"schedule":"0 0 9 ? * MON"}`, answer: `{"schedule":"0 0 9 ? * MON","nextRuns":[1764000000000,"1764604800000"]}`,
			want: []Millis{1764000000000, 1764604800000},
			call: func(ctx context.Context, c *Client) (any, error) {
				runs, _, err := c.Schedules.Preview(ctx, "0 0 9 ? * MON")
				return runs, err
			}},
		{name: "find by id reads the documented list", method: http.MethodGet, path: "/rest/v1/schedules", wantQuery: values{"limit": "200"},
			answer: `[{"id":2,"name":"Other"},` + sch + `]`, want: &Named{ID: 3, Name: "Nightly", Raw: json.RawMessage(sch), Full: true},
			call: func(ctx context.Context, c *Client) (any, error) { return c.Schedules.FindByID(ctx, 3) }},
		{name: "find by id: unknown id", method: http.MethodGet, path: "/rest/v1/schedules", wantQuery: values{"limit": "200"},
			answer: `[` + sch + `]`, want: (*Named)(nil),
			call: func(ctx context.Context, c *Client) (any, error) {
				n, err := c.Schedules.FindByID(ctx, 9)
				var nf *NameNotFoundError
				if !errors.As(err, &nf) || nf.Kind != "schedule" || nf.Name != "9" {
					return n, fmt.Errorf("want a NameNotFoundError, got %v", err)
				}
				return n, nil
			}},
		{name: "create sends enabled=false and the parameters", method: http.MethodPost, path: "/rest/v1/schedules", wantQuery: values{},
			wantBody: `{"name":"Nightly","flowId":12,"enabled":false,"schedule":"0 0 2 * * ?","parameters":{"region":"eu"}}`,
			answer:   sch, want: json.RawMessage(sch),
			call: func(ctx context.Context, c *Client) (any, error) {
				raw, _, err := c.Schedules.Create(ctx, &Schedule{Name: "Nightly", FlowID: 12, Schedule: "0 0 2 * * ?", Parameters: map[string]string{"region": "eu"}})
				return raw, err
			}},
		{name: "update puts the whole schedule", method: http.MethodPut, path: "/rest/v1/schedules/3", wantQuery: values{},
			wantBody: sch, answer: sch, want: json.RawMessage(sch),
			call: func(ctx context.Context, c *Client) (any, error) {
				raw, _, err := c.Schedules.Update(ctx, 3, json.RawMessage(sch))
				return raw, err
			}},
		{name: "delete", method: http.MethodDelete, path: "/rest/v1/schedules/3", wantQuery: values{},
			answer: `{"artifactType":"schedule","artifactId":3,"name":"Nightly","recycleBinId":9}`,
			want:   &Deletion{ArtifactType: "schedule", ArtifactID: 3, Name: "Nightly", RecycleBinID: 9},
			call: func(ctx context.Context, c *Client) (any, error) {
				d, _, err := c.Schedules.Delete(ctx, 3)
				return d, err
			}},
		{name: "pause is a PUT of the whole schedule with enabled=false; unknown fields kept", method: http.MethodPut, path: "/rest/v1/schedules/3", wantQuery: values{},
			wantBody: `{"id":3,"name":"Nightly","flowId":12,"enabled":false,"schedule":"0 0 2 * * ?","nextRuns":[1764000000000],"keepEmptyAudit":true,"retries":2.50}`,
			answer:   sch, want: json.RawMessage(sch),
			call: func(ctx context.Context, c *Client) (any, error) {
				body, err := SetFields(json.RawMessage(`{"id":3,"name":"Nightly","flowId":12,"enabled":true,"schedule":"0 0 2 * * ?","nextRuns":[1764000000000],"keepEmptyAudit":true,"retries":2.50}`),
					map[string]any{"enabled": false})
				if err != nil {
					return nil, err
				}
				raw, _, err := c.Schedules.Update(ctx, 3, body)
				return raw, err
			}},
		{name: "reschedule is a PUT of the whole schedule with a new cron", method: http.MethodPut, path: "/rest/v1/schedules/3", wantQuery: values{},
			wantBody: `{"id":3,"name":"Nightly","flowId":12,"enabled":true,"schedule":"0 0 */2 * * ?","nextRuns":[1764000000000]}`,
			answer:   sch, want: json.RawMessage(sch),
			call: func(ctx context.Context, c *Client) (any, error) {
				body, err := SetFields(json.RawMessage(sch), map[string]any{"schedule": "0 0 */2 * * ?"})
				if err != nil {
					return nil, err
				}
				raw, _, err := c.Schedules.Update(ctx, 3, body)
				return raw, err
			}},
		{name: "run", method: http.MethodPost, path: "/rest/v1/schedules/3/run", wantQuery: values{},
			answer: `{"flowId":12,"auditId":"40","status":0}`, want: &FlowExecution{FlowID: 12, AuditID: 40},
			call: func(ctx context.Context, c *Client) (any, error) { r, _, err := c.Schedules.Run(ctx, 3); return r, err }},
	})
}

func TestSchedulesService_badCron(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/v1/schedules/3", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"status":400,"error":"Bad Request","message":"Field 'schedule': invalid cron"}`)
	})
	raw, _, err := c.Schedules.Update(t.Context(), 3, json.RawMessage(`{"id":3,"schedule":"nope"}`))
	if e := apiErrorOf(t, err); e.Status != 400 || e.Message != "Field 'schedule': invalid cron" || raw != nil {
		t.Errorf("error %+v, raw %s", e, raw)
	}
}
