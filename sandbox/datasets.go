package sandbox

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// dataset is the records one transformation moves, held in memory (demo data is small).
// Values are nil, int64, float64 or string.
type dataset struct {
	columns []string
	rows    [][]any
}

// rename changes a column name (a mapping); it reports whether the column existed.
func (ds *dataset) rename(from, to string) bool {
	for i, c := range ds.columns {
		if strings.EqualFold(c, from) {
			ds.columns[i] = to
			return true
		}
	}
	return false
}

// readFile reads a CSV (header row first) or JSON (array of objects) file. skipped counts CSV
// lines whose field count does not match the header; they are left out.
func readFile(path, format string) (*dataset, int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	if format == "JSON" {
		ds, err := parseJSONRecords(b)
		return ds, 0, err
	}
	return parseCSV(b)
}

func parseCSV(b []byte) (*dataset, int, error) {
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return &dataset{}, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	ds := &dataset{columns: header}
	skipped := 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, 0, err
		}
		if len(rec) != len(header) {
			skipped++
			continue
		}
		row := make([]any, len(rec))
		for i, v := range rec {
			row[i] = v
		}
		ds.rows = append(ds.rows, row)
	}
	return ds, skipped, nil
}

// parseJSONRecords reads an array of flat objects, keeping the key order of first appearance.
func parseJSONRecords(b []byte) (*dataset, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("expected a JSON array of objects: %w", err)
	}
	ds := &dataset{}
	index := map[string]int{}
	var objects []map[string]any
	for _, item := range raw {
		obj := map[string]any{}
		dec := json.NewDecoder(bytes.NewReader(item))
		dec.UseNumber()
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			return nil, errors.New("expected a JSON array of objects")
		}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return nil, err
			}
			key, _ := tok.(string)
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return nil, err
			}
			if _, ok := index[key]; !ok {
				index[key] = len(ds.columns)
				ds.columns = append(ds.columns, key)
			}
			obj[key] = jsonScalar(v)
		}
		objects = append(objects, obj)
	}
	for _, obj := range objects {
		row := make([]any, len(ds.columns))
		for k, v := range obj {
			row[index[k]] = v
		}
		ds.rows = append(ds.rows, row)
	}
	return ds, nil
}

// jsonScalar turns a JSON value into a dataset value; nested values stay JSON text.
func jsonScalar(v json.RawMessage) any {
	var x any
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	if dec.Decode(&x) != nil {
		return string(v)
	}
	switch t := x.(type) {
	case nil:
		return nil
	case string:
		return t
	case bool:
		if t {
			return int64(1)
		}
		return int64(0)
	case json.Number:
		if n, err := t.Int64(); err == nil {
			return n
		}
		if f, err := t.Float64(); err == nil {
			return f
		}
	}
	return string(v)
}

// writeFile writes a dataset as CSV or JSON through a temporary file, so readers never see half a file.
// Appending adds CSV rows without a second header, or merges into an existing JSON array.
func writeFile(path, format string, ds *dataset, appendMode bool) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	var b []byte
	var err error
	if format == "JSON" {
		b, err = encodeJSONRecords(path, ds, appendMode)
	} else {
		b, err = encodeCSV(path, ds, appendMode)
	}
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func encodeCSV(path string, ds *dataset, appendMode bool) ([]byte, error) {
	var buf bytes.Buffer
	existing, err := os.ReadFile(path)
	if appendMode && err == nil && len(existing) > 0 {
		buf.Write(existing)
	} else if err := csv.NewWriter(&buf).WriteAll([][]string{ds.columns}); err != nil {
		return nil, err
	}
	w := csv.NewWriter(&buf)
	for _, row := range ds.rows {
		rec := make([]string, len(row))
		for i, v := range row {
			rec[i] = textValue(v)
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

func encodeJSONRecords(path string, ds *dataset, appendMode bool) ([]byte, error) {
	var items []json.RawMessage
	if existing, err := os.ReadFile(path); appendMode && err == nil {
		_ = json.Unmarshal(existing, &items) // a file that is not a JSON array is replaced
	}
	for _, row := range ds.rows {
		var b bytes.Buffer
		b.WriteByte('{')
		for i, c := range ds.columns {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(c)
			v, err := json.Marshal(row[i])
			if err != nil {
				return nil, err
			}
			b.Write(k)
			b.WriteByte(':')
			b.Write(v)
		}
		b.WriteByte('}')
		items = append(items, b.Bytes())
	}
	if items == nil {
		items = []json.RawMessage{}
	}
	return json.MarshalIndent(items, "", "  ")
}

// textValue renders a dataset value for CSV.
func textValue(v any) string {
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

// queryDataset runs a query and reads all its rows.
func queryDataset(ctx context.Context, db *sql.DB, query string) (*dataset, error) {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	ds := &dataset{columns: cols}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		for i, v := range vals {
			vals[i] = normalizeValue(v)
		}
		ds.rows = append(ds.rows, vals)
	}
	return ds, rows.Err()
}

// normalizeValue maps driver values onto the dataset value types.
func normalizeValue(v any) any {
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

// quoteIdent quotes an SQL identifier for SQLite.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// columnType infers INTEGER, REAL or TEXT from a column's values, so loaded CSV numbers stay numbers.
func columnType(rows [][]any, col int) string {
	rank := 0 // 0 unknown, 1 INTEGER, 2 REAL, 3 TEXT
	for _, row := range rows {
		r := 3
		switch v := row[col].(type) {
		case nil:
			continue
		case int64:
			r = 1
		case float64:
			r = 2
		case string:
			r = numericRank(v)
		}
		rank = max(rank, r)
		if rank == 3 {
			break
		}
	}
	switch rank {
	case 1:
		return "INTEGER"
	case 2:
		return "REAL"
	}
	return "TEXT"
}

// numericRank classifies text: 1 integer, 2 decimal, 3 anything else (including zero-padded codes).
func numericRank(s string) int {
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || (len(digits) > 1 && digits[0] == '0' && digits[1] != '.') {
		return 3
	}
	dots := 0
	for _, c := range digits {
		switch {
		case c == '.':
			dots++
		case c < '0' || c > '9':
			return 3
		}
	}
	switch {
	case dots == 0:
		return 1
	case dots == 1 && digits[0] != '.' && digits[len(digits)-1] != '.':
		return 2
	}
	return 3
}

// prepareTable readies a destination table: replace drops and re-creates it, append creates it
// when missing. It reports whether the table was re-created.
func prepareTable(ctx context.Context, db *sql.DB, table, mode string, ds *dataset) (bool, error) {
	defs := make([]string, len(ds.columns))
	for i, c := range ds.columns {
		defs[i] = quoteIdent(c) + " " + columnType(ds.rows, i)
	}
	create := "CREATE TABLE IF NOT EXISTS " + quoteIdent(table) + " (" + strings.Join(defs, ", ") + ")"
	if mode != "replace" {
		_, err := db.ExecContext(ctx, create)
		return false, err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	if _, err := tx.ExecContext(ctx, "DROP TABLE IF EXISTS "+quoteIdent(table)); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, create); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// insertRows inserts a dataset in batches of batchSize, one transaction each, calling progress
// with the running total after each batch.
func insertRows(ctx context.Context, db *sql.DB, table string, ds *dataset, progress func(done int) error) error {
	cols := make([]string, len(ds.columns))
	marks := make([]string, len(ds.columns))
	for i, c := range ds.columns {
		cols[i], marks[i] = quoteIdent(c), "?"
	}
	stmt := "INSERT INTO " + quoteIdent(table) + " (" + strings.Join(cols, ", ") + ") VALUES (" + strings.Join(marks, ", ") + ")"
	return batches(len(ds.rows), func(done int) error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback() //nolint:errcheck // no-op after Commit
		for _, row := range ds.rows[batchStart(done):done] {
			if _, err := tx.ExecContext(ctx, stmt, row...); err != nil {
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		if progress == nil {
			return nil
		}
		return progress(done)
	})
}

// batchStart is the first record index of the batch that ends at done.
func batchStart(done int) int {
	return (done - 1) / batchSize * batchSize
}

// execScript runs one or more SQL statements in a transaction and returns the rows they changed.
func execScript(ctx context.Context, db *sql.DB, script string) (int, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	var before, after int64
	if err := tx.QueryRowContext(ctx, "SELECT total_changes()").Scan(&before); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, script); err != nil {
		return 0, err
	}
	if err := tx.QueryRowContext(ctx, "SELECT total_changes()").Scan(&after); err != nil {
		return 0, err
	}
	return int(after - before), tx.Commit()
}
