package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/etlworks/etlworks-mcp/internal/prose"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/dataset"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/runlog"
)

// SQL on a connection's SQLite database for the explorer. Reads run on a
// private handle that SQLite itself keeps read-only, so a bug in any statement classifier above
// could not turn a read into a write: the file is opened with mode=ro, query_only is on, ATTACH
// (and with it VACUUM INTO) is disabled, and an authorizer refuses pragma assignments. Only a
// request with "allowWrites": true gets a read-write handle (still private, still without ATTACH).

// Explorer query limits.
const (
	defaultMaxRows = 100
	maxMaxRows     = 10000
	queryTimeout   = 30 * time.Second
	// maxResultBytes bounds the cell data of one answer as it is read: rows past it are not read
	// and the result is marked truncated.
	maxResultBytes = 4 << 20
	// maxCellBytes bounds one text or blob cell; a longer one is cut and the result marked truncated.
	maxCellBytes = 64 << 10
	// maxValueBytes is SQLite's own length limit on explorer handles, so no statement can build a
	// value (zeroblob(50000000), a huge printf) bigger than this in the first place.
	maxValueBytes = 8 << 20
)

// queryColumn and queryResult are the QueryResult of the explorer's data and sql endpoints.
type queryColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

type queryResult struct {
	Columns      []queryColumn `json:"columns"`
	Rows         [][]any       `json:"rows"`
	RowCount     int           `json:"rowCount"`
	Truncated    bool          `json:"truncated"`
	DurationMs   int64         `json:"durationMs"`
	RowsAffected *int64        `json:"rowsAffected,omitempty"` // only for allowWrites requests
}

// readOnlyPragmas take an argument but only read; any other pragma with an argument is refused on
// a read-only handle, so "PRAGMA query_only = 0" cannot lift the protection.
var readOnlyPragmas = map[string]bool{"table_info": true, "table_xinfo": true, "table_list": true, "index_list": true,
	"index_info": true, "index_xinfo": true, "foreign_key_list": true, "foreign_key_check": true,
	"integrity_check": true, "quick_check": true}

func readOnlyAuthorizer(action sqlite.AuthorizerActionCode, arg1, arg2, _, _ string) sqlite.AuthorizerReturnCode {
	switch action {
	case sqlite.AuthAttach, sqlite.AuthDetach:
		return sqlite.AuthorizerDeny
	case sqlite.AuthPragma:
		if arg2 != "" && !readOnlyPragmas[strings.ToLower(arg1)] {
			return sqlite.AuthorizerDeny
		}
	}
	return sqlite.AuthorizerOK
}

// openPrivate opens a single-connection handle of its own on the database file at path, so nothing
// a statement changes in the connection's state (pragmas, an open transaction) outlives the request.
// Both kinds refuse ATTACH; the read-only kind adds mode=ro (a missing file is an error: it never
// creates one), query_only and the authorizer.
func openPrivate(ctx context.Context, path string, readOnly bool) (conn *sql.Conn, release func(), err error) {
	mode := "rw"
	if readOnly {
		mode = "ro&_query_only=1"
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode="+mode+"&_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, nil, err
	}
	db.SetMaxOpenConns(1)
	conn, err = db.Conn(ctx)
	if err == nil {
		_, err = sqlite.Limit(conn, sqlite3.SQLITE_LIMIT_ATTACHED, 0)
	}
	if err == nil {
		_, err = sqlite.Limit(conn, sqlite3.SQLITE_LIMIT_LENGTH, maxValueBytes)
	}
	if err == nil && readOnly {
		err = conn.Raw(func(dc any) error {
			reg, ok := dc.(sqlite.AuthorizerRegisterer)
			if !ok {
				return fmt.Errorf("sqlite driver connection %T has no authorizer", dc)
			}
			return reg.RegisterAuthorizer(readOnlyAuthorizer)
		})
	}
	if err != nil {
		if conn != nil {
			conn.Close()
		}
		db.Close()
		return nil, nil, err
	}
	return conn, func() { conn.Close(); db.Close() }, nil
}

// checkDatabaseAccount refuses a connection whose stored user and password the database does not
// accept, with the message a run would fail with.
func (s *Sandbox) checkDatabaseAccount(ctx context.Context, c connection) error {
	login, password, err := s.st.dbAccountFold(ctx, cleanRel(c.Properties[model.PropDatabase]))
	switch {
	case errors.Is(err, errNotFound):
		return nil
	case err != nil:
		return err
	case c.Properties[model.PropUser] != login || c.Properties[model.PropPassword] != password:
		return badRequest("%s", runlog.AuthError(c).Message)
	}
	return nil
}

// openExplorerDB returns a private handle on a SQLite connection's database after the same checks
// a run makes: read-only, or read-write with write (never creating the file, and with ATTACH
// disabled, so writes stay inside this database file).
func (s *Sandbox) openExplorerDB(ctx context.Context, c connection, write bool) (*sql.Conn, func(), error) {
	path, err := sandboxDatabasePath(s.root, c.Properties[model.PropDatabase])
	if err != nil {
		return nil, nil, badRequest("Connection '%s': %s", c.Name, err.Error())
	}
	if err := s.checkDatabaseAccount(ctx, c); err != nil {
		return nil, nil, err
	}
	if _, err := os.Stat(path); err != nil {
		return nil, nil, badRequest("Database file '%s' of connection '%s' does not exist", c.Properties[model.PropDatabase], c.Name)
	}
	return openPrivate(ctx, path, !write)
}

// runQuery executes SQL and reads at most maxRows rows. With countChanges the result carries
// rowsAffected, measured by SQLite's total_changes() around the statement.
func runQuery(ctx context.Context, conn *sql.Conn, query string, maxRows int, countChanges bool) (*queryResult, error) {
	started := time.Now()
	var before, after int64
	if countChanges {
		if err := conn.QueryRowContext(ctx, "SELECT total_changes()").Scan(&before); err != nil {
			return nil, err
		}
	}
	rows, err := conn.QueryContext(ctx, query)
	if err != nil {
		return nil, sqlAPIError(ctx, err)
	}
	res, err := readResult(rows, maxRows)
	if err != nil {
		return nil, sqlAPIError(ctx, err)
	}
	if countChanges {
		if err := conn.QueryRowContext(ctx, "SELECT total_changes()").Scan(&after); err != nil {
			return nil, err
		}
		res.RowsAffected = new(after - before)
		if err := noOpenTransaction(ctx, conn); err != nil {
			return nil, err
		}
	}
	res.DurationMs = time.Since(started).Milliseconds()
	return res, nil
}

// noOpenTransaction refuses SQL that began a transaction and left it open: it is rolled back rather
// than committed behind the caller's back. BEGIN succeeds only outside a transaction, so it tells.
func noOpenTransaction(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		_, _ = conn.ExecContext(ctx, "ROLLBACK")
		return badRequest("The SQL left a transaction open (BEGIN without COMMIT or ROLLBACK); it was rolled back and nothing was changed")
	}
	_, err := conn.ExecContext(ctx, "ROLLBACK")
	return err
}

// readResult drains up to maxRows rows (and closes them); a further row marks the result truncated.
// It reads at most maxResultBytes of cell data and cuts cells at maxCellBytes, marking the result
// truncated, so a wide or huge result is bounded while it is read, not after. Column types are the
// declared ones, or inferred from the values for expressions.
func readResult(rows *sql.Rows, maxRows int) (*queryResult, error) {
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	res := &queryResult{Columns: make([]queryColumn, len(types)), Rows: [][]any{}}
	size := 0
	for rows.Next() {
		if len(res.Rows) == maxRows || size > maxResultBytes {
			res.Truncated = true
			break
		}
		vals, err := dataset.ScanRow(rows, len(types))
		if err != nil {
			return nil, err
		}
		for i, v := range vals {
			v, cut := cutCell(v)
			res.Truncated = res.Truncated || cut
			vals[i] = dataset.Normalize(v)
			size += cellSize(vals[i])
		}
		res.Rows = append(res.Rows, vals)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, t := range types {
		typ := strings.ToUpper(t.DatabaseTypeName())
		if typ == "" {
			typ = dataset.ColumnType(res.Rows, i)
		}
		res.Columns[i] = queryColumn{Name: t.Name(), Type: typ}
	}
	res.RowCount = len(res.Rows)
	return res, nil
}

// cutCell cuts a text or blob value to maxCellBytes (text on a rune boundary), reporting whether it did.
func cutCell(v any) (any, bool) {
	switch t := v.(type) {
	case []byte:
		if len(t) > maxCellBytes {
			return t[:maxCellBytes], true
		}
	case string:
		if len(t) > maxCellBytes {
			cut := maxCellBytes
			for cut > 0 && !utf8.RuneStart(t[cut]) {
				cut--
			}
			return t[:cut], true
		}
	}
	return v, false
}

// cellSize estimates the bytes a value adds to the JSON answer (a control byte is escaped as \u00XX).
func cellSize(v any) int {
	s, ok := v.(string)
	if !ok {
		return 8
	}
	n := len(s) + 3
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 {
			n += 5
		}
	}
	return n
}

// sqlAPIError turns a database error into the 400 the API promises, worded as the platform's JDBC
// driver words it; a statement stopped by the query timeout says so.
func sqlAPIError(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return badRequest("The query was cancelled after %s; narrow it or add a LIMIT", queryTimeout)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_AUTH:
			return badRequest("[SQLITE_AUTH] Authorization denied (not authorized): ATTACH, DETACH and pragma assignments are not allowed on a read-only explorer connection")
		case sqlite3.SQLITE_TOOBIG:
			return badRequest("[SQLITE_TOOBIG] A value in the statement or its result is larger than the %d MiB the explorer allows; select part of it (substr) instead",
				maxValueBytes>>20)
		case sqlite3.SQLITE_READONLY:
			return badRequest("%s; explorer SQL runs on a read-only connection unless the request sets \"allowWrites\": true",
				runlog.SQLError(err, "execute").Message)
		}
	}
	return badRequest("%s", runlog.SQLError(err, "execute").Message)
}

// sqlRequest is the body of POST /v1/explorer/{id}/sql. formatId is accepted and ignored.
type sqlRequest struct {
	SQL         string `json:"sql"`
	MaxRows     *int   `json:"maxRows"`
	FormatID    *int64 `json:"formatId"`
	AllowWrites bool   `json:"allowWrites"`
}

// explorerSQLHandler serves POST /v1/explorer/{id}/sql. Reads need Viewer; allowWrites needs
// Editor, runs on the read-write handle, reports rowsAffected and is audited as executeSql.
func (s *Sandbox) explorerSQLHandler(w http.ResponseWriter, r *http.Request, p *principal) error {
	started := time.Now()
	c, err := s.explorerConnection(r)
	if err != nil {
		return err
	}
	var in sqlRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	maxRows := defaultMaxRows
	switch {
	case strings.TrimSpace(in.SQL) == "":
		return badRequest("Field 'sql' is required")
	case in.MaxRows != nil && *in.MaxRows < 1:
		return badRequest("Field 'maxRows' must be a positive number, not %d", *in.MaxRows)
	case in.MaxRows != nil:
		maxRows = min(*in.MaxRows, maxMaxRows)
	}
	if c.ConnectionType != model.TypeSQLite {
		return badRequest("SQL is available for database connections; '%s' is a folder, so read a file with GET /rest/v1/explorer/%d/data?object=NAME",
			c.Name, c.ID)
	}
	if in.AllowWrites && rankOf(p.Role) < roleEditor {
		return apiErrorf(http.StatusForbidden, "User '%s' with role %s is not allowed to write with SQL; allowWrites needs Editor or Administrator",
			p.Login, p.Role)
	}
	ctx, cancel := context.WithTimeout(r.Context(), queryTimeout)
	defer cancel()
	res, err := s.explorerQuery(ctx, c, in.SQL, maxRows, in.AllowWrites)
	if in.AllowWrites {
		payload := map[string]any{"connectionId": c.ID, "name": c.Name, "sql": prose.OneLine(in.SQL, 500)}
		if res != nil {
			payload["rowsAffected"] = *res.RowsAffected
		}
		s.recordMutation(r, p, "executeSql", payload, err, started)
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

// explorerQuery runs one query on a SQLite connection with the handle the request may use.
func (s *Sandbox) explorerQuery(ctx context.Context, c connection, query string, maxRows int, write bool) (*queryResult, error) {
	conn, release, err := s.openExplorerDB(ctx, c, write)
	if err != nil {
		return nil, err
	}
	defer release()
	return runQuery(ctx, conn, query, maxRows, write)
}
