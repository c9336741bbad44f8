package tools

import (
	"context"
	"fmt"
	"strings"
	"sync"

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

// triggersOf finds the flow's schedules, the workflows that contain it and its listeners in the
// client's schedule, flow and listener indexes (each at most 30s old, and rebuilt after any write
// of its kind through this server), so a warm call reads no list; a failure of one leaves the
// others. The three are read at the same time, so a cold call waits for the slowest, not for
// their sum.
func triggersOf(ctx context.Context, c *client.Client, flowID int64) *flowTriggers {
	var sched, wf, lis triggerList
	var wg sync.WaitGroup
	wg.Go(func() { sched = schedulesStarting(ctx, c, flowID) })
	wg.Go(func() { wf = workflowsNesting(ctx, c, flowID) })
	wg.Go(func() { lis = listenersStarting(ctx, c, flowID) })
	wg.Wait()
	t := &flowTriggers{Schedules: sched.lines, Workflows: wf.lines, Listeners: lis.lines}
	for _, l := range []triggerList{sched, wf, lis} { // a fixed order, so the answer is stable
		t.Unchecked = append(t.Unchecked, l.unchecked...)
	}
	for _, l := range []triggerList{sched, wf, lis} {
		if l.more > 0 {
			t.Unchecked = append(t.Unchecked, fmt.Sprintf("%s: %d more not shown", l.kind, l.more))
		}
	}
	if len(t.Schedules)+len(t.Workflows)+len(t.Listeners)+len(t.Unchecked) == 0 {
		t.None = "no schedule, workflow or listener starts it; it runs only when started by hand or by the API"
	}
	return t
}

// triggerList is what one source of triggers gave: at most maxTriggers lines, how many more
// there were, and why it could not be (fully) checked.
type triggerList struct {
	kind      string
	lines     []string
	more      int
	unchecked []string
}

func (l *triggerList) add(line string) {
	if len(l.lines) < maxTriggers {
		l.lines = append(l.lines, line)
	} else {
		l.more++
	}
}

// failed records that the source could not be read, and why, in one short line.
func (l *triggerList) failed(err error) {
	if err != nil {
		l.unchecked = append(l.unchecked, uncheckedLine(l.kind, err))
	}
}

// schedulesStarting lists the schedules that run the flow, from the schedule index.
func schedulesStarting(ctx context.Context, c *client.Client, flowID int64) triggerList {
	l := triggerList{kind: "schedules"}
	startingFrom(ctx, c, client.KindSchedule, flowID, &l, func(s gjson.Result) string {
		return scheduleTrigger(viewSchedule(s))
	})
	return l
}

// startingFrom adds to l a line for each object of kind's index that runs the flow (its trigger
// row read as the list row would be), and says when the index could not be read or holds only
// part of the list.
func startingFrom(ctx context.Context, c *client.Client, kind client.Kind, flowID int64, l *triggerList, line func(gjson.Result) string) {
	idx, err := c.Names(ctx, kind)
	if err != nil {
		l.failed(err)
		return
	}
	for _, e := range idx.Starting(flowID) {
		if r := gjson.ParseBytes(e.Row); r.Get("flowId").Int() == flowID { // the flow as the row says it
			l.add(line(r))
		}
	}
	if idx.Capped {
		l.unchecked = append(l.unchecked, fmt.Sprintf("%s: only the first %d %ss were checked", l.kind, idx.Max, kind))
	}
}

// workflowsNesting lists the workflows whose nestedFlows hold the flow, from the flow index.
func workflowsNesting(ctx context.Context, c *client.Client, flowID int64) triggerList {
	l := triggerList{kind: "workflows"}
	flows, err := c.Names(ctx, client.KindFlow) // the index records which workflows nest which flow
	switch {
	case err != nil:
		l.failed(err)
	case len(flows.Entries) > 0 && !flows.NestedKnown:
		l.unchecked = append(l.unchecked, "workflows: could not be checked (the flow list carries no nestedFlows)")
	default:
		for _, p := range flows.Parents(flowID) {
			l.add(fmt.Sprintf("%q (id %d)", p.Name, p.ID))
		}
		if flows.Capped {
			l.unchecked = append(l.unchecked, fmt.Sprintf("workflows: only the first %d flows were checked", flows.Max))
		}
	}
	return l
}

// listenersStarting lists the listeners that run the flow, with their method and URL pattern,
// from the listener index.
func listenersStarting(ctx context.Context, c *client.Client, flowID int64) triggerList {
	l := triggerList{kind: "listeners"}
	startingFrom(ctx, c, client.KindListener, flowID, &l, func(r gjson.Result) string {
		line := fmt.Sprintf("%d %q", r.Get("id").Int(), r.Get("name").String())
		if p := r.Get("properties.urlPattern").String(); p != "" {
			line += " " + r.Get("properties.method").String() + " /" + clip(strings.TrimPrefix(p, "/"), 120)
		}
		return line
	})
	return l
}

// uncheckedLine says in one short line that one source of triggers could not be read, and why.
func uncheckedLine(kind string, err error) string {
	why := "not allowed for this API key"
	switch {
	case client.IsAbsent(err):
		why = "this instance has no REST route to list them"
	case !client.IsStatus(err, 403):
		why = clip(redact(firstLine(err.Error())), 160)
	}
	return kind + ": could not be checked (" + why + ")"
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
