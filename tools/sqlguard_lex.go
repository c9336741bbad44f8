package tools

import (
	"fmt"
	"strings"
)

// lexSQL splits sql into tokens under one reading, dropping whitespace and comments. The error is
// a refusal reason, "" when the text lexed cleanly.
func lexSQL(s string, m lexMode) ([]token, string) {
	toks := make([]token, 0, 32)
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c >= 0x80:
			// Bytes of non-ASCII characters separate words: a database that reads U+00A0 as a space
			// must not see a keyword the guard missed, and no keyword has such characters in it.
			i++
		case c == '-' && i+1 < len(s) && s[i+1] == '-' && (!m.dashSpace || i+2 == len(s) || s[i+2] <= ' '):
			i = lineEnd(s, i)
		case c == '#' && m.hash, c == '/' && m.slashSlash && i+1 < len(s) && s[i+1] == '/':
			i = lineEnd(s, i)
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			if m.execHints && (strings.HasPrefix(s[i+2:], "!") || strings.HasPrefix(s[i+2:], "M!")) {
				return nil, "an executable comment /*! … */, whose content MySQL runs"
			}
			end := commentEnd(s, i, m.nested)
			if end < 0 {
				return nil, fmt.Sprintf("an unterminated /* comment at offset %d", i)
			}
			i = end
		case c == '\'':
			end := m.literalEnd(s, i, m.bsSingle)
			if end < 0 {
				return nil, fmt.Sprintf("an unterminated string literal at offset %d", i)
			}
			toks, i = append(toks, token{kind: tQuoted, text: s[i:end]}), end
		case c == '"':
			end := m.literalEnd(s, i, m.bsDouble)
			if end < 0 {
				return nil, fmt.Sprintf("an unterminated quoted identifier at offset %d", i)
			}
			toks, i = append(toks, token{kind: tQuoted, text: s[i:end]}), end
		case c == '-' && m.pipe && strings.HasPrefix(s[i:], "->>"):
			toks, i = append(toks, token{kind: tPunct, text: "->>"}), i+3
		case c == '`' && m.backtick:
			end := quoteEnd(s, i, '`', m.bsBacktick)
			if end < 0 {
				return nil, fmt.Sprintf("an unterminated `quoted identifier` at offset %d", i)
			}
			toks, i = append(toks, token{kind: tQuoted, text: s[i:end]}), end
		case c == '[' && m.brackets > 0:
			end := bracketEnd(s, i, m.brackets == 2)
			if end < 0 {
				return nil, fmt.Sprintf("an unterminated [quoted identifier] at offset %d", i)
			}
			toks, i = append(toks, token{kind: tQuoted, text: s[i:end]}), end
		case c == '$' && m.dollar > 0 && !afterIdent(s, i) && dollarTag(s, i, m.dollar == 2) != "":
			tag := dollarTag(s, i, m.dollar == 2)
			end := strings.Index(s[i+len(tag):], tag)
			if end < 0 {
				return nil, fmt.Sprintf("an unterminated %s-quoted string at offset %d", tag, i)
			}
			toks, i = append(toks, token{kind: tQuoted, text: s[i : i+len(tag)+end+len(tag)]}), i+len(tag)+end+len(tag)
		case c >= '0' && c <= '9':
			j := numberEnd(s, i)
			toks, i = append(toks, token{kind: tNumber, text: s[i:j]}), j
		case isWordByte(c):
			j := i + 1
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			word := s[i:j]
			if j < len(s) && s[j] == '\'' && !afterIdent(s, i) {
				switch {
				case m.eStrings && (word == "E" || word == "e"):
					end := quoteEnd(s, j, '\'', true)
					if end < 0 {
						return nil, fmt.Sprintf("an unterminated E'' string at offset %d", i)
					}
					toks, i = append(toks, token{kind: tQuoted, text: s[i:end]}), end
					continue
				case m.qQuote && isQPrefix(word):
					end := qQuoteEnd(s, j)
					if end < 0 {
						return nil, fmt.Sprintf("an unterminated q'' string at offset %d", i)
					}
					toks, i = append(toks, token{kind: tQuoted, text: s[i:end]}), end
					continue
				}
			}
			if j < len(s) && (s[j] == '\'' || s[j] == '"') && m.rawStrings && isRawPrefix(word) && !afterIdent(s, i) {
				end := m.literalEnd(s, j, false)
				if end < 0 {
					return nil, fmt.Sprintf("an unterminated raw string at offset %d", i)
				}
				toks, i = append(toks, token{kind: tQuoted, text: s[i:end]}), end
				continue
			}
			toks, i = append(toks, token{kind: tWord, text: upperASCII(word)}), j
		default:
			toks, i = append(toks, token{kind: tPunct, text: s[i : i+1]}), i+1
		}
	}
	return toks, ""
}

// afterIdent reports whether offset i continues an identifier that began with non-ASCII letters
// (skipped by the lexer). There "$$" and "E'" are part of the identifier, not quote openers, so the
// guard must not read a quoted region the database does not.
func afterIdent(s string, i int) bool { return i > 0 && s[i-1] >= 0x80 }

// isWordByte reports whether c can be part of a keyword or bare identifier, as far as the guard
// cares: ASCII letters, digits, _ and $.
func isWordByte(c byte) bool {
	return c == '_' || c == '$' || (c|0x20) >= 'a' && (c|0x20) <= 'z' || c >= '0' && c <= '9'
}

// numberEnd returns the offset after a numeric literal at i: digits, a fraction and an exponent,
// and nothing more, so "1INTO" reads as 1 followed by INTO, as PostgreSQL reads it.
func numberEnd(s string, i int) int {
	digits := func(j int) int {
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		return j
	}
	j := digits(i)
	if j < len(s) && s[j] == '.' {
		j = digits(j + 1)
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && s[k] >= '0' && s[k] <= '9' {
			j = digits(k)
		}
	}
	return j
}

// upperASCII upper-cases ASCII letters only: a database does not read "ſelect" as SELECT, and
// neither does the guard. It allocates only when there is a lower-case letter.
func upperASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'a' && b[j] <= 'z' {
					b[j] -= 32
				}
			}
			return string(b)
		}
	}
	return s
}

// lineEnd returns the offset after a line comment starting at i: it ends at the first \n or \r,
// whichever a database might use.
func lineEnd(s string, i int) int {
	if j := strings.IndexAny(s[i:], "\n\r"); j >= 0 {
		return i + j + 1
	}
	return len(s)
}

// commentEnd returns the offset after the block comment starting at i, or -1 when it never ends.
func commentEnd(s string, i int, nested bool) int {
	depth := 0
	for j := i; j+1 < len(s); {
		switch {
		case s[j] == '/' && s[j+1] == '*' && (nested || depth == 0):
			depth++
			j += 2
		case s[j] == '*' && s[j+1] == '/':
			depth--
			j += 2
			if depth == 0 {
				return j
			}
		default:
			j++
		}
	}
	return -1
}

// literalEnd returns the offset after the '…' or "…" literal at i, or -1 when it never closes. In
// readings with triple-quoted strings, three quotes open a literal that only the same three close.
func (m lexMode) literalEnd(s string, i int, backslash bool) int {
	q := s[i]
	if m.triple && i+2 < len(s) && s[i+1] == q && s[i+2] == q {
		for j := i + 3; j < len(s); j++ {
			switch {
			case backslash && s[j] == '\\':
				j++
			case s[j] == q && j+2 < len(s) && s[j+1] == q && s[j+2] == q:
				return j + 3
			}
		}
		return -1
	}
	return quoteEnd(s, i, q, backslash)
}

// isRawPrefix reports whether word introduces a BigQuery raw string: r'…', rb'…' or br'…', in any case.
func isRawPrefix(word string) bool {
	switch strings.ToLower(word) {
	case "r", "rb", "br":
		return true
	}
	return false
}

// quoteEnd returns the offset after a literal opened by q at i, where a doubled q is an escaped
// one and, with backslash, \ escapes the next byte; -1 when it never closes.
func quoteEnd(s string, i int, q byte, backslash bool) int {
	for j := i + 1; j < len(s); j++ {
		switch {
		case backslash && s[j] == '\\':
			j++
		case s[j] == q:
			if j+1 < len(s) && s[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
	}
	return -1
}

// bracketEnd returns the offset after a [quoted identifier] at i; -1 when it never closes.
func bracketEnd(s string, i int, doubled bool) int {
	for j := i + 1; j < len(s); j++ {
		if s[j] == ']' {
			if doubled && j+1 < len(s) && s[j+1] == ']' {
				j++
				continue
			}
			return j + 1
		}
	}
	return -1
}

// dollarTag returns the dollar-quote opener at i ("$$" or, when tagged, "$tag$"), or "".
func dollarTag(s string, i int, tagged bool) string {
	if i+1 < len(s) && s[i+1] == '$' {
		return "$$"
	}
	isTag := func(c byte) bool { return c >= 0x80 || isWordByte(c) } // PostgreSQL tags may hold any letter
	if !tagged || i+1 >= len(s) || !isTag(s[i+1]) || s[i+1] == '$' || s[i+1] >= '0' && s[i+1] <= '9' {
		return ""
	}
	for j := i + 1; j < len(s); j++ {
		if s[j] == '$' {
			return s[i : j+1]
		}
		if !isTag(s[j]) {
			return ""
		}
	}
	return ""
}

// isQPrefix reports whether word introduces an Oracle q'…' string (q, Q, nq, NQ…).
func isQPrefix(word string) bool {
	w := strings.ToLower(word)
	return w == "q" || w == "nq"
}

// qQuoteEnd returns the offset after q'X…X' whose opening quote is at j; -1 when it never closes.
func qQuoteEnd(s string, j int) int {
	if j+1 >= len(s) {
		return -1
	}
	open := s[j+1]
	closing := open
	switch open {
	case '[':
		closing = ']'
	case '{':
		closing = '}'
	case '<':
		closing = '>'
	case '(':
		closing = ')'
	case ' ', '\t', '\n', '\r':
		return -1
	}
	for k := j + 2; k+1 < len(s); k++ {
		if s[k] == closing && s[k+1] == '\'' {
			return k + 2
		}
	}
	return -1
}
