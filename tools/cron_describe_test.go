package tools

import (
	"strings"
	"testing"
)

func TestDescribeSchedule(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ expr, want string }{
		{"0 0 2 * * ?", "every day at 02:00"}, // the phrasing itself is tested in internal/quartz
		{"15", "every 15 (minutes or seconds: Etlworks documents both)"},
		{" 120 ", "every 120 (minutes or seconds: Etlworks documents both)"},
		{"30s", "every 30 seconds"},
		{"1h30m", "every 90 minutes"},
		{"500ms", "every 500 milliseconds"},
		{"0 0 0 1 1 ? 2030", ""},
		{"every day", ""},
		{"daily", ""},
		{"", ""},
	} {
		if got := describeSchedule(tt.expr); got != tt.want {
			t.Errorf("describeSchedule(%q) = %q, want %q", tt.expr, got, tt.want)
		}
	}
}

func TestScheduleCron(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"2h", "0 0 */2 * * ?"},
		{"30m", "0 */30 * * * ?"},
		{"15", "0 */15 * * * ?"}, // a bare number given to a tool is minutes
		{"60", "0 0 * * * ?"},
		{"30s", "*/30 * * * * ?"},
		{"1h", "0 0 * * * ?"},
		{"24h", "0 0 0 * * ?"},
		{" 0  0 2 * * ? ", "0 0 2 * * ?"},
		{"0 30 1 ? * MON-FRI", "0 30 1 ? * MON-FRI"},
		{"0 0 22 ? * FRI-MON", "0 0 22 ? * FRI-MON"},
	} {
		if got, err := scheduleCron(tt.in); err != nil || got != tt.want {
			t.Errorf("scheduleCron(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, tt := range []struct{ in, want string }{
		{"90m", `no Quartz cron fires exactly every 90 minutes`},
		{"90", `"0 0 */2 * * ?" (every 2 hours)`},
		{"1h30m", "every 90 minutes"},
		{"0", "must be positive"},
		{"-5", "must be positive"},
		{"0s", "must be positive"},
		{"every day", "has 2 fields"},
		{"0 61 * * * ?", `minute field "61" is out of range 0-59`},
		{"0 2 * * *", "5-field Unix cron"},
		{"", "has 0 fields"},
	} {
		if _, err := scheduleCron(tt.in); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("scheduleCron(%q) = %v, want an error containing %q", tt.in, err, tt.want)
		}
	}
}
