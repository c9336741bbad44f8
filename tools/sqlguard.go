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
// SQL dialects disagree about lexing (is # a comment? does \' end a string, and does \" end a
// quoted identifier? do block comments nest?), and a statement that is harmless in one reading
// can hide a second statement in another. So the guard lexes a statement once per reading its
// database might use, under any server setting (PostgreSQL's standard_conforming_strings, MySQL's
// ANSI_QUOTES and NO_BACKSLASH_ESCAPES), and it allows only what every reading allows. The
// connection type narrows the readings; for an unknown type all of them apply. Readings that
// differ only in constructs the statement does not contain are lexed once (lexFlags.relevant).

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
	name string
	lexFlags
}

// lexFlags are the lexing rules of a reading; comparable, so readings that agree on a statement
// can share one lexing.
type lexFlags struct {
	bsSingle   bool // backslash escapes inside '…' (MySQL, Snowflake, BigQuery, PostgreSQL without standard strings)
	bsDouble   bool // backslash escapes inside "…" too (MySQL without ANSI_QUOTES, BigQuery)
	bsBacktick bool // backslash escapes inside `…` (BigQuery)
	dollar     int  // 0: none; 1: $$…$$ only (Snowflake); 2: $tag$…$tag$ too (PostgreSQL)
	eStrings   bool // E'…' strings take backslash escapes (PostgreSQL)
	nested     bool // /* … */ comments nest (PostgreSQL, SQL Server)
	hash       bool // # starts a line comment (MySQL, BigQuery)
	dashSpace  bool // -- is a comment only before whitespace or a control character (MySQL)
	slashSlash bool // // starts a line comment (Snowflake)
	backtick   bool // `…` quotes identifiers (MySQL, SQLite, BigQuery)
	brackets   int  // 0: none; 1: […] quotes identifiers (SQLite); 2: with ]] as an escaped ] (SQL Server)
	qQuote     bool // q'[…]' strings (Oracle)
	triple     bool // '''…''' and """…""" strings (BigQuery)
	rawStrings bool // r'…' strings take no backslash escapes (BigQuery raw strings, read literally)
	execHints  bool // /*! … */ comments are executed (MySQL, MariaDB): refused
	batches    bool // statements need no semicolon between them (SQL Server): "SELECT 1 EXEC x" is two
	pipe       bool // ->> chains statements (Snowflake's pipe operator): "SHOW TABLES ->> DROP TABLE t" is two
}

var (
	modeANSI       = lexMode{name: "standard SQL"}
	modePG         = lexMode{name: "PostgreSQL", lexFlags: lexFlags{dollar: 2, eStrings: true, nested: true}}
	modePGEscapes  = lexMode{name: "PostgreSQL without standard_conforming_strings", lexFlags: lexFlags{dollar: 2, eStrings: true, nested: true, bsSingle: true}}
	modeMySQL      = lexMode{name: "MySQL", lexFlags: lexFlags{bsSingle: true, bsDouble: true, hash: true, dashSpace: true, backtick: true, execHints: true}}
	modeMySQLANSI  = lexMode{name: "MySQL with ANSI_QUOTES", lexFlags: lexFlags{bsSingle: true, hash: true, dashSpace: true, backtick: true, execHints: true}}
	modeMySQLNoEsc = lexMode{name: "MySQL with NO_BACKSLASH_ESCAPES", lexFlags: lexFlags{hash: true, dashSpace: true, backtick: true, execHints: true}}
	modeMSSQL      = lexMode{name: "SQL Server", lexFlags: lexFlags{brackets: 2, nested: true, batches: true}}
	modeSQLite     = lexMode{name: "SQLite", lexFlags: lexFlags{brackets: 1, backtick: true}}
	modeOracle     = lexMode{name: "Oracle", lexFlags: lexFlags{qQuote: true}}
	modeSnowflake  = lexMode{name: "Snowflake", lexFlags: lexFlags{dollar: 1, bsSingle: true, slashSlash: true, pipe: true}}
	modeSnowNest   = lexMode{name: "Snowflake with nested comments", lexFlags: lexFlags{dollar: 1, bsSingle: true, slashSlash: true, nested: true, pipe: true}}
	modeSnowBoth   = lexMode{name: "Snowflake with escapes in quoted identifiers", lexFlags: lexFlags{dollar: 1, bsSingle: true, bsDouble: true, slashSlash: true, pipe: true}}
	modeBigQuery   = lexMode{name: "BigQuery", lexFlags: lexFlags{bsSingle: true, bsDouble: true, bsBacktick: true, hash: true, backtick: true, triple: true}}
	modeBigQueryR  = lexMode{name: "BigQuery with literal raw strings", lexFlags: lexFlags{bsSingle: true, bsDouble: true, bsBacktick: true, hash: true, backtick: true, triple: true, rawStrings: true}}
	// modeBigQueryPlain reads "…" and `…` without escapes: a driver between Etlworks and BigQuery
	// may lex them that way, and allowing for it costs only a refusal of a backslash in them.
	modeBigQueryPlain = lexMode{name: "BigQuery with \"…\" and `…` read without escapes", lexFlags: lexFlags{bsSingle: true, hash: true, backtick: true, triple: true, rawStrings: true}}

	// anyDialect is every reading: used when the connection type says nothing about the database.
	anyDialect = []lexMode{modeANSI, modePG, modePGEscapes, modeMySQL, modeMySQLANSI, modeMySQLNoEsc, modeMSSQL, modeSQLite,
		modeOracle, modeSnowflake, modeSnowNest, modeSnowBoth, modeBigQuery, modeBigQueryR, modeBigQueryPlain}
)

// dialectFor picks the readings for a connection type such as connection.db.postgres.
func dialectFor(connectionType string) []lexMode {
	t := strings.ToLower(connectionType)
	switch {
	case strings.Contains(t, "postgres"):
		return []lexMode{modePG, modePGEscapes}
	case strings.Contains(t, "mysql"), strings.Contains(t, "mariadb"):
		return []lexMode{modeMySQL, modeMySQLANSI, modeMySQLNoEsc}
	case strings.Contains(t, "sqlserver"), strings.Contains(t, "mssql"):
		return []lexMode{modeMSSQL}
	case strings.Contains(t, "sqlite"):
		return []lexMode{modeSQLite}
	case strings.Contains(t, "oracle"):
		return []lexMode{modeOracle}
	case strings.Contains(t, "snowflake"):
		return []lexMode{modeSnowflake, modeSnowNest, modeSnowBoth}
	case strings.Contains(t, "bigquery"):
		return []lexMode{modeBigQuery, modeBigQueryR, modeBigQueryPlain}
	}
	return anyDialect
}

// sqlFeatures records which dialect-dependent constructs a statement contains at all.
type sqlFeatures uint16

const (
	fBackslash sqlFeatures = 1 << iota
	fDollar
	fHash
	fBacktick
	fBracket
	fBlockComment // /*
	fSlashSlash   // //
	fDashDash     // --
	fPrefixQuote  // a letter right before ' or ": E'…', q'…', r'…'
	fTriple       // ''' or """
	fPipe         // ->>
)

// scanFeatures is one pass over the bytes of sql.
func scanFeatures(s string) sqlFeatures {
	var f sqlFeatures
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			f |= fBackslash
		case '$':
			f |= fDollar
		case '#':
			f |= fHash
		case '`':
			f |= fBacktick
		case '[':
			f |= fBracket
		case '/':
			if i+1 < len(s) && s[i+1] == '*' {
				f |= fBlockComment
			} else if i+1 < len(s) && s[i+1] == '/' {
				f |= fSlashSlash
			}
		case '-':
			if i+1 < len(s) && s[i+1] == '-' {
				f |= fDashDash
			} else if i+2 < len(s) && s[i+1] == '>' && s[i+2] == '>' {
				f |= fPipe
			}
		case '\'', '"':
			if i > 0 && (s[i-1]|0x20) >= 'a' && (s[i-1]|0x20) <= 'z' {
				f |= fPrefixQuote
			}
			if i+2 < len(s) && s[i+1] == c && s[i+2] == c {
				f |= fTriple
			}
		}
	}
	return f
}

// relevant drops the rules that only concern constructs absent from a statement: they cannot
// change how it lexes, so readings equal after relevant lex it identically.
func (l lexFlags) relevant(f sqlFeatures) lexFlags {
	if f&fBackslash == 0 {
		l.bsSingle, l.bsDouble, l.bsBacktick = false, false, false
	}
	if f&fDollar == 0 {
		l.dollar = 0
	}
	if f&fHash == 0 {
		l.hash = false
	}
	if f&fBacktick == 0 {
		l.backtick, l.bsBacktick = false, false
	}
	if f&fBracket == 0 {
		l.brackets = 0
	}
	if f&fBlockComment == 0 {
		l.nested, l.execHints = false, false
	}
	if f&fSlashSlash == 0 {
		l.slashSlash = false
	}
	if f&fDashDash == 0 {
		l.dashSpace = false
	}
	if f&fPrefixQuote == 0 {
		l.eStrings, l.qQuote, l.rawStrings = false, false, false
	}
	if f&fTriple == 0 {
		l.triple = false
	}
	if f&fPipe == 0 {
		l.pipe = false
	}
	return l
}

// checkSQL classifies one statement under every reading in modes; the strictest verdict wins.
func checkSQL(sql string, modes []lexMode) sqlVerdict {
	if len(modes) == 1 {
		return checkSQLMode(sql, modes[0])
	}
	features := scanFeatures(sql)
	type lexed struct {
		flags   lexFlags
		verdict sqlVerdict
	}
	var buf [16]lexed
	done := buf[:0]
	var worst sqlVerdict
	var worstMode string
	agree := true
	for i, m := range modes {
		flags := m.relevant(features)
		var v sqlVerdict
		found := false
		for _, d := range done {
			if d.flags == flags {
				v, found = d.verdict, true
				break
			}
		}
		if !found {
			v = checkSQLMode(sql, lexMode{name: m.name, lexFlags: flags})
			done = append(done, lexed{flags, v})
		}
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
	tPunct // one byte of punctuation, including ( ) and ;, or the pipe operator ->>
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
	// Snowflake's pipe operator runs each statement of a chain: every one must be a read.
	var verdict sqlVerdict
	for n, part := range pipeParts(stmt) {
		v := checkStatement(part, m)
		if n > 0 && v.kind != sqlRead {
			v.reason = "after the pipe operator ->>, " + v.reason
		}
		if n == 0 || v.kind > verdict.kind {
			verdict = v
		}
	}
	return verdict
}

// pipeParts splits a statement at each ->> that starts another statement (a word or "(" after
// it); the lexer makes ->> a token only in readings with the pipe operator.
func pipeParts(stmt []token) [][]token {
	var parts [][]token
	start := 0
	for i, t := range stmt {
		if t.kind == tPunct && t.text == "->>" && i+1 < len(stmt) && (stmt[i+1].kind == tWord || stmt[i+1].text == "(") {
			parts = append(parts, stmt[start:i])
			start = i + 1
		}
	}
	return append(parts, stmt[start:])
}

// checkStatement classifies one statement's tokens.
func checkStatement(stmt []token, m lexMode) sqlVerdict {
	kw := firstWord(stmt)
	if kw == "" {
		return sqlVerdict{kind: sqlRefused, reason: fmt.Sprintf("starts with %q, not with a SQL keyword", clip(leadText(stmt), 40))}
	}
	read := readWords[kw]
	if m.batches && read {
		for _, t := range stmt {
			if t.kind == tWord && batchWords()[t.text] {
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
