package sandbox

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// A seed count out of bounds is refused before anything is created, with the bounds in the text.
func TestSeedFlowsBounds(t *testing.T) {
	t.Parallel()
	for _, n := range []int{-1, MaxSeedFlows + 1} {
		sb, err := New(Options{SeedFlows: n})
		if err == nil {
			sb.Close()
			t.Fatalf("SeedFlows %d accepted", n)
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("between 0 and %d", MaxSeedFlows)) {
			t.Errorf("SeedFlows %d: %v", n, err)
		}
	}
}

// Extra flows follow the demo ones with varied names, types and tags and some run history; a
// persistent sandbox started again adds only the missing ones.
func TestSeedFlows(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	h := newHarness(t, Options{DataDir: filepath.Join(dir, "state"), SeedFlows: 300})
	res := h.ok("GET", "/rest/v1/flows?limit=1", nil, nil)
	if got := res.header.Get("X-Total-Count"); got != "312" {
		t.Fatalf("X-Total-Count %q, want 312 (12 demo flows and 300 extra)", got)
	}
	var page []flow
	h.ok("GET", "/rest/v1/flows?limit=200&offset=12", nil, &page)
	types, names := map[string]bool{}, map[string]bool{}
	withRuns := 0
	for _, f := range page {
		types[f.FlowType] = true
		names[strings.Fields(f.Name)[0]] = true
		if f.LastRunStatus != nil {
			withRuns++
		}
		if !strings.Contains(strings.Join(f.Tags, ","), "scale-test") || len(f.Transformations) != 1 || len(f.Connections) == 0 {
			t.Fatalf("extra flow %+v", f)
		}
	}
	if len(types) < 5 || len(names) < 8 || withRuns != 40 {
		t.Fatalf("%d types, %d name verbs, %d flows with runs in the first 200 extra flows", len(types), len(names), withRuns)
	}
	var last execution
	h.ok("GET", fmt.Sprintf("/rest/v1/executions/%d", page[4].ID), nil, &last) // the 5th extra flow: its latest run
	if last.FlowName != page[4].Name || last.Ended == nil {
		t.Fatalf("latest run of %q: %+v", page[4].Name, last)
	}
	h.sb.Close()

	again, err := New(Options{DataDir: filepath.Join(dir, "state"), SeedFlows: 350, RunStep: testStep})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if _, total, err := again.st.listFlows(context.Background(), flowFilter{limit: 1}); err != nil || total != 362 {
		t.Fatalf("after a second start with 350: %d flows, %v", total, err)
	}
}

// Reading one flow, by id or by name, searches indexes: no statement scans the flows or runs.
func TestFlowReadsUseIndexes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	for _, q := range []string{flowSelect + flowByIDCond, flowSelect + flowByNameCond, `SELECT name FROM flows WHERE id = ?`} {
		rows, err := h.sb.st.db.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+q, "x")
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if p := strings.Join(plan, " | "); !strings.Contains(p, "SEARCH f USING") && !strings.Contains(p, "SEARCH flows USING") {
			t.Errorf("%s: no index search of the flows in %q", q, plan)
		}
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN") || strings.Contains(step, "TEMP B-TREE") {
				t.Errorf("%s\nplan: %s", q, strings.Join(plan, " | "))
			}
		}
	}
}
