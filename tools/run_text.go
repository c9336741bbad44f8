package tools

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The results of run_flow, get_run, list_runs and diagnose_run feed code, so they go out as
// structuredContent under an outputSchema. The protocol asks for text as well, for clients that
// read only text: these renderings say the same in a few lines instead of a second JSON copy.

// structured is a result that goes out as structuredContent, with compact text beside it.
type structured interface{ compact() string }

// line renders a run on one line: id, flow, status, times, records and who or what started it.
func (v runView) line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "run %d of flow %d %q: %s", v.RunID, v.FlowID, v.Flow, v.Status)
	if v.Started != "" {
		b.WriteString(", started " + v.Started)
	}
	if v.Ended != "" {
		b.WriteString(", ended " + v.Ended)
	}
	fmt.Fprintf(&b, ", duration_s %v, records %v", v.DurationS, v.Records)
	if v.User != "" {
		b.WriteString(", by " + v.User)
	}
	if v.Schedule != "" {
		fmt.Fprintf(&b, ", schedule %q", v.Schedule)
	}
	if v.Error != "" {
		b.WriteString("\nerror: " + v.Error)
	}
	return b.String()
}

// lines writes a labelled list, one item a line, or nothing when it is empty.
func lines(b *strings.Builder, label string, items []string) {
	if len(items) == 0 {
		return
	}
	b.WriteString("\n" + label + ":")
	for _, s := range items {
		b.WriteString("\n- " + s)
	}
}

// field writes "label: value" on its own line, or nothing when value is empty.
func field(b *strings.Builder, label, value string) {
	if value != "" {
		b.WriteString("\n" + label + ": " + value)
	}
}

func (o runOutcome) compact() string {
	var b strings.Builder
	if o.Status == "started" { // not waited for: only the ids are known
		fmt.Fprintf(&b, "run %d of flow %d %q: started", o.RunID, o.FlowID, o.Flow)
	} else {
		b.WriteString(o.line())
	}
	lines(&b, "first errors", o.Errors)
	field(&b, "last log", o.LastLog)
	field(&b, "note", o.Note)
	if o.Next != nil {
		field(&b, "next", o.Next.String())
	}
	return b.String()
}

func (r runDetail) compact() string {
	var b strings.Builder
	b.WriteString(r.line())
	if r.Live != nil {
		fmt.Fprintf(&b, "\nlive: %d records processed, latency %d", r.Live.RecordsProcessed, r.Live.Latency)
		tasks := make([]string, len(r.Live.Tasks))
		for i, t := range r.Live.Tasks {
			tasks[i] = fmt.Sprintf("%s (%s): %d records, latency %d", t.Name, t.Type, t.RecordsProcessed, t.Latency)
		}
		lines(&b, "tasks", tasks)
	}
	return b.String()
}

// pageHead is the first line of a list: how many rows, of how many, and what was searched.
func pageHead[T any](l listResult[T], what, searched string) string {
	s := fmt.Sprintf("%d %s", len(l.Items), what)
	if l.Total != nil {
		s += fmt.Sprintf(" of %d", *l.Total)
	}
	return s + "; " + searched
}

func (l runList) compact() string {
	var b strings.Builder
	b.WriteString(pageHead(l.listResult, "runs", l.Searched))
	b.WriteString("\nid flow status start dur_s records problem")
	for _, r := range l.Items {
		flow := "-"
		if r.FlowID != 0 {
			flow = strconv.FormatInt(r.FlowID, 10)
		}
		fmt.Fprintf(&b, "\n%d %s %s %s %v %v", r.RunID, flow, r.Status, orDash(r.Start), orDash(r.DurationS), orDash(r.Records))
		if p := r.Error + r.Warning; p != "" {
			b.WriteString(" " + p)
		}
	}
	if len(l.Flows) > 0 {
		ids := make([]string, 0, len(l.Flows))
		for id := range l.Flows {
			ids = append(ids, id)
		}
		slices.SortFunc(ids, func(a, b string) int { x, _ := strconv.Atoi(a); y, _ := strconv.Atoi(b); return x - y })
		names := make([]string, len(ids))
		for i, id := range ids {
			names[i] = fmt.Sprintf("%s %q", id, l.Flows[id])
		}
		field(&b, "flows", strings.Join(names, ", "))
	}
	field(&b, "note", l.Note)
	field(&b, "limited", l.Limited)
	field(&b, "next_cursor", l.NextCursor)
	return b.String()
}

func (l statsList) compact() string {
	var b strings.Builder
	b.WriteString(pageHead(l.listResult, "flows", fmt.Sprintf("%d runs counted, %s", l.Counted, l.Searched)))
	for _, s := range l.Items {
		states := make([]string, 0, len(s.ByStatus))
		for st, n := range s.ByStatus {
			states = append(states, fmt.Sprintf("%s %d", st, n))
		}
		slices.Sort(states)
		fmt.Fprintf(&b, "\nflow %d %q: %s", s.FlowID, s.Flow, strings.Join(states, ", "))
		if s.FailureRate > 0 {
			fmt.Fprintf(&b, "; failure rate %v", s.FailureRate)
		}
		if s.LastSuccess != "" {
			b.WriteString("; last success " + s.LastSuccess)
		}
		if s.TopError != "" {
			fmt.Fprintf(&b, "; top error (%d runs): %s", s.TopErrorN, s.TopError)
		}
	}
	field(&b, "limited", l.Limited)
	field(&b, "next_cursor", l.NextCursor)
	return b.String()
}

func (dg *diagnosis) compact() string {
	var b strings.Builder
	fmt.Fprintf(&b, "verdict: %s\n%s", dg.Verdict, dg.Run.line())
	if c := dg.Cause; c != nil {
		fmt.Fprintf(&b, "\ncause (%s): %s", c.Category, c.Summary)
		lines(&b, "evidence", c.Evidence)
	}
	lines(&b, "first error", dg.FirstError)
	conns := make([]string, len(dg.Connections))
	for i, c := range dg.Connections {
		conns[i] = fmt.Sprintf("%d %q: %s", c.ID, c.Name, c.Test)
	}
	lines(&b, "connections", conns)
	if dg.LastSuccess != nil {
		b.WriteString("\nlast success: " + dg.LastSuccess.line())
	}
	changes := make([]string, len(dg.Changes))
	for i, a := range dg.Changes {
		changes[i] = strings.TrimSpace(fmt.Sprintf("%s %s %s %s %s", a.At, a.User, a.Action, a.Object, strings.Join(a.Changes, "; ")))
	}
	lines(&b, "changes since last success", changes)
	steps := make([]string, len(dg.Transforms))
	for i, t := range dg.Transforms {
		steps[i] = strings.TrimSpace(fmt.Sprintf("%s: %s -> %s %s", t.Name, t.Source, t.Destination, t.SQL))
	}
	lines(&b, "transformations", steps)
	lines(&b, "unavailable", dg.Unavailable)
	if h := dg.Instance; h != nil {
		field(&b, "instance health", strings.TrimSpace(h.Status+" "+strings.Join(h.Down, ", ")))
	}
	field(&b, "next run", dg.NextRun)
	field(&b, "next", dg.Next)
	return b.String()
}

// orDash renders an absent value as "-", so the columns of a row stay in place.
func orDash(v any) any {
	if v == nil || v == "" {
		return "-"
	}
	return v
}
