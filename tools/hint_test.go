package tools

import (
	"encoding/json"
	"testing"
)

// undoOf reads a result's undo hint as the tool call it must be.
func undoOf(t *testing.T, out map[string]any) toolCall {
	t.Helper()
	b, err := json.Marshal(out["undo"])
	if err != nil {
		t.Fatal(err)
	}
	var c toolCall
	if err := json.Unmarshal(b, &c); err != nil || c.Tool == "" || c.Arguments == nil {
		t.Fatalf("undo is not a tool call {\"tool\":…,\"arguments\":{…}}: %v (%v)", out["undo"], err)
	}
	return c
}

func TestHintIsAToolCall(t *testing.T) {
	cases := []struct {
		got  toolCall
		want string
	}{
		{hint("run_flow", "tests it", "flow", int64(5)), `{"tool":"run_flow","arguments":{"flow":5},"note":"tests it"}`},
		{hint("list_schedules", ""), `{"tool":"list_schedules","arguments":{}}`},
		{hint("update_flow", "", "flow", 2, "set", map[string]any{"a.b": "x <> y"}), `{"tool":"update_flow","arguments":{"flow":2,"set":{"a.b":"x <> y"}}}`},
	}
	for _, c := range cases {
		if s := c.got.String(); s != c.want {
			t.Errorf("got %s, want %s", s, c.want)
		}
	}
}

// TestHintsAreCallsThatWork sends the undo and next hints of real results back as the calls they
// are, through the MCP protocol: a restore, a schedule's undo and a flow edit's undo.
func TestHintsAreCallsThatWork(t *testing.T) {
	e := newEnv(t)
	var sched map[string]any
	e.ok("update_schedule", map[string]any{"schedule": "Daily at 06:00", "cron": "0 0 7 * * ?", "params": map[string]any{"runDate": "{today}"}}, &sched)
	undo := undoOf(t, sched)
	if undo.Tool != "update_schedule" || undo.Arguments["cron"] != "0 0 6 * * ?" {
		t.Fatalf("schedule undo: %+v", undo)
	}
	var back map[string]any
	e.ok(undo.Tool, undo.Arguments, &back)
	var list struct {
		Items []schedView `json:"items"`
	}
	e.ok("list_schedules", map[string]any{"name": "Daily at 06:00"}, &list)
	if len(list.Items) != 1 || list.Items[0].Cron != "0 0 6 * * ?" || len(list.Items[0].Params) != 0 {
		t.Fatalf("the undo did not put the schedule back: %+v", list.Items)
	}

	var del map[string]any
	e.confirmed("delete_schedule", map[string]any{"schedule": "Daily at 06:00"}, &del)
	undo = undoOf(t, del)
	var restored map[string]any
	e.ok(undo.Tool, undo.Arguments, &restored)
	next, _ := json.Marshal(restored["next"])
	var c toolCall
	if err := json.Unmarshal(next, &c); err != nil || c.Tool != "list_schedules" {
		t.Fatalf("restore next: %s", next)
	}
	e.ok(c.Tool, c.Arguments, nil)
}
