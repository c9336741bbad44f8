package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/etlworks/etlworks-mcp/client"
)

// flowTriggers says what starts a flow, so "what runs this flow, and when?" has one answer:
// its schedules (phrase, next fire time, paused), the workflows whose nestedFlows hold it, and
// the listeners that run it. A source that could not be read is named in Unchecked rather than
// shown as "none".
type flowTriggers struct {
	Schedules []string `json:"schedules,omitempty"` // `12 "Nightly": every day at 02:00; next 2026-12-02T02:00:00Z`
	Workflows []string `json:"workflows,omitempty"` // `"Nightly ETL" (id 7)`
	Listeners []string `json:"listeners,omitempty"` // `3 "Orders API" (HTTP)`
	Unchecked []string `json:"unchecked,omitempty"` // "listeners: could not be checked (…)"
	None      string   `json:"none,omitempty"`      // set when nothing starts it and every source was read
}

// maxTriggers bounds each list: a flow started by more is rare, and the list tools show them all.
const maxTriggers = 10

// triggersOf reads the flow's schedules and its listeners (each bounded by the client's scan
// limit) and finds the workflows that contain it in the client's flow index (at most 30s old, and
// rebuilt after any flow write through this server); a failure of one leaves the others.
func triggersOf(ctx context.Context, c *client.Client, flowID int64) *flowTriggers {
	t := &flowTriggers{}
	more := map[string]int{}
	add := func(list *[]string, kind, line string) {
		if len(*list) < maxTriggers {
			*list = append(*list, line)
		} else {
			more[kind]++
		}
	}
	_, err := c.Schedules.Scan(ctx, &client.ScheduleListOptions{FlowID: flowID}, func(row json.RawMessage) bool {
		s := gjson.ParseBytes(row)
		if s.Get("flowId").Int() == flowID { // the server may ignore the filter
			add(&t.Schedules, "schedules", scheduleTrigger(viewSchedule(s)))
		}
		return true
	})
	t.unchecked("schedules", err)

	flows, err := c.Names(ctx, client.KindFlow) // the index records which workflows nest which flow
	switch {
	case err != nil:
		t.unchecked("workflows", err)
	case len(flows.Entries) > 0 && !flows.NestedKnown:
		t.Unchecked = append(t.Unchecked, "workflows: could not be checked (the flow list carries no nestedFlows)")
	default:
		for _, p := range flows.Parents(flowID) {
			add(&t.Workflows, "workflows", fmt.Sprintf("%q (id %d)", p.Name, p.ID))
		}
		if flows.Capped {
			t.Unchecked = append(t.Unchecked, fmt.Sprintf("workflows: only the first %d flows were checked", flows.Max))
		}
	}

	_, err = c.Listeners.Scan(ctx, &client.ListenerListOptions{FlowID: flowID}, func(row json.RawMessage) bool {
		l := gjson.ParseBytes(row)
		if l.Get("flowId").Int() == flowID {
			line := fmt.Sprintf("%d %q", l.Get("id").Int(), l.Get("name").String())
			if p := l.Get("properties.urlPattern").String(); p != "" {
				line += " " + l.Get("properties.method").String() + " /" + clip(strings.TrimPrefix(p, "/"), 120)
			}
			add(&t.Listeners, "listeners", line)
		}
		return true
	})
	t.unchecked("listeners", err)

	for kind, n := range more {
		t.Unchecked = append(t.Unchecked, fmt.Sprintf("%s: %d more not shown", kind, n))
	}
	if len(t.Schedules)+len(t.Workflows)+len(t.Listeners)+len(t.Unchecked) == 0 {
		t.None = "no schedule, workflow or listener starts it; it runs only when started by hand or by the API"
	}
	return t
}

// unchecked records that one source of triggers could not be read, and why, in one short line.
func (t *flowTriggers) unchecked(kind string, err error) {
	if err == nil {
		return
	}
	why := "not allowed for this API key"
	switch {
	case client.IsAbsent(err):
		why = "this instance has no REST route to list them"
	case !client.IsStatus(err, 403):
		why = clip(redact(firstLine(err.Error())), 160)
	}
	t.Unchecked = append(t.Unchecked, kind+": could not be checked ("+why+")")
}

// scheduleTrigger renders one schedule as a trigger line: id, name, phrase, next fire time or paused.
func scheduleTrigger(v schedView) string {
	line := fmt.Sprintf("%d %q: ", v.ID, v.Name)
	if v.When != "" {
		line += v.When
	} else {
		line += v.Cron
	}
	if !v.Enabled {
		return line + "; paused"
	}
	switch n := v.NextRuns.(type) {
	case []string:
		if len(n) > 0 {
			line += "; next " + n[0]
		}
	case string:
		line += "; next " + n
	}
	return line
}
