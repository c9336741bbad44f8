package sandbox

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/etlworks/etlworks-mcp/internal/quartz"
)

// A schedule expression is what a schedule's "schedule" field holds:
//   - a Quartz cron expression, as the Java platform uses: second minute hour day-of-month month
//     day-of-week [year], with '?' in exactly one of the two day fields, '*', ranges, lists, steps
//     ("0/15", "*/5", "10-40/10"), names (JAN-DEC, SUN-SAT), and L, W, LW, L-n, nL, n#k;
//   - a bare integer: an interval in minutes ("cron or minutes" in the API docs);
//   - a duration such as "30s", "5m", "1h30m" or "250ms" (sandbox extra, so tests can watch a
//     schedule fire); intervals count from when the schedule was last created, resumed or rescheduled.

// scheduleSpec computes fire times. anchor is where an interval counts from; cron ignores it.
type scheduleSpec interface {
	next(after, anchor time.Time) time.Time // first fire strictly after after; zero = never
}

// minInterval keeps a typo from turning a schedule into a busy loop.
const minInterval = 100 * time.Millisecond

// parseSchedule validates a schedule expression; errors name the bad field and value.
func parseSchedule(expr string) (scheduleSpec, error) {
	e := strings.TrimSpace(expr)
	if e == "" {
		return nil, badRequest("Field 'schedule' is required: a Quartz cron expression such as \"0 30 1 * * ?\" or an interval such as \"15\" (minutes) or \"30s\"")
	}
	if n, err := strconv.Atoi(e); err == nil {
		if n < 1 {
			return nil, badRequest("schedule %q: an interval in minutes must be at least 1", expr)
		}
		return intervalSpec(time.Duration(n) * time.Minute), nil
	}
	if !strings.Contains(e, " ") {
		d, err := time.ParseDuration(e)
		if err != nil {
			return nil, badRequest("schedule %q is neither a Quartz cron expression (6 or 7 fields) nor an interval (minutes, or a duration like \"30s\")", expr)
		}
		if d < minInterval {
			return nil, badRequest("schedule %q: an interval must be at least %s", expr, minInterval)
		}
		return intervalSpec(d), nil
	}
	return parseCron(e)
}

// intervalSpec fires every d, counting from the anchor.
type intervalSpec time.Duration

func (iv intervalSpec) next(after, anchor time.Time) time.Time {
	d := time.Duration(iv)
	if after.Before(anchor) {
		return anchor.Add(d)
	}
	k := after.Sub(anchor)/d + 1
	return anchor.Add(k * d)
}

// cronSpec fires on a Quartz expression (internal/quartz, shared with the tools).
type cronSpec struct{ *quartz.Expr }

func (c cronSpec) next(after, _ time.Time) time.Time { return c.Next(after) }

// parseCron parses a Quartz expression; a syntax error is a 400 naming the field and value.
func parseCron(expr string) (scheduleSpec, error) {
	e, err := quartz.Parse(expr)
	var qe *quartz.Error
	if errors.As(err, &qe) {
		return nil, badRequest("schedule %s", qe.Error())
	}
	if err != nil {
		return nil, err
	}
	return cronSpec{e}, nil
}

// nextRuns lists up to n fire times after now.
func nextRuns(spec scheduleSpec, now, anchor time.Time, n int) []time.Time {
	var out []time.Time
	t := now
	for range n {
		if t = spec.next(t, anchor); t.IsZero() {
			break
		}
		out = append(out, t)
	}
	return out
}
