package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/cron"
)

// schedule is the Schedule object of GET /v1/schedules. The fields after Parameters are
// computed on every read [I]: the next fire times, the flow's name and the last scheduled run.
type schedule struct {
	ID                  int64             `json:"id"`
	Name                string            `json:"name"`
	Description         string            `json:"description"`
	Tags                []string          `json:"tags"`
	FlowID              int64             `json:"flowId"`
	Enabled             bool              `json:"enabled"`
	Schedule            string            `json:"schedule"`
	EmailSuccess        bool              `json:"emailSuccess"`
	EmailFailure        bool              `json:"emailFailure"`
	Emails              string            `json:"emails"`
	Retries             int               `json:"retries"`
	DelayBetweenRetries int               `json:"delayBetweenRetries"`
	ExpectedTime        int               `json:"expectedTime"`
	Debug               bool              `json:"debug"`
	LogStep             int               `json:"logStep"`
	KeepMessage         bool              `json:"keepMessage"`
	KeepEmptyAudit      bool              `json:"keepEmptyAudit"`
	Parameters          map[string]string `json:"parameters"`

	FlowName      *string `json:"flowName"`      // null when the flow no longer exists
	NextRun       *int64  `json:"nextRun"`       // epoch ms; null when paused or never again
	NextRuns      []int64 `json:"nextRuns"`      // the next three fire times
	LastRunStatus *string `json:"lastRunStatus"` // of the newest run this schedule started
	LastRunAt     *int64  `json:"lastRunAt"`
	CreatedAt     int64   `json:"createdAt"`
	UpdatedAt     int64   `json:"updatedAt"`

	anchor int64 // epoch ms an interval counts from: the last create, resume or reschedule
}

const scheduleSelect = `SELECT s.id, s.name, s.flow_id, s.enabled, s.schedule, s.definition, s.anchor, s.created_at,
	s.updated_at, (SELECT f.name FROM flows f WHERE f.id = s.flow_id),
	(SELECT e.status FROM executions e WHERE e.event_id = s.id ORDER BY e.audit_id DESC LIMIT 1),
	(SELECT e.started FROM executions e WHERE e.event_id = s.id ORDER BY e.audit_id DESC LIMIT 1)
	FROM schedules s`

func scanSchedule(sc interface{ Scan(...any) error }) (*schedule, error) {
	var s schedule
	var def string
	var flowName, lastStatus sql.NullString
	var lastAt sql.NullInt64
	var id, flowID, anchor, created, updated int64
	var name, expr string
	var enabled bool
	if err := sc.Scan(&id, &name, &flowID, &enabled, &expr, &def, &anchor, &created, &updated, &flowName, &lastStatus, &lastAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(def), &s); err != nil {
		return nil, fmt.Errorf("schedule %d definition: %w", id, err)
	}
	s.ID, s.Name, s.FlowID, s.Enabled, s.Schedule, s.anchor = id, name, flowID, enabled, expr, anchor
	s.CreatedAt, s.UpdatedAt = created, updated
	s.FlowName, s.LastRunStatus, s.LastRunAt = nullString(flowName), nullString(lastStatus), nullInt(lastAt)
	s.fillEmpty()
	return &s, nil
}

// fillEmpty makes JSON show [] and {} rather than null.
func (s *schedule) fillEmpty() {
	if s.Tags == nil {
		s.Tags = []string{}
	}
	if s.Parameters == nil {
		s.Parameters = map[string]string{}
	}
	if s.NextRuns == nil {
		s.NextRuns = []int64{}
	}
}

// computeNext fills nextRun and nextRuns as of now.
func (s *schedule) computeNext(now time.Time) {
	s.NextRun, s.NextRuns = nil, []int64{}
	spec, err := parseSchedule(s.Schedule)
	if !s.Enabled || err != nil {
		return
	}
	for _, t := range cron.NextRuns(spec, now, time.UnixMilli(s.anchor), 3) {
		s.NextRuns = append(s.NextRuns, t.UnixMilli())
	}
	if len(s.NextRuns) > 0 {
		s.NextRun = &s.NextRuns[0]
	}
}

// scheduleFilter selects schedules for GET /v1/schedules.
type scheduleFilter struct {
	name    string // case-insensitive substring
	flowID  int64
	enabled *bool
	limit   int
	offset  int
}

// listSchedules returns one page of schedules ordered by id, and how many match.
func (st *store) listSchedules(ctx context.Context, sf scheduleFilter) ([]*schedule, int, error) {
	var c conditions
	if sf.name != "" {
		c.add(`instr(lower(s.name), lower(?)) > 0`, sf.name)
	}
	if sf.flowID != 0 {
		c.add(`s.flow_id = ?`, sf.flowID)
	}
	if sf.enabled != nil {
		c.add(`s.enabled = ?`, *sf.enabled)
	}
	if sf.limit == 0 {
		sf.limit = -1
	}
	now := time.Now()
	return listPage(ctx, st.db, c, `SELECT COUNT(*) FROM schedules s`, scheduleSelect, ` ORDER BY s.id`,
		sf.limit, sf.offset, func(sc rowScanner) (*schedule, error) {
			s, err := scanSchedule(sc)
			if err != nil {
				return nil, err
			}
			s.computeNext(now)
			return s, nil
		})
}

// getSchedule returns one schedule, or errNotFound.
func (st *store) getSchedule(ctx context.Context, id int64) (*schedule, error) {
	s, err := scanSchedule(st.db.QueryRowContext(ctx, scheduleSelect+` WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	s.computeNext(time.Now())
	return s, nil
}

// scheduleDefinition is the JSON kept in the definition column: the schedule minus the columns
// beside it and the computed fields.
func scheduleDefinition(s *schedule) (string, error) {
	c := *s
	c.ID, c.Name, c.FlowID, c.Enabled, c.Schedule = 0, "", 0, false, ""
	c.FlowName, c.NextRun, c.NextRuns, c.LastRunStatus, c.LastRunAt, c.CreatedAt, c.UpdatedAt = nil, nil, nil, nil, nil, 0, 0
	b, err := json.Marshal(c)
	return string(b), err
}

// insertSchedule stores a new schedule; a non-zero s.ID is kept (seed, restore). It returns the id.
func insertSchedule(ctx context.Context, ex execer, s *schedule, nowMs int64) (int64, error) {
	def, err := scheduleDefinition(s)
	if err != nil {
		return 0, err
	}
	created := createdOr(s.CreatedAt, nowMs)
	res, err := ex.ExecContext(ctx, `INSERT INTO schedules(id, name, flow_id, enabled, schedule, definition, anchor,
		created_at, updated_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		nullID(s.ID), s.Name, s.FlowID, s.Enabled, s.Schedule, def, nowMs, created, nowMs)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// updateSchedule replaces a schedule; resetAnchor restarts interval counting (resume, reschedule).
func (st *store) updateSchedule(ctx context.Context, s *schedule, resetAnchor bool, nowMs int64) error {
	def, err := scheduleDefinition(s)
	if err != nil {
		return err
	}
	anchor := s.anchor
	if resetAnchor {
		anchor = nowMs
	}
	return execOne(ctx, st.db, `UPDATE schedules SET name = ?, flow_id = ?, enabled = ?, schedule = ?,
		definition = ?, anchor = ?, updated_at = ? WHERE id = ?`, s.Name, s.FlowID, s.Enabled, s.Schedule, def, anchor, nowMs, s.ID)
}

// deleteSchedule moves a schedule to the recycle bin, with its flow as dependency.
func (st *store) deleteSchedule(ctx context.Context, s *schedule, by string, nowMs int64) (int64, error) {
	return inTx(ctx, st.db, func(tx *sql.Tx) (int64, error) { return binSchedule(ctx, tx, s, by, nowMs) })
}

// binSchedule writes a schedule's bin item and deletes the schedule, inside tx.
func binSchedule(ctx context.Context, tx *sql.Tx, s *schedule, by string, nowMs int64) (int64, error) {
	deps := flowDependency(s.FlowID, s.FlowName)
	return binMove(ctx, tx, "schedule", s.ID, s.Name, s, deps, by, nowMs, `DELETE FROM schedules WHERE id = ?`)
}

// schedulesOfFlow lists a flow's schedules inside tx (the flow is being deleted).
func schedulesOfFlow(ctx context.Context, tx *sql.Tx, flowID int64) ([]*schedule, error) {
	rows, err := tx.QueryContext(ctx, scheduleSelect+` WHERE s.flow_id = ? ORDER BY s.id`, flowID)
	return scanAll(rows, err, scanSchedule)
}
