package sandbox

import (
	"context"
	"database/sql"
	"strings"
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

// createdOr is the creation time to store: the one an object brings (seed, restore), else nowMs.
func createdOr(createdAt, nowMs int64) int64 {
	if createdAt == 0 {
		return nowMs
	}
	return createdAt
}

// nameTakenIn reports whether another row of table (not exceptID) already uses name,
// case-insensitively: names of flows, connections and schedules are unique that way.
func (st *store) nameTakenIn(ctx context.Context, table, name string, exceptID int64) (bool, error) {
	var n int
	err := st.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE name = ? COLLATE NOCASE AND id <> ?`,
		name, exceptID).Scan(&n)
	return n > 0, err
}

// inTx runs fn in a transaction of db, committed when fn succeeds and rolled back otherwise, and
// returns what fn returned (the zero value when fn failed).
func inTx[T any](ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) (T, error)) (T, error) {
	var zero T
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return zero, err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	v, err := fn(tx)
	if err != nil {
		return zero, err
	}
	return v, tx.Commit()
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

// scanList is scanAll for a list an answer renders: no rows is an empty slice, so it renders as
// [] rather than null.
func scanList[T any](rows *sql.Rows, err error, scan func(rowScanner) (T, error)) ([]T, error) {
	out, err := scanAll(rows, err, scan)
	if out == nil && err == nil {
		out = []T{}
	}
	return out, err
}

// conditions collects the AND-ed conditions of a list query's WHERE clause and their arguments.
type conditions struct {
	where []string
	args  []any
}

// add appends a condition and the argument of its one placeholder.
func (c *conditions) add(cond string, arg any) {
	c.where = append(c.where, cond)
	c.args = append(c.args, arg)
}

// clause is " WHERE a AND b ...", or "" when no condition was added.
func (c *conditions) clause() string {
	if len(c.where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.where, " AND ")
}

// listPage reads one page of a filtered list and how many rows match in all: count and sel are
// the COUNT(*) and SELECT statements up to their WHERE clause, order the ORDER BY that follows it;
// a limit of -1 means no limit. An empty page is an empty slice, so it renders as [].
func listPage[T any](ctx context.Context, db querier, c conditions, count, sel, order string, limit, offset int,
	scan func(rowScanner) (T, error)) ([]T, int, error) {
	cond := c.clause()
	var total int
	if err := db.QueryRowContext(ctx, count+cond, c.args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.QueryContext(ctx, sel+cond+order+` LIMIT ? OFFSET ?`, append(c.args, limit, offset)...)
	out, err := scanList(rows, err, scan)
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}
