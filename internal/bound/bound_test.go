package bound

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEcho(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"short", "short"},
		{strings.Repeat("a", EchoBytes), strings.Repeat("a", EchoBytes)},
		{strings.Repeat("a", 1<<20), strings.Repeat("a", EchoBytes) + "…(1048376 more bytes)"},
		{strings.Repeat("é", 150), strings.Repeat("é", 100) + "…(100 more bytes)"},
	} {
		if got := Echo(tt.in); got != tt.want {
			t.Errorf("Echo(%.20q…) = %.60q…, want %.60q…", tt.in, got, tt.want)
		}
	}
	if got := Quote("a\"\nb"); got != `"a\"\nb"` {
		t.Errorf("Quote = %s", got)
	}
}

func TestFit(t *testing.T) {
	lines := strings.Repeat("line of text\n", 1000) // 13,000 bytes
	for _, tt := range []struct {
		name, in string
		limit    int
		rest     string
		want     []string
	}{
		{"fits", "abc", 10, "x", []string{"abc"}},
		{"cut at a line end", lines, 1000, "use tail", []string{"line of text\n[cut: showed ", " of 13000 bytes; use tail]"}},
		{"no note hint", lines, 1000, "", []string{" of 13000 bytes]"}},
		{"runes", strings.Repeat("日本", 2000), 500, "", []string{"[cut: showed "}},
	} {
		got := Fit(tt.in, tt.limit, tt.rest)
		if len(got) > tt.limit && len(tt.in) > tt.limit {
			t.Errorf("%s: %d bytes over the %d limit", tt.name, len(got), tt.limit)
		}
		if !utf8.ValidString(got) {
			t.Errorf("%s: cut inside a rune", tt.name)
		}
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: lacks %q: %q", tt.name, w, got[max(0, len(got)-80):])
			}
		}
	}
}

// TestClip: a cut never splits a rune and is marked; a string that fits is untouched.
func TestClip(t *testing.T) {
	t.Parallel()
	if got := Clip("héllo", 2); got != "h…" {
		t.Errorf(`Clip("héllo", 2) = %q, want "h…" (the é is not split)`, got)
	}
	if got := Clip("abc", 3); got != "abc" {
		t.Errorf(`Clip("abc", 3) = %q`, got)
	}
	if got := RuneCut("héllo", 2); got != 1 {
		t.Errorf(`RuneCut("héllo", 2) = %d, want 1`, got)
	}
}
