package sandbox

import (
	"net/http"
	"strings"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/cron"
)

// previewScheduleHandler serves POST /v1/schedules/preview {"schedule": "<cron or interval>"}:
// the next three fire times of an expression without saving anything, so a client can show what
// a reschedule would do before applying it. [I] design: Etlworks documents no such endpoint; an
// invalid expression is the same 400 a create or reschedule gives.
func (s *Sandbox) previewScheduleHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	var body struct {
		Schedule string `json:"schedule"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	expr := strings.TrimSpace(body.Schedule)
	if expr == "" {
		return badRequest("Field 'schedule' is required: a Quartz cron expression such as '0 0 2 * * ?' or an interval such as '30' (minutes) or '30s'")
	}
	spec, err := parseSchedule(expr)
	if err != nil {
		return err
	}
	now := time.Now()
	runs := []int64{}
	for _, t := range cron.NextRuns(spec, now, now, 3) {
		runs = append(runs, t.UnixMilli())
	}
	return writeJSON(w, http.StatusOK, map[string]any{"schedule": expr, "nextRuns": runs})
}
