package resources

import (
	"context"
	"encoding/json"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/tidwall/gjson"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/internal/quartz"
)

func connection(d Deps) Def {
	return rawObject(d, client.KindConnection, "Connection",
		"A connection's type and settings, secrets masked. {connection} is an id or exact name.",
		"get_connection shows the connection summarized",
		func(ctx context.Context, id int64) (json.RawMessage, *client.Response, error) {
			return d.Client.Connections.Get(ctx, id)
		})
}

// rawObject is the template etlworks://{kind}s/{{kind}}: one object, named by id or exact name,
// as Etlworks sends it with secrets masked; get reads it by id.
func rawObject(d Deps, kind client.Kind, title, description, rest string, get func(context.Context, int64) (json.RawMessage, *client.Response, error)) Def {
	v := string(kind)
	t := mcp.NewResourceTemplate(Scheme+v+"s/{"+v+"}", title,
		mcp.WithTemplateDescription(description),
		mcp.WithTemplateMIMEType("application/json"))
	return Def{Template: &t, Handler: func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		id, _, err := resolveRef(ctx, d.Client, kind, arg(req, v))
		if err != nil {
			return nil, err
		}
		raw, _, err := get(ctx, id)
		if err != nil {
			return nil, err
		}
		return textContents(req.Params.URI, "application/json", string(d.Redactor.JSON(raw))), nil
	}, Rest: rest}
}

// scheduleRow is one schedule of the schedules index.
type scheduleRow struct {
	ID        int64    `json:"id"`
	Name      string   `json:"name"`
	FlowID    int64    `json:"flow_id"`
	Flow      string   `json:"flow,omitempty"`
	Schedule  string   `json:"schedule"`
	Enabled   bool     `json:"enabled"`
	NextRuns  []string `json:"next_runs"`
	RunsNote  string   `json:"next_runs_note,omitempty"`
	LastRun   string   `json:"last_run,omitempty"`
	LastRunAt string   `json:"last_run_at,omitempty"`
}

func schedules(d Deps) Def {
	return index[scheduleRow]{path: "schedules", name: "Schedules", key: "schedules", tool: "list_schedules", row: scheduleRowOf,
		description: "Every schedule: flow, cron, enabled, next fire times and last run.",
		list: func(ctx context.Context, o client.ListOptions) (json.RawMessage, *client.Response, error) {
			return d.Client.Schedules.List(ctx, &client.ScheduleListOptions{ListOptions: o})
		}}.def()
}

// scheduleRowOf projects one schedule of the list; when Etlworks sends no fire times for an
// enabled schedule, the next three are computed here and marked so.
func scheduleRowOf(s gjson.Result) scheduleRow {
	r := scheduleRow{ID: s.Get("id").Int(), Name: s.Get("name").String(), FlowID: s.Get("flowId").Int(), Flow: s.Get("flowName").String(),
		Schedule: s.Get("schedule").String(), Enabled: s.Get("enabled").Bool(), NextRuns: []string{},
		LastRun: s.Get("lastRunStatus").String(), LastRunAt: iso(s.Get("lastRunAt").Int())}
	for _, n := range s.Get("nextRuns").Array() {
		r.NextRuns = append(r.NextRuns, iso(n.Int()))
	}
	if e, err := quartz.Parse(r.Schedule); err == nil && r.Enabled && !s.Get("nextRuns").Exists() && !s.Get("nextRun").Exists() {
		for _, t := range e.NextN(time.Now().UTC(), 3) { // Etlworks sent none: computed here
			r.NextRuns = append(r.NextRuns, t.Format(time.RFC3339))
		}
		r.RunsNote = "computed here, UTC; Etlworks uses its own time zone"
	}
	return r
}
