package sandbox

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"time"
)

// A schedule expression is what a schedule's "schedule" field holds (etlworks-api.md §5.1):
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

// maxCronYear bounds the search for the next fire time (and the year field).
const maxCronYear = 2199

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
	return parseCron(expr)
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

// cronField describes one position of a Quartz expression.
type cronField struct {
	name     string
	min, max int
	names    []string // names[i] stands for min+i
}

var cronFields = [7]cronField{
	{name: "second", min: 0, max: 59},
	{name: "minute", min: 0, max: 59},
	{name: "hour", min: 0, max: 23},
	{name: "day-of-month", min: 1, max: 31},
	{name: "month", min: 1, max: 12, names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
	{name: "day-of-week", min: 1, max: 7, names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}},
	{name: "year", min: 1970, max: maxCronYear},
}

// cronSpec is a parsed Quartz expression. Sets are bitsets indexed by value (years by year-1970).
type cronSpec struct {
	sec, min, hour uint64
	dom            uint64
	month          uint64
	dow            uint64
	years          []uint64 // nil = every year

	domAny, dowAny bool // '?'
	domLast        int  // L (0) or L-n (n); -1 = unused
	domLastWeekday bool // LW
	domWeekday     int  // nW; 0 = unused
	dowLast        int  // nL: last weekday n of the month; 0 = unused
	dowNth, dowNum int  // n#k: the k-th weekday n; 0 = unused
}

// cronErr builds the 400 for one bad field.
func cronErr(expr string, f cronField, token, format string, args ...any) error {
	return badRequest("schedule %q: %s field %q %s", expr, f.name, token, fmt.Sprintf(format, args...))
}

// parseCron parses a 6- or 7-field Quartz expression.
func parseCron(expr string) (*cronSpec, error) {
	fields := strings.Fields(expr)
	if len(fields) < 6 || len(fields) > 7 {
		return nil, badRequest("schedule %q: a Quartz cron expression has 6 or 7 fields (second minute hour day-of-month month day-of-week [year]), not %d; e.g. \"0 30 1 * * ?\" runs daily at 01:30",
			expr, len(fields))
	}
	c := &cronSpec{domLast: -1}
	var err error
	sets := []*uint64{&c.sec, &c.min, &c.hour}
	for i, p := range sets {
		if *p, err = parseCronSet(expr, cronFields[i], fields[i]); err != nil {
			return nil, err
		}
	}
	if c.month, err = parseCronSet(expr, cronFields[4], fields[4]); err != nil {
		return nil, err
	}
	if err := c.parseDOM(expr, fields[3]); err != nil {
		return nil, err
	}
	if err := c.parseDOW(expr, fields[5]); err != nil {
		return nil, err
	}
	if c.domAny == c.dowAny {
		return nil, badRequest("schedule %q: put '?' in exactly one of day-of-month and day-of-week (Quartz does not combine them), e.g. \"0 0 12 * * ?\" or \"0 0 12 ? * MON-FRI\"", expr)
	}
	if len(fields) == 7 && fields[6] != "*" {
		set, err := parseCronBits(expr, cronFields[6], fields[6])
		if err != nil {
			return nil, err
		}
		c.years = set
	}
	return c, nil
}

// parseCronSet parses a field that holds plain values only (seconds to hours, month).
func parseCronSet(expr string, f cronField, s string) (uint64, error) {
	set, err := parseCronBits(expr, f, s)
	if err != nil {
		return 0, err
	}
	return set[0], nil
}

// parseCronBits parses a comma list of *, values, ranges and steps into a bitset of value-min.
func parseCronBits(expr string, f cronField, s string) ([]uint64, error) {
	set := make([]uint64, (f.max-f.min)/64+1)
	for _, item := range strings.Split(s, ",") {
		if item == "?" {
			return nil, cronErr(expr, f, item, "cannot be '?'; '?' is only allowed in day-of-month or day-of-week")
		}
		lo, hi, step, err := parseCronItem(expr, f, item)
		if err != nil {
			return nil, err
		}
		span := f.max - f.min + 1
		count := (hi - lo + span) % span // a range like 22-2 wraps around
		for k := 0; k <= count; k += step {
			v := (lo-f.min+k)%span + f.min
			set[(v-f.min)/64] |= 1 << uint((v-f.min)%64)
		}
	}
	return set, nil
}

// parseCronItem parses one list item: *, a, a-b, with an optional /step.
func parseCronItem(expr string, f cronField, item string) (lo, hi, step int, err error) {
	base, stepText, hasStep := strings.Cut(item, "/")
	step = 1
	if hasStep {
		n, err := strconv.Atoi(stepText)
		if err != nil || n < 1 {
			return 0, 0, 0, cronErr(expr, f, item, "has step %q; a step must be a whole number of at least 1", stepText)
		}
		step = n
	}
	switch {
	case base == "*" || base == "":
		if base == "" && !hasStep {
			return 0, 0, 0, cronErr(expr, f, item, "is empty")
		}
		return f.min, f.max, step, nil
	case strings.Contains(base, "-"):
		a, b, _ := strings.Cut(base, "-")
		if lo, err = cronValue(expr, f, a); err != nil {
			return
		}
		hi, err = cronValue(expr, f, b)
		return lo, hi, step, err
	}
	if lo, err = cronValue(expr, f, base); err != nil {
		return
	}
	hi = lo
	if hasStep {
		hi = f.max
	}
	return lo, hi, step, nil
}

// cronValue reads one number or name of a field and checks its range.
func cronValue(expr string, f cronField, s string) (int, error) {
	for i, n := range f.names {
		if strings.EqualFold(s, n) {
			return f.min + i, nil
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		if f.names != nil {
			return 0, cronErr(expr, f, s, "is not a number or a name (%s-%s)", f.names[0], f.names[len(f.names)-1])
		}
		return 0, cronErr(expr, f, s, "is not a number")
	}
	if n < f.min || n > f.max {
		return 0, cronErr(expr, f, s, "is out of range %d-%d", f.min, f.max)
	}
	return n, nil
}

// parseDOM parses day-of-month, including ?, L, L-n, LW and nW.
func (c *cronSpec) parseDOM(expr, s string) error {
	f := cronFields[3]
	u := strings.ToUpper(s)
	switch {
	case u == "?":
		c.domAny = true
		return nil
	case u == "L":
		c.domLast = 0
		return nil
	case u == "LW":
		c.domLastWeekday = true
		return nil
	case strings.HasPrefix(u, "L-"):
		n, err := strconv.Atoi(u[2:])
		if err != nil || n < 0 || n > 30 {
			return cronErr(expr, f, s, "has an offset that is not a number in 0-30")
		}
		c.domLast = n
		return nil
	case strings.HasSuffix(u, "W"):
		n, err := cronValue(expr, f, u[:len(u)-1])
		if err != nil {
			return err
		}
		c.domWeekday = n
		return nil
	case strings.ContainsAny(u, "LW?#"):
		return cronErr(expr, f, s, "mixes L, W or ? with other values; use them alone (L, L-3, LW, 15W)")
	}
	set, err := parseCronSet(expr, f, s)
	c.dom = set << 1 // bit d = day d
	return err
}

// parseDOW parses day-of-week, including ?, L, nL and n#k.
func (c *cronSpec) parseDOW(expr, s string) error {
	f := cronFields[5]
	u := strings.ToUpper(s)
	switch {
	case u == "?":
		c.dowAny = true
		return nil
	case u == "L":
		c.dow = 1 << 7 // L alone is the last day of the week: Saturday
		return nil
	case strings.Contains(u, "#"):
		day, nth, _ := strings.Cut(u, "#")
		d, err := cronValue(expr, f, day)
		if err != nil {
			return err
		}
		k, err := strconv.Atoi(nth)
		if err != nil || k < 1 || k > 5 {
			return cronErr(expr, f, s, "needs a week number 1-5 after '#'")
		}
		c.dowNth, c.dowNum = d, k
		return nil
	case len(u) > 1 && strings.HasSuffix(u, "L"):
		d, err := cronValue(expr, f, u[:len(u)-1])
		if err != nil {
			return err
		}
		c.dowLast = d
		return nil
	case strings.ContainsAny(u, "L?"):
		return cronErr(expr, f, s, "mixes L or ? with other values; use them alone (L, 6L, FRI#3)")
	}
	set, err := parseCronSet(expr, f, s)
	c.dow = set << 1 // bit d = weekday d (1 = Sunday)
	return err
}

// next returns the first fire time strictly after after, in after's location, or zero when the
// expression never fires again before maxCronYear.
func (c *cronSpec) next(after, _ time.Time) time.Time {
	loc := after.Location()
	t := after.Truncate(time.Second).Add(time.Second)
	y, mo, d := t.Date()
	h0, m0, s0 := t.Clock()
	for y <= maxCronYear {
		switch {
		case !c.yearOK(y):
			y, mo, d, h0, m0, s0 = y+1, time.January, 1, 0, 0, 0
			continue
		case c.month&(1<<uint(mo-1)) == 0:
			y, mo, d, h0, m0, s0 = nextMonth(y, mo)
			continue
		}
		if c.dayOK(y, mo, d) {
			if h, m, s, ok := c.timeFrom(h0, m0, s0); ok {
				if at := time.Date(y, mo, d, h, m, s, 0, loc); at.After(after) {
					return at
				}
			}
		}
		h0, m0, s0 = 0, 0, 0
		if d++; d > daysIn(y, mo) {
			y, mo, d, _, _, _ = nextMonth(y, mo)
		}
	}
	return time.Time{}
}

func nextMonth(y int, mo time.Month) (int, time.Month, int, int, int, int) {
	if mo == time.December {
		return y + 1, time.January, 1, 0, 0, 0
	}
	return y, mo + 1, 1, 0, 0, 0
}

func daysIn(y int, mo time.Month) int { return time.Date(y, mo+1, 0, 0, 0, 0, 0, time.UTC).Day() }

func (c *cronSpec) yearOK(y int) bool {
	if c.years == nil {
		return true
	}
	i := y - cronFields[6].min
	return i >= 0 && c.years[i/64]&(1<<uint(i%64)) != 0
}

// dayOK applies the day-of-month or the day-of-week rule (exactly one is '?').
func (c *cronSpec) dayOK(y int, mo time.Month, d int) bool {
	dim := daysIn(y, mo)
	wd := int(time.Date(y, mo, d, 12, 0, 0, 0, time.UTC).Weekday()) + 1 // 1 = Sunday
	if c.domAny {
		switch {
		case c.dowNth != 0:
			return wd == c.dowNth && (d-1)/7+1 == c.dowNum
		case c.dowLast != 0:
			return wd == c.dowLast && d+7 > dim
		}
		return c.dow&(1<<uint(wd)) != 0
	}
	switch {
	case c.domLast >= 0:
		return d == dim-c.domLast
	case c.domLastWeekday:
		return d == nearestWeekday(y, mo, dim)
	case c.domWeekday != 0:
		return c.domWeekday <= dim && d == nearestWeekday(y, mo, c.domWeekday)
	}
	return c.dom&(1<<uint(d)) != 0
}

// nearestWeekday is Quartz's W: the weekday closest to day n, never leaving the month.
func nearestWeekday(y int, mo time.Month, n int) int {
	dim := daysIn(y, mo)
	switch time.Date(y, mo, n, 12, 0, 0, 0, time.UTC).Weekday() {
	case time.Saturday:
		if n == 1 {
			return 3
		}
		return n - 1
	case time.Sunday:
		if n == dim {
			return n - 2
		}
		return n + 1
	}
	return n
}

// timeFrom finds the first time of day at or after h0:m0:s0 that the expression allows.
func (c *cronSpec) timeFrom(h0, m0, s0 int) (h, m, s int, ok bool) {
	for h = nextBit(c.hour, h0); h >= 0; h = nextBit(c.hour, h+1) {
		mFrom := 0
		if h == h0 {
			mFrom = m0
		}
		for m = nextBit(c.min, mFrom); m >= 0; m = nextBit(c.min, m+1) {
			sFrom := 0
			if h == h0 && m == m0 {
				sFrom = s0
			}
			if s = nextBit(c.sec, sFrom); s >= 0 {
				return h, m, s, true
			}
		}
	}
	return 0, 0, 0, false
}

// nextBit returns the lowest set bit at or above from, or -1.
func nextBit(set uint64, from int) int {
	if from > 63 {
		return -1
	}
	rest := set >> uint(from)
	if rest == 0 {
		return -1
	}
	return from + bits.TrailingZeros64(rest)
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
