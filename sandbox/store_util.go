package sandbox

import (
	"context"
	"database/sql"
)

// execOne runs a statement that must touch a row of an existing object: errNotFound when it
// touched none, so handlers answer 404 the same way everywhere.
func execOne(ctx context.Context, db execer, query string, args ...any) error {
	res, err := db.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errNotFound
	}
	return nil
}

// nameTakenIn reports whether another row of table (not exceptID) already uses name,
// case-insensitively: names of flows, connections and schedules are unique that way.
func (st *store) nameTakenIn(ctx context.Context, table, name string, exceptID int64) (bool, error) {
	var n int
	err := st.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE name = ? COLLATE NOCASE AND id <> ?`,
		name, exceptID).Scan(&n)
	return n > 0, err
}

// rowScanner is one row of *sql.Rows or the *sql.Row of a single-row query.
type rowScanner = interface{ Scan(dest ...any) error }

// scanAll reads every row of a query with scan.
func scanAll[T any](rows *sql.Rows, err error, scan func(rowScanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
