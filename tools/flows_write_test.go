package tools

import (
	"strings"
	"testing"
)

// fixedRollupSQL is "Daily revenue rollup"'s SQL with the column the orders table really has.
func fixedRollupSQL(t *testing.T, e *env) string {
	t.Helper()
	var f flowSummary
	e.ok("get_flow", map[string]any{"flow": "Daily revenue rollup"}, &f)
	sql := f.Transformations[0].SQL
	if !strings.Contains(sql, "amount_usd") {
		t.Fatalf("seeded rollup SQL lacks amount_usd: %s", sql)
	}
	return strings.ReplaceAll(sql, "amount_usd", "amount")
}

func TestUpdateFlowFixesRollup(t *testing.T) {
	e := newEnv(t)
	fixed := fixedRollupSQL(t, e)
	set := map[string]any{"transformations.0.source.sql": fixed}

	dry := e.ok("update_flow", map[string]any{"flow": "Daily revenue rollup", "set": set, "dry_run": true}, nil)
	mustContain(t, dry, "Dry run for flow ", "nothing changed", "@@ transformations[0].source.sql",
		"-        ROUND(SUM(amount_usd), 2) AS revenue", "+        ROUND(SUM(amount), 2) AS revenue",
		"  SELECT order_date AS day,", "checks: shape ok", "without dry_run")
	var still flowSummary
	e.ok("get_flow", map[string]any{"flow": "Daily revenue rollup"}, &still)
	if !strings.Contains(still.Transformations[0].SQL, "amount_usd") {
		t.Fatal("dry_run changed the flow")
	}

	applied := e.ok("update_flow", map[string]any{"flow": "Daily revenue rollup", "set": set}, nil)
	mustContain(t, applied, "Updated flow ", "+        ROUND(SUM(amount), 2) AS revenue", `undo: {"tool":"update_flow","arguments":{"flow":`, "amount_usd", "run_flow")
	run := e.ok("run_flow", map[string]any{"flow": "Daily revenue rollup", "wait": true}, nil)
	mustContain(t, run, `"status":"success"`)

	again := e.ok("update_flow", map[string]any{"flow": "Daily revenue rollup", "set": set}, nil)
	mustContain(t, again, "no change", "Nothing was sent")
}

// TestUpdateFlowDiffsLongSQL: a change deep in a long SQL (line 4,501 of 5,000) shows in the dry
// run's diff with its line numbers, and the diff stays short.
func TestUpdateFlowDiffsLongSQL(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	lines := longSQL(5000)
	path := "transformations.0.source.sql"
	e.ok("update_flow", map[string]any{"flow": "Daily revenue rollup", "set": map[string]any{path: strings.Join(lines, "\n")}}, nil)
	lines[4500] = "DROP TABLE orders"
	dry := e.ok("update_flow", map[string]any{"flow": "Daily revenue rollup", "set": map[string]any{path: strings.Join(lines, "\n")}, "dry_run": true}, nil)
	mustContain(t, dry, "@@ transformations[0].source.sql\n@@ -4498,7 +4498,7 @@\n    , amount_4498\n", "-   , amount_4501\n+ DROP TABLE orders\n    , amount_4502\n")
	if strings.Contains(dry, "amount_4000") || len(dry) > 4000 {
		t.Errorf("the dry run shows more than the changed place (%d bytes):\n%s", len(dry), dry)
	}
}

func TestUpdateFlowBadInput(t *testing.T) {
	e := newEnv(t)
	flow := "Load orders from CSV"
	mustContain(t, e.fails("update_flow", map[string]any{"flow": flow, "set": map[string]any{}}), `give "set" (at least one path`, `or "suspended"`)
	mustContain(t, e.fails("update_flow", map[string]any{"flow": flow}), `give "set"`)
	mustContain(t, e.fails("update_flow", map[string]any{"flow": flow, "set": "sql"}), `"set" must be an object`)
	mustContain(t, e.fails("update_flow", map[string]any{"flow": flow, "set": map[string]any{"transformations.0.sorce.object": "x"}}),
		`no field "sorce" at transformations[0]; fields there:`, "source")
	mustContain(t, e.fails("update_flow", map[string]any{"flow": flow, "set": map[string]any{"transformations.7.mode": "append"}}),
		"transformations is a list of 1")
	mustContain(t, e.fails("update_flow", map[string]any{"flow": flow, "set": map[string]any{"id": 5}}), `"id" is set by Etlworks`)
	mustContain(t, e.fails("update_flow", map[string]any{"flow": "Load ordres", "set": map[string]any{"name": "x"}}),
		`flow "Load ordres" not found`, `"Load orders from CSV"`)

	// A list replaced by a string: the dry run says it would be refused, the apply refuses locally.
	breaking := map[string]any{"transformations": "none"}
	mustContain(t, e.ok("update_flow", map[string]any{"flow": flow, "set": breaking, "dry_run": true}, nil),
		"checks: would be refused", "transformations was a list and would become a string")
	mustContain(t, e.fails("update_flow", map[string]any{"flow": flow, "set": breaking}), "Nothing changed")

	// The server's own validation: an unknown flow type comes back as Etlworks' 400 message.
	mustContain(t, e.fails("update_flow", map[string]any{"flow": flow, "set": map[string]any{"flowType": "teleport"}}),
		"400", "unknown type 'teleport'")
	mustContain(t, e.fails("update_flow", map[string]any{"flow": flow, "set": map[string]any{"name": "Daily revenue rollup"}}),
		"already exists")
}

func TestCreateFlow(t *testing.T) {
	e := newEnv(t)
	var preview struct {
		Created bool        `json:"created"`
		Preview flowSummary `json:"preview"`
	}
	e.ok("create_flow", map[string]any{"name": "Orders copy", "copy_from": "Load orders from CSV",
		"definition": map[string]any{"description": "A copy"}, "dry_run": true}, &preview)
	if preview.Created || preview.Preview.Name != "Orders copy" || preview.Preview.Description != "A copy" || len(preview.Preview.Transformations) != 1 {
		t.Fatalf("dry run preview: %+v", preview)
	}
	mustContain(t, e.fails("get_flow", map[string]any{"flow": "Orders copy"}), "not found")

	var made struct {
		Created bool        `json:"created"`
		Flow    flowSummary `json:"flow"`
		Next    toolCall    `json:"next"`
	}
	e.ok("create_flow", map[string]any{"name": "Orders copy", "copy_from": "Load orders from CSV"}, &made)
	if !made.Created || made.Flow.ID == 0 || !strings.Contains(made.Flow.Transformations[0].Source, "orders.csv") {
		t.Fatalf("created: %+v", made)
	}
	mustContain(t, e.fails("create_flow", map[string]any{"name": "Orders copy", "copy_from": "Load orders from CSV"}), "already exists")
	if len(e.notifications("notifications/resources/list_changed")) != 1 {
		t.Fatalf("creating a flow must send one resources/list_changed; a dry run or a refused create none")
	}

	// From scratch, with connection names the server resolves.
	def := map[string]any{"flowType": "execute-sql", "transformations": []any{
		map[string]any{"source": map[string]any{"connection": "Warehouse", "sql": "SELECT 1"}}}}
	e.ok("create_flow", map[string]any{"name": "Ping warehouse", "definition": def}, &made)
	if !made.Created || made.Flow.Type != "execute-sql" {
		t.Fatalf("created from scratch: %+v", made)
	}
	mustContain(t, e.ok("run_flow", map[string]any{"flow": "Ping warehouse", "wait": true}, nil), `"status":"success"`)

	mustContain(t, e.fails("create_flow", map[string]any{"name": "x"}), `give "definition"`, `"copy_from"`)
	mustContain(t, e.fails("create_flow", map[string]any{"name": " ", "copy_from": "Load orders from CSV"}), `"name" must not be blank`)
	var bad struct {
		Created bool      `json:"created"`
		Checks  flowCheck `json:"checks"`
	}
	e.ok("create_flow", map[string]any{"name": "Nothing", "definition": map[string]any{"transformations": []any{}}}, &bad)
	if bad.Created || len(bad.Checks.Problems) == 0 || !strings.Contains(bad.Checks.Problems[0], "flowType") {
		t.Fatalf("a definition without flowType must not be created: %+v", bad)
	}
	mustContain(t, e.fails("create_flow", map[string]any{"name": "Bad conn", "definition": map[string]any{"flowType": "execute-sql",
		"transformations": []any{map[string]any{"source": map[string]any{"connection": "Nowhere", "sql": "SELECT 1"}}}}}), "connection 'Nowhere' not found")
}

func TestDeleteFlowWithConfirmToken(t *testing.T) {
	e := newEnv(t)
	args := map[string]any{"flow": "Export revenue report"}
	var first map[string]any
	e.ok("delete_flow", args, &first)
	confirmations.asked.Add(1)
	mustContain(t, e.ok("get_flow", args, nil), "Export revenue report") // nothing changed yet
	token := first["confirm_token"].(string)

	// A token is bound to its arguments and a bogus one is refused.
	mustContain(t, e.fails("delete_flow", map[string]any{"flow": "Load orders from CSV", "confirm_token": token}), "does not match")
	mustContain(t, e.fails("delete_flow", map[string]any{"flow": "Export revenue report", "confirm_token": "nope"}), "not a token this server issued")
	var out map[string]any
	e.ok("delete_flow", map[string]any{"flow": "Export revenue report", "confirm_token": token}, &out)
	confirmations.honoured.Add(1)
	if out["recycle_bin_id"] == nil || undoOf(t, out).Tool != "restore_deleted" {
		t.Fatalf("delete result must say how to undo it: %v", out)
	}
	mustContain(t, e.fails("get_flow", args), "not found")
	if len(e.notifications("notifications/resources/list_changed")) != 1 {
		t.Fatal("deleting a flow must send resources/list_changed once, and asking for confirmation none")
	}
	mustContain(t, e.fails("delete_flow", map[string]any{"flow": "No such flow"}), `flow "No such flow" not found`)
	logConfirmations(t)
}

func TestDeleteFlowByElicitation(t *testing.T) {
	no := &elicitAnswer{accept: false}
	e := newElicitingEnv(t, no)
	text := e.ok("delete_flow", map[string]any{"flow": "Export revenue report"}, nil)
	mustContain(t, text, `"status":"declined"`, `"nothing_done":true`)
	mustContain(t, e.ok("get_flow", map[string]any{"flow": "Export revenue report"}, nil), "Export revenue report")
	if no.asked.Load() != 1 || !strings.Contains(no.lastText.Load().(string), `Delete flow`) {
		t.Fatalf("the user was asked %d times: %v", no.asked.Load(), no.lastText.Load())
	}

	yes := &elicitAnswer{accept: true}
	e = newElicitingEnv(t, yes)
	var out map[string]any
	e.ok("delete_flow", map[string]any{"flow": "Export revenue report"}, &out)
	if yes.asked.Load() != 1 || out["deleted"] == nil || out["undo"] == nil {
		t.Fatalf("accepted delete: asked %d, result %v", yes.asked.Load(), out)
	}
	mustContain(t, e.fails("get_flow", map[string]any{"flow": "Export revenue report"}), "not found")
	logConfirmations(t)
}
