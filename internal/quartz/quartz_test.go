package quartz

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04:05", s, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestNext(t *testing.T) {
	t.Parallel()
	cases := []struct {
		expr, after string
		want        []string // the next fire times in order; none = never fires
	}{
		{"0 30 1 * * ?", "2026-03-10 12:00:00", []string{"2026-03-11 01:30:00", "2026-03-12 01:30:00"}},
		{"0 30 1 * * ?", "2026-03-10 01:29:59", []string{"2026-03-10 01:30:00"}},
		{"0 30 1 * * ?", "2026-03-10 01:30:00", []string{"2026-03-11 01:30:00"}},
		{"0 0/15 * * * ?", "2026-03-10 12:07:00", []string{"2026-03-10 12:15:00", "2026-03-10 12:30:00"}},
		{"*/20 * * * * ?", "2026-03-10 12:00:41", []string{"2026-03-10 12:01:00", "2026-03-10 12:01:20"}},
		{"0 10 0/6 * * ?", "2026-03-10 07:00:00", []string{"2026-03-10 12:10:00", "2026-03-10 18:10:00", "2026-03-11 00:10:00"}},
		{"0 0 12 ? * MON-FRI", "2026-03-13 13:00:00", []string{"2026-03-16 12:00:00", "2026-03-17 12:00:00"}},
		{"0 0 12 ? * sat,SUN", "2026-03-10 00:00:00", []string{"2026-03-14 12:00:00", "2026-03-15 12:00:00"}},
		{"0 0 22 ? * FRI-MON", "2026-03-10 00:00:00", []string{"2026-03-13 22:00:00", "2026-03-14 22:00:00", "2026-03-15 22:00:00", "2026-03-16 22:00:00", "2026-03-20 22:00:00"}},
		{"0 0 12 L * ?", "2026-02-10 00:00:00", []string{"2026-02-28 12:00:00", "2026-03-31 12:00:00"}},
		{"0 0 12 L * ?", "2028-02-10 00:00:00", []string{"2028-02-29 12:00:00"}},
		{"0 0 12 L-2 * ?", "2026-03-01 00:00:00", []string{"2026-03-29 12:00:00"}},
		{"0 0 12 LW * ?", "2026-05-01 00:00:00", []string{"2026-05-29 12:00:00"}},
		{"0 0 12 15W * ?", "2026-08-01 00:00:00", []string{"2026-08-14 12:00:00"}},
		{"0 0 12 1W * ?", "2026-07-31 13:00:00", []string{"2026-08-03 12:00:00"}},
		{"0 0 12 31W * ?", "2026-05-01 00:00:00", []string{"2026-05-29 12:00:00"}},
		{"0 0 12 ? * 6L", "2026-03-01 00:00:00", []string{"2026-03-27 12:00:00"}},
		{"0 0 12 ? * FRI#3", "2026-03-01 00:00:00", []string{"2026-03-20 12:00:00", "2026-04-17 12:00:00"}},
		{"0 0 12 ? * MON#5", "2026-03-01 00:00:00", []string{"2026-03-30 12:00:00", "2026-06-29 12:00:00"}},
		{"0 0 12 ? * L", "2026-03-10 00:00:00", []string{"2026-03-14 12:00:00"}},
		{"0 0 22-2 * * ?", "2026-03-10 21:00:00", []string{"2026-03-10 22:00:00", "2026-03-10 23:00:00", "2026-03-11 00:00:00", "2026-03-11 01:00:00", "2026-03-11 02:00:00", "2026-03-11 22:00:00"}},
		{"0 15 10 ? JAN,JUL MON 2027", "2026-03-10 00:00:00", []string{"2027-01-04 10:15:00"}},
		{"0 0 0 1 1 ? 2030", "2026-03-10 00:00:00", []string{"2030-01-01 00:00:00"}},
		{"0 0 0 1 1 ? 2027-2028", "2026-03-10 00:00:00", []string{"2027-01-01 00:00:00", "2028-01-01 00:00:00"}},
		{"0 0 0 1 1 ? 2020", "2026-03-10 00:00:00", nil},
		{"0 0 0 30 FEB ?", "2026-03-10 00:00:00", nil},
		{"0 10-40/10 * * * ?", "2026-03-10 00:45:00", []string{"2026-03-10 01:10:00", "2026-03-10 01:20:00", "2026-03-10 01:30:00", "2026-03-10 01:40:00", "2026-03-10 02:10:00"}},
		{"0 0 */2 * * ?", "2026-03-10 23:30:00", []string{"2026-03-11 00:00:00", "2026-03-11 02:00:00"}},
	}
	for _, c := range cases {
		e, err := Parse(c.expr)
		if err != nil {
			t.Errorf("%q: %v", c.expr, err)
			continue
		}
		got := e.NextN(at(t, c.after), len(c.want)+1)
		for i, w := range c.want {
			if i >= len(got) || !got[i].Equal(at(t, w)) {
				t.Errorf("%q after %s: run %d = %v, want %s", c.expr, c.after, i, got, w)
				break
			}
		}
		if c.want == nil && len(got) != 0 {
			t.Errorf("%q never fires, got %v", c.expr, got)
		}
	}
}

func TestNextKeepsLocation(t *testing.T) {
	t.Parallel()
	loc := time.FixedZone("UTC+2", 2*3600)
	e, err := Parse("0 0 9 * * ?")
	if err != nil {
		t.Fatal(err)
	}
	got := e.Next(time.Date(2026, 3, 10, 10, 0, 0, 0, loc))
	if want := time.Date(2026, 3, 11, 9, 0, 0, 0, loc); !got.Equal(want) || got.Location() != loc {
		t.Errorf("Next = %v, want %v", got, want)
	}
}

func TestParseValid(t *testing.T) {
	t.Parallel()
	for _, expr := range []string{"0 0 2 * * ?", "0 */5 * * * ?", "0 30 1 ? * MON-FRI", "0 0 12 L * ?", "0 0 10 ? * 6#3",
		"0 0 0 1 1 ? 2030", "0 15 10 ? * 6L", "0 0 8 ? JAN,JUL MON", "0 0 22 ? * FRI-MON", "0 0 20-10 * * ?",
		"0 0 12 ? NOV-FEB *", "  0  0 2 * * ?  ", "0 0 12 l * ?", "0 0 12 ? * fril", "0 0 12 L-0 * ?", "0 0 12 ? * 2,4,6"} {
		if _, err := Parse(expr); err != nil {
			t.Errorf("Parse(%q) = %v, want nil", expr, err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ expr, want string }{
		{"0 61 * * * ?", `"0 61 * * * ?": minute field "61" is out of range 0-59`},
		{"0 30 1 * *", "has 6 or 7 fields (second minute hour day-of-month month day-of-week [year]), not 5"},
		{"0 2 * * *", "5-field Unix cron"},
		{"every day", "has 2 fields"},
		{"0 0 2 * *  * ? 1", "has 8 fields"},
		{"", "has 0 fields"},
		{"0s", "has 1 fields"},
		{"0 0 12 * * *", "exactly one of day-of-month and day-of-week"},
		{"0 0 12 ? * ?", "exactly one of day-of-month and day-of-week"},
		{"0 0 2 1 * MON", "exactly one of day-of-month and day-of-week"},
		{"0 0 12 ? * FOO", `day-of-week field "FOO" is not a number 1-7 or a name (SUN,MON,TUE,WED,THU,FRI,SAT)`},
		{"0 0 2 ? * FUN", `day-of-week field "FUN" is not a number 1-7`},
		{"0 0 12 ? FOO *", `month field "FOO" is not a number 1-12 or a name (JAN,`},
		{"0 0 2 ? 13 *", `month field "13" is out of range 1-12`},
		{"0 0/0 * * * ?", `minute field "0/0" has step "0"`},
		{"0 */0 * * * ?", "the step after / must be a positive whole number"},
		{"? 0 0 * * ?", `second field "?" cannot be '?'`},
		{"0 0 12 ? * FRI#6", `day-of-week field "FRI#6" needs a week number 1-5`},
		{"0 0 10 ? * 6#7", "needs a week number 1-5 after '#'"},
		{"0 0 12 32 * ?", `day-of-month field "32" is out of range 1-31`},
		{"0 0 25 * * ?", `hour field "25" is out of range 0-23`},
		{"0 0 12 1,L * ?", `day-of-month field "1,L" mixes L`},
		{"0 0 12 1,15W * ?", `day-of-month field "1,15W" mixes L, W`},
		{"0 0 12 L-31 * ?", "offset that is not a number in 0-30"},
		{"0 0 12 ? * MON,FRIL", `mixes L or ?`},
		{"0 0 12 * * ? 1900", `year field "1900" is out of range 1970-2199`},
		{"0 0 12 * * ? 2030-2027", `year field "2030-2027" is backwards`},
		{"0 x * * * ?", `minute field "x" is not a number 0-59`},
		{"0 1-x * * * ?", `minute field "x" is not a number`},
		{"0 , * * * ?", `minute field "" is empty`},
	} {
		_, err := Parse(c.expr)
		var qe *Error
		if !errors.As(err, &qe) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q) = %v, want an *Error containing %q", c.expr, err, c.want)
		}
	}
}

func TestString(t *testing.T) {
	t.Parallel()
	e, err := Parse("  0  0 2 * * ?")
	if err != nil || e.String() != "0 0 2 * * ?" {
		t.Errorf("String = %v, %v", e, err)
	}
}
