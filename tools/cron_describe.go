package tools

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/etlworks/etlworks-mcp/internal/bound"
)

// This file turns a schedule expression into a short English phrase ("every day at 02:00") for
// list_schedules, and checks an expression's syntax before create_schedule or update_schedule send
// it. Etlworks schedules are Quartz cron expressions (seconds minutes hours day-of-month month
// day-of-week [year]) or plain intervals. Next fire times come from the server; nothing here
// computes them.

// cronField describes one Quartz field: its name, range and the names it accepts.
type cronField struct {
	name     string
	min, max int
	names    []string // names[i] stands for min+i (months JAN.., days SUN..)
}

var cronFields = []cronField{
	{name: "seconds", min: 0, max: 59},
	{name: "minutes", min: 0, max: 59},
	{name: "hours", min: 0, max: 23},
	{name: "day-of-month", min: 1, max: 31},
	{name: "month", min: 1, max: 12, names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
	{name: "day-of-week", min: 1, max: 7, names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}},
	{name: "year", min: 1970, max: 2199},
}

var (
	cronMonthNames = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	cronDayNames   = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	cronOrdinals   = []string{"first", "second", "third", "fourth", "fifth"}
)

// scheduleInterval reads an interval schedule: a bare number of minutes (Etlworks' "cron or
// minutes") or a duration such as "30s", "5m" or "1h30m"; ok is false for anything else.
func scheduleInterval(expr string) (time.Duration, bool) {
	e := strings.TrimSpace(expr)
	if n, err := strconv.Atoi(e); err == nil {
		return time.Duration(n) * time.Minute, n > 0
	}
	if e == "" || strings.ContainsAny(e, " \t") {
		return 0, false
	}
	d, err := time.ParseDuration(e)
	return d, err == nil && d > 0
}

// checkSchedule reports what is wrong with a schedule expression, or nil when it is a plausible
// Quartz cron expression or an interval. The server has the last word; this only catches typos
// early, with a message that names the field.
func checkSchedule(expr string) error {
	if _, ok := scheduleInterval(expr); ok {
		return nil
	}
	fields := strings.Fields(expr)
	q := bound.Quote(expr) // the expression as errors echo it
	if len(fields) == 5 {
		return fmt.Errorf("%s looks like a 5-field Unix cron; Etlworks uses Quartz, which starts with seconds and puts ? in one day field (days of week 1-7 = SUN-SAT), e.g. \"0 0 2 * * ?\" for every day at 02:00", q)
	}
	if len(fields) < 6 || len(fields) > 7 {
		return fmt.Errorf("%s has %d fields; a Quartz cron has 6 or 7 (seconds minutes hours day-of-month month day-of-week [year]), e.g. \"0 0 2 * * ?\" for every day at 02:00; an interval is minutes (15) or a duration (30s, 5m, 2h)", q, len(fields))
	}
	for i, f := range fields {
		if err := checkCronField(f, cronFields[i]); err != nil {
			return fmt.Errorf("%s: %s field %s: %v", q, cronFields[i].name, bound.Quote(f), err)
		}
	}
	if (fields[3] == "?") == (fields[5] == "?") {
		return fmt.Errorf("%s: put ? in exactly one of day-of-month and day-of-week, e.g. \"0 0 12 * * ?\" or \"0 0 12 ? * MON-FRI\"", q)
	}
	return nil
}

// checkCronField validates one field: *, ?, lists of values, ranges and steps, plus L, W and #
// where Quartz allows them.
func checkCronField(f string, cf cronField) error {
	if f == "*" || (f == "?" && (cf.name == "day-of-month" || cf.name == "day-of-week")) {
		return nil
	}
	for _, part := range strings.Split(f, ",") {
		if err := checkCronPart(part, cf); err != nil {
			return err
		}
	}
	return nil
}

func checkCronPart(part string, cf cronField) error {
	switch {
	case cf.name == "day-of-month" && (part == "L" || part == "LW" || strings.HasPrefix(part, "L-")):
		return nil
	case cf.name == "day-of-month" && strings.HasSuffix(part, "W"):
		_, err := cronValue(strings.TrimSuffix(part, "W"), cf)
		return err
	case cf.name == "day-of-week" && strings.Contains(part, "#"):
		day, nth, _ := strings.Cut(part, "#")
		if n, err := strconv.Atoi(nth); err != nil || n < 1 || n > 5 {
			return fmt.Errorf("the number after # must be 1 to 5")
		}
		_, err := cronValue(day, cf)
		return err
	case cf.name == "day-of-week" && strings.HasSuffix(part, "L") && len(part) > 1:
		_, err := cronValue(strings.TrimSuffix(part, "L"), cf)
		return err
	}
	base, step, hasStep := strings.Cut(part, "/")
	if hasStep {
		if n, err := strconv.Atoi(step); err != nil || n < 1 {
			return fmt.Errorf("the step after / must be a positive number")
		}
		if base == "*" {
			return nil
		}
	}
	lo, hi, isRange := strings.Cut(base, "-")
	a, err := cronValue(lo, cf)
	if err != nil {
		return err
	}
	if isRange {
		b, err := cronValue(hi, cf)
		if err != nil {
			return err
		}
		if b < a && cf.name != "day-of-week" && cf.name != "month" {
			return fmt.Errorf("range %s is backwards", base)
		}
	}
	return nil
}

// cronValue reads a number or a name within the field's range.
func cronValue(s string, cf cronField) (int, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < cf.min || n > cf.max {
			return 0, fmt.Errorf("%d is outside %d-%d", n, cf.min, cf.max)
		}
		return n, nil
	}
	for i, name := range cf.names {
		if strings.EqualFold(s, name) {
			return cf.min + i, nil
		}
	}
	if len(cf.names) > 0 {
		return 0, fmt.Errorf("%s is neither a number %d-%d nor one of %s", bound.Quote(s), cf.min, cf.max, strings.Join(cf.names, ","))
	}
	return 0, fmt.Errorf("%s is not a number %d-%d", bound.Quote(s), cf.min, cf.max)
}

// describeSchedule returns a short English phrase for a schedule expression, or "" when the
// expression is beyond what the describer knows (the raw expression is always shown beside it).
func describeSchedule(expr string) string {
	expr = strings.TrimSpace(expr)
	if d, ok := scheduleInterval(expr); ok {
		return "every " + cronDuration(d)
	}
	if checkSchedule(expr) != nil {
		return ""
	}
	f := strings.Fields(expr)
	if len(f) == 7 && f[6] != "*" {
		return "" // a year-bound schedule is rare; the raw expression says it best
	}
	when := cronTime(f[0], f[1], f[2])
	if when == "" {
		return ""
	}
	days, ok := cronDays(f[3], f[4], f[5])
	if !ok {
		return ""
	}
	if days == "" {
		if strings.HasPrefix(when, "at ") {
			return "every day " + when
		}
		return when
	}
	return when + " " + days
}

// cronDuration renders an interval in one unit: "30 seconds", "90 minutes", "2 hours".
func cronDuration(d time.Duration) string {
	unit, n := "second", int64(d/time.Second)
	switch {
	case d%time.Second != 0:
		unit, n = "millisecond", d.Milliseconds()
	case d%time.Hour == 0:
		unit, n = "hour", int64(d/time.Hour)
	case d%time.Minute == 0:
		unit, n = "minute", int64(d/time.Minute)
	}
	if n == 1 {
		return unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// cronNumber reads a field holding one plain number.
func cronNumber(f string) (int, bool) {
	n, err := strconv.Atoi(f)
	return n, err == nil
}

// cronEvery reads "*/N" or "0/N" (every N units from zero); N = 1 for "*".
func cronEvery(f string) (int, bool) {
	if f == "*" {
		return 1, true
	}
	base, step, ok := strings.Cut(f, "/")
	if !ok || (base != "*" && base != "0") {
		return 0, false
	}
	n, err := strconv.Atoi(step)
	return n, err == nil && n > 0
}

func cronUnit(n int, unit string) string {
	if n == 1 {
		return "every " + unit
	}
	return fmt.Sprintf("every %d %ss", n, unit)
}

// cronTime phrases the seconds, minutes and hours fields.
func cronTime(sec, minute, hour string) string {
	s, sOK := cronNumber(sec)
	m, mOK := cronNumber(minute)
	if sOK && mOK {
		if hours, ok := cronNumbers(hour, 0, 23); ok {
			times := make([]string, len(hours))
			for i, h := range hours {
				times[i] = cronClock(h, m, s)
			}
			return "at " + cronJoin(times)
		}
		if n, ok := cronEvery(hour); ok && s == 0 {
			phrase := cronUnit(n, "hour")
			if m != 0 {
				phrase += fmt.Sprintf(" at minute %d", m)
			}
			return phrase
		}
		if lo, hi, ok := cronRange(hour); ok && s == 0 {
			return fmt.Sprintf("every hour at minute %d from %02d:00 to %02d:%02d", m, lo, hi, m)
		}
		return ""
	}
	if sOK && s == 0 {
		n, ok := cronEvery(minute)
		if !ok {
			return ""
		}
		phrase := cronUnit(n, "minute")
		if hour == "*" {
			return phrase
		}
		if lo, hi, ok := cronRange(hour); ok {
			return fmt.Sprintf("%s from %02d:00 to %02d:59", phrase, lo, hi)
		}
		if h, ok := cronNumber(hour); ok {
			return fmt.Sprintf("%s from %02d:00 to %02d:59", phrase, h, h)
		}
		return ""
	}
	if n, ok := cronEvery(sec); ok && minute == "*" && hour == "*" {
		return cronUnit(n, "second")
	}
	return ""
}

func cronClock(h, m, s int) string {
	if s != 0 {
		return fmt.Sprintf("%02d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%02d:%02d", h, m)
}

func cronRange(f string) (int, int, bool) {
	lo, hi, ok := strings.Cut(f, "-")
	a, aOK := cronNumber(lo)
	b, bOK := cronNumber(hi)
	return a, b, ok && aOK && bOK && a <= b
}

// cronNumbers reads "6" or "6,18" (plain numbers only).
func cronNumbers(f string, lo, hi int) ([]int, bool) {
	var out []int
	for _, p := range strings.Split(f, ",") {
		n, ok := cronNumber(p)
		if !ok || n < lo || n > hi {
			return nil, false
		}
		out = append(out, n)
	}
	return out, len(out) <= 6
}

// cronDays phrases day-of-month, month and day-of-week; "" means every day.
func cronDays(dom, month, dow string) (string, bool) {
	var parts []string
	anyDay := func(f string) bool { return f == "*" || f == "?" }
	switch {
	case !anyDay(dow):
		p, ok := cronWeekdays(dow)
		if !ok {
			return "", false
		}
		parts = append(parts, "on "+p)
	case !anyDay(dom):
		p, ok := cronMonthDays(dom)
		if !ok {
			return "", false
		}
		parts = append(parts, p)
	}
	if month != "*" {
		p, ok := cronNames(month, cronFields[4], cronMonthNames)
		if !ok {
			return "", false
		}
		parts = append(parts, "in "+p)
	} else if !anyDay(dom) && anyDay(dow) {
		parts[len(parts)-1] += " of every month"
	}
	return strings.Join(parts, " "), true
}

// cronWeekdays phrases a day-of-week field: "Monday to Friday", "Saturday and Sunday",
// "the last Friday", "the second Tuesday".
func cronWeekdays(f string) (string, bool) {
	if day, nth, ok := strings.Cut(f, "#"); ok {
		d, err := cronValue(day, cronFields[5])
		n, _ := strconv.Atoi(nth)
		if err != nil || n < 1 || n > 5 {
			return "", false
		}
		return "the " + cronOrdinals[n-1] + " " + cronDayNames[d-1] + " of the month", true
	}
	if day, ok := strings.CutSuffix(f, "L"); ok && day != "" {
		d, err := cronValue(day, cronFields[5])
		if err != nil {
			return "", false
		}
		return "the last " + cronDayNames[d-1] + " of the month", true
	}
	return cronNames(f, cronFields[5], cronDayNames)
}

// cronMonthDays phrases a day-of-month field.
func cronMonthDays(f string) (string, bool) {
	switch {
	case f == "L":
		return "on the last day", true
	case f == "LW":
		return "on the last weekday", true
	case strings.HasSuffix(f, "W"):
		n, ok := cronNumber(strings.TrimSuffix(f, "W"))
		return fmt.Sprintf("on the weekday nearest day %d", n), ok
	}
	days, ok := cronNumbers(f, 1, 31)
	if ok {
		strs := make([]string, len(days))
		for i, d := range days {
			strs[i] = strconv.Itoa(d)
		}
		if len(days) == 1 {
			return "on day " + strs[0], true
		}
		return "on days " + cronJoin(strs), true
	}
	if lo, hi, ok := cronRange(f); ok {
		return fmt.Sprintf("on days %d to %d", lo, hi), true
	}
	return "", false
}

// cronNames phrases a list of values or ranges by name: "Monday to Friday", "January and July".
func cronNames(f string, cf cronField, names []string) (string, bool) {
	var out []string
	for _, part := range strings.Split(f, ",") {
		if strings.ContainsAny(part, "/#*?") {
			return "", false
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := cronValue(lo, cf)
		if err != nil {
			return "", false
		}
		if !isRange {
			out = append(out, names[a-cf.min])
			continue
		}
		b, err := cronValue(hi, cf)
		if err != nil {
			return "", false
		}
		out = append(out, names[a-cf.min]+" to "+names[b-cf.min])
	}
	return cronJoin(out), true
}

// cronJoin joins "a", "a and b", "a, b and c".
func cronJoin(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
