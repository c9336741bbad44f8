package tools

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/internal/lazyre"
)

// maxStatsRuns bounds the runs list_runs group_by reads; a window with more is counted from its
// newest runs and says so.
const maxStatsRuns = 5000

// maxTopError bounds the top error line of a flow's statistics.
const maxTopError = 80

// flowStats is one row of list_runs group_by flow (its runs are the sum of by_status).
type flowStats struct {
	FlowID      int64          `json:"flow_id"`
	Flow        string         `json:"flow"`
	ByStatus    map[string]int `json:"by_status"`
	FailureRate float64        `json:"failure_rate,omitempty"` // error runs / ended runs; omitted when 0
	LastSuccess string         `json:"last_success,omitempty"`
	TopError    string         `json:"top_error,omitempty"` // the most frequent first error line
	TopErrorN   int            `json:"top_error_runs,omitempty"`

	ended  int
	errors map[string]*errorCount
}

// errorCount counts runs whose first error line has one shape; line is the newest such line.
type errorCount struct {
	line string
	n    int
}

// errorShape is what error lines are compared by: the same error with other numbers, ids or
// times (any word holding a digit) counts as one.
var errorShape = lazyre.New(`[\w.:-]*\d[\w.:-]*`)

// statsList is list_runs' group_by answer.
type statsList struct {
	listResult[flowStats]
	Counted  int    `json:"runs_counted"`
	Searched string `json:"searched"`
	Limited  string `json:"limited,omitempty"`
}

// runStats groups a run history by flow, the flows with the most failures first.
func runStats(h *client.History, p page, offset int) statsList {
	byFlow := map[int64]*flowStats{}
	var order []*flowStats
	for i := range h.Runs {
		e := &h.Runs[i]
		s := byFlow[int64(e.FlowID)]
		if s == nil {
			s = &flowStats{FlowID: int64(e.FlowID), Flow: e.FlowName, ByStatus: map[string]int{}, errors: map[string]*errorCount{}}
			byFlow[int64(e.FlowID)] = s
			order = append(order, s)
		}
		s.ByStatus[string(e.Status)]++
		if e.Status.Terminal() {
			s.ended++
		}
		if e.Status == client.StatusSuccess && s.LastSuccess == "" { // newest first
			s.LastSuccess = startMinute(int64(e.Started))
		}
		if e.Status == client.StatusError {
			if line := runProblem(e, nil); line != "" {
				key := errorShape.ReplaceAllString(line, "#")
				if c := s.errors[key]; c != nil {
					c.n++
				} else {
					s.errors[key] = &errorCount{line: line, n: 1}
				}
			}
		}
	}
	for _, s := range order {
		if s.ended > 0 {
			s.FailureRate = math.Round(float64(s.ByStatus[string(client.StatusError)])/float64(s.ended)*100) / 100
		}
		var top *errorCount
		for _, c := range s.errors {
			if top == nil || c.n > top.n || c.n == top.n && c.line < top.line {
				top = c
			}
		}
		if top != nil {
			s.TopError, s.TopErrorN = cutLine(top.line, maxTopError), top.n
		}
	}
	slices.SortStableFunc(order, func(a, b *flowStats) int {
		return cmp.Or(cmp.Compare(b.ByStatus[string(client.StatusError)], a.ByStatus[string(client.StatusError)]),
			cmp.Compare(b.FailureRate, a.FailureRate), cmp.Compare(b.ended, a.ended), cmp.Compare(a.FlowID, b.FlowID))
	})
	rows := make([]flowStats, 0, p.limit())
	for i := offset; i < len(order) && len(rows) < p.limit(); i++ {
		rows = append(rows, *order[i])
	}
	out := statsList{listResult: newListResult(rows, offset, len(order)), Counted: len(h.Runs), Searched: searchedWindow(h), Limited: h.Limited}
	if len(h.Runs) >= maxStatsRuns {
		out.Limited = cmp.Or(out.Limited, fmt.Sprintf("counted the newest %d runs of the window only; a later since counts them all", maxStatsRuns))
	}
	return out
}
