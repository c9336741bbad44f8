package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver

	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// schemaVersion is reported by /health as db."schema.version".
const schemaVersion = 1

// errNotFound is returned by store lookups that match no row (model.ErrNotFound, which the
// engine and the seed test for too).
var errNotFound = model.ErrNotFound

// schema creates the state tables. IDs use AUTOINCREMENT so a deleted flow or connection never
// hands its id to a new object, which keeps recycle-bin restores unambiguous.
const schema = `
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tenants (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  login TEXT NOT NULL UNIQUE COLLATE NOCASE,
  email TEXT NOT NULL,
  role TEXT NOT NULL,
  password TEXT NOT NULL,
  api_key TEXT UNIQUE,
  api_key_expires INTEGER,
  tenant_id INTEGER NOT NULL REFERENCES tenants(id));
CREATE TABLE IF NOT EXISTS connections (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  description TEXT NOT NULL DEFAULT '',
  connection_type TEXT NOT NULL,
  properties TEXT NOT NULL DEFAULT '{}',
  tags TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS db_accounts (
  db_file TEXT PRIMARY KEY,
  db_user TEXT NOT NULL,
  db_password TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS flows (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  flow_type TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  tags TEXT NOT NULL DEFAULT '[]',
  suspended INTEGER NOT NULL DEFAULT 0,
  definition TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS executions (
  audit_id INTEGER PRIMARY KEY AUTOINCREMENT,
  flow_id INTEGER NOT NULL,
  flow_name TEXT NOT NULL,
  parent_audit_id INTEGER,
  retries INTEGER,
  event_id INTEGER,
  event_name TEXT,
  message_id TEXT,
  status TEXT NOT NULL,
  started INTEGER NOT NULL,
  ended INTEGER,
  run_user TEXT NOT NULL,
  records INTEGER NOT NULL DEFAULT 0,
  exception TEXT,
  parameters TEXT NOT NULL DEFAULT '{}');
CREATE INDEX IF NOT EXISTS executions_flow ON executions(flow_id, audit_id);
CREATE INDEX IF NOT EXISTS executions_started ON executions(started);
CREATE TABLE IF NOT EXISTS execution_logs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  audit_id INTEGER NOT NULL,
  text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS execution_logs_audit ON execution_logs(audit_id, id);
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  an TEXT NOT NULL,
  md TEXT NOT NULL,
  ur TEXT NOT NULL,
  tn TEXT NOT NULL,
  rt INTEGER NOT NULL,
  payload TEXT,
  ex TEXT,
  hip TEXT NOT NULL DEFAULT '',
  cip TEXT NOT NULL DEFAULT '',
  dn INTEGER NOT NULL DEFAULT 0,
  dt INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS audit_dt ON audit(dt);
CREATE TABLE IF NOT EXISTS recycle_bin (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  artifact_type TEXT NOT NULL,
  artifact_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  artifact TEXT NOT NULL,
  deleted_at INTEGER NOT NULL,
  deleted_by TEXT NOT NULL,
  restorable INTEGER NOT NULL DEFAULT 1,
  dependencies TEXT NOT NULL DEFAULT '[]');
CREATE TABLE IF NOT EXISTS oauth_states (
  state TEXT PRIMARY KEY,
  connection_id INTEGER NOT NULL,
  provider TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  login TEXT NOT NULL,
  expires_at INTEGER NOT NULL);
`

// store owns the state database. It holds exactly one connection: that keeps an in-memory
// database alive for the sandbox's lifetime and serialises writers, so there is no SQLITE_BUSY.
// The price is a rule: never issue a query while a *sql.Rows from this store is still open.
type store struct {
	db *sql.DB
}

// openStore opens the state database at path, or an in-memory one when path is "".
func openStore(ctx context.Context, path string) (*store, error) {
	dsn := ":memory:"
	if path != "" {
		dsn = "file:" + (&url.URL{Path: path}).EscapedPath() +
			"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open state database: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("create state schema: %w", err)
	}
	if err := migrateConnections(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate state schema: %w", err)
	}
	return &store{db: db}, nil
}

// close releases the state database.
func (st *store) close() error { return st.db.Close() }

// setting returns the value stored under key, or errNotFound.
func (st *store) setting(ctx context.Context, key string) (string, error) {
	var v string
	err := st.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errNotFound
	}
	return v, err
}

// sqliteVersion reports the SQLite library version for /health.
func (st *store) sqliteVersion(ctx context.Context) (string, error) {
	var v string
	err := st.db.QueryRowContext(ctx, `SELECT sqlite_version()`).Scan(&v)
	return v, err
}

// user is a sandbox account. Password and APIKey are secrets: never log them.
type user struct {
	ID         int64
	Login      string
	Email      string
	Role       string
	Password   string
	APIKey     string
	TenantID   int64
	TenantName string
}

const userColumns = `u.id, u.login, u.email, u.role, u.password, COALESCE(u.api_key, ''), u.tenant_id, t.name`

func scanUser(row *sql.Row) (*user, error) {
	var u user
	err := row.Scan(&u.ID, &u.Login, &u.Email, &u.Role, &u.Password, &u.APIKey, &u.TenantID, &u.TenantName)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// userByLogin finds a user by login or e-mail (the newer Etlworks docs log in with an e-mail).
func (st *store) userByLogin(ctx context.Context, login string) (*user, error) {
	return scanUser(st.db.QueryRowContext(ctx, `SELECT `+userColumns+`
		FROM users u JOIN tenants t ON t.id = u.tenant_id
		WHERE u.login = ? COLLATE NOCASE OR u.email = ? COLLATE NOCASE`, login, login))
}

// userByAPIKey finds the user owning an unexpired API key.
func (st *store) userByAPIKey(ctx context.Context, key string, nowMs int64) (*user, error) {
	return scanUser(st.db.QueryRowContext(ctx, `SELECT `+userColumns+`
		FROM users u JOIN tenants t ON t.id = u.tenant_id
		WHERE u.api_key = ? AND (u.api_key_expires IS NULL OR u.api_key_expires > ?)`, key, nowMs))
}

// insertUser adds a user during seeding.
func insertUser(ctx context.Context, ex execer, u user) error {
	_, err := ex.ExecContext(ctx, `INSERT INTO users(login, email, role, password, api_key, tenant_id)
		VALUES(?, ?, ?, ?, ?, ?)`, u.Login, u.Email, u.Role, u.Password, u.APIKey, u.TenantID)
	return err
}

// dbAccount returns the credentials a demo database accepts, or errNotFound when it takes any.
// They play the part of the database server's own user table.
func (st *store) dbAccount(ctx context.Context, dbFile string) (login, password string, err error) {
	err = st.db.QueryRowContext(ctx, `SELECT db_user, db_password FROM db_accounts WHERE db_file = ?`, dbFile).
		Scan(&login, &password)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", errNotFound
	}
	return login, password, err
}

// markInterrupted closes out runs left queued or running by a sandbox that stopped abruptly, so a
// persistent DataDir never shows a run that will not finish.
func (st *store) markInterrupted(ctx context.Context, nowMs int64) error {
	_, err := st.db.ExecContext(ctx, `UPDATE executions SET status = ?, ended = ?,
		exception = 'Flow execution was interrupted: the sandbox stopped while the flow was running'
		WHERE status IN (?, ?)`, model.StatusError, nowMs, model.StatusQueued, model.StatusRunning)
	return err
}
