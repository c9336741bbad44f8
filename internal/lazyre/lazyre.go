// Package lazyre holds regular expressions that compile on first use instead of at package
// initialisation. The server's packages declare dozens of patterns (error classes, log shapes,
// secret shapes); compiling them all before main cost more start-up time than the rest of the
// server's set-up, while most processes use only a few of them, and some none.
package lazyre

import (
	"regexp"
	"strconv"
	"sync"
)

// Regexp is a regular expression compiled the first time it is used; it is safe for concurrent
// use. An expression that does not compile panics on each use, as regexp.MustCompile would at
// start-up, so each one must be exercised by a test.
type Regexp struct {
	expr string
	once sync.Once
	re   *regexp.Regexp
	err  error
}

// New returns expr, to be compiled on first use. It only records expr, so a package-level
// lazyre.New costs start-up nothing: the compiler lays the value out statically.
func New(expr string) *Regexp { return &Regexp{expr: expr} }

func (r *Regexp) get() *regexp.Regexp {
	r.once.Do(func() { r.re, r.err = regexp.Compile(r.expr) })
	if r.err != nil {
		panic(`regexp: Compile(` + quote(r.expr) + `): ` + r.err.Error())
	}
	return r.re
}

// quote quotes an expression as regexp.MustCompile's panic does.
func quote(s string) string {
	if strconv.CanBackquote(s) {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}

// MatchString reports whether s contains a match (regexp.Regexp.MatchString).
func (r *Regexp) MatchString(s string) bool { return r.get().MatchString(s) }

// FindStringSubmatch is regexp.Regexp.FindStringSubmatch.
func (r *Regexp) FindStringSubmatch(s string) []string { return r.get().FindStringSubmatch(s) }

// FindStringIndex is regexp.Regexp.FindStringIndex.
func (r *Regexp) FindStringIndex(s string) []int { return r.get().FindStringIndex(s) }

// FindStringSubmatchIndex is regexp.Regexp.FindStringSubmatchIndex.
func (r *Regexp) FindStringSubmatchIndex(s string) []int { return r.get().FindStringSubmatchIndex(s) }

// FindAllStringSubmatch is regexp.Regexp.FindAllStringSubmatch.
func (r *Regexp) FindAllStringSubmatch(s string, n int) [][]string {
	return r.get().FindAllStringSubmatch(s, n)
}

// ReplaceAllString is regexp.Regexp.ReplaceAllString.
func (r *Regexp) ReplaceAllString(src, repl string) string {
	return r.get().ReplaceAllString(src, repl)
}

// ReplaceAllStringFunc is regexp.Regexp.ReplaceAllStringFunc.
func (r *Regexp) ReplaceAllStringFunc(src string, repl func(string) string) string {
	return r.get().ReplaceAllStringFunc(src, repl)
}
