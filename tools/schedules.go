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
)

// schedView is one schedule as the schedule tools show it: the expression, a plain-English
// phrase, the server's next fire times in UTC and the last run it started.
type schedView struct {
	ID       int64             `json:"id"`
	Name     string            `json:"name"`
	Flow     string            `json:"flow,omitempty"`
	FlowID   int64             `json:"flow_id"`
	Enabled  bool              `json:"enabled"`
	Cron     string            `json:"cron"`
	When     string            `json:"when,omitempty"`
	NextRuns any               `json:"next_runs"` // UTC times, or a sentence when there are none to show
	LastRun  string            `json:"last_run,omitempty"`
	Params   map[string]string `json:"params,omitempty"`
}

// viewSchedule projects a schedule from Etlworks.
func viewSchedule(s gjson.Result) schedView {
	v := schedView{
		ID: s.Get("id").Int(), Name: s.Get("name").String(), Flow: s.Get("flowName").String(), FlowID: s.Get("flowId").Int(),
		Enabled: s.Get("enabled").Bool(), Cron: s.Get("schedule").String(), LastRun: lastRun(s),
		NextRuns: nextRunsOf(s),
	}
	v.When = describeSchedule(v.Cron)
	s.Get("parameters").ForEach(func(k, val gjson.Result) bool {
		if v.Params == nil {
			v.Params = map[string]string{}
		}
		if isSecretKey(k.String()) {
			v.Params[k.String()] = "[REDACTED]"
		} else {
			v.Params[k.String()] = clip(redact(val.String()), 200)
		}
		return len(v.Params) < 20
	})
	return v
}

// nextRunsOf reads the server's next fire times (nextRuns, or nextRun alone); it never computes
// them. A paused schedule has none; a server that sends none leaves them unknown.
func nextRunsOf(s gjson.Result) any {
	if !s.Get("enabled").Bool() {
		return "none while paused"
	}
	times := []string{}
	for _, t := range s.Get("nextRuns").Array() {
		if iso := isoTime(t.Int()); iso != "" && len(times) < 3 {
			times = append(times, iso)
		}
	}
	if len(times) == 0 {
		if iso := isoTime(s.Get("nextRun").Int()); iso != "" {
			times = append(times, iso)
		}
	}
	if len(times) == 0 {
		if s.Get("nextRuns").Exists() {
			return "none: the schedule will not fire again"
		}
		return "unknown"
	}
	return times
}

// ListSchedulesInput filters list_schedules.
type ListSchedulesInput struct {
	Flow    Ref   `json:"flow,omitempty" jsonschema:"description=Flow id or exact name"`
	Enabled *bool `json:"enabled,omitempty" jsonschema:"description=Only active (true) or paused (false)"`
	page
}

func (in *ListSchedulesInput) validate() error { return in.page.validate() }

func listSchedulesTool(d Deps) Def {
	return newTool(d, spec[ListSchedulesInput]{
		name:        "list_schedules",
		title:       "List schedules",
		description: "List schedules: cron in plain English, next 3 fire times (UTC) and last run.",
		toolset:     "schedules",
		effect:      reads,
		handle: func(ctx context.Context, in ListSchedulesInput) (any, error) {
			offset, _ := in.offset()
			opts := &client.ScheduleListOptions{Enabled: in.Enabled, ListOptions: client.ListOptions{Limit: in.limit(), Offset: offset}}
			if in.Flow != "" {
				f, err := resolveFlow(ctx, d.Client, in.Flow)
				if err != nil {
					return nil, err
				}
				opts.FlowID = f.ID
			}
			raw, resp, err := d.Client.Schedules.List(ctx, opts)
			if err != nil {
				return nil, err
			}
			rows := []schedView{}
			for _, s := range gjson.ParseBytes(raw).Array() {
				rows = append(rows, viewSchedule(s))
			}
			return newListResult(rows, offset, resp.Total), nil
		},
	})
}

// CreateScheduleInput schedules a flow.
type CreateScheduleInput struct {
	Flow       Ref               `json:"flow" jsonschema:"required,description=Flow id or exact name"`
	Cron       string            `json:"cron" jsonschema:"required,description=Quartz cron (0 0 2 * * ?) or interval (15 = minutes\\, 30s\\, 2h)"`
	Name       string            `json:"name,omitempty" jsonschema:"description=Default: flow name and timing"`
	Parameters map[string]string `json:"parameters,omitempty" jsonschema:"description=Flow variables"`
	Paused     bool              `json:"paused,omitempty" jsonschema:"description=Create it paused"`
}

func (in *CreateScheduleInput) validate() error {
	if err := checkSchedule(in.Cron); err != nil {
		return badInput(`"cron": %v`, err)
	}
	return nil
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
			raw, _, err := d.Client.Schedules.Create(ctx, &client.Schedule{Name: name, FlowID: f.ID, Enabled: !in.Paused,
				Schedule: cron, Parameters: in.Parameters})
			if err != nil {
				return nil, err
			}
			v := viewSchedule(gjson.ParseBytes(raw))
			return map[string]any{"created": v, "next": fmt.Sprintf("update_schedule {schedule: %d} pauses, resumes or reschedules it; delete_schedule removes it", v.ID)}, nil
		},
	})
}

// UpdateScheduleInput changes a schedule; any combination of the fields may be given.
type UpdateScheduleInput struct {
	Schedule   Ref               `json:"schedule" jsonschema:"required,description=Schedule id or exact name"`
	Enabled    *bool             `json:"enabled,omitempty" jsonschema:"description=false pauses\\, true resumes"`
	Cron       string            `json:"cron,omitempty" jsonschema:"description=New Quartz cron or interval"`
	Parameters map[string]string `json:"parameters,omitempty" jsonschema:"description=Variables to set; empty removes"`
	DryRun     bool              `json:"dry_run,omitempty" jsonschema:"description=Show the change; change nothing"`
}

func (in *UpdateScheduleInput) validate() error {
	if in.Enabled == nil && in.Cron == "" && in.Parameters == nil {
		return badInput(`give at least one change: "enabled" (false pauses, true resumes), "cron" or "parameters"`)
	}
	if in.Cron != "" {
		if err := checkSchedule(in.Cron); err != nil {
			return badInput(`"cron": %v`, err)
		}
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
		description: "Pause, resume or reschedule a schedule, or change its flow variables. dry_run previews the change.",
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
				return map[string]any{"schedule": before, "changed": false, "note": "nothing to change: it already is that way"}, nil
			}
			if in.DryRun {
				return map[string]any{"dry_run": true, "schedule": fmt.Sprintf("%d %q", before.ID, before.Name), "changes": changes,
					"next_runs": predictNextRuns(ctx, d.Client, before, in), "next": "call update_schedule again without dry_run to apply it"}, nil
			}
			after, err := applyScheduleChanges(ctx, d.Client, cur, in, params)
			if err != nil {
				return nil, err
			}
			v := viewSchedule(after)
			return map[string]any{"updated": v, "changes": changes, "undo": undoSchedule(before, changes)}, nil
		},
	})
}

// scheduleChanges lists what the input would change, and the merged parameters (nil = unchanged).
func scheduleChanges(cur gjson.Result, v schedView, in UpdateScheduleInput) ([]schedChange, map[string]string) {
	changes := []schedChange{}
	if in.Enabled != nil && *in.Enabled != v.Enabled {
		changes = append(changes, schedChange{"enabled", v.Enabled, *in.Enabled})
	}
	if cron := strings.TrimSpace(in.Cron); cron != "" && cron != v.Cron {
		changes = append(changes, schedChange{"cron", v.Cron + whenSuffix(v.Cron), cron + whenSuffix(cron)})
	}
	var params map[string]string
	if in.Parameters != nil {
		old := map[string]string{}
		cur.Get("parameters").ForEach(func(k, val gjson.Result) bool { old[k.String()] = val.String(); return true })
		merged := maps.Clone(old)
		for k, val := range in.Parameters {
			if val == "" {
				delete(merged, k)
			} else {
				merged[k] = val
			}
		}
		if !maps.Equal(old, merged) {
			params = merged
			changes = append(changes, schedChange{"parameters", maskParams(old), maskParams(merged)})
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

// predictNextRuns says what the next fire times would be after the change, without computing
// them here: none when paused, the current ones when the timing does not change, the server's
// preview of a new expression, or unknown when the server offers no preview.
func predictNextRuns(ctx context.Context, c *client.Client, v schedView, in UpdateScheduleInput) any {
	enabled := v.Enabled
	if in.Enabled != nil {
		enabled = *in.Enabled
	}
	timing := in.Cron != "" && strings.TrimSpace(in.Cron) != v.Cron
	switch {
	case !enabled:
		return "none while paused"
	case !timing && v.Enabled:
		return v.NextRuns
	case timing:
		runs, _, err := c.Schedules.Preview(ctx, strings.TrimSpace(in.Cron))
		if err != nil || len(runs) == 0 {
			return "unknown until applied: Etlworks computes fire times from the new expression"
		}
		times := make([]string, 0, len(runs))
		for _, r := range runs {
			times = append(times, isoTime(int64(r)))
		}
		return times
	}
	return "unknown until applied: Etlworks computes fire times from when it resumes"
}

// applyScheduleChanges sends the changes with the endpoints made for them (parameters by PUT of
// the whole schedule, then reschedule, then pause or resume) and returns the schedule as stored.
func applyScheduleChanges(ctx context.Context, c *client.Client, cur gjson.Result, in UpdateScheduleInput, params map[string]string) (gjson.Result, error) {
	id := cur.Get("id").Int()
	raw := []byte(cur.Raw)
	if params != nil {
		var whole map[string]any
		if err := json.Unmarshal(raw, &whole); err != nil {
			return gjson.Result{}, err
		}
		whole["parameters"] = params
		body, err := json.Marshal(whole)
		if err != nil {
			return gjson.Result{}, err
		}
		if raw, _, err = c.Schedules.Update(ctx, id, body); err != nil {
			return gjson.Result{}, err
		}
	}
	if cron := strings.TrimSpace(in.Cron); cron != "" && cron != cur.Get("schedule").String() {
		var err error
		if raw, _, err = c.Schedules.Reschedule(ctx, id, cron); err != nil {
			return gjson.Result{}, err
		}
	}
	if in.Enabled != nil && *in.Enabled != gjson.GetBytes(raw, "enabled").Bool() {
		var err error
		if *in.Enabled {
			raw, _, err = c.Schedules.Resume(ctx, id)
		} else {
			raw, _, err = c.Schedules.Pause(ctx, id)
		}
		if err != nil {
			return gjson.Result{}, err
		}
	}
	return gjson.ParseBytes(raw), nil
}

// undoSchedule renders the update_schedule call that puts the old values back. Secret parameter
// values are never shown, so they are named instead.
func undoSchedule(v schedView, changes []schedChange) string {
	args := map[string]any{"schedule": v.ID}
	var secret []string
	for _, ch := range changes {
		switch ch.Field {
		case "enabled":
			args["enabled"] = v.Enabled
		case "cron":
			args["cron"] = v.Cron
		case "parameters":
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
			args["parameters"] = undo
		}
	}
	out := "update_schedule " + plainJSON(args)
	if len(secret) > 0 {
		sort.Strings(secret)
		out += " (secret values are not shown: set parameters " + strings.Join(secret, ", ") + " again by hand)"
	}
	return out
}

// DeleteScheduleInput names the schedule to delete.
type DeleteScheduleInput struct {
	Schedule     Ref    `json:"schedule" jsonschema:"required,description=Schedule id or exact name"`
	ConfirmToken string `json:"confirm_token,omitempty" jsonschema:"description=Token from the first call"`
}

func deleteScheduleTool(d Deps) Def {
	return newTool(d, spec[DeleteScheduleInput]{
		name:        "delete_schedule",
		title:       "Delete schedule",
		description: "Delete a schedule after confirmation; its flow stops running on it. restore_deleted brings it back.",
		toolset:     "schedules",
		effect:      destroys,
		handle: func(ctx context.Context, in DeleteScheduleInput) (any, error) {
			cur, err := resolveSchedule(ctx, d.Client, in.Schedule)
			if err != nil {
				return nil, err
			}
			v := viewSchedule(cur)
			action := fmt.Sprintf("Delete schedule %d %q (runs flow %q %s); restore_deleted can bring it back.",
				v.ID, v.Name, v.Flow, cmp.Or(v.When, "on "+v.Cron))
			return d.confirm.then(ctx, action, json.RawMessage(cur.Raw), func() (any, error) {
				del, _, err := d.Client.Schedules.Delete(ctx, v.ID)
				if err != nil {
					return nil, err
				}
				out := deletedResult("schedule", v.ID, v.Name, int64(del.RecycleBinID))
				if del.RecycleBinID == 0 {
					recreate := map[string]any{"flow": v.FlowID, "cron": v.Cron, "name": v.Name}
					if len(v.Params) > 0 {
						recreate["parameters"] = v.Params
					}
					out["undo"] = "create_schedule " + plainJSON(recreate)
				}
				return out, nil
			})
		},
	})
}

// resolveSchedule finds a schedule by id or exact name.
func resolveSchedule(ctx context.Context, c *client.Client, ref Ref) (gjson.Result, error) {
	return resolveRef(ctx, "schedule", ref,
		func(ctx context.Context, id int64) (json.RawMessage, error) {
			raw, _, err := c.Schedules.Get(ctx, id)
			return raw, err
		}, c.Schedules.FindByName)
}

// resolveRef finds an object by numeric id (get) or exact name (find); an unknown name comes back
// as a *client.NameNotFoundError, which describeError turns into the closest names.
func resolveRef(ctx context.Context, kind string, ref Ref, get func(context.Context, int64) (json.RawMessage, error),
	find func(context.Context, string) (*client.Named, error)) (gjson.Result, error) {
	if ref == "" {
		return gjson.Result{}, badInput("%q is required: a %s id or its exact name (list_%ss shows them)", kind, kind, kind)
	}
	if id, ok := ref.id(); ok {
		raw, err := get(ctx, id)
		if client.IsNotFound(err) {
			return gjson.Result{}, notFound(kind, string(ref), nil)
		}
		if err != nil {
			return gjson.Result{}, err
		}
		return gjson.ParseBytes(raw), nil
	}
	found, err := find(ctx, string(ref))
	if err != nil {
		return gjson.Result{}, err
	}
	return gjson.ParseBytes(found.Raw), nil
}
