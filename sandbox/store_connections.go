package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

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
	return scanAll(rows, err, scanConnection)
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
