package tools

import (
	"encoding/json"
	"strings"
	"testing"
)

type listPage struct {
	Total      *int              `json:"total"`
	Items      []json.RawMessage `json:"items"`
	NextCursor string            `json:"next_cursor"`
}

func TestListFlows(t *testing.T) {
	e := newEnv(t)
	var first listPage
	e.ok("list_flows", map[string]any{"limit": 4}, &first)
	if first.Total == nil || *first.Total < 10 {
		t.Fatalf("total = %v, want the 10+ seeded flows", first.Total)
	}
	if len(first.Items) != 4 || first.NextCursor == "" {
		t.Fatalf("page of 4 with a cursor expected, got %d rows, cursor %q", len(first.Items), first.NextCursor)
	}
	seen := map[string]bool{}
	cursor := ""
	for pages := 0; pages < 10; pages++ {
		args := map[string]any{"limit": 4}
		if cursor != "" {
			args["cursor"] = cursor
		}
		var p listPage
		e.ok("list_flows", args, &p)
		for _, row := range p.Items {
			var r flowRow
			if err := json.Unmarshal(row, &r); err != nil {
				t.Fatal(err)
			}
			if seen[r.Name] {
				t.Fatalf("flow %q listed twice across pages", r.Name)
			}
			seen[r.Name] = true
		}
		if cursor = p.NextCursor; cursor == "" {
			break
		}
	}
	if len(seen) != *first.Total {
		t.Fatalf("paged through %d flows, total says %d", len(seen), *first.Total)
	}
	for _, name := range []string{"Load orders from CSV", "Daily revenue rollup", "Sync CRM customers"} {
		if !seen[name] {
			t.Errorf("seeded flow %q missing", name)
		}
	}

	var filtered listPage
	e.ok("list_flows", map[string]any{"query": "revenue"}, &filtered)
	if len(filtered.Items) == 0 || !strings.Contains(string(filtered.Items[0]), "Daily revenue rollup") {
		t.Fatalf("query filter: %s", filtered.Items)
	}
	text := e.ok("list_flows", map[string]any{"query": "Daily revenue rollup"}, nil)
	mustContain(t, text, `"last_run":"error at `)
}

func TestListFlowsBadInput(t *testing.T) {
	e := newEnv(t)
	mustContain(t, e.fails("list_flows", map[string]any{"limit": 500}), `"limit" must be between 1 and 100`)
	mustContain(t, e.fails("list_flows", map[string]any{"limit": "ten"}), `"limit" must be an integer`)
	mustContain(t, e.fails("list_flows", map[string]any{"cursor": "bogus"}), "cursor")
	mustContain(t, e.fails("list_flows", map[string]any{"name": "x"}), `unknown field "name"`, "allowed fields: cursor, limit, query, tag")
}

func TestGetFlow(t *testing.T) {
	e := newEnv(t)
	var byName flowSummary
	e.ok("get_flow", map[string]any{"flow": "Load orders from CSV"}, &byName)
	if byName.ID == 0 || len(byName.Transformations) == 0 {
		t.Fatalf("summary lacks id or transformations: %+v", byName)
	}
	step := byName.Transformations[0]
	if !strings.Contains(step.Source, "Staging files") || !strings.Contains(step.Source, "orders.csv") ||
		!strings.Contains(step.Destination, "Warehouse") || !strings.Contains(step.Destination, "orders") {
		t.Fatalf("step source/destination: %+v", step)
	}
	// A JSON number where a string id is expected is accepted.
	var byID flowSummary
	e.ok("get_flow", map[string]any{"flow": byName.ID}, &byID)
	if byID.Name != byName.Name {
		t.Fatalf("by id got %q, by name %q", byID.Name, byName.Name)
	}
	var rollup flowSummary
	e.ok("get_flow", map[string]any{"flow": "Daily revenue rollup"}, &rollup)
	if len(rollup.Transformations) == 0 || !strings.Contains(rollup.Transformations[0].SQL, "amount_usd") {
		t.Fatalf("rollup SQL not shown: %+v", rollup.Transformations)
	}
}

func TestFlowNotFoundSuggestsClosest(t *testing.T) {
	e := newEnv(t)
	msg := e.fails("get_flow", map[string]any{"flow": "Load ordres from CSV"})
	mustContain(t, msg, `flow "Load ordres from CSV" not found`, `"Load orders from CSV"`, "list_flows")
	mustContain(t, e.fails("get_flow", map[string]any{"flow": 999999}), `flow "999999" not found`)
	mustContain(t, e.fails("get_flow", map[string]any{}), `"flow" is required`)
	mustContain(t, e.fails("get_flow", map[string]any{"flow": true}), "flow")
}

func TestExplainFlow(t *testing.T) {
	e := newEnv(t)
	text := e.ok("explain_flow", map[string]any{"flow": "Load orders from CSV"}, nil)
	mustContain(t, text, "# Load orders from CSV", "## At a glance", "orders.csv", "Warehouse")
	if len(text) > maxDoc+2000 {
		t.Fatalf("explanation is %d bytes, want it bounded", len(text))
	}
}
