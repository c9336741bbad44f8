package sandbox

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/cron"
)

// TestCronNext checks that schedules fire on internal/quartz's times (its own tests cover the
// dialect); an expression that never fires again gives no runs.
func TestCronNext(t *testing.T) {
	t.Parallel()
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04:05", s, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		expr, after string
		want        []string // the next fire times in order; none = never fires
	}{
		{"0 30 1 * * ?", "2026-03-10 12:00:00", []string{"2026-03-11 01:30:00", "2026-03-12 01:30:00"}},
		{"0 30 1 * * ?", "2026-03-10 01:29:59", []string{"2026-03-10 01:30:00"}},
		{"0 30 1 * * ?", "2026-03-10 01:30:00", []string{"2026-03-11 01:30:00"}},
		{"0 0 12 L * ?", "2026-02-10 00:00:00", []string{"2026-02-28 12:00:00", "2026-03-31 12:00:00"}},
		{"0 0 22-2 * * ?", "2026-03-10 21:00:00", []string{"2026-03-10 22:00:00", "2026-03-10 23:00:00", "2026-03-11 00:00:00", "2026-03-11 01:00:00", "2026-03-11 02:00:00", "2026-03-11 22:00:00"}},
		{"0 0 0 1 1 ? 2020", "2026-03-10 00:00:00", nil},
	}
	for _, c := range cases {
		spec, err := parseSchedule(c.expr)
		if err != nil {
			t.Errorf("%q: %v", c.expr, err)
			continue
		}
		got := cron.NextRuns(spec, at(c.after), time.Time{}, len(c.want)+1)
		for i, w := range c.want {
			if i >= len(got) || !got[i].Equal(at(w)) {
				t.Errorf("%q after %s: run %d = %v, want %s", c.expr, c.after, i, got, w)
				break
			}
		}
		if c.want == nil && len(got) != 0 {
			t.Errorf("%q never fires, got %v", c.expr, got)
		}
	}
}

func TestScheduleIntervals(t *testing.T) {
	t.Parallel()
	anchor := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		expr  string
		after time.Duration
		want  time.Duration
	}{
		{"15", 0, 15 * time.Minute},
		{"15", 16 * time.Minute, 30 * time.Minute},
		{"30s", -time.Hour, 30 * time.Second},
		{"250ms", 260 * time.Millisecond, 500 * time.Millisecond},
		{"1h30m", 90 * time.Minute, 3 * time.Hour},
	} {
		spec, err := parseSchedule(c.expr)
		if err != nil {
			t.Fatalf("%q: %v", c.expr, err)
		}
		if got := spec.Next(anchor.Add(c.after), anchor); !got.Equal(anchor.Add(c.want)) {
			t.Errorf("%q after anchor+%s = %s, want anchor+%s", c.expr, c.after, got.Sub(anchor), c.want)
		}
	}
}

func TestScheduleErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ expr, want string }{
		{"0 61 * * * ?", `schedule "0 61 * * * ?": minute field "61" is out of range 0-59`},
		{"0 30 1 * *", "has 6 or 7 fields (second minute hour day-of-month month day-of-week [year]), not 5"},
		{"0 0 12 * * *", "exactly one of day-of-month and day-of-week"},
		{"0 0 12 ? * ?", "exactly one of day-of-month and day-of-week"},
		{"0 0 12 ? * FOO", `day-of-week field "FOO" is not a number 1-7 or a name (SUN,`},
		{"0 0 12 ? FOO *", `month field "FOO" is not a number 1-12 or a name (JAN,`},
		{"0 0/0 * * * ?", `minute field "0/0" has step "0"`},
		{"? 0 0 * * ?", `second field "?" cannot be '?'`},
		{"0 0 12 ? * FRI#6", `day-of-week field "FRI#6" needs a week number 1-5`},
		{"0 0 12 32 * ?", `day-of-month field "32" is out of range 1-31`},
		{"0 0 25 * * ?", `hour field "25" is out of range 0-23`},
		{"0 0 12 1,L * ?", `day-of-month field "1,L" mixes L`},
		{"0 0 12 * * ? 1900", `year field "1900" is out of range 1970-2199`},
		{"0 x * * * ?", `minute field "x" is not a number`},
		{"0 1-x * * * ?", `minute field "x" is not a number`},
		{"0", "an interval in minutes must be at least 1"},
		{"50ms", "an interval must be at least 100ms"},
		{"daily", "neither a Quartz cron expression"},
		{"  ", "Field 'schedule' is required"},
	} {
		_, err := parseSchedule(c.expr)
		var ae *apiError
		if !errors.As(err, &ae) || ae.status != 400 || !strings.Contains(ae.msg, c.want) {
			t.Errorf("%q: error %v, want a 400 containing %q", c.expr, err, c.want)
		}
	}
}
