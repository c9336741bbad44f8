package quartz

import (
	"strings"
	"testing"
	"time"
)

func TestFromInterval(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{time.Second, "* * * * * ?"},
		{30 * time.Second, "*/30 * * * * ?"},
		{15 * time.Second, "*/15 * * * * ?"},
		{time.Minute, "0 * * * * ?"},
		{5 * time.Minute, "0 */5 * * * ?"},
		{30 * time.Minute, "0 */30 * * * ?"},
		{time.Hour, "0 0 * * * ?"},
		{2 * time.Hour, "0 0 */2 * * ?"},
		{12 * time.Hour, "0 0 */12 * * ?"},
		{24 * time.Hour, "0 0 0 * * ?"},
	} {
		got, err := FromInterval(c.d)
		if err != nil || got != c.want {
			t.Errorf("FromInterval(%s) = %q, %v; want %q", c.d, got, err, c.want)
			continue
		}
		// The expression fires exactly every d, across a day boundary.
		e, err := Parse(got)
		if err != nil {
			t.Fatalf("%q: %v", got, err)
		}
		runs := e.NextN(time.Date(2026, 3, 10, 23, 0, 0, 0, time.UTC), 4)
		for i := 1; i < len(runs); i++ {
			if runs[i].Sub(runs[i-1]) != c.d {
				t.Errorf("%q fires at %v, not every %s", got, runs, c.d)
			}
		}
	}
	for _, c := range []struct {
		d    time.Duration
		want []string
	}{
		{90 * time.Minute, []string{"no Quartz cron fires exactly every 90 minutes", "divide the minute, the hour or the day evenly", `"0 0 * * * ?" (every hour) or "0 0 */2 * * ?" (every 2 hours)`}},
		{45 * time.Minute, []string{"every 45 minutes", `"0 */30 * * * ?" (every 30 minutes) or "0 0 * * * ?" (every hour)`}},
		{7 * time.Second, []string{"every 7 seconds", `"*/6 * * * * ?" (every 6 seconds) or "*/10 * * * * ?" (every 10 seconds)`}},
		{5 * time.Hour, []string{"every 5 hours", `"0 0 */4 * * ?" (every 4 hours) or "0 0 */6 * * ?" (every 6 hours)`}},
		{48 * time.Hour, []string{"every 2 days", "drifts at each month's end", `use "0 0 0 * * ?" (every day),`}},
		{1500 * time.Millisecond, []string{"every 1500 milliseconds", "whole seconds"}},
		{0, []string{"must be positive"}},
		{-time.Minute, []string{"must be positive"}},
	} {
		got, err := FromInterval(c.d)
		if err == nil {
			t.Errorf("FromInterval(%s) = %q, want an error", c.d, got)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("FromInterval(%s) error %q lacks %q", c.d, err, w)
			}
		}
	}
}

func TestDescribeInterval(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{30 * time.Second, "every 30 seconds"}, {2 * time.Second, "every 2 seconds"}, {time.Second, "every second"},
		{5 * time.Minute, "every 5 minutes"}, {2 * time.Hour, "every 2 hours"}, {120 * time.Minute, "every 2 hours"},
		{90 * time.Minute, "every 90 minutes"}, {500 * time.Millisecond, "every 500 milliseconds"},
		{1500 * time.Millisecond, "every 1500 milliseconds"}, {24 * time.Hour, "every day"}, {240 * time.Hour, "every 240 hours"},
	} {
		if got := DescribeInterval(c.d); got != c.want {
			t.Errorf("DescribeInterval(%s) = %q, want %q", c.d, got, c.want)
		}
	}
}
