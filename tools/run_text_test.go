package tools

import (
	"strings"
	"testing"
)

// TestCompactText covers the renderings the golden calls do not reach: a run not waited for, a run
// still going, a running run's tasks, and a page of runs across flows, which names each flow once.
func TestCompactText(t *testing.T) {
	next := hint("get_run", "", "flow", 1, "run_id", 42)
	total := 3
	cases := []struct {
		name string
		v    structured
		want []string
	}{
		{"started", runOutcome{runView: runView{RunID: 42, Flow: "Load", FlowID: 1, Status: "started"}, Next: &next},
			[]string{`run 42 of flow 1 "Load": started`, `next: {"tool":"get_run","arguments":{"flow":1,"run_id":42}}`}},
		{"still going", runOutcome{runView: runView{RunID: 42, Flow: "Load", FlowID: 1, Status: "running", DurationS: 45.0, Records: unknown},
			LastLog: "reading orders.csv", Note: "still running after the 45s wait"},
			[]string{"running, duration_s 45, records unknown", "last log: reading orders.csv", "note: still running"}},
		{"live tasks", runDetail{runView: runView{RunID: 7, Flow: "CDC", FlowID: 2, Status: "running", DurationS: 3.5, Records: 10},
			Live: &liveView{RecordsProcessed: 900, Latency: 12, Tasks: []taskView{{Name: "orders", Type: "stream", RecordsProcessed: 900, Latency: 12}}}},
			[]string{"live: 900 records processed, latency 12", "- orders (stream): 900 records, latency 12"}},
		{"across flows", runList{listResult: listResult[runRow]{Total: &total, NextCursor: "bzI", Items: []runRow{
			{RunID: 9, FlowID: 10, Status: "error", Start: "2026-11-29T02:00Z", DurationS: 1.5, Records: 0, Error: "no such column"},
			{RunID: 8, FlowID: 2, Status: "success", Start: "2026-11-29T01:00Z", DurationS: 2.0, Records: 24}}},
			Flows: map[string]string{"10": "Ten", "2": "Two"}, Searched: "runs since 2026-11-22T00:00:00Z from GET /v1/executions"},
			[]string{"2 runs of 3; runs since", "9 10 error 2026-11-29T02:00Z 1.5 0 no such column", "8 2 success", `flows: 2 "Two", 10 "Ten"`, "next_cursor: bzI"}},
	}
	for _, c := range cases {
		got := c.v.compact()
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: text lacks %q:\n%s", c.name, w, got)
			}
		}
		if strings.HasPrefix(strings.TrimSpace(got), "{") {
			t.Errorf("%s: the text is JSON again:\n%s", c.name, got)
		}
	}
}
