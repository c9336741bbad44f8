package tools

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

type schedPage struct {
	Total      *int        `json:"total"`
	Items      []schedView `json:"items"`
	NextCursor string      `json:"next_cursor"`
}

// nextRunTimes reads next_runs as UTC times; it fails the test when they are not a list.
func nextRunTimes(t *testing.T, v schedView) []time.Time {
	t.Helper()
	list, ok := v.NextRuns.([]any)
	if !ok {
		t.Fatalf("schedule %q: next_runs %v is not a list of times", v.Name, v.NextRuns)
	}
	var out []time.Time
	for _, s := range list {
		tm, err := time.Parse(time.RFC3339, s.(string))
		if err != nil || !strings.HasSuffix(s.(string), "Z") {
			t.Fatalf("next run %v is not a UTC RFC 3339 time", s)
		}
		out = append(out, tm)
	}
	return out
}

func TestListSchedules(t *testing.T) {
	e := newEnv(t)
	var all schedPage
	e.ok("list_schedules", map[string]any{"limit": 100}, &all)
	if all.Total == nil || *all.Total < 10 || len(all.Items) != *all.Total {
		t.Fatalf("want every seeded schedule, got %v of %d", all.Total, len(all.Items))
	}
	byName := map[string]schedView{}
	for _, s := range all.Items {
		byName[s.Name] = s
	}
	rollup := byName["Daily at 02:00"]
	if rollup.Flow != "Daily revenue rollup" || rollup.Cron != "0 0 2 * * ?" || rollup.When != "every day at 02:00" ||
		!strings.HasPrefix(rollup.LastRun, "error at ") {
		t.Fatalf("rollup schedule: %+v", rollup)
	}
	times := nextRunTimes(t, rollup)
	if len(times) != 3 || !times[0].After(time.Now()) || times[1].Sub(times[0]) != 24*time.Hour {
		t.Fatalf("next runs of a daily schedule: %v", times)
	}
	if six := byName["Every 6 hours"]; six.When != "every 6 hours at minute 10" && six.When != "at 00:10, 06:10, 12:10 and 18:10" {
		t.Errorf("six-hourly schedule phrase: %+v", six)
	}
	if legacy := byName["Daily at 00:15"]; legacy.Enabled || legacy.NextRuns != "none while paused" {
		t.Errorf("the retired schedule is paused with no next runs: %+v", legacy)
	}

	var paused schedPage
	e.ok("list_schedules", map[string]any{"enabled": false}, &paused)
	if len(paused.Items) != 1 || paused.Items[0].Enabled {
		t.Fatalf("enabled=false: %+v", paused.Items)
	}
	var forFlow schedPage
	e.ok("list_schedules", map[string]any{"flow": "Daily revenue rollup"}, &forFlow)
	if len(forFlow.Items) != 1 || forFlow.Items[0].Name != "Daily at 02:00" {
		t.Fatalf("flow filter: %+v", forFlow.Items)
	}
	mustContain(t, e.fails("list_schedules", map[string]any{"flow": "Daily revenue rolup"}), `"Daily revenue rollup"`)
	mustContain(t, e.fails("list_schedules", map[string]any{"enabled": "yes"}), `"enabled" must be a boolean`)
}

func TestCreateSchedule(t *testing.T) {
	e := newEnv(t)
	var made struct {
		Created schedView `json:"created"`
		Next    toolCall  `json:"next"`
	}
	// A dry run shows what would be sent and changes nothing.
	var dry map[string]any
	e.ok("create_schedule", map[string]any{"flow": "Export revenue report", "cron": "0 30 1 ? * MON-FRI",
		"params": map[string]any{"region": "eu", "db_password": "planted-dry-secret"}, "dry_run": true}, &dry)
	would, _ := dry["would_send"].(map[string]any)
	if dry["dry_run"] != true || dry["created"] != false || would["schedule"] != "0 30 1 ? * MON-FRI" || len(dry["checks"].([]any)) == 0 {
		t.Fatalf("dry run: %v", dry)
	}
	if runs, ok := dry["next_runs"].([]any); !ok || len(runs) != 3 {
		t.Fatalf("dry run next_runs: %v", dry["next_runs"])
	}
	if b, _ := json.Marshal(dry); strings.Contains(string(b), "planted-dry-secret") {
		t.Fatalf("a dry run shows a secret: %s", b)
	}
	var none schedPage
	e.ok("list_schedules", map[string]any{"flow": "Export revenue report"}, &none)
	if len(none.Items) != 1 {
		t.Fatalf("a dry run created a schedule: %+v", none.Items)
	}
	e.ok("create_schedule", map[string]any{"flow": "Export revenue report", "cron": "0 30 1 ? * MON-FRI",
		"params": map[string]any{"region": "eu"}}, &made)
	c := made.Created
	if c.ID == 0 || c.Name != "Export revenue report (at 01:30 on Monday to Friday)" || !c.Enabled || c.Params["region"] != "eu" {
		t.Fatalf("created: %+v", c)
	}
	for _, tm := range nextRunTimes(t, c) {
		if wd := tm.Weekday(); wd == time.Saturday || wd == time.Sunday {
			t.Errorf("a weekday schedule fires on %s", tm)
		}
	}
	if made.Next.Tool != "update_schedule" || made.Next.Arguments["schedule"] != float64(c.ID) {
		t.Fatalf("next: %+v", made.Next)
	}
	// "parameters", the old name, still works for a release; both at once is refused.
	e.ok("create_schedule", map[string]any{"flow": "Export revenue report", "cron": "0 0 5 * * ?", "name": "Alias",
		"parameters": map[string]any{"region": "us"}}, &made)
	if made.Created.Params["region"] != "us" {
		t.Fatalf("the parameters alias: %+v", made.Created)
	}
	mustContain(t, e.fails("create_schedule", map[string]any{"flow": "Export revenue report", "cron": "5m",
		"params": map[string]any{"a": "1"}, "parameters": map[string]any{"a": "2"}}), `give "params" only`)
	e.ok("create_schedule", map[string]any{"flow": "Export revenue report", "cron": "15", "name": "Quarter hourly", "paused": true}, &made)
	if made.Created.Enabled || made.Created.When != "every 15 minutes" || made.Created.NextRuns != "none while paused" {
		t.Fatalf("paused interval schedule: %+v", made.Created)
	}

	mustContain(t, e.fails("create_schedule", map[string]any{"flow": "Export revenue report", "cron": "0 61 2 * * ?"}),
		`"cron"`, `minute field "61" is out of range 0-59`)
	mustContain(t, e.fails("create_schedule", map[string]any{"flow": "Export revenue report", "cron": "every night"}), `"cron"`, "Quartz")
	mustContain(t, e.fails("create_schedule", map[string]any{"flow": "Export revenue report", "cron": "0 2 * * *"}), "5-field Unix cron")
	mustContain(t, e.fails("create_schedule", map[string]any{"flow": "Export revenue report"}), `"cron" is required`)
	mustContain(t, e.fails("create_schedule", map[string]any{"flow": "Nope", "cron": "5m"}), `flow "Nope" not found`)
	// The server has the last word on what the tool cannot check, such as a taken name.
	mustContain(t, e.fails("create_schedule", map[string]any{"flow": "Export revenue report", "cron": "5m", "name": "Quarter hourly"}),
		"already exists")
}

func TestUpdateSchedule(t *testing.T) {
	e := newEnv(t)
	name := "Daily at 01:40"
	var dry struct {
		DryRun   bool          `json:"dry_run"`
		Changes  []schedChange `json:"changes"`
		NextRuns any           `json:"next_runs"`
	}
	e.ok("update_schedule", map[string]any{"schedule": name, "enabled": false, "dry_run": true}, &dry)
	if !dry.DryRun || len(dry.Changes) != 1 || dry.Changes[0].Field != "enabled" || dry.NextRuns != "none while paused" {
		t.Fatalf("dry run pause: %+v", dry)
	}
	var still schedPage
	e.ok("list_schedules", map[string]any{"flow": "Load product catalog"}, &still)
	if still.Items[0].Name != name || !still.Items[0].Enabled {
		t.Fatal("a dry run paused the schedule")
	}
	e.ok("update_schedule", map[string]any{"schedule": name, "params": map[string]any{"x": "1"}, "dry_run": true}, &dry)
	if _, isList := dry.NextRuns.([]any); !isList {
		t.Errorf("a parameter change keeps the current next runs: %v", dry.NextRuns)
	}
	e.ok("update_schedule", map[string]any{"schedule": name, "cron": "0 0 9 ? * MON", "dry_run": true}, &dry)
	runs, isList := dry.NextRuns.([]any)
	if !isList || len(runs) != 3 {
		t.Fatalf("a dry run of a new expression previews its next fire times: %v", dry.NextRuns)
	}
	for _, r := range runs {
		at, err := time.Parse(time.RFC3339, r.(string))
		if err != nil || at.Weekday() != time.Monday || at.Hour() != 9 || at.Minute() != 0 {
			t.Errorf("fire time %v does not match \"0 0 9 ? * MON\" (Mondays at 09:00 UTC)", r)
		}
	}
	mustContain(t, e.fails("update_schedule", map[string]any{"schedule": name, "cron": "0 61 * * * ?", "dry_run": true}), "61")

	var upd struct {
		Updated schedView     `json:"updated"`
		Changes []schedChange `json:"changes"`
		Undo    toolCall      `json:"undo"`
	}
	e.ok("update_schedule", map[string]any{"schedule": name, "enabled": false}, &upd)
	if upd.Updated.Enabled || upd.Updated.NextRuns != "none while paused" || upd.Undo.Tool != "update_schedule" || upd.Undo.Arguments["enabled"] != true {
		t.Fatalf("pause: %+v", upd)
	}
	e.ok("update_schedule", map[string]any{"schedule": name, "enabled": true, "cron": "0 */10 * * * ?",
		"parameters": map[string]any{"region": "eu"}}, &upd) // the old name, accepted for a release
	times := nextRunTimes(t, upd.Updated)
	if !upd.Updated.Enabled || upd.Updated.When != "every 10 minutes" || len(times) != 3 || times[1].Sub(times[0]) != 10*time.Minute ||
		upd.Updated.Params["region"] != "eu" || len(upd.Changes) != 3 {
		t.Fatalf("resume + reschedule + parameters: %+v", upd)
	}
	mustContain(t, upd.Undo.String(), `"cron":"0 40 1 * * ?"`, `"enabled":false`, `"params":{"region":""}`)
	var removed struct {
		Updated schedView `json:"updated"`
	}
	e.ok("update_schedule", map[string]any{"schedule": upd.Updated.ID, "params": map[string]any{"region": ""}}, &removed)
	if removed.Updated.ID != upd.Updated.ID || len(removed.Updated.Params) != 0 {
		t.Fatalf("an empty value removes a parameter: %+v", removed.Updated)
	}
	var same map[string]any
	e.ok("update_schedule", map[string]any{"schedule": name, "enabled": true}, &same)
	if same["changed"] != false {
		t.Fatalf("no-op update: %v", same)
	}

	mustContain(t, e.fails("update_schedule", map[string]any{"schedule": name}), "give at least one change")
	mustContain(t, e.fails("update_schedule", map[string]any{"schedule": name, "cron": "0 0 25 * * ?"}), `"cron"`, "hour field")
	mustContain(t, e.fails("update_schedule", map[string]any{"schedule": "Daily at 1:40", "enabled": false}),
		`schedule "Daily at 1:40" not found`, `"Daily at 01:40"`, "list_schedules")
	mustContain(t, e.fails("update_schedule", map[string]any{"schedule": 9999, "enabled": false}), `schedule "9999" not found`)
	mustContain(t, e.fails("update_schedule", map[string]any{"schedule": name, "paused": true}), `unknown field "paused"`)
}

func TestDeleteScheduleAndRestore(t *testing.T) {
	e := newEnv(t)
	var out map[string]any
	e.confirmed("delete_schedule", map[string]any{"schedule": "Daily at 06:00"}, &out)
	if out["recycle_bin_id"] == nil || undoOf(t, out).Tool != "restore_deleted" {
		t.Fatalf("delete result must say how to undo it: %v", out)
	}
	mustContain(t, e.fails("update_schedule", map[string]any{"schedule": "Daily at 06:00", "enabled": false}), "not found")

	var restored struct {
		Restored []string `json:"restored"`
		Reused   []string `json:"reused"`
	}
	e.ok("restore_deleted", map[string]any{"item": "Daily at 06:00", "type": "schedule"}, &restored)
	if len(restored.Restored) != 1 || !strings.HasPrefix(restored.Restored[0], "schedule ") || len(restored.Reused) != 1 ||
		!strings.HasPrefix(restored.Reused[0], "flow ") {
		t.Fatalf("restore: %+v", restored)
	}
	var back schedPage
	e.ok("list_schedules", map[string]any{"limit": 100}, &back)
	found := false
	for _, s := range back.Items {
		found = found || s.Name == "Daily at 06:00"
	}
	if !found {
		t.Fatal("the restored schedule is not listed")
	}
	mustContain(t, e.fails("delete_schedule", map[string]any{"schedule": "Nope"}), `schedule "Nope" not found`)
	logConfirmations(t)
}

// A declined confirmation changes nothing.
func TestDeleteScheduleDeclined(t *testing.T) {
	no := &elicitAnswer{accept: false}
	e := newElicitingEnv(t, no)
	mustContain(t, e.ok("delete_schedule", map[string]any{"schedule": "Daily at 06:00"}, nil), `"status":"declined"`, `"nothing_done":true`)
	var page schedPage
	e.ok("list_schedules", map[string]any{"limit": 100}, &page)
	if *page.Total != 12 || no.asked.Load() != 1 {
		t.Fatalf("after a declined delete: %d schedules, asked %d", *page.Total, no.asked.Load())
	}
	logConfirmations(t)
}

func TestWebhooks(t *testing.T) {
	e := newEnv(t)
	var made struct {
		Created webhookView `json:"created"`
	}
	e.ok("create_webhook", map[string]any{"name": "Failures", "url": "http://127.0.0.1:9/hook?token=abc123secret",
		"events": []any{"Flow.Failed"}, "secret": "hmac-key-XYZ"}, &made)
	w := made.Created
	if w.ID == 0 || !w.Enabled || !w.Signed || w.Method != "POST" || strings.Contains(w.URL, "abc123secret") {
		t.Fatalf("created: %+v", w)
	}
	var page struct {
		Items []webhookView `json:"items"`
	}
	text := e.ok("list_webhooks", map[string]any{}, &page)
	if len(page.Items) != 1 || page.Items[0].Name != "Failures" {
		t.Fatalf("list: %s", text)
	}
	if strings.Contains(text, "hmac-key-XYZ") || strings.Contains(text, "abc123secret") {
		t.Fatalf("list_webhooks shows a secret: %s", text)
	}

	mustContain(t, e.fails("create_webhook", map[string]any{"name": "x", "url": "ftp://h/x", "events": []any{"Flow.Failed"}}), `"url" must be an absolute http(s) URL`)
	mustContain(t, e.fails("create_webhook", map[string]any{"name": "x", "url": "http://127.0.0.1/x", "events": []any{}}), `"events" must list at least one`)
	mustContain(t, e.fails("create_webhook", map[string]any{"name": "x", "url": "http://127.0.0.1/x", "events": []any{"flow failed"}}), "<Entity>.<Verb>")
	mustContain(t, e.fails("create_webhook", map[string]any{"name": "x", "url": "http://127.0.0.1/x", "events": []any{"Flow.Exploded"}}),
		"400", "unknown event 'Flow.Exploded'")
	mustContain(t, e.fails("create_webhook", map[string]any{"name": "x", "url": "http://127.0.0.1/x", "events": []any{"Flow.Failed"}, "method": "PUT"}),
		`"method" must be one of POST, GET`)

	var del map[string]any
	e.confirmed("delete_webhook", map[string]any{"webhook": "Failures"}, &del)
	undo := undoOf(t, del).String()
	mustContain(t, undo, `"tool":"create_webhook"`, `"events":["Flow.Failed"]`, `add \"secret\"`, "hidden credentials")
	if strings.Contains(undo, "abc123secret") {
		t.Fatalf("the undo hint shows the URL's token: %s", undo)
	}
	e.ok("list_webhooks", map[string]any{}, &page)
	if len(page.Items) != 0 {
		t.Fatalf("after delete: %+v", page.Items)
	}
	mustContain(t, e.fails("delete_webhook", map[string]any{"webhook": "Failures"}), `webhook "Failures" not found`)
	logConfirmations(t)
}

func TestListListeners(t *testing.T) {
	e := newEnv(t)
	var page struct {
		Items []listenerView `json:"items"`
	}
	e.ok("list_listeners", map[string]any{}, &page)
	if len(page.Items) != 2 {
		t.Fatalf("want the 2 seeded listeners: %+v", page.Items)
	}
	l := page.Items[1]
	if l.Flow != "Load product catalog" || !strings.HasSuffix(l.Endpoint, "/rest/v1/httplistener/catalog/{partner}/upload") ||
		l.Method != "PUT" || l.Auth != "Basic in header" {
		t.Fatalf("listener: %+v", l)
	}
	e.ok("list_listeners", map[string]any{"flow": "Import Shopify orders"}, &page)
	if len(page.Items) != 1 || page.Items[0].Name != "Shopify order webhook" {
		t.Fatalf("flow filter: %+v", page.Items)
	}
	e.ok("list_listeners", map[string]any{"flow": "Daily revenue rollup"}, &page)
	if len(page.Items) != 0 {
		t.Fatalf("a flow without listeners: %+v", page.Items)
	}
	var raw map[string]json.RawMessage
	e.ok("list_listeners", map[string]any{"limit": 1}, &raw)
	if string(raw["total"]) != "2" || raw["next_cursor"] == nil {
		t.Fatalf("paging: %v", raw)
	}
}
