package runlog

import (
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the driver the sandbox's demo databases use
)

// TestSQLError checks that a real SQLite failure reads as sqlite-jdbc reports it, with the
// driver and engine frames below it.
func TestSQLError(t *testing.T) {
	t.Parallel()
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = db.Exec(`SELECT amount_usd FROM (SELECT 1 AS amount)`)
	re := SQLError(err, "extract")
	if re.Message != "[SQLITE_ERROR] SQL error or missing database (no such column: amount_usd)" {
		t.Errorf("message = %q", re.Message)
	}
	trace := re.Trace()
	if !strings.HasPrefix(trace, "java.sql.SQLException: [SQLITE_ERROR]") ||
		!strings.Contains(trace, "\n\tat com.toolsverse.etl.connector.sql.SqlConnector.extract(") ||
		!strings.HasSuffix(trace, "\n\tat java.base/java.lang.Thread.run(Thread.java:840)") {
		t.Errorf("trace:\n%s", trace)
	}
}

// TestAsError checks that a run error passes through unchanged and any other error becomes an
// engine exception with the same message.
func TestAsError(t *testing.T) {
	t.Parallel()
	own := EngineError("Flow '%s' failed", "x")
	if AsError(own) != own {
		t.Error("AsError re-wrapped a run error")
	}
	got := AsError(errors.New("disk full"))
	if got.Class != "com.toolsverse.etl.exception.EtlException" || got.Message != "disk full" || len(got.Frames) == 0 {
		t.Errorf("AsError(foreign) = %+v", got)
	}
}

// TestLine checks the log line layout both the engine and the seeded history write.
func TestLine(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 29, 9, 41, 50, 123e6, time.UTC)
	if got := Line(at, "INFO", "Extracted 120 records from orders.csv"); got != "2026-11-29 09:41:50.123 INFO  Extracted 120 records from orders.csv\n" {
		t.Errorf("Line = %q", got)
	}
	if got := Variables(map[string]string{"day": "mon", "password": "x"}); got != "Flow variables: day=mon, password=********" {
		t.Errorf("Variables = %q", got)
	}
}
