package dataset

import (
	"context"
	"database/sql"
	"strings"
)

// Query runs a query and reads all its rows.
func Query(ctx context.Context, db *sql.DB, query string) (*Table, error) {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	ds := &Table{Columns: cols}
	for rows.Next() {
		vals, err := ScanRow(rows, len(cols))
		if err != nil {
			return nil, err
		}
		for i, v := range vals {
			vals[i] = Normalize(v)
		}
		ds.Rows = append(ds.Rows, vals)
	}
	return ds, rows.Err()
}

// ScanRow reads the current row of rows, n columns wide, into fresh values as the driver gives
// them (see Normalize).
func ScanRow(rows *sql.Rows, n int) ([]any, error) {
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	return vals, nil
}

// QuoteIdent quotes an SQL identifier for SQLite.
func QuoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// ColumnType infers INTEGER, REAL or TEXT from a column's values, so loaded CSV numbers stay numbers.
func ColumnType(rows [][]any, col int) string {
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

// PrepareTable readies a destination table: replace drops and re-creates it, append creates it
// when missing. It reports whether the table was re-created.
func PrepareTable(ctx context.Context, db *sql.DB, table, mode string, ds *Table) (bool, error) {
	defs := make([]string, len(ds.Columns))
	for i, c := range ds.Columns {
		defs[i] = QuoteIdent(c) + " " + ColumnType(ds.Rows, i)
	}
	create := "CREATE TABLE IF NOT EXISTS " + QuoteIdent(table) + " (" + strings.Join(defs, ", ") + ")"
	if mode != "replace" {
		_, err := db.ExecContext(ctx, create)
		return false, err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	if _, err := tx.ExecContext(ctx, "DROP TABLE IF EXISTS "+QuoteIdent(table)); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, create); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// InsertRows inserts a dataset in batches of batchSize, one transaction each, calling progress
// with the running total after each batch.
func InsertRows(ctx context.Context, db *sql.DB, table string, ds *Table, progress func(done int) error) error {
	cols := make([]string, len(ds.Columns))
	marks := make([]string, len(ds.Columns))
	for i, c := range ds.Columns {
		cols[i], marks[i] = QuoteIdent(c), "?"
	}
	stmt := "INSERT INTO " + QuoteIdent(table) + " (" + strings.Join(cols, ", ") + ") VALUES (" + strings.Join(marks, ", ") + ")"
	return Batches(len(ds.Rows), func(done int) error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback() //nolint:errcheck // no-op after Commit
		for _, row := range ds.Rows[batchStart(done):done] {
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

// ExecScript runs one or more SQL statements in a transaction and returns the rows they changed.
func ExecScript(ctx context.Context, db *sql.DB, script string) (int, error) {
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
