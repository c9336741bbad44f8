package tools

import (
	"strings"
	"testing"
	"time"
)

type auditPage struct {
	Total      *int            `json:"total"`
	Items      []auditEventRow `json:"items"`
	NextCursor string          `json:"next_cursor"`
}

func TestSearchAudit(t *testing.T) {
	e := newEnv(t)
	start := time.Now().UTC().Add(-time.Second).Format(time.RFC3339)
	e.ok("update_flow", map[string]any{"flow": "Export revenue report", "set": map[string]any{"description": "Audited"}}, nil)
	e.fails("update_flow", map[string]any{"flow": "Export revenue report", "set": map[string]any{"flowType": "teleport"}})

	var mine auditPage
	e.ok("search_audit", map[string]any{"user": "alice", "action": "editFlow", "since": start}, &mine)
	if mine.Total == nil || *mine.Total != 2 || len(mine.Items) != 2 {
		t.Fatalf("alice's two edits since %s: %+v", start, mine)
	}
	failed, ok := mine.Items[0], mine.Items[1] // newest first
	if failed.Result != "error" || !strings.Contains(failed.Error, "teleport") || ok.Result != "success" ||
		ok.User != "alice" || !strings.HasPrefix(ok.Object, "flow ") || !strings.Contains(ok.Object, `"Export revenue report"`) ||
		len(ok.Changes) != 1 || !strings.HasPrefix(ok.Changes[0], "description: ") || !strings.HasSuffix(ok.Changes[0], " → Audited") {
		t.Fatalf("rows: %+v", mine.Items)
	}
	at, err := time.Parse(time.RFC3339, ok.At)
	if err != nil || at.Before(time.Now().Add(-time.Minute)) {
		t.Fatalf("event time %q", ok.At)
	}

	var byObject auditPage
	e.ok("search_audit", map[string]any{"object": "Export revenue report", "result": "error", "since": "1h"}, &byObject)
	if len(byObject.Items) != 1 || byObject.Items[0].ID != failed.ID {
		t.Fatalf("object + result filter: %+v", byObject.Items)
	}
	var byTypeID auditPage
	id := strings.Fields(ok.Object)[1]
	e.ok("search_audit", map[string]any{"object": "flow:" + id, "action": "editFlow", "result": "success"}, &byTypeID)
	if len(byTypeID.Items) != 1 || byTypeID.Items[0].ID != ok.ID {
		t.Fatalf("type:id filter: %+v", byTypeID.Items)
	}
	var old auditPage
	e.ok("search_audit", map[string]any{"action": "editFlow", "until": "1h"}, &old)
	for _, r := range old.Items {
		if r.ID == ok.ID || r.ID == failed.ID {
			t.Fatalf("until 1h ago returned a fresh event: %+v", r)
		}
	}

	var page1, page2 auditPage
	e.ok("search_audit", map[string]any{"limit": 2}, &page1)
	e.ok("search_audit", map[string]any{"limit": 2, "cursor": page1.NextCursor}, &page2)
	if len(page1.Items) != 2 || len(page2.Items) != 2 || page1.Items[1].ID <= page2.Items[0].ID || *page1.Total < 100 {
		t.Fatalf("paging newest first: %+v then %+v", page1.Items, page2.Items)
	}
	var runs auditPage
	e.ok("search_audit", map[string]any{"user": "scheduler", "action": "runFlow", "limit": 1}, &runs)
	if len(runs.Items) != 1 || !strings.Contains(runs.Items[0].Detail, "status=") {
		t.Fatalf("scheduled runs are audited under the scheduler user: %+v", runs.Items)
	}

	mustContain(t, e.fails("search_audit", map[string]any{"result": "failed"}), `"result" must be one of success, error`)
	mustContain(t, e.fails("search_audit", map[string]any{"since": "yesterday"}), `"since" must be`)
	mustContain(t, e.fails("search_audit", map[string]any{"until": "soon"}), `"until" must be`)
	mustContain(t, e.fails("search_audit", map[string]any{"since": "1h", "until": "2h"}), `"until"`, `is before "since"`)
	mustContain(t, e.fails("search_audit", map[string]any{"who": "alice"}), `unknown field "who"`)
}

type binPage struct {
	Total *int     `json:"total"`
	Items []binRow `json:"items"`
}

func TestDeleteFlowRestoreWithDependencies(t *testing.T) {
	e := newEnv(t)
	var del map[string]any
	e.confirmed("delete_flow", map[string]any{"flow": "Import Shopify orders"}, &del)
	with, _ := del["deleted_with"].([]any)
	if len(with) != 2 || del["recycle_bin_id"] == nil {
		t.Fatalf("the flow's schedule and listener go with it: %v", del)
	}

	var bin binPage
	e.ok("list_deleted", map[string]any{"type": "flow"}, &bin)
	if len(bin.Items) != 1 {
		t.Fatalf("recycle bin flows: %+v", bin.Items)
	}
	item := bin.Items[0]
	deps := strings.Join(item.Dependencies, "\n")
	if item.Name != "Import Shopify orders" || item.DeletedBy != "alice" || item.DeletedAt == "" || !item.Restorable {
		t.Fatalf("item: %+v", item)
	}
	mustContain(t, deps, `(live: reused)`, `schedule`, `"Shopify order webhook" (deleted with it: restored with it)`)
	var all binPage
	e.ok("list_deleted", map[string]any{"query": "shopify"}, &all)
	if len(all.Items) != 2 { // the flow and its listener ("Every 6 hours" does not match the query)
		t.Fatalf("query filter: %+v", all.Items)
	}

	mustContain(t, e.fails("restore_deleted", map[string]any{"item": "Import Shopify orders", "include_dependencies": false}),
		"cannot come back alone", "Shopify order webhook")
	var res struct {
		Restored []string `json:"restored"`
		Reused   []string `json:"reused"`
		Next     toolCall `json:"next"`
	}
	e.ok("restore_deleted", map[string]any{"item": "Import Shopify orders"}, &res)
	restored := strings.Join(res.Restored, "\n")
	if len(res.Restored) != 3 || !strings.HasPrefix(res.Restored[0], `flow `) || len(res.Reused) != 2 || res.Next.Tool != "get_flow" || res.Next.Arguments["flow"] == nil {
		t.Fatalf("restore: %+v", res)
	}
	mustContain(t, restored, `"Import Shopify orders"`, `"Every 6 hours"`, `"Shopify order webhook"`)
	mustContain(t, strings.Join(res.Reused, "\n"), `connection 1 "Warehouse"`, `"Shopify API"`)
	mustContain(t, e.ok("get_flow", map[string]any{"flow": "Import Shopify orders"}, nil), "Import Shopify orders")
	e.ok("list_deleted", map[string]any{}, &bin)
	if len(bin.Items) != 0 {
		t.Fatalf("the bin still holds %+v", bin.Items)
	}

	var audit auditPage
	e.ok("search_audit", map[string]any{"user": "alice", "action": "restoreRecycleBinItem"}, &audit)
	if len(audit.Items) == 0 || !strings.Contains(audit.Items[0].Object, "Import Shopify orders") {
		t.Fatalf("the restore is audited: %+v", audit.Items)
	}
	logConfirmations(t)
}

func TestRestoreDeletedBlockedAndBadInput(t *testing.T) {
	e := newEnv(t)
	e.confirmed("delete_flow", map[string]any{"flow": "Export revenue report"}, nil)
	// A new flow takes the name: the restore is refused and nothing changes.
	e.ok("create_flow", map[string]any{"name": "Export revenue report", "copy_from": "Load orders from CSV"}, nil)
	msg := e.fails("restore_deleted", map[string]any{"item": "Export revenue report"})
	mustContain(t, msg, "cannot restore flow", "same name", "rename or delete", "nothing was restored")
	var bin binPage
	e.ok("list_deleted", map[string]any{"type": "flow"}, &bin)
	if len(bin.Items) != 1 {
		t.Fatalf("a refused restore must leave the item in the bin: %+v", bin.Items)
	}
	// By recycle-bin id, after the name is free again.
	e.ok("update_flow", map[string]any{"flow": "Export revenue report", "set": map[string]any{"name": "Export copy"}}, nil)
	var res struct {
		Restored []string `json:"restored"`
	}
	e.ok("restore_deleted", map[string]any{"item": bin.Items[0].ID}, &res)
	if len(res.Restored) != 2 || !strings.Contains(res.Restored[0], "Export revenue report") || !strings.Contains(res.Restored[1], "Daily at 06:00") {
		t.Fatalf("restore by id: %+v", res)
	}

	mustContain(t, e.fails("restore_deleted", map[string]any{"item": "Export revenue reprot"}), "no deleted object named", "list_deleted")
	mustContain(t, e.fails("restore_deleted", map[string]any{"item": 987654}), "recycle-bin item 987654 not found")
	mustContain(t, e.fails("restore_deleted", map[string]any{"item": "x", "type": "table"}), `"type" must be one of`)
	mustContain(t, e.fails("restore_deleted", map[string]any{}), `"item" is required`)
	mustContain(t, e.fails("list_deleted", map[string]any{"type": "macro"}), `"type" must be one of`)
	logConfirmations(t)
}

func TestRestoreDeletedSuggestsClosest(t *testing.T) {
	e := newEnv(t)
	e.confirmed("delete_flow", map[string]any{"flow": "Export revenue report"}, nil)
	mustContain(t, e.fails("restore_deleted", map[string]any{"item": "Export revenue reprot"}), `closest: "Export revenue report"`)
	mustContain(t, e.fails("restore_deleted", map[string]any{"item": "Export revenue report", "type": "schedule"}), "no deleted schedule named")
	logConfirmations(t)
}
