package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Connection types the engine really executes; every other type is simulated.
const (
	typeSQLite    = "connection.db.sqlite"
	typeLocalFile = "connection.file.local"
)

// Connection property keys, following Etlworks' connector descriptor naming
// (field.connection.template.*).
const (
	propDatabase = "field.connection.template.database"
	propFolder   = "field.connection.template.folder"
	propUser     = "field.connection.template.user"
	propPassword = "field.connection.template.password"
	propHost     = "field.connection.template.host"
	propURL      = "field.connection.template.url"
	propBucket   = "field.connection.template.bucket"
)

// isSecretKey reports whether a property or parameter name holds a secret, so it is masked in
// logs, audit payloads and (in a later issue) connection GETs.
func isSecretKey(key string) bool {
	k := strings.ToLower(key)
	for _, s := range []string{"password", "secret", "token", "apikey", "api_key", "accesskey", "privatekey"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

const connectionColumns = `id, name, description, connection_type, properties, tags, created_at, updated_at`

func scanConnection(sc interface{ Scan(...any) error }) (connection, error) {
	var c connection
	var props, tags string
	if err := sc.Scan(&c.ID, &c.Name, &c.Description, &c.ConnectionType, &props, &tags, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(props), &c.Properties); err != nil {
		return c, fmt.Errorf("connection %d properties: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(tags), &c.Tags); err != nil {
		return c, fmt.Errorf("connection %d tags: %w", c.ID, err)
	}
	return c, nil
}

// getConnection returns one connection with its secrets, or errNotFound.
func (st *store) getConnection(ctx context.Context, id int64) (connection, error) {
	c, err := scanConnection(st.db.QueryRowContext(ctx, `SELECT `+connectionColumns+` FROM connections WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, errNotFound
	}
	return c, err
}

// listConnections returns every connection ordered by id.
func (st *store) listConnections(ctx context.Context) ([]connection, error) {
	rows, err := st.db.QueryContext(ctx, `SELECT `+connectionColumns+` FROM connections ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []connection
	for rows.Next() {
		c, err := scanConnection(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// connectionIndex loads all connections keyed by id; flows resolve their references through it.
func (st *store) connectionIndex(ctx context.Context) (map[int64]connection, error) {
	list, err := st.listConnections(ctx)
	if err != nil {
		return nil, err
	}
	idx := make(map[int64]connection, len(list))
	for _, c := range list {
		idx[c.ID] = c
	}
	return idx, nil
}

// insertConnection adds a connection and returns its id.
func insertConnection(ctx context.Context, ex execer, c connection, nowMs int64) (int64, error) {
	props, tags, err := connectionJSON(c)
	if err != nil {
		return 0, err
	}
	res, err := ex.ExecContext(ctx, `INSERT INTO connections(name, description, connection_type, properties, tags,
		created_at, updated_at) VALUES(?, ?, ?, ?, ?, ?, ?)`, c.Name, c.Description, c.ConnectionType, props, tags, nowMs, nowMs)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// updateConnection replaces a connection's fields; it is the write path a later connections API
// (and the tests fixing the CRM password) use.
func (st *store) updateConnection(ctx context.Context, c connection, nowMs int64) error {
	props, tags, err := connectionJSON(c)
	if err != nil {
		return err
	}
	return execOne(ctx, st.db, `UPDATE connections SET name = ?, description = ?, connection_type = ?,
		properties = ?, tags = ?, updated_at = ? WHERE id = ?`, c.Name, c.Description, c.ConnectionType, props, tags, nowMs, c.ID)
}

func connectionJSON(c connection) (props, tags string, err error) {
	if c.Properties == nil {
		c.Properties = map[string]string{}
	}
	if c.Tags == nil {
		c.Tags = []string{}
	}
	p, err := json.Marshal(c.Properties)
	if err != nil {
		return "", "", err
	}
	t, err := json.Marshal(c.Tags)
	return string(p), string(t), err
}

// execer is what both *sql.DB and *sql.Tx offer, so seeding can share insert helpers.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}
