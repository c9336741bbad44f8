package client

import (
	"context"
	"encoding/json"
	"net/http"
)

// SchedulesService manages schedules (/v1/schedules): which flow runs when, and with what
// parameters. Etlworks documents list, add, edit and delete, and no read by id; a schedule is
// read by listing (FindByID), and pausing, resuming or rescheduling it is an edit: the whole object
// read from the list, with enabled or schedule changed (SetFields), PUT back with Update.
type SchedulesService service

// Schedule is the body of a create. Schedule holds a Quartz cron expression (six or seven fields)
// or an interval; Enabled is sent even when false, since a paused schedule is a valid thing to create.
type Schedule struct {
	Name                string            `json:"name"`
	Description         string            `json:"description,omitempty"`
	FlowID              int64             `json:"flowId"`
	Enabled             bool              `json:"enabled"`
	Schedule            string            `json:"schedule"`
	Parameters          map[string]string `json:"parameters,omitempty"` // flow variables for each run
	Tags                []string          `json:"tags,omitempty"`
	EmailSuccess        bool              `json:"emailSuccess,omitempty"`
	EmailFailure        bool              `json:"emailFailure,omitempty"`
	Emails              string            `json:"emails,omitempty"` // whitespace-separated
	Retries             int               `json:"retries,omitempty"`
	DelayBetweenRetries int               `json:"delayBetweenRetries,omitempty"` // minutes
}

// ScheduleListOptions filters GET /v1/schedules; the filters are the sandbox's design, and an
// Etlworks instance that ignores them returns every schedule.
type ScheduleListOptions struct {
	Name    string `query:"name"` // part of the schedule's name
	FlowID  int64  `query:"flowId"`
	Enabled *bool  `query:"enabled"` // nil = both
	ListOptions
}

// List returns one page of schedules as the raw JSON array; Response.Total holds X-Total-Count.
func (s *SchedulesService) List(ctx context.Context, opts *ScheduleListOptions) (json.RawMessage, *Response, error) {
	return s.client.getList(ctx, "v1/schedules", queryOf(opts))
}

// Create adds a schedule and returns it as stored.
func (s *SchedulesService) Create(ctx context.Context, sch *Schedule) (json.RawMessage, *Response, error) {
	b, err := json.Marshal(sch)
	if err != nil {
		return nil, nil, err
	}
	return s.client.sendRaw(ctx, http.MethodPost, "v1/schedules", nil, b)
}

// Update replaces schedule id with body (PUT /v1/schedules/{id}), the whole schedule as the list
// returned it with changes made; raw JSON keeps fields this client does not model.
func (s *SchedulesService) Update(ctx context.Context, id int64, body json.RawMessage) (json.RawMessage, *Response, error) {
	return s.client.sendRaw(ctx, http.MethodPut, "v1/schedules/"+itoa(id), nil, body)
}

// Delete removes schedule id.
func (s *SchedulesService) Delete(ctx context.Context, id int64) (*Deletion, *Response, error) {
	return s.client.deleteTo(ctx, "v1/schedules/"+itoa(id))
}

// Preview returns the next fire times (epoch ms) of a cron expression or interval without saving
// anything (POST /v1/schedules/preview, the sandbox's design); an invalid expression is a 400 whose
// message names the problem. An Etlworks instance without the route answers 404 or 405
// (IsRouteAbsent): compute the times locally then.
func (s *SchedulesService) Preview(ctx context.Context, expr string) ([]Millis, *Response, error) {
	r, err := newJSONRequest(http.MethodPost, "v1/schedules/preview", nil, map[string]string{"schedule": expr})
	if err != nil {
		return nil, nil, err
	}
	var out struct {
		NextRuns []Millis `json:"nextRuns"`
	}
	resp, err := s.client.do(ctx, r, &out)
	if err != nil {
		return nil, resp, err
	}
	return out.NextRuns, resp, nil
}

// Run fires schedule id once now, with its parameters; it is never retried (a run has effects).
func (s *SchedulesService) Run(ctx context.Context, id int64) (*FlowExecution, *Response, error) {
	return decode[FlowExecution](ctx, s.client, &request{method: http.MethodPost, path: "v1/schedules/" + itoa(id) + "/run"})
}
