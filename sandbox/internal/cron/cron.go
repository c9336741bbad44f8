// Package cron parses the sandbox's schedule expressions and computes their fire times, for the
// scheduler and the schedule endpoints. Quartz cron syntax itself is internal/quartz's, shared with
// the tools; this package adds the interval forms. Only sandbox and its internal packages can
// import it.
package cron

import (
	"errors"
	"fmt"
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

// Spec computes fire times. anchor is where an interval counts from; cron ignores it.
type Spec interface {
	Next(after, anchor time.Time) time.Time // first fire strictly after after; zero = never
}

// minInterval keeps a typo from turning a schedule into a busy loop.
const minInterval = 100 * time.Millisecond

// Parse validates a schedule expression; an *Error names the bad field and value.
func Parse(expr string) (Spec, error) {
	e := strings.TrimSpace(expr)
	if e == "" {
		return nil, invalidSchedule("Field 'schedule' is required: a Quartz cron expression such as \"0 30 1 * * ?\" or an interval such as \"15\" (minutes) or \"30s\"")
	}
	if n, err := strconv.Atoi(e); err == nil {
		if n < 1 {
			return nil, invalidSchedule("schedule %q: an interval in minutes must be at least 1", expr)
		}
		return intervalSpec(time.Duration(n) * time.Minute), nil
	}
	if !strings.Contains(e, " ") {
		d, err := time.ParseDuration(e)
		if err != nil {
			return nil, invalidSchedule("schedule %q is neither a Quartz cron expression (6 or 7 fields) nor an interval (minutes, or a duration like \"30s\")", expr)
		}
		if d < minInterval {
			return nil, invalidSchedule("schedule %q: an interval must be at least %s", expr, minInterval)
		}
		return intervalSpec(d), nil
	}
	return parseCron(e)
}

// intervalSpec fires every d, counting from the anchor.
type intervalSpec time.Duration

// Next is the first multiple of the interval after anchor that falls strictly after after.
func (iv intervalSpec) Next(after, anchor time.Time) time.Time {
	d := time.Duration(iv)
	if after.Before(anchor) {
		return anchor.Add(d)
	}
	k := after.Sub(anchor)/d + 1
	return anchor.Add(k * d)
}

// cronSpec fires on a Quartz expression (internal/quartz, shared with the tools).
type cronSpec struct{ *quartz.Expr }

// Next is the expression's first fire strictly after after.
func (c cronSpec) Next(after, _ time.Time) time.Time { return c.Expr.Next(after) }

// parseCron parses a Quartz expression; a syntax error is a 400 naming the field and value.
func parseCron(expr string) (Spec, error) {
	e, err := quartz.Parse(expr)
	var qe *quartz.Error
	if errors.As(err, &qe) {
		return nil, invalidSchedule("schedule %s", qe.Error())
	}
	if err != nil {
		return nil, err
	}
	return cronSpec{e}, nil
}

// Error is an invalid schedule expression; its message names the bad field and value, so
// the HTTP API answers it as a 400 as it stands.
type Error struct{ msg string }

// Error returns the message as the 400 shows it.
func (e *Error) Error() string { return e.msg }

func invalidSchedule(format string, args ...any) error {
	return &Error{msg: fmt.Sprintf(format, args...)}
}

// NextRuns lists up to n fire times after now.
func NextRuns(spec Spec, now, anchor time.Time, n int) []time.Time {
	var out []time.Time
	t := now
	for range n {
		if t = spec.Next(t, anchor); t.IsZero() {
			break
		}
		out = append(out, t)
	}
	return out
}
