package sandbox

import (
	"database/sql"
	"path/filepath"
	"testing"
)

// TestAutomationMigration opens a data directory written before schedules, listeners and audit
// objects existed: the sandbox adds them, seeds the schedules once and finds objects for old events.
func TestAutomationMigration(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first, err := New(Options{DataDir: dir, RunStep: testStep})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	// Take the state back to its pre-automation shape.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`DROP TABLE schedules`, `DROP TABLE listeners`, `DROP TABLE webhooks`, `DROP TABLE messages`,
		`DROP INDEX audit_object`, `ALTER TABLE audit DROP COLUMN object_type`, `ALTER TABLE audit DROP COLUMN object_id`,
		`ALTER TABLE audit DROP COLUMN object_name`, `DELETE FROM settings WHERE key = 'seeded.automation'`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	db.Close()

	second, err := New(Options{DataDir: dir, RunStep: testStep})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, sb: second, key: second.Credentials().APIKey, srv: newServer(t, second)}
	t.Cleanup(func() { second.Close() })
	var list []schedule
	h.ok("GET", "/rest/v1/schedules", nil, &list)
	if len(list) != seededFlows || list[1].LastRunStatus == nil {
		t.Errorf("schedules after migration: %d", len(list))
	}
	if recs := h.auditOf("object=flow:2&method=editFlow"); len(recs) != 1 || strPtr(recs[0].ObjectName) != "Daily revenue rollup" {
		t.Errorf("old events have no object: %+v", recs)
	}
	var ls []listener
	h.ok("GET", "/rest/v1/listeners", nil, &ls)
	if len(ls) != 2 {
		t.Errorf("listeners after migration: %d", len(ls))
	}
}
