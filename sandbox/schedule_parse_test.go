package sandbox

import (
	"errors"
	"strings"
	"testing"
)

// TestScheduleErrors checks that an invalid schedule expression is a 400 naming the bad field
// and value.
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
