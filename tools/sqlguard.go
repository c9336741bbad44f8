package tools

import (
	"fmt"
	"strings"
)

// The SQL guard decides whether run_sql may send a statement: reads go through, writes need the
// operator's --allow-sql-writes and a confirmation, and anything it cannot read with certainty is
// refused. It is a lexer, not a prefix regex: comments, string literals, quoted identifiers and
// dollar quoting are understood, so "SELECT 1; DROP TABLE t", "/* x */ DELETE …" and a DELETE
// hidden after a quote that only some databases honour are all caught.
//
// SQL dialects disagree about lexing (is # a comment? does \' end a string? do block comments
// nest?), and a statement that is harmless in one reading can hide a second statement in another.
// So the guard lexes a statement once per reading its database might use, and it allows only
// what every reading allows. The connection type narrows the readings; for an unknown type all
// of them apply.

// sqlKind is the guard's verdict on one statement.
type sqlKind int

const (
	sqlRead    sqlKind = iota // allowed read: SELECT, WITH … SELECT, VALUES, SHOW, DESCRIBE, EXPLAIN
	sqlWrite                  // a single well-formed statement that may change something
	sqlRefused                // never sent: several statements, unreadable, or not a statement
)

// sqlVerdict is what the guard found.
type sqlVerdict struct {
	kind    sqlKind
	keyword string // the first keyword, upper-case ("SELECT", "DELETE"); "" when there is none
	reason  string // for writes and refusals: what was found and why it matters
}

// lexMode is one way a database reads SQL text.
type lexMode struct {
	name       string
	backslash  bool // backslash escapes inside '…' and "…" (MySQL, Snowflake, PostgreSQL without standard strings)
	dollar     int  // 0: none; 1: $$…$$ only (Snowflake); 2: $tag$…$tag$ too (PostgreSQL)
	eStrings   bool // E'…' strings take backslash escapes (PostgreSQL)
	nested     bool // /* … */ comments nest (PostgreSQL, SQL Server)
	hash       bool // # starts a line comment (MySQL)
	dashSpace  bool // -- is a comment only before whitespace or a control character (MySQL)
	slashSlash bool // // starts a line comment (Snowflake)
	backtick   bool // `…` quotes identifiers (MySQL, SQLite)
	brackets   int  // 0: none; 1: […] quotes identifiers (SQLite); 2: with ]] as an escaped ] (SQL Server)
	qQuote     bool // q'[…]' strings (Oracle)
	execHints  bool // /*! … */ comments are executed (MySQL, MariaDB): refused
	batches    bool // statements need no semicolon between them (SQL Server): "SELECT 1 EXEC x" is two
}

var (
	modeANSI      = lexMode{name: "standard SQL"}
	modePG        = lexMode{name: "PostgreSQL", dollar: 2, eStrings: true, nested: true}
	modePGEscapes = lexMode{name: "PostgreSQL without standard_conforming_strings", dollar: 2, eStrings: true, nested: true, backslash: true}
	modeMySQL     = lexMode{name: "MySQL", backslash: true, hash: true, dashSpace: true, backtick: true, execHints: true}
	modeMySQLANSI = lexMode{name: "MySQL with NO_BACKSLASH_ESCAPES", hash: true, dashSpace: true, backtick: true, execHints: true}
	modeMSSQL     = lexMode{name: "SQL Server", brackets: 2, nested: true, batches: true}
	modeSQLite    = lexMode{name: "SQLite", brackets: 1, backtick: true}
	modeOracle    = lexMode{name: "Oracle", qQuote: true}
	modeSnowflake = lexMode{name: "Snowflake", dollar: 1, backslash: true, slashSlash: true}
	modeSnowNest  = lexMode{name: "Snowflake with nested comments", dollar: 1, backslash: true, slashSlash: true, nested: true}

	// anyDialect is every reading: used when the connection type says nothing about the database.
	anyDialect = []lexMode{modeANSI, modePG, modePGEscapes, modeMySQL, modeMySQLANSI, modeMSSQL, modeSQLite, modeOracle, modeSnowflake, modeSnowNest}
)

// dialectFor picks the readings for a connection type such as connection.db.postgres.
func dialectFor(connectionType string) []lexMode {
	t := strings.ToLower(connectionType)
	switch {
	case strings.Contains(t, "postgres"):
		return []lexMode{modePG, modePGEscapes}
	case strings.Contains(t, "mysql"), strings.Contains(t, "mariadb"):
		return []lexMode{modeMySQL, modeMySQLANSI}
	case strings.Contains(t, "sqlserver"), strings.Contains(t, "mssql"):
		return []lexMode{modeMSSQL}
	case strings.Contains(t, "sqlite"):
		return []lexMode{modeSQLite}
	case strings.Contains(t, "oracle"):
		return []lexMode{modeOracle}
	case strings.Contains(t, "snowflake"):
		return []lexMode{modeSnowflake, modeSnowNest}
	}
	return anyDialect
}

// checkSQL classifies one statement under every reading in modes; the strictest verdict wins.
func checkSQL(sql string, modes []lexMode) sqlVerdict {
	var worst sqlVerdict
	var worstMode string
	agree := true
	for i, m := range modes {
		v := checkSQLMode(sql, m)
		if i == 0 {
			worst, worstMode = v, m.name
			continue
		}
		if v.kind != worst.kind {
			agree = false
		}
		if v.kind > worst.kind {
			worst, worstMode = v, m.name
		}
	}
	if !agree && worst.kind != sqlRead {
		worst.reason += " (as " + worstMode + " reads it)"
	}
	return worst
}

// Token kinds.
const (
	tWord   = iota // keyword or bare identifier
	tQuoted        // string literal or quoted identifier: never a keyword
	tNumber
	tPunct // one byte of punctuation, including ( ) and ;
)

type token struct {
	kind int
	text string // upper-case ASCII for words; the source text otherwise
}

// checkSQLMode classifies a statement under one reading.
func checkSQLMode(sql string, m lexMode) sqlVerdict {
	toks, err := lexSQL(sql, m)
	if err != "" {
		return sqlVerdict{kind: sqlRefused, reason: err}
	}
	// Split on semicolons; a trailing one (or several) is fine, a second statement is not.
	var stmt []token
	statements := 0
	start := -1
	for i := 0; i <= len(toks); i++ {
		if i == len(toks) || (toks[i].kind == tPunct && toks[i].text == ";") {
			if start >= 0 {
				statements++
				if statements == 1 {
					stmt = toks[start:i]
				}
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if statements == 0 {
		return sqlVerdict{kind: sqlRefused, reason: "no statement: only comments, whitespace or semicolons"}
	}
	if statements > 1 {
		return sqlVerdict{kind: sqlRefused, keyword: firstWord(stmt), reason: fmt.Sprintf("%d statements: send one statement per call", statements)}
	}
	kw := firstWord(stmt)
	if kw == "" {
		return sqlVerdict{kind: sqlRefused, reason: fmt.Sprintf("starts with %q, not with a SQL keyword", leadText(stmt))}
	}
	read := readWords[kw]
	if m.batches && read {
		for _, t := range stmt {
			if t.kind == tWord && batchWords[t.text] {
				return sqlVerdict{kind: sqlRefused, keyword: kw,
					reason: fmt.Sprintf("%s starts a second statement: SQL Server needs no semicolon between statements", t.text)}
			}
		}
	}
	if reason := writeInside(stmt, kw); reason != "" {
		return sqlVerdict{kind: sqlWrite, keyword: kw, reason: reason}
	}
	if read {
		return sqlVerdict{kind: sqlRead, keyword: kw}
	}
	return sqlVerdict{kind: sqlWrite, keyword: kw, reason: kw + " is not a read statement"}
}

// readWords are the first keywords of the statements run_sql runs without --allow-sql-writes.
var readWords = map[string]bool{"SELECT": true, "WITH": true, "VALUES": true, "SHOW": true, "DESCRIBE": true, "DESC": true, "EXPLAIN": true}

// batchWords are reserved T-SQL words that can only begin a statement; inside a read they mean a
// second statement of the batch. Statements that only steer control flow (IF, BEGIN) are left out:
// what they run is checked on its own.
var batchWords = map[string]bool{
	"BACKUP": true, "CHECKPOINT": true, "DBCC": true, "DENY": true, "DISABLE": true, "ENABLE": true, "EXEC": true,
	"EXECUTE": true, "KILL": true, "RECONFIGURE": true, "RESTORE": true, "REVERT": true, "SEND": true, "SET": true,
	"SETUSER": true, "SHUTDOWN": true, "UPDATETEXT": true, "USE": true, "WAITFOR": true, "WRITETEXT": true,
}

// firstWord is the statement's first keyword, after any opening parentheses; "" when the first
// token is something else.
func firstWord(stmt []token) string {
	for _, t := range stmt {
		if t.kind == tPunct && t.text == "(" {
			continue
		}
		if t.kind == tWord {
			return t.text
		}
		return ""
	}
	return ""
}

func leadText(stmt []token) string {
	for _, t := range stmt {
		if !(t.kind == tPunct && t.text == "(") {
			return t.text
		}
	}
	return ""
}

// dataWords change data or schema wherever they appear, so a read statement must not contain
// them even in a CTE or subquery. They are reserved words in every major dialect, so a column of
// that name has to be quoted and is then no word token.
var dataWords = map[string]bool{
	"INSERT": true, "UPDATE": true, "DELETE": true, "MERGE": true, "UPSERT": true, "TRUNCATE": true,
	"DROP": true, "CREATE": true, "ALTER": true, "GRANT": true, "REVOKE": true, "PROCEDURE": true,
}

// lockHints are SQL Server table hints that take locks a plain read does not.
var lockHints = map[string]bool{"UPDLOCK": true, "XLOCK": true, "HOLDLOCK": true, "TABLOCK": true, "TABLOCKX": true}

// stateFuncs are functions that change state although they are called from a SELECT. The list is
// defence in depth, not complete: the read-only database handle is the backstop.
var stateFuncs = map[string]bool{
	"NEXTVAL": true, "SETVAL": true, "SET_CONFIG": true, "PG_TERMINATE_BACKEND": true, "PG_CANCEL_BACKEND": true,
	"PG_RELOAD_CONF": true, "PG_ROTATE_LOGFILE": true, "LO_IMPORT": true, "LO_EXPORT": true, "LO_UNLINK": true,
	"LO_CREATE": true, "DBLINK_EXEC": true, "PG_ADVISORY_LOCK": true, "PG_ADVISORY_XACT_LOCK": true,
	"LOAD_EXTENSION": true, "WRITEFILE": true, "GET_LOCK": true, "SYS_EXEC": true, "SYS_EVAL": true,
	"DBLINK": true, "QUERY_TO_XML": true, "QUERY_TO_XML_AND_XMLSCHEMA": true, "OPENQUERY": true, "OPENDATASOURCE": true,
}

// writeInside returns why a statement starting with kw writes or locks although it may start like
// a read, or "". SHOW only displays (SHOW CREATE TABLE is a read), so only structure matters there.
func writeInside(stmt []token, kw string) string {
	if kw == "SHOW" {
		return ""
	}
	for i, t := range stmt {
		if t.kind != tWord {
			continue
		}
		next := ""
		if i+1 < len(stmt) {
			next = stmt[i+1].text
		}
		switch {
		case t.text == "INTO" && kw != "INSERT" && kw != "REPLACE" && kw != "MERGE":
			return kw + " … INTO writes its result into a table, variable or file"
		case t.text == "FOR" && (next == "UPDATE" || next == "SHARE" || next == "NO" || next == "KEY"):
			return "the locking clause FOR " + next + " takes row locks"
		case t.text == "LOCK" && next == "IN" && kw != "LOCK":
			return "the locking clause LOCK IN SHARE MODE takes row locks"
		case lockHints[t.text]:
			return "the table hint " + t.text + " takes locks"
		case dataWords[t.text] && t.text != kw:
			if kw == "WITH" {
				return "WITH … " + t.text + " is a data-modifying statement"
			}
			return kw + " … " + t.text + " modifies data or schema"
		case (kw == "EXPLAIN" || kw == "DESCRIBE" || kw == "DESC") && (t.text == "ANALYZE" || t.text == "ANALYSE"):
			return kw + " ANALYZE runs the statement it explains"
		case stateFuncs[t.text] && next == "(":
			return "it calls " + t.text + "(), which changes state"
		}
	}
	return ""
}

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
			end := quoteEnd(s, i, '\'', m.backslash)
			if end < 0 {
				return nil, fmt.Sprintf("an unterminated string literal at offset %d", i)
			}
			toks, i = append(toks, token{kind: tQuoted, text: s[i:end]}), end
		case c == '"':
			end := quoteEnd(s, i, '"', m.backslash)
			if end < 0 {
				return nil, fmt.Sprintf("an unterminated quoted identifier at offset %d", i)
			}
			toks, i = append(toks, token{kind: tQuoted, text: s[i:end]}), end
		case c == '`' && m.backtick:
			end := quoteEnd(s, i, '`', false)
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
