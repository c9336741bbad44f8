package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Recycle-bin storage. A bin item keeps an artifact's last state as JSON,
// secrets included (responses mask them), and its dependencies as [{artifactType, artifactId,
// name}]; whether each is still live is worked out when the item is read. A deleted flow takes its
// schedules and listeners with it: each becomes an item of its own, listed among the flow's
// dependencies, and restoring either side restores the other.

// querier is what *sql.DB and *sql.Tx both offer; restores read through their transaction.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// binItem is one row of the recycle_bin table.
type binItem struct {
	ID         int64
	Type       string
	ArtifactID int64
	Name       string
	Artifact   json.RawMessage
	DeletedAt  int64
	DeletedBy  string
	Restorable bool
	Deps       []binDependency
}

const binColumns = `id, artifact_type, artifact_id, name, artifact, deleted_at, deleted_by, restorable, dependencies`

func scanBinItem(sc interface{ Scan(...any) error }) (*binItem, error) {
	var b binItem
	var artifact, deps string
	if err := sc.Scan(&b.ID, &b.Type, &b.ArtifactID, &b.Name, &artifact, &b.DeletedAt, &b.DeletedBy, &b.Restorable, &deps); err != nil {
		return nil, err
	}
	b.Artifact = json.RawMessage(artifact)
	if err := json.Unmarshal([]byte(deps), &b.Deps); err != nil {
		return nil, fmt.Errorf("recycle bin item %d dependencies: %w", b.ID, err)
	}
	return &b, nil
}

// binItems returns the items matching type (exact) and name (substring), newest first.
func binItems(ctx context.Context, q querier, typ, name string) ([]*binItem, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+binColumns+` FROM recycle_bin
		WHERE (? = '' OR artifact_type = ?) AND (? = '' OR instr(lower(name), lower(?)) > 0)
		ORDER BY deleted_at DESC, id DESC`, typ, typ, name, name)
	return scanAll(rows, err, scanBinItem)
}

// oneBinItem returns an item by id, or errNotFound.
func oneBinItem(ctx context.Context, q querier, id int64) (*binItem, error) {
	b, err := scanBinItem(q.QueryRowContext(ctx, `SELECT `+binColumns+` FROM recycle_bin WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	return b, err
}

// latestBinItem returns the newest item holding artifact typ/id, or errNotFound.
func latestBinItem(ctx context.Context, q querier, typ string, id int64) (*binItem, error) {
	b, err := scanBinItem(q.QueryRowContext(ctx, `SELECT `+binColumns+` FROM recycle_bin
		WHERE artifact_type = ? AND artifact_id = ? ORDER BY id DESC LIMIT 1`, typ, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	return b, err
}

// liveTables maps the restorable artifact types to their tables.
var liveTables = map[string]string{"flow": "flows", "connection": "connections", "schedule": "schedules", "listener": "listeners"}

// liveByID reports whether a live artifact has this id, and its name.
func liveByID(ctx context.Context, q querier, typ string, id int64) (string, bool, error) {
	table := liveTables[typ]
	if table == "" {
		return "", false, nil
	}
	var name string
	err := q.QueryRowContext(ctx, `SELECT name FROM `+table+` WHERE id = ?`, id).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return name, err == nil, err
}

// liveByName reports whether a live artifact has this name (case-insensitive), and its id.
func liveByName(ctx context.Context, q querier, typ, name string) (int64, bool, error) {
	table := liveTables[typ]
	if table == "" || strings.TrimSpace(name) == "" {
		return 0, false, nil
	}
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM `+table+` WHERE name = ? COLLATE NOCASE`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, err
}

// binMove writes a recycle-bin item for an artifact and runs del (with the artifact id) inside tx.
func binMove(ctx context.Context, tx *sql.Tx, typ string, id int64, name string, artifact any, deps []binDependency,
	by string, nowMs int64, del string) (int64, error) {
	a, err := json.Marshal(artifact)
	if err != nil {
		return 0, err
	}
	if deps == nil {
		deps = []binDependency{}
	}
	d, err := json.Marshal(deps)
	if err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO recycle_bin(artifact_type, artifact_id, name, artifact, deleted_at,
		deleted_by, dependencies) VALUES(?, ?, ?, ?, ?, ?, ?)`, typ, id, name, string(a), nowMs, by, string(d))
	if err != nil {
		return 0, err
	}
	binID, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	out, err := tx.ExecContext(ctx, del, id)
	if err != nil {
		return 0, err
	}
	if n, _ := out.RowsAffected(); n == 0 {
		return 0, errNotFound
	}
	return binID, nil
}

// flowDependency is what a schedule's or listener's bin item depends on: its flow, by id and the
// name it had (empty when unknown).
func flowDependency(flowID int64, flowName *string) []binDependency {
	name := ""
	if flowName != nil {
		name = *flowName
	}
	return []binDependency{{ArtifactType: "flow", ArtifactID: flowID, Name: name}}
}

// flowDependencies lists what a flow's bin item depends on: the connections and nested flows it
// needs, and the schedules and listeners deleted with it.
func flowDependencies(f *flow, scheds []*schedule, lists []*listener) []binDependency {
	deps := []binDependency{}
	for _, c := range f.Connections {
		deps = append(deps, binDependency{ArtifactType: "connection", ArtifactID: c.ID, Name: c.Name})
	}
	for _, n := range f.NestedFlows {
		deps = append(deps, binDependency{ArtifactType: "flow", ArtifactID: n.FlowID, Name: n.Name})
	}
	for _, s := range scheds {
		deps = append(deps, binDependency{ArtifactType: "schedule", ArtifactID: s.ID, Name: s.Name})
	}
	for _, l := range lists {
		deps = append(deps, binDependency{ArtifactType: "listener", ArtifactID: l.ID, Name: l.Name})
	}
	return deps
}

// binFlow moves a flow with its schedules and listeners to the recycle bin inside tx. It returns
// the flow's item id and what went with it.
func binFlow(ctx context.Context, tx *sql.Tx, f *flow, by string, nowMs int64) (int64, []deletedArtifact, error) {
	scheds, err := schedulesOfFlow(ctx, tx, f.ID)
	if err != nil {
		return 0, nil, err
	}
	lists, err := listenersOfFlow(ctx, tx, f.ID)
	if err != nil {
		return 0, nil, err
	}
	binID, err := binMove(ctx, tx, "flow", f.ID, f.Name, f, flowDependencies(f, scheds, lists), by, nowMs, `DELETE FROM flows WHERE id = ?`)
	if err != nil {
		return 0, nil, err
	}
	moved := []deletedArtifact{}
	for _, s := range scheds {
		id, err := binSchedule(ctx, tx, s, by, nowMs)
		if err != nil {
			return 0, nil, err
		}
		moved = append(moved, deletedArtifact{ArtifactType: "schedule", ArtifactID: s.ID, Name: s.Name, RecycleBinID: id})
	}
	for _, l := range lists {
		id, err := binListener(ctx, tx, l, by, nowMs)
		if err != nil {
			return 0, nil, err
		}
		moved = append(moved, deletedArtifact{ArtifactType: "listener", ArtifactID: l.ID, Name: l.Name, RecycleBinID: id})
	}
	return binID, moved, nil
}

// listenersOfFlow lists a flow's listeners inside tx.
func listenersOfFlow(ctx context.Context, tx *sql.Tx, flowID int64) ([]*listener, error) {
	rows, err := tx.QueryContext(ctx, listenerSelect+` WHERE l.flow_id = ? ORDER BY l.id`, flowID)
	return scanAll(rows, err, scanListener)
}
