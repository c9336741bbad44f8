package quartz

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/etlworks/etlworks-mcp/internal/prose"
)

var (
	monthNames = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	dayNames   = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	ordinals   = []string{"first", "second", "third", "fourth", "fifth"}
)

// Describe returns a short English phrase for an expression ("every day at 02:00", "every 10
// minutes from 09:00 to 17:59 on Monday to Friday"), or "" when it is invalid or beyond what the
// phrasing knows (year-bound or irregular ones); callers show the expression beside it anyway.
func Describe(expr string) string {
	e, err := Parse(expr)
	if err != nil {
		return ""
	}
	f := e.fields
	if len(f) == 7 && f[fYear] != "*" {
		return "" // a year-bound schedule is rare; the expression says it best
	}
	when := phraseTime(f[fSec], f[fMin], f[fHour])
	if when == "" {
		return ""
	}
	days, ok := phraseDays(strings.ToUpper(f[fDOM]), f[fMonth], strings.ToUpper(f[fDOW]))
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

// number reads a field holding one plain number.
func number(f string) (int, bool) {
	n, err := strconv.Atoi(f)
	return n, err == nil
}

// every reads "*/N" or "0/N" (every N units from zero); N = 1 for "*".
func every(f string) (int, bool) {
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

func unit(n int, name string) string {
	if n == 1 {
		return "every " + name
	}
	return fmt.Sprintf("every %d %ss", n, name)
}

// phraseTime phrases the seconds, minutes and hours fields.
func phraseTime(sec, minute, hour string) string {
	s, sOK := number(sec)
	m, mOK := number(minute)
	if sOK && mOK {
		if hours, ok := numbers(hour, 0, 23); ok {
			times := make([]string, len(hours))
			for i, h := range hours {
				times[i] = clock(h, m, s)
			}
			return "at " + prose.List(times)
		}
		if n, ok := every(hour); ok && s == 0 {
			phrase := unit(n, "hour")
			if m != 0 {
				phrase += fmt.Sprintf(" at minute %d", m)
			}
			return phrase
		}
		if lo, hi, ok := plainRange(hour); ok && s == 0 {
			return fmt.Sprintf("every hour at minute %d from %02d:00 to %02d:%02d", m, lo, hi, m)
		}
		return ""
	}
	if sOK && s == 0 {
		n, ok := every(minute)
		if !ok {
			return ""
		}
		phrase := unit(n, "minute")
		if hour == "*" {
			return phrase
		}
		if lo, hi, ok := plainRange(hour); ok {
			return fmt.Sprintf("%s from %02d:00 to %02d:59", phrase, lo, hi)
		}
		if h, ok := number(hour); ok {
			return fmt.Sprintf("%s from %02d:00 to %02d:59", phrase, h, h)
		}
		return ""
	}
	if n, ok := every(sec); ok && minute == "*" && hour == "*" {
		return unit(n, "second")
	}
	return ""
}

func clock(h, m, s int) string {
	if s != 0 {
		return fmt.Sprintf("%02d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%02d:%02d", h, m)
}

// plainRange reads "a-b" with a <= b (a wrapping range is left to the raw expression).
func plainRange(f string) (int, int, bool) {
	lo, hi, ok := strings.Cut(f, "-")
	a, aOK := number(lo)
	b, bOK := number(hi)
	return a, b, ok && aOK && bOK && a <= b
}

// numbers reads "6" or "6,18" (plain numbers only, at most six).
func numbers(f string, lo, hi int) ([]int, bool) {
	var out []int
	for _, p := range strings.Split(f, ",") {
		n, ok := number(p)
		if !ok || n < lo || n > hi {
			return nil, false
		}
		out = append(out, n)
	}
	return out, len(out) <= 6
}

// phraseDays phrases day-of-month, month and day-of-week; "" means every day.
func phraseDays(dom, month, dow string) (string, bool) {
	var parts []string
	anyDay := func(f string) bool { return f == "*" || f == "?" }
	switch {
	case !anyDay(dow):
		p, ok := weekdays(dow)
		if !ok {
			return "", false
		}
		parts = append(parts, "on "+p)
	case !anyDay(dom):
		p, ok := monthDays(dom)
		if !ok {
			return "", false
		}
		parts = append(parts, p)
	}
	if month != "*" {
		p, ok := byName(month, fields[fMonth], monthNames)
		if !ok {
			return "", false
		}
		parts = append(parts, "in "+p)
	} else if !anyDay(dom) && anyDay(dow) {
		parts[len(parts)-1] += " of every month"
	}
	return strings.Join(parts, " "), true
}

// weekdays phrases a day-of-week field: "Monday to Friday", "Saturday and Sunday", "the last
// Friday of the month", "the second Tuesday of the month".
func weekdays(f string) (string, bool) {
	if f == "L" {
		return "Saturday", true
	}
	if day, nth, ok := strings.Cut(f, "#"); ok {
		d, dOK := nameValue(fields[fDOW], day)
		n, _ := strconv.Atoi(nth)
		if !dOK || n < 1 || n > 5 {
			return "", false
		}
		return "the " + ordinals[n-1] + " " + dayNames[d-1] + " of the month", true
	}
	if day, ok := strings.CutSuffix(f, "L"); ok && day != "" {
		d, ok := nameValue(fields[fDOW], day)
		if !ok {
			return "", false
		}
		return "the last " + dayNames[d-1] + " of the month", true
	}
	return byName(f, fields[fDOW], dayNames)
}

// monthDays phrases a day-of-month field.
func monthDays(f string) (string, bool) {
	switch {
	case f == "L":
		return "on the last day", true
	case f == "LW":
		return "on the last weekday", true
	case strings.HasPrefix(f, "L-"):
		n, ok := number(f[2:])
		if n == 0 {
			return "on the last day", ok
		}
		return fmt.Sprintf("%d days before the last day", n), ok
	case strings.HasSuffix(f, "W"):
		n, ok := number(strings.TrimSuffix(f, "W"))
		return fmt.Sprintf("on the weekday nearest day %d", n), ok
	}
	if days, ok := numbers(f, 1, 31); ok {
		strs := make([]string, len(days))
		for i, d := range days {
			strs[i] = strconv.Itoa(d)
		}
		if len(days) == 1 {
			return "on day " + strs[0], true
		}
		return "on days " + prose.List(strs), true
	}
	if lo, hi, ok := plainRange(f); ok {
		return fmt.Sprintf("on days %d to %d", lo, hi), true
	}
	return "", false
}

// nameValue reads a number or a name of a field (the expression was already checked).
func nameValue(f field, s string) (int, bool) {
	for i, n := range f.names {
		if strings.EqualFold(s, n) {
			return f.min + i, true
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= f.min && n <= f.max
}

// byName phrases a list of values or ranges by name: "Monday to Friday", "January and July".
func byName(f string, fl field, names []string) (string, bool) {
	var out []string
	for _, part := range strings.Split(f, ",") {
		if strings.ContainsAny(part, "/#*?") {
			return "", false
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, ok := nameValue(fl, lo)
		if !ok {
			return "", false
		}
		if !isRange {
			out = append(out, names[a-fl.min])
			continue
		}
		b, ok := nameValue(fl, hi)
		if !ok {
			return "", false
		}
		out = append(out, names[a-fl.min]+" to "+names[b-fl.min])
	}
	return prose.List(out), true
}
