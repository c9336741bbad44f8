package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
)

// Store operations behind the connections API: filtered lists, deletes into
// the recycle bin with their dependencies, and the OAuth sign-in states.

// migrateConnections brings a state database created before the connections API up to date. New
// databases get the same columns and tables from schema; this only adds what an old one lacks.
func migrateConnections(ctx context.Context, db *sql.DB) error {
	var n int
	err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_table_info('recycle_bin') WHERE name = 'dependencies'`).Scan(&n)
	if err != nil || n > 0 {
		return err
	}
	_, err = db.ExecContext(ctx, `ALTER TABLE recycle_bin ADD COLUMN dependencies TEXT NOT NULL DEFAULT '[]'`)
	return err
}

// connectionFilter selects connections for GET /v1/connections.
type connectionFilter struct {
	name           string // case-insensitive substring of the name
	tag            string // exact tag, case-insensitive
	connectionType string
	limit, offset  int
}

// listConnectionsPage returns one page of matching connections ordered by id, and how many match.
func (st *store) listConnectionsPage(ctx context.Context, cf connectionFilter) ([]connection, int, error) {
	var c conditions
	if cf.name != "" {
		c.add(`instr(lower(name), lower(?)) > 0`, cf.name)
	}
	if cf.tag != "" {
		c.add(`EXISTS (SELECT 1 FROM json_each(tags) j WHERE lower(j.value) = lower(?))`, cf.tag)
	}
	if cf.connectionType != "" {
		c.add(`connection_type = ?`, cf.connectionType)
	}
	return listPage(ctx, st.db, c, `SELECT COUNT(*) FROM connections`, `SELECT `+connectionColumns+` FROM connections`,
		` ORDER BY id`, cf.limit, cf.offset, scanConnection)
}

// flowUse is a flow that references a connection: a dependency of that connection in the recycle bin.
type flowUse struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// flowsUsingConnection lists the flows whose transformations read from or write to connection id.
func (st *store) flowsUsingConnection(ctx context.Context, id int64) ([]flowUse, error) {
	rows, err := st.db.QueryContext(ctx, `SELECT f.id, f.name FROM flows f
		WHERE EXISTS (SELECT 1 FROM json_each(f.definition, '$.transformations') t
			WHERE json_extract(t.value, '$.source.connectionId') = ?1
			   OR json_extract(t.value, '$.destination.connectionId') = ?1)
		ORDER BY f.id`, id)
	return scanList(rows, err, func(sc rowScanner) (flowUse, error) {
		var u flowUse
		err := sc.Scan(&u.ID, &u.Name)
		return u, err
	})
}

// binDependency is one entry of a recycle-bin item's dependencies column;
// whether it is still active is for the reader to work out at read time.
type binDependency struct {
	ArtifactType string `json:"artifactType"`
	ArtifactID   int64  `json:"artifactId"`
	Name         string `json:"name"`
}

// deleteConnection moves a connection to the recycle bin and returns the bin item id. The artifact
// is the connection's full last state, secrets included, so a restore gives back a working
// connection; whoever serves the recycle bin must mask it. The dependencies are the flows using it.
func (st *store) deleteConnection(ctx context.Context, c connection, usedBy []flowUse, by string, nowMs int64) (int64, error) {
	artifact, err := json.Marshal(c)
	if err != nil {
		return 0, err
	}
	deps := make([]binDependency, len(usedBy))
	for i, u := range usedBy {
		deps[i] = binDependency{ArtifactType: "flow", ArtifactID: u.ID, Name: u.Name}
	}
	depJSON, err := json.Marshal(deps)
	if err != nil {
		return 0, err
	}
	return inTx(ctx, st.db, func(tx *sql.Tx) (int64, error) {
		res, err := tx.ExecContext(ctx, `INSERT INTO recycle_bin(artifact_type, artifact_id, name, artifact, deleted_at,
			deleted_by, dependencies) VALUES('connection', ?, ?, ?, ?, ?, ?)`, c.ID, c.Name, string(artifact), nowMs, by, string(depJSON))
		if err != nil {
			return 0, err
		}
		binID, err := res.LastInsertId()
		if err != nil {
			return 0, err
		}
		return binID, execOne(ctx, tx, `DELETE FROM connections WHERE id = ?`, c.ID)
	})
}

// oauthState is a pending "Sign in with …" for one connection; the state string is single-use.
type oauthState struct {
	State        string
	ConnectionID int64
	Provider     string
	RedirectURI  string
	User         string
	ExpiresAt    int64 // epoch ms
}

// putOAuthState stores a new sign-in state and forgets the expired ones.
func (st *store) putOAuthState(ctx context.Context, s oauthState, nowMs int64) error {
	if _, err := st.db.ExecContext(ctx, `DELETE FROM oauth_states WHERE expires_at <= ?`, nowMs); err != nil {
		return err
	}
	_, err := st.db.ExecContext(ctx, `INSERT INTO oauth_states(state, connection_id, provider, redirect_uri, login, expires_at)
		VALUES(?, ?, ?, ?, ?, ?)`, s.State, s.ConnectionID, s.Provider, s.RedirectURI, s.User, s.ExpiresAt)
	return err
}

// takeOAuthState returns and deletes a sign-in state, or errNotFound; the caller checks expiry.
func (st *store) takeOAuthState(ctx context.Context, state string) (oauthState, error) {
	s := oauthState{State: state}
	err := st.db.QueryRowContext(ctx, `DELETE FROM oauth_states WHERE state = ?
		RETURNING connection_id, provider, redirect_uri, login, expires_at`, state).
		Scan(&s.ConnectionID, &s.Provider, &s.RedirectURI, &s.User, &s.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return s, errNotFound
	}
	return s, err
}

// dbAccountFold is dbAccount matching the file name case-insensitively, so "CRM.DB" on a
// case-insensitive file system cannot skip the account check of "crm.db".
func (st *store) dbAccountFold(ctx context.Context, dbFile string) (login, password string, err error) {
	err = st.db.QueryRowContext(ctx, `SELECT db_user, db_password FROM db_accounts WHERE db_file = ? COLLATE NOCASE`, dbFile).
		Scan(&login, &password)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", errNotFound
	}
	return login, password, err
}
