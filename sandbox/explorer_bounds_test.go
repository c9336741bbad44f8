package sandbox

import (
	"runtime"
	"strings"
	"testing"
)

// TestExplorerSQLBounded: huge values and wide results are bounded while they are read:
// zeroblob(50000000) is refused by SQLite's own length limit, a 1 MB value is cut, and a result
// of many wide rows stops at the byte budget, each marked truncated.
func TestExplorerSQLBounded(t *testing.T) {
	h := newHarness(t, Options{})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	eb := wantError(t, h.sql(1, map[string]any{"sql": "SELECT zeroblob(50000000) AS z"}), 400, "/rest/v1/explorer/1/sql")
	if !strings.Contains(eb.Message, "SQLITE_TOOBIG") || !strings.Contains(eb.Message, "substr") {
		t.Errorf("zeroblob(50000000): %q", eb.Message)
	}

	var res queryResult
	h.ok("POST", "/rest/v1/explorer/1/sql", map[string]any{"sql": "SELECT zeroblob(1000000) AS z, 1 AS n"}, &res)
	if cell, _ := res.Rows[0][0].(string); len(cell) != maxCellBytes || !res.Truncated || res.Rows[0][1] != float64(1) {
		t.Errorf("a 1 MB value: %d bytes, truncated %v", len(cell), res.Truncated)
	}

	res = queryResult{}
	h.ok("POST", "/rest/v1/explorer/1/sql", map[string]any{"maxRows": 10000,
		"sql": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 10000) SELECT printf('%.60000c', 'x') AS wide FROM c"}, &res)
	if !res.Truncated || len(res.Rows) == 0 || len(res.Rows)*60000 > maxResultBytes+60000 {
		t.Errorf("10,000 wide rows: %d kept, truncated %v", len(res.Rows), res.Truncated)
	}

	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 200<<20 {
		t.Errorf("the three queries allocated %d MiB", alloc>>20)
	}
	t.Logf("allocated %d MiB", (after.TotalAlloc-before.TotalAlloc)>>20)
}
