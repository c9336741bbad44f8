package quartz

import (
	"testing"
	"time"
)

// FuzzParse: any text parses or fails with an *Error, never panics, and a parsed expression's
// next fire time is after the start and one the expression accepts again.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"0 0 2 * * ?", "0 0 12 L-2 * ?", "0 0 12 ? * FRI#3", "0 0 22-2 * * ?", "*/7 1-50/3 0 ? JAN-MAR,DEC 6L 2030-2040",
		"0 0 12 LW * ?", "0 0 12 31W FEB ?", "0 ,, * * * ?", "0 0 0 1 1 ? 2199", "a b c d e f"} {
		f.Add(s)
	}
	start := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Parse(%q) error %T %v", s, err, err)
			}
			return
		}
		_ = Describe(s)
		next := e.Next(start)
		if next.IsZero() {
			return
		}
		if !next.After(start) {
			t.Fatalf("%q: Next(%v) = %v", s, start, next)
		}
		if again := e.Next(next.Add(-time.Second)); !again.Equal(next) {
			t.Fatalf("%q: fire time %v not found again (%v)", s, next, again)
		}
	})
}
