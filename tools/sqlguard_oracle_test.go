package tools

import (
	"strings"
	"testing"
)

// TestNaiveStatements checks the fuzz target's oracle on the shapes it exists for.
func TestNaiveStatements(t *testing.T) {
	for s, want := range map[string]int{
		"SELECT 1":                           1,
		"SELECT 1; SELECT 2":                 2,
		"SELECT 'a;b' FROM t;":               1,
		bypassQuotes:                         2,
		`SELECT 'a\'' ; DELETE FROM t; # '`:  -1,
		"SELECT 1 # ;\n":                     1,
		"SELECT 'open":                       -1,
		"SELECT '2026-01-01' ; DELETE -- x":  2,
		"SELECT 1 --x\n; DELETE":             1, // --x: not judged
		`SELECT "a\"" ; DELETE FROM t; # "`:  -1,
		`SELECT "a\"" ; DELETE FROM t; -- "`: 2,
	} {
		if got, _ := naiveStatements(s); got != want {
			t.Errorf("%q: %d statements, want %d", s, got, want)
		}
	}
}

// naiveStatements counts the statements of s as each simple reading of quotes sees them: '…' and
// "…" with doubled quotes, a backslash escaping inside neither, inside '…' only, or inside both,
// and # a comment or not; -- is a comment. It returns the largest count and its reading, or -1 when a reading finds
// an unterminated literal. For text with other dialect-dependent constructs it returns 1: it cannot
// judge. These readings are PostgreSQL's (standard_conforming_strings on or off), MySQL's
// (ANSI_QUOTES, NO_BACKSLASH_ESCAPES), Snowflake's and BigQuery's, written apart from the guard's
// lexer so that the fuzz target does not trust the lexer to check itself.
func naiveStatements(s string) (int, string) {
	if strings.ContainsAny(s, "$[`/") || strings.Contains(s, "->") ||
		strings.Contains(s, "'''") || strings.Contains(s, `"""`) {
		return 1, ""
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return 1, ""
		}
		if s[i] == '-' && i+1 < len(s) && s[i+1] == '-' && i+2 < len(s) && s[i+2] > ' ' {
			return 1, "" // MySQL reads --x as minus minus x, other databases as a comment
		}
	}
	worst, worstReading := 0, ""
	for _, r := range []struct {
		name              string
		single, dbl, hash bool
	}{
		{"no backslash escapes", false, false, false},
		{"backslash in '…'", true, false, false},
		{`backslash in '…' and "…"`, true, true, false},
		{"no backslash escapes, # comments", false, false, true},
		{"backslash in '…', # comments", true, false, true},
		{`backslash in '…' and "…", # comments`, true, true, true},
	} {
		n, content := 0, false
		for i := 0; i < len(s); {
			c := s[i]
			switch {
			case c == '\'' || c == '"':
				if i > 0 && isWordByte(s[i-1]) {
					return 1, "" // E'…', q'…', r'…' and the like: not judged
				}
				bs := c == '\'' && r.single || c == '"' && r.dbl
				j := i + 1
				for ; j < len(s); j++ {
					if bs && s[j] == '\\' {
						j++
					} else if s[j] == c {
						if j+1 >= len(s) || s[j+1] != c {
							break
						}
						j++
					}
				}
				if j >= len(s) {
					return -1, r.name
				}
				content, i = true, j+1
			case c == '#' && r.hash, c == '-' && i+1 < len(s) && s[i+1] == '-':
				for i < len(s) && s[i] != '\n' && s[i] != '\r' {
					i++
				}
			case c == ';':
				if content {
					n++
				}
				content, i = false, i+1
			default:
				if !strings.ContainsRune(" \t\n\r\f\v", rune(c)) {
					content = true
				}
				i++
			}
		}
		if content {
			n++
		}
		if n > worst {
			worst, worstReading = n, r.name
		}
	}
	return worst, worstReading
}
