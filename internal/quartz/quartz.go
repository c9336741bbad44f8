// Package quartz reads Quartz cron expressions, the schedule dialect of the Java platform behind
// Etlworks: second minute hour day-of-month month day-of-week [year], with '?' in exactly one of
// the two day fields, '*', lists, ranges (which wrap, as in Quartz: 22-2, FRI-MON), steps ("0/15",
// "*/5", "10-40/10"), names (JAN-DEC, SUN-SAT), and L, W, LW, L-n, nL, n#k. It parses them, computes
// fire times and phrases them in plain English. The tools (to check and describe a schedule) and
// the sandbox (to fire one) share it, so both read an expression the same way.
package quartz

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/etlworks/etlworks-mcp/internal/bound"
)

// MaxYear bounds the year field and the search for the next fire time.
const MaxYear = 2199

// field describes one position of an expression.
type field struct {
	name     string
	min, max int
	names    []string // names[i] stands for min+i
}

// Field positions.
const (
	fSec = iota
	fMin
	fHour
	fDOM
	fMonth
	fDOW
	fYear
)

var fields = [7]field{
	{name: "second", min: 0, max: 59},
	{name: "minute", min: 0, max: 59},
	{name: "hour", min: 0, max: 23},
	{name: "day-of-month", min: 1, max: 31},
	{name: "month", min: 1, max: 12, names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
	{name: "day-of-week", min: 1, max: 7, names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}},
	{name: "year", min: 1970, max: MaxYear},
}

// Expr is a parsed expression. Sets are bitsets indexed by value (years by year-1970).
type Expr struct {
	text           string
	fields         []string // the expression's fields as written
	sec, min, hour uint64
	dom, month     uint64
	dow            uint64
	years          []uint64 // nil = every year

	domAny, dowAny bool // '?'
	domLast        int  // L (0) or L-n (n); -1 = unused
	domLastWeekday bool // LW
	domWeekday     int  // nW; 0 = unused
	dowLast        int  // nL: the last weekday n of the month; 0 = unused
	dowNth, dowNum int  // n#k: the k-th weekday n; 0 = unused
}

// String returns the expression as it was parsed.
func (e *Expr) String() string { return e.text }

// Error is a syntax error; its text names the expression, the field and what is allowed, so a
// person (or a model) can fix the expression in one step.
type Error struct {
	Expr string
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", bound.Quote(e.Expr), e.Msg) }

func fieldErr(expr string, f field, token, format string, args ...any) error {
	return &Error{Expr: expr, Msg: fmt.Sprintf("%s field %s %s", f.name, bound.Quote(token), fmt.Sprintf(format, args...))}
}

// Parse reads a 6- or 7-field expression.
func Parse(expr string) (*Expr, error) {
	fs := strings.Fields(expr)
	switch {
	case len(fs) == 5:
		return nil, &Error{Expr: expr, Msg: "looks like a 5-field Unix cron; a Quartz cron expression has 6 or 7 fields (second minute hour day-of-month month day-of-week [year]), not 5: it starts with seconds and puts ? in one day field (days of week 1-7 = SUN-SAT), e.g. \"0 0 2 * * ?\" runs every day at 02:00"}
	case len(fs) < 6 || len(fs) > 7:
		return nil, &Error{Expr: expr, Msg: fmt.Sprintf("has %d fields; a Quartz cron expression has 6 or 7 fields (second minute hour day-of-month month day-of-week [year]), e.g. \"0 30 1 * * ?\" runs every day at 01:30", len(fs))}
	}
	e := &Expr{text: strings.Join(fs, " "), fields: fs, domLast: -1}
	var err error
	for i, p := range []*uint64{&e.sec, &e.min, &e.hour} {
		if *p, err = parseSet(expr, fields[i], fs[i]); err != nil {
			return nil, err
		}
	}
	if e.month, err = parseSet(expr, fields[fMonth], fs[fMonth]); err != nil {
		return nil, err
	}
	if err := e.parseDOM(expr, fs[fDOM]); err != nil {
		return nil, err
	}
	if err := e.parseDOW(expr, fs[fDOW]); err != nil {
		return nil, err
	}
	if e.domAny == e.dowAny {
		return nil, &Error{Expr: expr, Msg: "must put '?' in exactly one of day-of-month and day-of-week (Quartz does not combine them), e.g. \"0 0 12 * * ?\" or \"0 0 12 ? * MON-FRI\""}
	}
	if len(fs) == 7 && fs[fYear] != "*" {
		if e.years, err = parseBits(expr, fields[fYear], fs[fYear]); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// parseSet parses a field that holds plain values only (seconds to hours, month).
func parseSet(expr string, f field, s string) (uint64, error) {
	set, err := parseBits(expr, f, s)
	if err != nil {
		return 0, err
	}
	return set[0], nil
}

// parseBits parses a comma list of *, values, ranges and steps into a bitset of value-min.
func parseBits(expr string, f field, s string) ([]uint64, error) {
	set := make([]uint64, (f.max-f.min)/64+1)
	for _, item := range strings.Split(s, ",") {
		if item == "?" {
			return nil, fieldErr(expr, f, item, "cannot be '?'; '?' is only allowed in day-of-month or day-of-week")
		}
		lo, hi, step, err := parseItem(expr, f, item)
		if err != nil {
			return nil, err
		}
		if hi < lo && f.name == "year" {
			return nil, fieldErr(expr, f, item, "is backwards: a range of years must go forward")
		}
		span := f.max - f.min + 1
		count := (hi - lo + span) % span // a range like 22-2 wraps around, as in Quartz
		for k := 0; k <= count; k += step {
			v := (lo-f.min+k)%span + f.min
			set[(v-f.min)/64] |= 1 << uint((v-f.min)%64)
		}
	}
	return set, nil
}

// parseItem parses one list item: *, a, a-b, with an optional /step.
func parseItem(expr string, f field, item string) (lo, hi, step int, err error) {
	base, stepText, hasStep := strings.Cut(item, "/")
	step = 1
	if hasStep {
		n, err := strconv.Atoi(stepText)
		if err != nil || n < 1 {
			return 0, 0, 0, fieldErr(expr, f, item, "has step %q; the step after / must be a positive whole number", stepText)
		}
		step = n
	}
	switch {
	case base == "*" || base == "":
		if base == "" && !hasStep {
			return 0, 0, 0, fieldErr(expr, f, item, "is empty")
		}
		return f.min, f.max, step, nil
	case strings.Contains(base, "-"):
		a, b, _ := strings.Cut(base, "-")
		if lo, err = value(expr, f, a); err != nil {
			return
		}
		hi, err = value(expr, f, b)
		return lo, hi, step, err
	}
	if lo, err = value(expr, f, base); err != nil {
		return
	}
	hi = lo
	if hasStep {
		hi = f.max
	}
	return lo, hi, step, nil
}

// value reads one number or name of a field and checks its range.
func value(expr string, f field, s string) (int, error) {
	for i, n := range f.names {
		if strings.EqualFold(s, n) {
			return f.min + i, nil
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		if f.names != nil {
			return 0, fieldErr(expr, f, s, "is not a number %d-%d or a name (%s)", f.min, f.max, strings.Join(f.names, ","))
		}
		return 0, fieldErr(expr, f, s, "is not a number %d-%d", f.min, f.max)
	}
	if n < f.min || n > f.max {
		return 0, fieldErr(expr, f, s, "is out of range %d-%d", f.min, f.max)
	}
	return n, nil
}

// suffixed parses u, a value followed by a one-letter suffix (15W, 6L), into *dst: the suffix
// says what the value means, the caller says where it goes.
func suffixed(dst *int, expr string, f field, u string) error {
	n, err := value(expr, f, u[:len(u)-1])
	if err != nil {
		return err
	}
	*dst = n
	return nil
}

// parseDOM parses day-of-month, including ?, L, L-n, LW and nW.
func (e *Expr) parseDOM(expr, s string) error {
	f := fields[fDOM]
	u := strings.ToUpper(s)
	switch {
	case u == "?":
		e.domAny = true
		return nil
	case u == "L":
		e.domLast = 0
		return nil
	case u == "LW":
		e.domLastWeekday = true
		return nil
	case strings.HasPrefix(u, "L-"):
		n, err := strconv.Atoi(u[2:])
		if err != nil || n < 0 || n > 30 {
			return fieldErr(expr, f, s, "has an offset that is not a number in 0-30")
		}
		e.domLast = n
		return nil
	case strings.HasSuffix(u, "W") && !strings.ContainsAny(u, ",-/L"):
		return suffixed(&e.domWeekday, expr, f, u)
	case strings.ContainsAny(u, "LW?#"):
		return fieldErr(expr, f, s, "mixes L, W or ? with other values; use them alone (L, L-3, LW, 15W)")
	}
	set, err := parseSet(expr, f, s)
	e.dom = set << 1 // bit d = day d
	return err
}

// parseDOW parses day-of-week, including ?, L, nL and n#k.
func (e *Expr) parseDOW(expr, s string) error {
	f := fields[fDOW]
	u := strings.ToUpper(s)
	switch {
	case u == "?":
		e.dowAny = true
		return nil
	case u == "L":
		e.dow = 1 << 7 // L alone is the last day of the week: Saturday
		return nil
	case strings.Contains(u, "#"):
		day, nth, _ := strings.Cut(u, "#")
		d, err := value(expr, f, day)
		if err != nil {
			return err
		}
		k, err := strconv.Atoi(nth)
		if err != nil || k < 1 || k > 5 {
			return fieldErr(expr, f, s, "needs a week number 1-5 after '#'")
		}
		e.dowNth, e.dowNum = d, k
		return nil
	case len(u) > 1 && strings.HasSuffix(u, "L") && !strings.ContainsAny(u, ",-/"):
		return suffixed(&e.dowLast, expr, f, u)
	case strings.ContainsAny(u, "L?"):
		return fieldErr(expr, f, s, "mixes L or ? with other values; use them alone (L, 6L, FRI#3)")
	}
	set, err := parseSet(expr, f, s)
	e.dow = set << 1 // bit d = weekday d (1 = Sunday)
	return err
}
