package quartz

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// exactIntervals are the intervals a single Quartz expression fires at exactly: a step that
// divides the minute, the hour or the day evenly, since a cron restarts its count each minute,
// hour or day. Ascending.
var exactIntervals = func() []time.Duration {
	var out []time.Duration
	for _, unit := range []struct {
		d     time.Duration
		cycle int
	}{{time.Second, 60}, {time.Minute, 60}, {time.Hour, 24}} {
		for n := 1; n < unit.cycle; n++ {
			if unit.cycle%n == 0 {
				out = append(out, time.Duration(n)*unit.d)
			}
		}
	}
	return append(out, 24*time.Hour)
}()

// FromInterval returns the expression that fires exactly every d ("0 0 */2 * * ?" for 2h,
// "0 */30 * * * ?" for 30m), or an error saying why none does and which expressions come closest.
func FromInterval(d time.Duration) (string, error) {
	if d <= 0 {
		return "", fmt.Errorf("an interval must be positive, not %s", d)
	}
	if !slices.Contains(exactIntervals, d) {
		return "", noExactCron(d)
	}
	switch {
	case d < time.Minute:
		return stepField(int(d/time.Second)) + " * * * * ?", nil
	case d < time.Hour:
		return "0 " + stepField(int(d/time.Minute)) + " * * * ?", nil
	case d < 24*time.Hour:
		return "0 0 " + stepField(int(d/time.Hour)) + " * * ?", nil
	}
	return "0 0 0 * * ?", nil
}

func stepField(n int) string {
	if n == 1 {
		return "*"
	}
	return fmt.Sprintf("*/%d", n)
}

// noExactCron explains why no expression fires every d and names the nearest that do.
func noExactCron(d time.Duration) error {
	why := "a cron step must divide the minute, the hour or the day evenly, because the count restarts each minute, hour or day"
	switch {
	case d%time.Second != 0:
		why = "Quartz counts whole seconds"
	case d > 24*time.Hour:
		why = "a cron counts days within a month, so an interval over a day drifts at each month's end"
	}
	i, _ := slices.BinarySearch(exactIntervals, d)
	var near []string
	for _, j := range []int{i - 1, i} {
		if j >= 0 && j < len(exactIntervals) {
			c, _ := FromInterval(exactIntervals[j])
			near = append(near, fmt.Sprintf("%q (%s)", c, DescribeInterval(exactIntervals[j])))
		}
	}
	return fmt.Errorf("no Quartz cron fires exactly %s: %s; use %s, or a cron listing the times (e.g. \"0 0 8,12,18 * * ?\")",
		DescribeInterval(d), why, strings.Join(near, " or "))
}

// DescribeInterval phrases an interval in one unit: "every 30 seconds", "every 90 minutes",
// "every 2 hours", "every day", "every second".
func DescribeInterval(d time.Duration) string {
	name, n := "second", int64(d/time.Second)
	switch {
	case d%time.Second != 0:
		name, n = "millisecond", d.Milliseconds()
	case d%(24*time.Hour) == 0 && d < 7*24*time.Hour:
		name, n = "day", int64(d/(24*time.Hour))
	case d%time.Hour == 0:
		name, n = "hour", int64(d/time.Hour)
	case d%time.Minute == 0:
		name, n = "minute", int64(d/time.Minute)
	}
	if n == 1 {
		return "every " + name
	}
	return fmt.Sprintf("every %d %ss", n, name)
}
