package tools

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"sort"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/internal/quartz"
)

// takeParamsAlias accepts the schedule tools' old name for a flow's variables, "parameters", for
// one release (CHANGELOG: Deprecated), so every tool names them "params" as run_flow does: it moves
// *parameters into *params, refusing both at once.
func takeParamsAlias(params, parameters *map[string]string) error {
	if *parameters == nil {
		return nil
	}
	if *params != nil {
		return badInput(`give "params" only; "parameters" is its old name`)
	}
	*params, *parameters = *parameters, nil
	return nil
}

// normalizeCron replaces *cron, a Quartz cron or an interval, with the Quartz cron the schedule
// stores, or says what is wrong with it.
func normalizeCron(cron *string) error {
	c, err := scheduleCron(*cron)
	if err != nil {
		return badInput(`"cron": %v`, err)
	}
	*cron = c
	return nil
}

// ListSchedulesInput filters list_schedules.
type ListSchedulesInput struct {
	Flow     Ref    `json:"flow,omitempty" jsonschema:"description=Id or exact name"`
	Name     string `json:"name,omitempty" jsonschema:"description=Name substring"`
	Enabled  *bool  `json:"enabled,omitempty" jsonschema:"description=true: active; false: paused"`
	NextRuns int    `json:"next_runs,omitempty" jsonschema:"description=Fire times each\\, 1-20 (default 3)"`
	page
}

func (in *ListSchedulesInput) validate() error {
	if in.NextRuns < 0 || in.NextRuns > 20 {
		return badInput(`"next_runs" must be between 1 and 20, got %d`, in.NextRuns)
	}
	if in.NextRuns == 0 {
		in.NextRuns = defaultNextRuns
	}
	return in.page.validate()
}

func listSchedulesTool(d Deps) Def {
	return newTool(d, spec[ListSchedulesInput]{
		name:        "list_schedules",
		title:       "List schedules",
		description: "List schedules: cron in plain English, next fire times (UTC) and last run.",
		toolset:     "schedules",
		effect:      reads,
		handle: func(ctx context.Context, in ListSchedulesInput) (any, error) {
			offset, _ := in.offset()
			opts := &client.ScheduleListOptions{Name: strings.TrimSpace(in.Name), Enabled: in.Enabled}
			if in.Flow != "" {
				f, err := resolveFlow(ctx, d.Client, in.Flow)
				if err != nil {
					return nil, err
				}
				opts.FlowID = f.ID
			}
			keep := func(s gjson.Result) bool {
				return (opts.FlowID == 0 || s.Get("flowId").Int() == opts.FlowID) &&
					(in.Enabled == nil || s.Get("enabled").Bool() == *in.Enabled) &&
					containsFold(s.Get("name").String(), opts.Name)
			}
			res, _, err := scanned(offset, in.limit(), func(visit func(json.RawMessage) bool) (client.Scan, error) {
				return d.Client.Schedules.Scan(ctx, opts, visit)
			}, keep, func(s gjson.Result) schedView { return viewScheduleN(s, in.NextRuns) })
			return res, err
		},
	})
}

// CreateScheduleInput schedules a flow.
type CreateScheduleInput struct {
	Flow       Ref               `json:"flow" jsonschema:"required,description=Id or exact name"`
	Cron       string            `json:"cron" jsonschema:"required,description=Quartz cron (0 0 2 * * ?) or interval (15 = minutes\\, 30s\\, 2h)"`
	Name       string            `json:"name,omitempty" jsonschema:"description=Default: flow name and timing"`
	Params     map[string]string `json:"params,omitempty" jsonschema:"description=Flow variables"`
	Parameters map[string]string `json:"parameters,omitempty" jsonschema:"-"` // deprecated alias of params
	Paused     bool              `json:"paused,omitempty" jsonschema:"description=Create it paused"`
	DryRun     bool              `json:"dry_run,omitempty" jsonschema:"description=Preview only"`
}

func (in *CreateScheduleInput) validate() error {
	if err := takeParamsAlias(&in.Params, &in.Parameters); err != nil {
		return err
	}
	return normalizeCron(&in.Cron)
}

func createScheduleTool(d Deps) Def {
	return newTool(d, spec[CreateScheduleInput]{
		name:        "create_schedule",
		title:       "Create schedule",
		description: "Schedule a flow to run on a Quartz cron or at an interval.",
		toolset:     "schedules",
		effect:      writes,
		handle: func(ctx context.Context, in CreateScheduleInput) (any, error) {
			f, err := resolveFlow(ctx, d.Client, in.Flow)
			if err != nil {
				return nil, err
			}
			cron := strings.TrimSpace(in.Cron)
			name := strings.TrimSpace(in.Name)
			if name == "" {
				name = f.Name + " (" + cmp.Or(describeSchedule(cron), cron) + ")"
			}
			body := &client.Schedule{Name: name, FlowID: f.ID, Enabled: !in.Paused, Schedule: cron, Parameters: in.Params}
			if in.DryRun {
				return previewSchedule(ctx, d.Client, f.Name, body), nil
			}
			raw, _, err := d.Client.Schedules.Create(ctx, body)
			return createdAnswer(raw, err, viewSchedule, func(v schedView) toolCall {
				return hint("update_schedule", "with enabled or cron, pauses, resumes or reschedules it; delete_schedule removes it", "schedule", v.ID)
			})
		},
	})
}

// scheduleDryRun shows the schedule create_schedule would send, its timing in plain English and
// the fire times it would have, with the checks already passed; it sends nothing that changes.
func previewSchedule(ctx context.Context, c *client.Client, flow string, body *client.Schedule) scheduleDryRun {
	would := scheduleWould{Name: body.Name, FlowID: body.FlowID, Enabled: body.Enabled, Schedule: body.Schedule}
	if len(body.Parameters) > 0 {
		would.Parameters = maskParams(body.Parameters)
	}
	var runs any = "none while paused"
	note := ""
	if body.Enabled {
		runs, note = previewRuns(ctx, c, body.Schedule)
	}
	return scheduleDryRun{WouldSend: would, scheduleFires: dryRunFires(runs, note, "create_schedule", "create it"),
		Checks: []string{fmt.Sprintf("flow %d %q found", body.FlowID, flow), "timing: " + body.Schedule + whenSuffix(body.Schedule)}}
}

// UpdateScheduleInput changes a schedule; any combination of the fields may be given.
type UpdateScheduleInput struct {
	Schedule   Ref               `json:"schedule" jsonschema:"required,description=Id or exact name"`
	Enabled    *bool             `json:"enabled,omitempty" jsonschema:"description=false pauses\\, true resumes"`
	Cron       string            `json:"cron,omitempty" jsonschema:"description=New Quartz cron or interval"`
	Params     map[string]string `json:"params,omitempty" jsonschema:"description=Variables to set; empty removes"`
	Parameters map[string]string `json:"parameters,omitempty" jsonschema:"-"` // deprecated alias of params
	DryRun     bool              `json:"dry_run,omitempty" jsonschema:"description=Preview only"`
}

func (in *UpdateScheduleInput) validate() error {
	if err := takeParamsAlias(&in.Params, &in.Parameters); err != nil {
		return err
	}
	if in.Enabled == nil && in.Cron == "" && in.Params == nil {
		return badInput(`give at least one change: "enabled" (false pauses, true resumes), "cron" or "params"`)
	}
	if in.Cron != "" {
		return normalizeCron(&in.Cron)
	}
	return nil
}

// schedChange is one field update_schedule changes.
type schedChange struct {
	Field  string `json:"field"`
	Before any    `json:"before"`
	After  any    `json:"after"`
}

func updateScheduleTool(d Deps) Def {
	return newTool(d, spec[UpdateScheduleInput]{
		name:        "update_schedule",
		title:       "Update schedule",
		description: "Pause, resume or reschedule a schedule, or change its params; dry_run previews.",
		toolset:     "schedules",
		effect:      writesOnce,
		handle: func(ctx context.Context, in UpdateScheduleInput) (any, error) {
			cur, err := resolveSchedule(ctx, d.Client, in.Schedule)
			if err != nil {
				return nil, err
			}
			before := viewSchedule(cur)
			changes, params := scheduleChanges(cur, before, in)
			if len(changes) == 0 {
				return scheduleUnchanged{Schedule: before, Note: "nothing to change: it already is that way"}, nil
			}
			if in.DryRun {
				runs, note := predictNextRuns(ctx, d.Client, before, in)
				return schedulePreview{Schedule: fmt.Sprintf("%d %q", before.ID, before.Name), Changes: changes,
					scheduleFires: dryRunFires(runs, note, "update_schedule", "apply it")}, nil
			}
			after, err := applyScheduleChanges(ctx, d.Client, cur, in, params)
			if err != nil {
				return nil, err
			}
			v := viewSchedule(after)
			return scheduleUpdated{Updated: v, Changes: changes, Undo: undoSchedule(before, changes)}, nil
		},
	})
}

// scheduleChanges lists what the input would change, and the merged parameters (nil = unchanged).
func scheduleChanges(cur gjson.Result, v schedView, in UpdateScheduleInput) ([]schedChange, map[string]string) {
	changes := []schedChange{}
	if in.Enabled != nil && *in.Enabled != v.Enabled {
		changes = append(changes, schedChange{"enabled", v.Enabled, *in.Enabled})
	}
	if cron := in.Cron; cron != "" && cron != v.Cron {
		changes = append(changes, schedChange{"cron", v.Cron + whenSuffix(v.Cron), cron + whenSuffix(cron)})
	}
	var params map[string]string
	if in.Params != nil {
		old := map[string]string{}
		cur.Get("parameters").ForEach(func(k, val gjson.Result) bool { old[k.String()] = val.String(); return true })
		merged := maps.Clone(old)
		for k, val := range in.Params {
			if val == "" {
				delete(merged, k)
			} else {
				merged[k] = val
			}
		}
		if !maps.Equal(old, merged) {
			params = merged
			changes = append(changes, schedChange{"params", maskParams(old), maskParams(merged)})
		}
	}
	return changes, params
}

func whenSuffix(cron string) string {
	if w := describeSchedule(cron); w != "" {
		return " (" + w + ")"
	}
	return ""
}

func maskParams(p map[string]string) map[string]string {
	out := make(map[string]string, len(p))
	for k, v := range p {
		if isSecretKey(k) {
			v = "[REDACTED]"
		}
		out[k] = v
	}
	return out
}

// predictNextRuns says what the next fire times would be after the change: none when paused, the
// current ones when the timing does not change, the server's preview of a new expression, or, on
// an instance with no preview route, the times computed here, labelled.
func predictNextRuns(ctx context.Context, c *client.Client, v schedView, in UpdateScheduleInput) (any, string) {
	enabled := v.Enabled
	if in.Enabled != nil {
		enabled = *in.Enabled
	}
	timing := in.Cron != "" && in.Cron != v.Cron
	switch {
	case !enabled:
		return "none while paused", ""
	case !timing && v.Enabled:
		return v.NextRuns, v.RunsNote
	case !timing:
		if _, err := quartz.Parse(v.Cron); err == nil {
			return localRuns(v.Cron) // a cron fires at fixed times, whenever it was resumed
		}
		return "unknown until applied: Etlworks computes fire times from when it resumes", ""
	}
	return previewRuns(ctx, c, in.Cron)
}

// previewRuns asks Etlworks for the fire times of an expression; on an instance with no preview
// route, they are computed here and labelled.
func previewRuns(ctx context.Context, c *client.Client, cron string) (any, string) {
	runs, _, err := c.Schedules.Preview(ctx, cron)
	switch {
	case client.IsRouteAbsent(err):
		return localRuns(cron)
	case err != nil || len(runs) == 0:
		return "unknown until applied: Etlworks computes fire times from the new expression", ""
	}
	times := make([]string, 0, len(runs))
	for _, r := range runs {
		times = append(times, isoTime(int64(r)))
	}
	return times, ""
}

// applyScheduleChanges is the edit Etlworks documents (PUT /v1/schedules/{id}, path inferred): the
// whole schedule as the list returned it, with enabled, schedule and parameters changed and every other
// field kept as it was, PUT back in one request. It returns the schedule as stored.
func applyScheduleChanges(ctx context.Context, c *client.Client, cur gjson.Result, in UpdateScheduleInput, params map[string]string) (gjson.Result, error) {
	fields := map[string]any{}
	if params != nil {
		fields["parameters"] = params
	}
	if in.Cron != "" && in.Cron != cur.Get("schedule").String() {
		fields["schedule"] = in.Cron
	}
	if in.Enabled != nil && *in.Enabled != cur.Get("enabled").Bool() {
		fields["enabled"] = *in.Enabled
	}
	body, err := client.SetFields(json.RawMessage(cur.Raw), fields)
	if err != nil {
		return gjson.Result{}, err
	}
	raw, _, err := c.Schedules.Update(ctx, cur.Get("id").Int(), body)
	if err != nil {
		return gjson.Result{}, err
	}
	if len(strings.TrimSpace(string(raw))) == 0 || !gjson.ValidBytes(raw) || !gjson.ParseBytes(raw).IsObject() {
		raw = body // the edit is documented without its answer: show what was sent
	}
	return gjson.ParseBytes(raw), nil
}

// undoSchedule renders the update_schedule call that puts the old values back. Secret parameter
// values are never shown, so they are named instead.
func undoSchedule(v schedView, changes []schedChange) toolCall {
	args := map[string]any{"schedule": v.ID}
	var secret []string
	for _, ch := range changes {
		switch ch.Field {
		case "enabled":
			args["enabled"] = v.Enabled
		case "cron":
			args["cron"] = v.Cron
		case "params":
			undo := map[string]string{}
			before, _ := ch.Before.(map[string]string)
			after, _ := ch.After.(map[string]string)
			for k, val := range before {
				if isSecretKey(k) {
					secret = append(secret, k)
					continue
				}
				undo[k] = val
			}
			for k := range after {
				if _, ok := before[k]; !ok {
					undo[k] = "" // added: remove it again
				}
			}
			args["params"] = undo
		}
	}
	out := toolCall{Tool: "update_schedule", Arguments: args}
	if len(secret) > 0 {
		sort.Strings(secret)
		out.Note = "secret values are not shown: set params " + strings.Join(secret, ", ") + " again by hand"
	}
	return out
}

// DeleteScheduleInput names the schedule to delete.
type DeleteScheduleInput struct {
	Schedule Ref `json:"schedule" jsonschema:"required,description=Id or exact name"`
	confirmable
}

func deleteScheduleTool(d Deps) Def {
	return deleteTool(d, deleteSpec[DeleteScheduleInput]{
		name:        "delete_schedule",
		title:       "Delete schedule",
		description: "Delete a schedule after confirmation; restore_deleted brings it back.",
		toolset:     "schedules",
		kind:        "schedule",
		target: func(ctx context.Context, in DeleteScheduleInput) (deleteTarget, error) {
			cur, err := resolveSchedule(ctx, d.Client, in.Schedule)
			if err != nil {
				return deleteTarget{}, err
			}
			v := viewSchedule(cur)
			return deleteTarget{id: v.ID, name: v.Name, state: json.RawMessage(cur.Raw),
				action: fmt.Sprintf("Delete schedule %d %q (runs flow %q %s); restore_deleted can bring it back.",
					v.ID, v.Name, v.Flow, cmp.Or(v.When, "on "+v.Cron)),
				finish: func(del *client.Deletion, out deletion) deletion {
					if del.RecycleBinID == 0 {
						recreate := map[string]any{"flow": v.FlowID, "cron": v.Cron, "name": v.Name}
						if len(v.Params) > 0 {
							recreate["params"] = v.Params
						}
						out.Undo = toolCall{Tool: "create_schedule", Arguments: recreate}
					}
					return out
				}}, nil
		},
		remove: func(ctx context.Context, id int64) (*client.Deletion, *client.Response, error) {
			return d.Client.Schedules.Delete(ctx, id)
		},
	})
}

// resolveSchedule finds a schedule by id or exact name in the schedule list (there is no
// documented GET of one schedule).
func resolveSchedule(ctx context.Context, c *client.Client, ref Ref) (gjson.Result, error) {
	n, err := resolve(ctx, c, client.KindSchedule, ref)
	if err != nil {
		return gjson.Result{}, err
	}
	return gjson.ParseBytes(n.Raw), nil
}
