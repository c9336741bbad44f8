package quartz

import (
	"math/bits"
	"time"
)

// Next returns the first fire time strictly after after, in after's location, or the zero time
// when the expression never fires again before MaxYear.
func (e *Expr) Next(after time.Time) time.Time {
	loc := after.Location()
	t := after.Truncate(time.Second).Add(time.Second)
	y, mo, d := t.Date()
	h0, m0, s0 := t.Clock()
	for y <= MaxYear {
		switch {
		case !e.yearOK(y):
			y, mo, d, h0, m0, s0 = y+1, time.January, 1, 0, 0, 0
			continue
		case e.month&(1<<uint(mo-1)) == 0:
			y, mo, d, h0, m0, s0 = nextMonth(y, mo)
			continue
		}
		if e.dayOK(y, mo, d) {
			if h, m, s, ok := e.timeFrom(h0, m0, s0); ok {
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

// NextN lists up to n fire times after after, fewer when the expression stops firing.
func (e *Expr) NextN(after time.Time, n int) []time.Time {
	var out []time.Time
	t := after
	for range n {
		if t = e.Next(t); t.IsZero() {
			break
		}
		out = append(out, t)
	}
	return out
}

func nextMonth(y int, mo time.Month) (int, time.Month, int, int, int, int) {
	if mo == time.December {
		return y + 1, time.January, 1, 0, 0, 0
	}
	return y, mo + 1, 1, 0, 0, 0
}

func daysIn(y int, mo time.Month) int { return time.Date(y, mo+1, 0, 0, 0, 0, 0, time.UTC).Day() }

func (e *Expr) yearOK(y int) bool {
	if e.years == nil {
		return true
	}
	i := y - fields[fYear].min
	return i >= 0 && e.years[i/64]&(1<<uint(i%64)) != 0
}

// dayOK applies the day-of-month or the day-of-week rule (exactly one is '?').
func (e *Expr) dayOK(y int, mo time.Month, d int) bool {
	dim := daysIn(y, mo)
	wd := int(time.Date(y, mo, d, 12, 0, 0, 0, time.UTC).Weekday()) + 1 // 1 = Sunday
	if e.domAny {
		switch {
		case e.dowNth != 0:
			return wd == e.dowNth && (d-1)/7+1 == e.dowNum
		case e.dowLast != 0:
			return wd == e.dowLast && d+7 > dim
		}
		return e.dow&(1<<uint(wd)) != 0
	}
	switch {
	case e.domLast >= 0:
		return d == dim-e.domLast
	case e.domLastWeekday:
		return d == nearestWeekday(y, mo, dim)
	case e.domWeekday != 0:
		return e.domWeekday <= dim && d == nearestWeekday(y, mo, e.domWeekday)
	}
	return e.dom&(1<<uint(d)) != 0
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
func (e *Expr) timeFrom(h0, m0, s0 int) (h, m, s int, ok bool) {
	for h = nextBit(e.hour, h0); h >= 0; h = nextBit(e.hour, h+1) {
		mFrom := 0
		if h == h0 {
			mFrom = m0
		}
		for m = nextBit(e.min, mFrom); m >= 0; m = nextBit(e.min, m+1) {
			sFrom := 0
			if h == h0 && m == m0 {
				sFrom = s0
			}
			if s = nextBit(e.sec, sFrom); s >= 0 {
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
