package lazyre

import (
	"regexp"
	"strings"
	"sync"
	"testing"
)

func TestRegexpMatchesLikeRegexp(t *testing.T) {
	const expr = `(\w+)=(\d+)`
	lazy, eager := New(expr), regexp.MustCompile(expr)
	for _, s := range []string{"", "a=1", "x a=1 b=22", "no digits=here"} {
		if got, want := lazy.MatchString(s), eager.MatchString(s); got != want {
			t.Errorf("MatchString(%q) = %v, want %v", s, got, want)
		}
		if got, want := lazy.FindStringSubmatch(s), eager.FindStringSubmatch(s); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("FindStringSubmatch(%q) = %q, want %q", s, got, want)
		}
		if got, want := lazy.ReplaceAllString(s, "$2"), eager.ReplaceAllString(s, "$2"); got != want {
			t.Errorf("ReplaceAllString(%q) = %q, want %q", s, got, want)
		}
		if got, want := len(lazy.FindAllStringSubmatch(s, -1)), len(eager.FindAllStringSubmatch(s, -1)); got != want {
			t.Errorf("FindAllStringSubmatch(%q) found %d, want %d", s, got, want)
		}
		if got, want := lazy.ReplaceAllStringFunc(s, strings.ToUpper), eager.ReplaceAllStringFunc(s, strings.ToUpper); got != want {
			t.Errorf("ReplaceAllStringFunc(%q) = %q, want %q", s, got, want)
		}
		if got, want := lazy.FindStringIndex(s), eager.FindStringIndex(s); len(got) != len(want) {
			t.Errorf("FindStringIndex(%q) = %v, want %v", s, got, want)
		}
		if got, want := lazy.FindStringSubmatchIndex(s), eager.FindStringSubmatchIndex(s); len(got) != len(want) {
			t.Errorf("FindStringSubmatchIndex(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestRegexpCompilesOnceUnderConcurrentUse(t *testing.T) {
	r := New(`^a+$`)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if !r.MatchString("aaa") {
				t.Error("no match")
			}
		})
	}
	wg.Wait()
	if r.get() != r.get() {
		t.Error("two uses compiled two different expressions")
	}
}

func TestRegexpPanicsOnEachUseOfABadExpression(t *testing.T) {
	r := New(`(`) // constructing it must not panic
	for i := range 2 {
		func() {
			defer func() {
				if msg, _ := recover().(string); !strings.HasPrefix(msg, "regexp: Compile(`(`): ") {
					t.Errorf("use %d: panic %q, want regexp.MustCompile's", i+1, msg)
				}
			}()
			r.MatchString("x")
		}()
	}
}
