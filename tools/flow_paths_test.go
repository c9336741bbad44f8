package tools

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestGetFlowPaths: get_flow paths:true lists settable paths with values, read-only fields left
// out and secrets masked; update_flow accepts a listed path as it is written there.
func TestGetFlowPaths(t *testing.T) {
	e := newEnv(t)
	var p flowPaths
	text := e.ok("get_flow", map[string]any{"flow": "Load orders from CSV", "paths": true}, &p)
	mustContain(t, text, `transformations[0].destination.object = \"orders\"`, `transformations[0].source.connection = `)
	var call struct {
		Tool      string         `json:"tool"`
		Arguments map[string]any `json:"arguments"`
	}
	next, _ := strings.CutSuffix(p.Next, " previews a change")
	if err := json.Unmarshal([]byte(next), &call); err != nil || call.Tool != "update_flow" || call.Arguments["set"] == nil {
		t.Errorf("next is not a valid tool call: %q (%v)", p.Next, err)
	}
	for _, l := range p.Paths {
		for _, ro := range readOnlyFlowFields {
			if strings.HasPrefix(l, ro+" ") || strings.HasPrefix(l, ro+"[") || strings.HasPrefix(l, ro+".") {
				t.Errorf("read-only path listed: %s", l)
			}
		}
	}
	// A secret in the definition is masked in the listing.
	e.ok("update_flow", map[string]any{"flow": "Load orders from CSV", "set": map[string]any{"properties.api_password": "hunter2-secret"}, "create_keys": true}, nil)
	text = e.ok("get_flow", map[string]any{"flow": "Load orders from CSV", "paths": true}, nil)
	mustContain(t, text, "properties.api_password = ****")
	if strings.Contains(text, "hunter2") {
		t.Fatalf("secret shown: %s", text)
	}

	// The listing is bounded.
	lines, total := definitionPaths(map[string]any{"big": make([]any, 1000)})
	if len(lines) != maxPathLines || total != 1000 {
		t.Errorf("definitionPaths: %d lines of %d", len(lines), total)
	}
	wide := map[string]any{}
	for i := range 250 {
		wide[fmt.Sprintf("k%03d", i)] = strings.Repeat("v", 500)
	}
	lines, total = definitionPaths(wide)
	size := 0
	for _, l := range lines {
		size += len(l)
	}
	if total != 250 || size > maxPathBytes+maxPathValue+60 || len(lines) == 250 {
		t.Errorf("definitionPaths: %d lines, %d bytes of %d paths", len(lines), size, total)
	}
	long, _ := definitionPaths(map[string]any{"sql": strings.Repeat("x", 5000)})
	if len(long[0]) > len("sql = ")+maxPathValue+40 { // clip's marker included
		t.Errorf("value not clipped: %d bytes", len(long[0]))
	}
}

// TestUpdateFlowRefusesNewKeys: the typo (destination.table for destination.object) is
// refused in dry run and apply, naming the existing paths; create_keys adds the key on purpose.
func TestUpdateFlowRefusesNewKeys(t *testing.T) {
	e := newEnv(t)
	flow := "Load orders from CSV"
	typo := map[string]any{"transformations.0.destination.table": "orders_v2"}
	for _, dry := range []bool{true, false} {
		msg := e.fails("update_flow", map[string]any{"flow": flow, "set": typo, "dry_run": dry})
		mustContain(t, msg, `no key "table" at transformations[0].destination yet`, "transformations[0].destination.object", "create_keys: true")
	}
	msg := e.fails("update_flow", map[string]any{"flow": flow, "set": map[string]any{"transformations.0.destination.objet": "x"}})
	mustContain(t, msg, "closest existing: transformations[0].destination.object")

	text := e.ok("update_flow", map[string]any{"flow": flow, "set": map[string]any{"properties.batch": "500"}, "create_keys": true, "dry_run": true}, nil)
	mustContain(t, text, "Dry run", "@@ properties.batch", "+ 500")
	e.ok("update_flow", map[string]any{"flow": flow, "set": map[string]any{"properties.batch": "500"}, "create_keys": true}, nil)
	mustContain(t, e.ok("get_flow", map[string]any{"flow": flow, "paths": true}, nil), `properties.batch = \"500\"`)
}

// TestCreateFlowSetOnCopy: create_flow's set changes only the named paths of the copy (the
// transformations list survives), and refuses a new key the way update_flow does.
func TestCreateFlowSetOnCopy(t *testing.T) {
	e := newEnv(t)
	var src flowPaths
	e.ok("get_flow", map[string]any{"flow": "Load orders from CSV", "paths": true}, &src)
	out := e.ok("create_flow", map[string]any{"name": "Orders copy", "copy_from": "Load orders from CSV",
		"set": map[string]any{"transformations[0].destination.object": "orders_copy"}}, nil)
	var created struct {
		Flow flowSummary `json:"flow"`
	}
	if err := json.Unmarshal([]byte(out), &created); err != nil {
		t.Fatal(err)
	}
	var cp flowPaths
	e.ok("get_flow", map[string]any{"flow": created.Flow.ID, "paths": true}, &cp)
	if len(cp.Paths) != len(src.Paths) {
		t.Errorf("copy has %d paths, source %d:\n%v\n%v", len(cp.Paths), len(src.Paths), cp.Paths, src.Paths)
	}
	diff := 0
	for i := range min(len(cp.Paths), len(src.Paths)) {
		if cp.Paths[i] != src.Paths[i] && !strings.HasPrefix(cp.Paths[i], "name = ") {
			diff++
			mustContain(t, cp.Paths[i], `orders_copy`)
		}
	}
	if diff != 1 {
		t.Errorf("%d paths differ, want only the one set", diff)
	}
	msg := e.fails("create_flow", map[string]any{"name": "Orders copy 2", "copy_from": "Load orders from CSV",
		"set": map[string]any{"transformations.0.destination.table": "x"}, "dry_run": true})
	mustContain(t, msg, `no key "table"`, "transformations[0].destination.object")
}
