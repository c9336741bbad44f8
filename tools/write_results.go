package tools

import "fmt"

// The answers of the tools that create, change, preview or delete flows, schedules and webhooks.
// Their fields are in the order clients have always seen them (alphabetical by key, the order a
// JSON object of the same keys was encoded in).

// deletion is the answer of a delete: what went, what went with it, and the call that undoes it.
type deletion struct {
	Deleted      string   `json:"deleted"`                  // `flow 3 "Load orders"`
	DeletedWith  []string `json:"deleted_with,omitempty"`   // a flow's schedules and listeners
	RecycleBinID int64    `json:"recycle_bin_id,omitempty"` // 0: not kept in the recycle bin
	Undo         toolCall `json:"undo"`
	UsedByFlows  []string `json:"used_by_flows,omitempty"` // a connection's flows, which now fail
}

// deletedResult reports a delete that went to the recycle bin, with the call that undoes it.
func deletedResult(kind string, id int64, name string, binID int64) deletion {
	out := deletion{Deleted: fmt.Sprintf("%s %d %q", kind, id, name)}
	if binID > 0 {
		out.RecycleBinID = binID
		out.Undo = hint("restore_deleted", "", "item", binID)
	} else {
		out.Undo = hint("restore_deleted", "", "item", name, "type", kind)
	}
	return out
}

// flowPreview is create_flow's answer when it creates nothing: a dry run, or a definition with
// problems.
type flowPreview struct {
	Checks  flowCheck   `json:"checks"`
	Created bool        `json:"created"` // always false
	DryRun  bool        `json:"dry_run"`
	Next    string      `json:"next"`
	Preview flowSummary `json:"preview"`
}

// flowCreated is create_flow's answer once the flow exists.
type flowCreated struct {
	Checks  flowCheck   `json:"checks"`
	Created bool        `json:"created"` // always true
	Flow    flowSummary `json:"flow"`
	Next    toolCall    `json:"next"`
}

// scheduleDryRun is create_schedule's dry_run answer: what it would send and when it would fire.
type scheduleDryRun struct {
	Checks  []string `json:"checks"`
	Created bool     `json:"created"` // always false
	scheduleFires
	WouldSend scheduleWould `json:"would_send"`
}

// scheduleFires is what a schedule dry run tells of the fire times it would have and how to go
// on; create_schedule's and update_schedule's previews both embed it, so they answer alike.
type scheduleFires struct {
	DryRun       bool   `json:"dry_run"` // always true
	Next         string `json:"next"`
	NextRuns     any    `json:"next_runs"` // fire times, or why there are none
	NextRunsNote string `json:"next_runs_note,omitempty"`
}

// dryRunFires is the scheduleFires of a dry run whose real call is tool, to what (e.g. "create it").
func dryRunFires(runs any, note, tool, what string) scheduleFires {
	return scheduleFires{DryRun: true, NextRuns: runs, NextRunsNote: note,
		Next: "call " + tool + " again without dry_run to " + what}
}

// scheduleWould is the schedule a create would send, secret parameters masked.
type scheduleWould struct {
	Enabled    bool              `json:"enabled"`
	FlowID     int64             `json:"flowId"`
	Name       string            `json:"name"`
	Parameters map[string]string `json:"parameters,omitempty"`
	Schedule   string            `json:"schedule"`
}

// scheduleUnchanged is update_schedule's answer when the schedule already is as asked.
type scheduleUnchanged struct {
	Changed  bool      `json:"changed"` // always false
	Note     string    `json:"note"`
	Schedule schedView `json:"schedule"`
}

// schedulePreview is update_schedule's dry_run answer: the changes and the fire times after them.
type schedulePreview struct {
	Changes []schedChange `json:"changes"`
	scheduleFires
	Schedule string `json:"schedule"` // `12 "Nightly"`
}

// scheduleUpdated is update_schedule's answer once the changes are made, with the call that
// puts the old values back.
type scheduleUpdated struct {
	Changes []schedChange `json:"changes"`
	Undo    toolCall      `json:"undo"`
	Updated schedView     `json:"updated"`
}

// webhookDryRun is create_webhook's dry_run answer: what it would send, and the events it may use.
type webhookDryRun struct {
	Checks           []string     `json:"checks"`
	Created          bool         `json:"created"` // always false
	DocumentedEvents []string     `json:"documented_events"`
	DryRun           bool         `json:"dry_run"` // always true
	EventsInUse      []string     `json:"events_in_use,omitempty"`
	Next             string       `json:"next"`
	WouldSend        webhookWould `json:"would_send"`
}

// webhookWould is the webhook a create would send, URL credentials and secret masked.
type webhookWould struct {
	Enabled bool     `json:"enabled"`
	Events  []string `json:"events"`
	Method  string   `json:"method"`
	Name    string   `json:"name"`
	Secret  string   `json:"secret,omitempty"` // "[REDACTED]" when one is set
	URL     string   `json:"url"`
}
