package tools

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/etlworks/etlworks-mcp/internal/quartz"
)

// This file reads and writes a schedule's "schedule" field. Etlworks documents it as "cron or
// minutes" in the schedule API article and "cron-based or seconds-based" in an older schedule UI
// article, so this server never sends a bare number: an interval given to a tool is converted to
// the Quartz expression that fires exactly that often (internal/quartz), or refused with the
// reason. A bare number read back from Etlworks is shown with the ambiguity named.

// intervalUnitNote names the documented ambiguity of a bare number.
const intervalUnitNote = "minutes or seconds: Etlworks documents both"

// inputInterval reads an interval as a tool takes it: a bare number of minutes (what the API
// article says), or a duration such as "30s", "5m", "2h" or "1h30m"; ok is false for anything
// else (a cron expression).
func inputInterval(expr string) (time.Duration, bool) {
	e := strings.TrimSpace(expr)
	if n, err := strconv.Atoi(e); err == nil {
		return time.Duration(n) * time.Minute, true
	}
	if e == "" || strings.ContainsAny(e, " \t") {
		return 0, false
	}
	d, err := time.ParseDuration(e)
	return d, err == nil
}

// scheduleCron turns a tool's "cron" input into the Quartz expression to send: a cron is checked
// and kept, an interval is converted (2h → "0 0 */2 * * ?"); one with no exact cron is refused
// with why and the nearest that exist.
func scheduleCron(expr string) (string, error) {
	if d, ok := inputInterval(expr); ok {
		return quartz.FromInterval(d)
	}
	e, err := quartz.Parse(expr)
	if err != nil {
		return "", err
	}
	return e.String(), nil
}

// describeSchedule returns a short English phrase for a schedule as Etlworks holds it, or ""
// when the expression is beyond the phrasing (the raw expression is always shown beside it).
func describeSchedule(expr string) string {
	e := strings.TrimSpace(expr)
	if n, err := strconv.Atoi(e); err == nil {
		return fmt.Sprintf("every %d (%s)", n, intervalUnitNote)
	}
	if !strings.ContainsAny(e, " \t") {
		if d, err := time.ParseDuration(e); err == nil && d > 0 {
			return quartz.DescribeInterval(d) // the sandbox's duration form
		}
		return ""
	}
	return quartz.Describe(e)
}
