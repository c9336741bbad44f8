package tools

import (
	"strings"
	"testing"
)

func TestDescribeSchedule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr, want string
	}{
		{"0 0 2 * * ?", "every day at 02:00"},
		{"0 0 2 ? * *", "every day at 02:00"},
		{"0 0 2 * * ? *", "every day at 02:00"},
		{"0 */5 * * * ?", "every 5 minutes"},
		{"0 0/15 * * * ?", "every 15 minutes"},
		{"0 * * * * ?", "every minute"},
		{"*/30 * * * * ?", "every 30 seconds"},
		{"* * * * * ?", "every second"},
		{"0 30 1 ? * MON-FRI", "at 01:30 on Monday to Friday"},
		{"0 30 1 ? * 2-6", "at 01:30 on Monday to Friday"},
		{"0 0 9 ? * MON", "at 09:00 on Monday"},
		{"0 0 10 ? * SAT,SUN", "at 10:00 on Saturday and Sunday"},
		{"0 0 10 ? * MON,WED,FRI", "at 10:00 on Monday, Wednesday and Friday"},
		{"0 0 6,18 * * ?", "every day at 06:00 and 18:00"},
		{"30 15 6 * * ?", "every day at 06:15:30"},
		{"0 0 * * * ?", "every hour"},
		{"0 15 * * * ?", "every hour at minute 15"},
		{"0 0 */2 * * ?", "every 2 hours"},
		{"0 30 */4 * * ?", "every 4 hours at minute 30"},
		{"0 0/10 9-17 ? * MON-FRI", "every 10 minutes from 09:00 to 17:59 on Monday to Friday"},
		{"0 0 8 1 * ?", "at 08:00 on day 1 of every month"},
		{"0 0 8 1,15 * ?", "at 08:00 on days 1 and 15 of every month"},
		{"0 0 12 L * ?", "at 12:00 on the last day of every month"},
		{"0 0 12 LW * ?", "at 12:00 on the last weekday of every month"},
		{"0 0 7 15W * ?", "at 07:00 on the weekday nearest day 15 of every month"},
		{"0 0 10 ? * 6#3", "at 10:00 on the third Friday of the month"},
		{"0 0 10 ? * FRIL", "at 10:00 on the last Friday of the month"},
		{"0 0 0 1 1 ?", "at 00:00 on day 1 in January"},
		{"0 0 3 ? JAN-MAR SUN", "at 03:00 on Sunday in January to March"},
		{"30s", "every 30 seconds"},
		{"2s", "every 2 seconds"},
		{"1s", "every second"},
		{"5m", "every 5 minutes"},
		{"2h", "every 2 hours"},
		{"15", "every 15 minutes"}, // a bare number is minutes
		{"120", "every 2 hours"},
		{"1h30m", "every 90 minutes"},
		{"500ms", "every 500 milliseconds"},
		{"1500ms", "every 1500 milliseconds"},
		// Beyond the describer: the raw expression stands alone.
		{"0 0 0 1 1 ? 2030", ""},
		{"0 5-10 * * * ?", ""},
		{"0 0 1-3/2 * * ?", ""},
		// Not valid at all.
		{"every day", ""},
		{"0 61 * * * ?", ""},
		{"0 0 2 * * *", ""},
		{"0 2 * * *", ""},
		{"0", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := describeSchedule(tt.expr); got != tt.want {
			t.Errorf("describeSchedule(%q) = %q, want %q", tt.expr, got, tt.want)
		}
	}
}

func TestCheckSchedule(t *testing.T) {
	t.Parallel()
	valid := []string{"0 0 2 * * ?", "0 */5 * * * ?", "0 30 1 ? * MON-FRI", "0 0 12 L * ?", "0 0 10 ? * 6#3",
		"0 0 0 1 1 ? 2030", "0 15 10 ? * 6L", "0 0 8 ? JAN,JUL MON", "30s", "5m", "1h30m", "60", "0 0 22 ? * FRI-MON"}
	for _, expr := range valid {
		if err := checkSchedule(expr); err != nil {
			t.Errorf("checkSchedule(%q) = %v, want nil", expr, err)
		}
	}
	invalid := []struct{ expr, want string }{
		{"every day", "has 2 fields"},
		{"0 0 2 * *  * ? 1", "has 8 fields"},
		{"0 61 * * * ?", `minutes field "61": 61 is outside 0-59`},
		{"0 0 25 * * ?", "hours field"},
		{"0 0 2 32 * ?", "day-of-month field"},
		{"0 0 2 ? * FUN", `"FUN" is neither a number 1-7 nor one of SUN,MON`},
		{"0 0 2 ? 13 *", "month field"},
		{"0 */0 * * * ?", "step after / must be a positive number"},
		{"0 0 2 1 * MON", "exactly one of day-of-month and day-of-week"},
		{"0 0 2 * * *", "exactly one of day-of-month and day-of-week"},
		{"0 0 2 ? * ?", "exactly one of day-of-month and day-of-week"},
		{"0 2 * * *", "5-field Unix cron"},
		{"0 0 10 ? * 6#7", "after # must be 1 to 5"},
		{"0 0 20-10 * * ?", "backwards"},
		{"0s", "has 1 fields"},
		{"-5", "has 1 fields"},
		{"", "has 0 fields"},
	}
	for _, tt := range invalid {
		err := checkSchedule(tt.expr)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("checkSchedule(%q) = %v, want an error containing %q", tt.expr, err, tt.want)
		}
	}
}
