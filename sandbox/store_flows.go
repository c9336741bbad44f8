package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// flowFilter selects flows for GET /v1/flows.
type flowFilter struct {
	name     string // case-insensitive substring of the name
	tag      string // exact tag, case-insensitive
	flowType string
	limit    int
	offset   int
}

const flowSelect = `SELECT f.id, f.name, f.flow_type, f.description, f.tags, f.suspended, f.definition,
	f.created_at, f.updated_at,
	(SELECT e.status FROM executions e WHERE e.flow_id = f.id ORDER BY e.audit_id DESC LIMIT 1),
	(SELECT e.started FROM executions e WHERE e.flow_id = f.id ORDER BY e.audit_id DESC LIMIT 1)
	FROM flows f`

func scanFlow(sc interface{ Scan(...any) error }) (*flow, error) {
	var f flow
	var tags, def string
	var lastStatus sql.NullString
	var lastAt sql.NullInt64
	if err := sc.Scan(&f.ID, &f.Name, &f.FlowType, &f.Description, &tags, &f.Suspended, &def,
		&f.CreatedAt, &f.UpdatedAt, &lastStatus, &lastAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(tags), &f.Tags); err != nil {
		return nil, fmt.Errorf("flow %d tags: %w", f.ID, err)
	}
	var d flowDefinition
	if err := json.Unmarshal([]byte(def), &d); err != nil {
		return nil, fmt.Errorf("flow %d definition: %w", f.ID, err)
	}
	f.Properties, f.Transformations, f.Mappings, f.NestedFlows = d.Properties, d.Transformations, d.Mappings, d.NestedFlows
	if lastStatus.Valid {
		f.LastRunStatus = &lastStatus.String
	}
	if lastAt.Valid {
		f.LastRunAt = &lastAt.Int64
	}
	return &f, nil
}

// listFlows returns one page of matching flows ordered by id, and the total number that match.
func (st *store) listFlows(ctx context.Context, ff flowFilter) ([]*flow, int, error) {
	var c conditions
	if ff.name != "" {
		c.add(`instr(lower(f.name), lower(?)) > 0`, ff.name)
	}
	if ff.tag != "" {
		c.add(`EXISTS (SELECT 1 FROM json_each(f.tags) j WHERE lower(j.value) = lower(?))`, ff.tag)
	}
	if ff.flowType != "" {
		c.add(`f.flow_type = ?`, ff.flowType)
	}
	out, total, err := listPage(ctx, st.db, c, `SELECT COUNT(*) FROM flows f`, flowSelect, ` ORDER BY f.id`,
		ff.limit, ff.offset, scanFlow)
	if err != nil {
		return nil, 0, err
	}
	return out, total, st.resolve(ctx, out...)
}

// The conditions of the one-flow reads: the primary key, and the index of the name's UNIQUE
// NOCASE constraint (names are unique case-insensitively, so the one case-insensitive match is
// also the exact one when there is one). Neither reads more than one flow row.
const (
	flowByIDCond   = ` WHERE f.id = ?`
	flowByNameCond = ` WHERE f.name = ? COLLATE NOCASE`
)

// getFlow returns one flow with its references resolved, or errNotFound.
func (st *store) getFlow(ctx context.Context, id int64) (*flow, error) {
	return st.oneFlow(ctx, flowByIDCond, id)
}

// flowByName finds a flow by name, case-insensitively (see flowByNameCond).
func (st *store) flowByName(ctx context.Context, name string) (*flow, error) {
	return st.oneFlow(ctx, flowByNameCond, name)
}

func (st *store) oneFlow(ctx context.Context, cond string, arg any) (*flow, error) {
	f, err := scanFlow(st.db.QueryRowContext(ctx, flowSelect+cond, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	return f, st.resolve(ctx, f)
}

// flowNames maps every flow id to its name; nested-workflow steps show live names through it.
func (st *store) flowNames(ctx context.Context) (map[int64]string, error) {
	rows, err := st.db.QueryContext(ctx, `SELECT id, name FROM flows`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	names := map[int64]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		names[id] = name
	}
	return names, rows.Err()
}

// flowNamesOf maps the given flow ids to their names, each by its primary key: a read of one flow
// looks up only the flows it nests, never every flow name.
func (st *store) flowNamesOf(ctx context.Context, ids []int64) (map[int64]string, error) {
	names := map[int64]string{}
	for _, id := range ids {
		if _, ok := names[id]; ok {
			continue
		}
		var name string
		err := st.db.QueryRowContext(ctx, `SELECT name FROM flows WHERE id = ?`, id).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			continue // a deleted step keeps the name it was stored with
		}
		if err != nil {
			return nil, err
		}
		names[id] = name
	}
	return names, nil
}

// resolve fills the derived parts of flows: connection names and types in transformations, the
// connections list, nested-flow names, and empty slices where JSON must show [] rather than null.
func (st *store) resolve(ctx context.Context, flows ...*flow) error {
	if len(flows) == 0 {
		return nil
	}
	conns, err := st.connectionIndex(ctx)
	if err != nil {
		return err
	}
	var nested []int64
	for _, f := range flows {
		for _, n := range f.NestedFlows {
			nested = append(nested, n.FlowID)
		}
	}
	names, err := st.flowNamesOf(ctx, nested)
	if err != nil {
		return err
	}
	for _, f := range flows {
		resolveFlow(f, conns, names)
	}
	return nil
}

// resolveFlow resolves one flow against preloaded connections and flow names (see resolve).
func resolveFlow(f *flow, conns map[int64]connection, names map[int64]string) {
	f.Connections = []connectionRef{}
	seen := map[int64]bool{}
	ref := func(id int64) string {
		c, ok := conns[id]
		if !ok {
			return ""
		}
		if !seen[id] {
			seen[id] = true
			f.Connections = append(f.Connections, connectionRef{ID: c.ID, Name: c.Name, ConnectionType: c.ConnectionType})
		}
		return c.Name
	}
	for i := range f.Transformations {
		tr := &f.Transformations[i]
		if n := ref(tr.Source.ConnectionID); n != "" {
			tr.Source.Connection = n
		}
		if tr.Destination.ConnectionID != 0 {
			if n := ref(tr.Destination.ConnectionID); n != "" {
				tr.Destination.Connection = n
			}
		}
	}
	for i := range f.NestedFlows {
		if n, ok := names[f.NestedFlows[i].FlowID]; ok {
			f.NestedFlows[i].Name = n
		}
	}
	fillEmpty(f)
}

// fillEmpty replaces nil maps and slices with empty ones, so JSON shows {} and [] rather than null.
func fillEmpty(f *flow) {
	if f.Properties == nil {
		f.Properties = map[string]string{}
	}
	if f.Tags == nil {
		f.Tags = []string{}
	}
	if f.Transformations == nil {
		f.Transformations = []transformation{}
	}
	if f.Mappings == nil {
		f.Mappings = []mapping{}
	}
	if f.NestedFlows == nil {
		f.NestedFlows = []nestedFlow{}
	}
}

func flowJSON(f *flow) (tags, def string, err error) {
	t, err := json.Marshal(f.Tags)
	if err != nil {
		return "", "", err
	}
	d, err := json.Marshal(flowDefinition{Properties: f.Properties, Transformations: f.Transformations,
		Mappings: f.Mappings, NestedFlows: f.NestedFlows})
	return string(t), string(d), err
}

// insertFlow stores a new flow (seed or POST) and returns its id.
func insertFlow(ctx context.Context, ex execer, f *flow, nowMs int64) (int64, error) {
	tags, def, err := flowJSON(f)
	if err != nil {
		return 0, err
	}
	res, err := ex.ExecContext(ctx, `INSERT INTO flows(name, flow_type, description, tags, suspended, definition,
		created_at, updated_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?)`,
		f.Name, f.FlowType, f.Description, tags, f.Suspended, def, nowMs, nowMs)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// updateFlow replaces a flow's definition; suspension is changed only by setSuspended.
func (st *store) updateFlow(ctx context.Context, f *flow, nowMs int64) error {
	tags, def, err := flowJSON(f)
	if err != nil {
		return err
	}
	return execOne(ctx, st.db, `UPDATE flows SET name = ?, flow_type = ?, description = ?, tags = ?,
		definition = ?, updated_at = ? WHERE id = ?`, f.Name, f.FlowType, f.Description, tags, def, nowMs, f.ID)
}

// setSuspended suspends or resumes a flow.
func (st *store) setSuspended(ctx context.Context, id int64, suspended bool, nowMs int64) error {
	return execOne(ctx, st.db, `UPDATE flows SET suspended = ?, updated_at = ? WHERE id = ?`, suspended, nowMs, id)
}

// deleteFlow moves a flow to the recycle bin (its last state as JSON) together with its schedules
// and listeners (see binFlow); it returns the flow's bin item id and what went with it.
func (st *store) deleteFlow(ctx context.Context, f *flow, by string, nowMs int64) (int64, []deletedArtifact, error) {
	var moved []deletedArtifact
	binID, err := inTx(ctx, st.db, func(tx *sql.Tx) (binID int64, err error) {
		binID, moved, err = binFlow(ctx, tx, f, by, nowMs)
		return binID, err
	})
	return binID, moved, err
}
