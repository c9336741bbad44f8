// Package dataset holds the records a sandbox run moves, in memory (demo data is small), and the
// ways they come and go: CSV and JSON files, and SQLite tables. The run engine, the demo seed and
// the Explorer endpoints all read and write records through it, so a file the engine wrote reads
// back identically in Explorer. Only sandbox and its internal packages can import it.
package dataset

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Table is the records one transformation moves, held in memory (demo data is small).
// Values are nil, int64, float64 or string.
type Table struct {
	Columns []string
	Rows    [][]any
}

// Rename changes a column name (a mapping); it reports whether the column existed.
func (ds *Table) Rename(from, to string) bool {
	for i, c := range ds.Columns {
		if strings.EqualFold(c, from) {
			ds.Columns[i] = to
			return true
		}
	}
	return false
}

// Text renders a dataset value for CSV.
func Text(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case int64:
		return strconv.FormatInt(t, 10)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// Normalize maps driver values onto the dataset value types.
func Normalize(v any) any {
	switch t := v.(type) {
	case []byte:
		return string(t)
	case bool:
		if t {
			return int64(1)
		}
		return int64(0)
	case time.Time:
		if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
			return t.Format(time.DateOnly)
		}
		return t.Format(time.DateTime)
	}
	return v
}

// batchSize is how many records a load writes between progress updates (and pauses).
const batchSize = 50

// Batches calls progress after every batchSize records and after the last one.
func Batches(total int, progress func(done int) error) error {
	for done := min(batchSize, total); done > 0; done = min(done+batchSize, total) {
		if err := progress(done); err != nil {
			return err
		}
		if done == total {
			break
		}
	}
	return nil
}
