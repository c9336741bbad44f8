package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// artifactRef names one artifact a restore brought back or reused.
type artifactRef struct {
	ArtifactType string `json:"artifactType"`
	ArtifactID   int64  `json:"artifactId"`
	Name         string `json:"name"`
}

// restoreResult is the answer to a restore: what came back from the bin and which live objects
// the restored artifacts now point at.
type restoreResult struct {
	Restored []artifactRef `json:"restored"`
	Reused   []artifactRef `json:"reused"`
}

// restorer restores bin items inside one transaction: everything comes back, or (409) nothing.
// It never overwrites: a live object with the artifact's id or name blocks the restore.
type restorer struct {
	ctx      context.Context
	tx       *sql.Tx
	now      int64
	visiting map[int64]bool  // bin items restored or being restored
	restored map[string]bool // "type:id" brought back by this restore
	reused   map[string]bool
	res      restoreResult
}

func conflict(format string, args ...any) error {
	return apiErrorf(http.StatusConflict, format, args...)
}

// restoreItems restores the bin items ids (and their dependencies) in one transaction.
func (s *Sandbox) restoreItems(ctx context.Context, ids []int64, nowMs int64) (restoreResult, []*binItem, error) {
	rs := &restorer{ctx: ctx, now: nowMs, visiting: map[int64]bool{}, restored: map[string]bool{}, reused: map[string]bool{},
		res: restoreResult{Restored: []artifactRef{}, Reused: []artifactRef{}}}
	tx, err := s.st.db.BeginTx(ctx, nil)
	if err != nil {
		return rs.res, nil, err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	rs.tx = tx
	var items []*binItem
	for _, id := range ids {
		b, err := oneBinItem(ctx, tx, id)
		if errors.Is(err, errNotFound) {
			if rs.visiting[id] {
				continue // already restored as a dependency of an earlier id
			}
			return rs.res, items, notFound("Recycle bin item %d not found", id)
		}
		if err != nil {
			return rs.res, items, err
		}
		items = append(items, b)
		if err := rs.restore(b); err != nil {
			return rs.res, items, err
		}
	}
	return rs.res, items, tx.Commit()
}

// restore brings back one item after the checks that keep it from overwriting anything.
func (rs *restorer) restore(b *binItem) error {
	if rs.visiting[b.ID] {
		return nil
	}
	rs.visiting[b.ID] = true
	if !b.Restorable {
		return conflict("Recycle bin item %d (%s '%s') is marked non-restorable", b.ID, b.Type, b.Name)
	}
	if liveTables[b.Type] == "" {
		return conflict("Recycle bin item %d: restoring a %s is not modelled by the sandbox", b.ID, b.Type)
	}
	if _, live, err := liveByID(rs.ctx, rs.tx, b.Type, b.ArtifactID); err != nil {
		return err
	} else if live {
		return conflict("Cannot restore %s '%s': a live %s with id %d already exists", b.Type, b.Name, b.Type, b.ArtifactID)
	}
	if id, live, err := liveByName(rs.ctx, rs.tx, b.Type, b.Name); err != nil {
		return err
	} else if live {
		return conflict("Cannot restore %s '%s': the live %s '%s' (id %d) has the same name; rename or delete it first",
			b.Type, b.Name, b.Type, b.Name, id)
	}
	// Marked before the type's own work, so dependencies that point back at it (a schedule's flow)
	// see it as restored here, not as a reused live object.
	rs.restored[fmt.Sprintf("%s:%d", b.Type, b.ArtifactID)] = true
	rs.res.Restored = append(rs.res.Restored, artifactRef{ArtifactType: b.Type, ArtifactID: b.ArtifactID, Name: b.Name})
	var err error
	switch b.Type {
	case "flow":
		err = rs.restoreFlow(b)
	case "connection":
		err = rs.restoreConnection(b)
	case "schedule":
		err = rs.restoreSchedule(b)
	case "listener":
		err = rs.restoreListener(b)
	}
	if err != nil {
		return err
	}
	_, err = rs.tx.ExecContext(rs.ctx, `DELETE FROM recycle_bin WHERE id = ?`, b.ID)
	return err
}

// require makes a dependency live and returns its id: reused when an object with its id (or else
// its name) is live, otherwise restored from its newest bin item.
func (rs *restorer) require(owner *binItem, d binDep) (int64, error) {
	name, live, err := liveByID(rs.ctx, rs.tx, d.ArtifactType, d.ArtifactID)
	if err != nil {
		return 0, err
	}
	if live {
		rs.reuse(d.ArtifactType, d.ArtifactID, name)
		return d.ArtifactID, nil
	}
	id, live, err := liveByName(rs.ctx, rs.tx, d.ArtifactType, d.Name)
	if err != nil {
		return 0, err
	}
	if live {
		rs.reuse(d.ArtifactType, id, d.Name)
		return id, nil
	}
	b, err := latestBinItem(rs.ctx, rs.tx, d.ArtifactType, d.ArtifactID)
	if errors.Is(err, errNotFound) {
		return 0, conflict("Cannot restore %s '%s': its %s '%s' (id %d) is neither live nor in the recycle bin",
			owner.Type, owner.Name, d.ArtifactType, d.Name, d.ArtifactID)
	}
	if err != nil {
		return 0, err
	}
	return d.ArtifactID, rs.restore(b)
}

// reuse notes a live dependency, unless this restore itself brought it back.
func (rs *restorer) reuse(typ string, id int64, name string) {
	key := fmt.Sprintf("%s:%d", typ, id)
	if id == 0 || rs.restored[key] || rs.reused[key] {
		return
	}
	rs.reused[key] = true
	rs.res.Reused = append(rs.res.Reused, artifactRef{ArtifactType: typ, ArtifactID: id, Name: name})
}

// requireAll makes the item's "requires" dependencies live and maps each old id to the live one.
func (rs *restorer) requireAll(b *binItem) (map[string]int64, error) {
	ids := map[string]int64{}
	for _, d := range dependencies(b) {
		if d.Relation != "requires" {
			continue
		}
		id, err := rs.require(b, d)
		if err != nil {
			return nil, err
		}
		ids[fmt.Sprintf("%s:%d", d.ArtifactType, d.ArtifactID)] = id
	}
	return ids, nil
}

// restoreFlow brings a flow back with its id, pointing it at its (reused or restored) connections
// and nested flows, then restores the schedules and listeners deleted with it.
func (rs *restorer) restoreFlow(b *binItem) error {
	var f flow
	if err := readArtifact(b, &f); err != nil {
		return err
	}
	remap, err := rs.restoredIDs(b)
	if err != nil {
		return err
	}
	for i := range f.Transformations {
		tr := &f.Transformations[i]
		tr.Source.ConnectionID = remap("connection", tr.Source.ConnectionID)
		if tr.Destination.ConnectionID != 0 {
			tr.Destination.ConnectionID = remap("connection", tr.Destination.ConnectionID)
		}
	}
	for i := range f.NestedFlows {
		f.NestedFlows[i].FlowID = remap("flow", f.NestedFlows[i].FlowID)
	}
	fillEmpty(&f)
	tmp, err := insertFlow(rs.ctx, rs.tx, &f, rs.now)
	if err != nil {
		return err
	}
	if err := rs.reassign("flows", tmp, b.ArtifactID, f.CreatedAt); err != nil {
		return err
	}
	for _, d := range dependencies(b) {
		if d.Relation != "deletedWith" {
			continue
		}
		child, err := latestBinItem(rs.ctx, rs.tx, d.ArtifactType, d.ArtifactID)
		if errors.Is(err, errNotFound) {
			continue // purged, or restored on its own already
		}
		if err != nil {
			return err
		}
		if err := rs.restore(child); err != nil {
			return err
		}
	}
	return nil
}

// readArtifact decodes b's artifact, the object's last state, into v.
func readArtifact(b *binItem, v any) error {
	if err := json.Unmarshal(b.Artifact, v); err != nil {
		return fmt.Errorf("recycle bin item %d: %w", b.ID, err)
	}
	return nil
}

// restoredIDs requires b's dependencies (see requireAll) and returns how to map an id b's artifact
// names ("flow", 7) to the id that object has now: a dependency restored or reused with it keeps
// its id in the map requireAll returns, and an id not in it is unchanged.
func (rs *restorer) restoredIDs(b *binItem) (func(typ string, id int64) int64, error) {
	ids, err := rs.requireAll(b)
	if err != nil {
		return nil, err
	}
	return func(typ string, id int64) int64 {
		if n, ok := ids[fmt.Sprintf("%s:%d", typ, id)]; ok {
			return n
		}
		return id
	}, nil
}

// restoreConnection brings a connection back with its id and secrets.
func (rs *restorer) restoreConnection(b *binItem) error {
	var c connection
	if err := readArtifact(b, &c); err != nil {
		return err
	}
	tmp, err := insertConnection(rs.ctx, rs.tx, c, rs.now)
	if err != nil {
		return err
	}
	return rs.reassign("connections", tmp, b.ArtifactID, c.CreatedAt)
}

// restoreSchedule brings a schedule back with its id, for its (reused or restored) flow.
func (rs *restorer) restoreSchedule(b *binItem) error {
	var sc schedule
	return rs.restoreUnderFlow(b, &sc, nil, func(remap func(string, int64) int64) error {
		sc.FlowID, sc.ID = remap("flow", sc.FlowID), b.ArtifactID
		_, err := insertSchedule(rs.ctx, rs.tx, &sc, rs.now)
		return err
	})
}

// restoreListener brings a listener back with its id, unless another listener took its URL pattern.
func (rs *restorer) restoreListener(b *binItem) error {
	var l listener
	return rs.restoreUnderFlow(b, &l, func() error { return rs.patternFree(&l) }, func(remap func(string, int64) int64) error {
		l.FlowID, l.ID = remap("flow", l.FlowID), b.ArtifactID
		_, err := insertListener(rs.ctx, rs.tx, &l, rs.now)
		return err
	})
}

// restoreUnderFlow is the skeleton of restoring an artifact that belongs to a flow: b's artifact is
// read into v, check (if not nil) may refuse it, and insert puts it back given remap, which maps an id the
// artifact names to the one its (reused or restored) dependency has now.
func (rs *restorer) restoreUnderFlow(b *binItem, v any, check func() error, insert func(remap func(string, int64) int64) error) error {
	if err := readArtifact(b, v); err != nil {
		return err
	}
	if check != nil {
		if err := check(); err != nil {
			return err
		}
	}
	remap, err := rs.restoredIDs(b)
	if err != nil {
		return err
	}
	return insert(remap)
}

// patternFree refuses to restore l when another listener now uses its URL pattern.
func (rs *restorer) patternFree(l *listener) error {
	rows, err := rs.tx.QueryContext(rs.ctx, `SELECT id, name, url_pattern FROM listeners`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var clash error
	for rows.Next() {
		var id int64
		var name, pattern string
		if err := rows.Scan(&id, &name, &pattern); err != nil {
			return err
		}
		if patternKey(pattern) == patternKey(l.Properties[propURLPattern]) {
			clash = conflict("Cannot restore listener '%s': its URL pattern '%s' is now used by listener %d '%s'",
				l.Name, l.Properties[propURLPattern], id, name)
		}
	}
	return clash
}

// reassign gives a row inserted with a fresh id back its original id and creation time. Ids come
// from AUTOINCREMENT and are never reused, so the original id is free.
func (rs *restorer) reassign(table string, from, to, createdAt int64) error {
	_, err := rs.tx.ExecContext(rs.ctx, `UPDATE `+table+` SET id = ?, created_at = ? WHERE id = ?`, to,
		createdOr(createdAt, rs.now), from)
	return err
}

// restoreHandler serves POST /v1/recycle-bin/{id}/restore.
func (s *Sandbox) restoreHandler(w http.ResponseWriter, r *http.Request, p *principal) error {
	id, err := idParam(r, "id", "recycle bin item id")
	if err != nil {
		return err
	}
	return s.restoreAndAnswer(w, r, p, []int64{id})
}

// restoreManyHandler serves POST /v1/recycle-bin/restore {"ids": [..]}: all or nothing.
func (s *Sandbox) restoreManyHandler(w http.ResponseWriter, r *http.Request, p *principal) error {
	var body struct {
		IDs []int64 `json:"ids"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	if len(body.IDs) == 0 {
		return badRequest("Field 'ids' must list at least one recycle bin item id")
	}
	return s.restoreAndAnswer(w, r, p, body.IDs)
}

// restoreAndAnswer restores, audits one restoreRecycleBinItem event per requested item, and answers.
func (s *Sandbox) restoreAndAnswer(w http.ResponseWriter, r *http.Request, p *principal, ids []int64) error {
	started := time.Now()
	res, items, err := s.restoreItems(r.Context(), ids, started.UnixMilli())
	var nf *apiError
	if errors.As(err, &nf) && nf.status == http.StatusNotFound {
		return err
	}
	for _, b := range items {
		payload := map[string]any{"recycleBinId": b.ID}
		if err == nil {
			payload["restored"], payload["reused"] = res.Restored, res.Reused
		}
		s.recordObjectMutation(r, p, "restoreRecycleBinItem", auditObject{Type: b.Type, ID: b.ArtifactID, Name: b.Name},
			payload, err, started)
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}
