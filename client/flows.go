package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// FlowsService reads and runs flows (/v1/flows).
type FlowsService service

// FlowListOptions filters GET /v1/flows. Name, Tag and FlowType are the sandbox's documented
// design; an Etlworks instance that ignores them returns everything.
type FlowListOptions struct {
	Name     string `query:"name"` // substring of the name
	Tag      string `query:"tag"`
	FlowType string `query:"flowType"`
	ListOptions
}

// List returns one page of flows as the raw JSON array; Response.Total holds X-Total-Count.
func (s *FlowsService) List(ctx context.Context, opts *FlowListOptions) (json.RawMessage, *Response, error) {
	return s.client.getList(ctx, "v1/flows", queryOf(opts))
}

// Get returns one flow definition as raw JSON.
func (s *FlowsService) Get(ctx context.Context, id int64) (json.RawMessage, *Response, error) {
	return s.client.doRaw(ctx, &request{method: http.MethodGet, path: "v1/flows/" + itoa(id)})
}

// Documentation returns the platform-generated plain-English documentation of a flow.
func (s *FlowsService) Documentation(ctx context.Context, id int64) (*FlowDocumentation, *Response, error) {
	return decode[FlowDocumentation](ctx, s.client, &request{method: http.MethodGet, path: "v1/flows/" + itoa(id) + "/documentation"})
}

// RunOptions are the run request's query options. Etlworks documents that a synchronous mode and
// parallel runs exist but not their parameter names; "sync" and "parallel" are unverified.
type RunOptions struct {
	Sync     bool // wait for the run to end before answering
	Parallel bool // allow a second instance while one is running
}

func (o *RunOptions) query() url.Values {
	q := url.Values{}
	if o != nil && o.Sync {
		q.Set("sync", "true")
	}
	if o != nil && o.Parallel {
		q.Set("parallel", "true")
	}
	return q
}

// Run starts flow id with params as a flat string map (the body is not wrapped). It is never
// retried: a run has effects.
func (s *FlowsService) Run(ctx context.Context, id int64, params map[string]string, opts *RunOptions) (*FlowExecution, *Response, error) {
	return s.run(ctx, "v1/flows/"+itoa(id)+"/run", params, opts)
}

// RunByName starts the flow with this exact name. As Etlworks documents POST
// /v1/flows/flow-name/{name}/run, the request has no body and no content type: the parameters go in the
// query string.
func (s *FlowsService) RunByName(ctx context.Context, name string, params map[string]string, opts *RunOptions) (*FlowExecution, *Response, error) {
	if name == "" {
		return nil, nil, fmt.Errorf("client: flow name is empty")
	}
	q := opts.query()
	for k, v := range params {
		if k == "sync" || k == "parallel" || k == "Authorization" {
			return nil, nil, fmt.Errorf("client: parameter %q clashes with a run option of the same name; run the flow by id to pass it", k)
		}
		q.Set(k, v)
	}
	r := &request{method: http.MethodPost, path: "v1/flows/flow-name/" + url.PathEscape(name) + "/run", query: q}
	return s.exec(ctx, r)
}

func (s *FlowsService) run(ctx context.Context, path string, params map[string]string, opts *RunOptions) (*FlowExecution, *Response, error) {
	if params == nil {
		params = map[string]string{}
	}
	r, err := newJSONRequest(http.MethodPost, path, opts.query(), params)
	if err != nil {
		return nil, nil, err
	}
	return s.exec(ctx, r)
}

func (s *FlowsService) exec(ctx context.Context, r *request) (*FlowExecution, *Response, error) {
	return decode[FlowExecution](ctx, s.client, r)
}

// Stop asks Etlworks to stop a running flow: the run with auditID, or the latest when auditID is 0.
// Stopping is best effort; the run moves to canceled.
func (s *FlowsService) Stop(ctx context.Context, id, auditID int64) (*FlowExecution, *Response, error) {
	q := url.Values{}
	if auditID > 0 {
		q.Set("auditId", itoa(auditID))
	}
	return decode[FlowExecution](ctx, s.client, &request{method: http.MethodPost, path: "v1/flows/" + itoa(id) + "/stop", query: q})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func setIf(q url.Values, k, v string) {
	if v != "" {
		q.Set(k, v)
	}
}
