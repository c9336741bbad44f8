package tools

import (
	"time"

	"github.com/tidwall/gjson"

	"github.com/etlworks/etlworks-mcp/internal/quartz"
)

// schedView is one schedule as the schedule tools show it: the expression, a plain-English
// phrase, the next fire times in UTC (the server's, or computed here and labelled so) and the last
// run it started.
type schedView struct {
	ID       int64             `json:"id"`
	Name     string            `json:"name"`
	Flow     string            `json:"flow,omitempty"`
	FlowID   int64             `json:"flow_id"`
	Enabled  bool              `json:"enabled"`
	Cron     string            `json:"cron"`
	When     string            `json:"when,omitempty"`
	NextRuns any               `json:"next_runs"` // UTC times, or a sentence when there are none to show
	RunsNote string            `json:"next_runs_note,omitempty"`
	LastRun  string            `json:"last_run,omitempty"`
	Params   map[string]string `json:"params,omitempty"`
}

// computedHere labels fire times this server computed from the cron, because Etlworks sent none.
const computedHere = "computed here, UTC; Etlworks uses its own time zone"

// defaultNextRuns is how many fire times a schedule shows unless list_schedules asks for more.
const defaultNextRuns = 3

// viewSchedule projects a schedule from Etlworks with its next defaultNextRuns fire times.
func viewSchedule(s gjson.Result) schedView { return viewScheduleN(s, defaultNextRuns) }

// viewScheduleN projects a schedule from Etlworks with its next n fire times.
func viewScheduleN(s gjson.Result, n int) schedView {
	v := schedView{
		ID: s.Get("id").Int(), Name: s.Get("name").String(), Flow: s.Get("flowName").String(), FlowID: s.Get("flowId").Int(),
		Enabled: s.Get("enabled").Bool(), Cron: s.Get("schedule").String(), LastRun: lastRun(s),
	}
	v.NextRuns, v.RunsNote = nextRunsOf(s, n)
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

// nextRunsOf reads the server's next fire times (nextRuns, or nextRun alone; neither is
// documented). A paused schedule has none; when the server sends none, a cron's are computed here
// and labelled, and an interval's stay unknown (its start and unit are not known here).
func nextRunsOf(s gjson.Result, n int) (any, string) {
	if !s.Get("enabled").Bool() {
		return "none while paused", ""
	}
	if !s.Get("nextRuns").Exists() && !s.Get("nextRun").Exists() {
		return localRunsN(s.Get("schedule").String(), n)
	}
	if sent := len(s.Get("nextRuns").Array()); sent > 0 && sent < n {
		if _, err := quartz.Parse(s.Get("schedule").String()); err == nil {
			return localRunsN(s.Get("schedule").String(), n) // more than Etlworks sends: all computed here, labelled
		}
	}
	return serverRuns(s, n), ""
}

// localRuns computes the next defaultNextRuns fire times of a cron here.
func localRuns(cron string) (any, string) { return localRunsN(cron, defaultNextRuns) }

// localRunsN computes the next n fire times of a cron here.
func localRunsN(cron string, n int) (any, string) {
	e, err := quartz.Parse(cron)
	if err != nil {
		return "unknown: Etlworks sent no fire times", ""
	}
	times := []string{}
	for _, t := range e.NextN(time.Now().UTC(), n) {
		times = append(times, t.Format(time.RFC3339))
	}
	if len(times) == 0 {
		return "none: the schedule will not fire again", ""
	}
	return times, computedHere
}

// serverRuns reads up to n of the fire times the server sent.
func serverRuns(s gjson.Result, n int) any {
	times := []string{}
	for _, t := range s.Get("nextRuns").Array() {
		if iso := isoTime(t.Int()); iso != "" && len(times) < n {
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
