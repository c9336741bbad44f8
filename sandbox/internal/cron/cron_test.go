package cron

import (
	"testing"
	"time"
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
		spec, err := Parse(c.expr)
		if err != nil {
			t.Errorf("%q: %v", c.expr, err)
			continue
		}
		got := NextRuns(spec, at(c.after), time.Time{}, len(c.want)+1)
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
		spec, err := Parse(c.expr)
		if err != nil {
			t.Fatalf("%q: %v", c.expr, err)
		}
		if got := spec.Next(anchor.Add(c.after), anchor); !got.Equal(anchor.Add(c.want)) {
			t.Errorf("%q after anchor+%s = %s, want anchor+%s", c.expr, c.after, got.Sub(anchor), c.want)
		}
	}
}
