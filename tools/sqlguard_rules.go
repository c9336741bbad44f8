package tools

import (
	"sort"
	"strings"
	"sync"
)

// What makes a statement that starts like a read a write: the words, functions and clauses the
// guard looks for once a statement is lexed (sqlguard.go). The lists are defence in depth, not
// complete: the read-only database handle is the backstop.

// readWords are the first keywords of the statements run_sql runs without --allow-sql-writes.
var readWords = map[string]bool{"SELECT": true, "WITH": true, "VALUES": true, "SHOW": true, "DESCRIBE": true, "DESC": true, "EXPLAIN": true}

// batchWords are reserved T-SQL words that can only begin a statement; inside a read they mean a
// second statement of the batch. Statements that only steer control flow (IF, BEGIN) are left out:
// what they run is checked on its own.
//
// The table is built on first use, so start-up does not pay for it.
var batchWords = sync.OnceValue(func() map[string]bool {
	return map[string]bool{
		"BACKUP": true, "CHECKPOINT": true, "DBCC": true, "DENY": true, "DISABLE": true, "ENABLE": true, "EXEC": true,
		"EXECUTE": true, "KILL": true, "RECONFIGURE": true, "RESTORE": true, "REVERT": true, "SEND": true, "SET": true,
		"SETUSER": true, "SHUTDOWN": true, "UPDATETEXT": true, "USE": true, "WAITFOR": true, "WRITETEXT": true,
	}
})

// dataWords change data or schema wherever they appear, so a read statement must not contain
// them even in a CTE or subquery. They are reserved words in every major dialect, so a column of
// that name has to be quoted and is then no word token.
//
// The table is built on first use, so start-up does not pay for it.
var dataWords = sync.OnceValue(func() map[string]bool {
	return map[string]bool{
		"INSERT": true, "UPDATE": true, "DELETE": true, "MERGE": true, "UPSERT": true, "TRUNCATE": true,
		"DROP": true, "CREATE": true, "ALTER": true, "GRANT": true, "REVOKE": true, "PROCEDURE": true,
	}
})

// statementWords begin statements that are not reads. EXPLAIN and DESCRIBE must not be followed
// by one: SQLite runs some PRAGMAs while it prepares them, so "EXPLAIN PRAGMA query_only=0" turns
// the read-only setting off without executing anything.
//
// The table is built on first use, so start-up does not pay for it.
var statementWords = sync.OnceValue(func() map[string]bool {
	return map[string]bool{
		"INSERT": true, "UPDATE": true, "DELETE": true, "MERGE": true, "UPSERT": true, "REPLACE": true, "TRUNCATE": true,
		"DROP": true, "CREATE": true, "ALTER": true, "GRANT": true, "REVOKE": true, "RENAME": true, "CALL": true,
		"EXEC": true, "EXECUTE": true, "DO": true, "COPY": true, "LOAD": true, "SET": true, "RESET": true, "LOCK": true,
		"UNLOCK": true, "VACUUM": true, "REINDEX": true, "CLUSTER": true, "REFRESH": true, "ATTACH": true, "DETACH": true,
		"PRAGMA": true, "BEGIN": true, "START": true, "COMMIT": true, "ROLLBACK": true, "SAVEPOINT": true, "RELEASE": true,
		"PREPARE": true, "DEALLOCATE": true, "DECLARE": true, "FETCH": true, "MOVE": true, "CLOSE": true, "LISTEN": true,
		"NOTIFY": true, "UNLISTEN": true, "DISCARD": true, "CHECKPOINT": true, "COMMENT": true, "SECURITY": true,
		"IMPORT": true, "PUT": true, "REMOVE": true, "USE": true, "UNDROP": true, "KILL": true, "HANDLER": true,
		"OPTIMIZE": true, "REPAIR": true, "FLUSH": true, "PURGE": true, "INSTALL": true, "UNINSTALL": true,
	}
})

// explainOptions are the words between EXPLAIN and the statement it explains, in any dialect
// (ANALYZE is refused on its own: it runs the statement).
//
// The table is built on first use, so start-up does not pay for it.
var explainOptions = sync.OnceValue(func() map[string]bool {
	return map[string]bool{
		"QUERY": true, "PLAN": true, "VERBOSE": true, "COSTS": true, "BUFFERS": true, "SETTINGS": true, "WAL": true,
		"TIMING": true, "SUMMARY": true, "GENERIC_PLAN": true, "MEMORY": true, "SERIALIZE": true, "FORMAT": true,
		"JSON": true, "TEXT": true, "XML": true, "YAML": true, "TREE": true, "TRADITIONAL": true, "EXTENDED": true,
		"PARTITIONS": true, "USING": true, "TABULAR": true, "FOR": true, "TABLE": true, "VIEW": true, "ON": true,
		"OFF": true, "TRUE": true, "FALSE": true,
	}
})

// lockHints are SQL Server table hints that take locks a plain read does not, or hold them to
// the end of the transaction; they are refused anywhere in a read, also in the legacy form
// "FROM t (TABLOCKX)" and inside OPTION (TABLE HINT(…)).
var lockHints = map[string]bool{
	"UPDLOCK": true, "XLOCK": true, "HOLDLOCK": true, "TABLOCK": true, "TABLOCKX": true, "PAGLOCK": true,
	"SERIALIZABLE": true, "REPEATABLEREAD": true, "READCOMMITTEDLOCK": true,
}

// readHints are the table hints a read may carry in WITH (…) after a table: they lock less or
// steer the plan. Any other hint there is refused, so a new or misspelt locking hint is too.
var readHints = map[string]bool{
	"NOLOCK": true, "READUNCOMMITTED": true, "READCOMMITTED": true, "READPAST": true, "NOWAIT": true,
	"SNAPSHOT": true, "NOEXPAND": true, "INDEX": true, "FORCESEEK": true, "FORCESCAN": true,
}

// readHintList names readHints for messages; it is built on first use, so start-up does not pay
// for it.
var readHintList = sync.OnceValue(func() string {
	names := make([]string, 0, len(readHints))
	for h := range readHints {
		names = append(names, h)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
})

// stateFuncs are functions that change state (sequences, settings, sessions, locks, large
// objects, files, notifications) or run other SQL or reach other servers, although they are
// called from a SELECT. They are matched however the name is written: bare, "quoted", `quoted`
// or [bracketed], and with or without a schema.
//
// The table is built on first use, so start-up does not pay for it.
var stateFuncs = sync.OnceValue(func() map[string]bool {
	return map[string]bool{
		// PostgreSQL.
		"NEXTVAL": true, "SETVAL": true, "SET_CONFIG": true, "PG_TERMINATE_BACKEND": true, "PG_CANCEL_BACKEND": true,
		"PG_RELOAD_CONF": true, "PG_ROTATE_LOGFILE": true, "LO_IMPORT": true, "LO_EXPORT": true, "LO_UNLINK": true,
		"LO_CREATE": true, "LO_CREAT": true, "LO_FROM_BYTEA": true, "LO_PUT": true, "LO_OPEN": true, "LOWRITE": true,
		"LO_TRUNCATE": true, "LO_TRUNCATE64": true, "DBLINK": true, "DBLINK_EXEC": true, "DBLINK_CONNECT": true,
		"DBLINK_CONNECT_U": true, "DBLINK_SEND_QUERY": true, "DBLINK_OPEN": true, "PG_NOTIFY": true,
		"PG_ADVISORY_LOCK": true, "PG_ADVISORY_LOCK_SHARED": true, "PG_ADVISORY_XACT_LOCK": true,
		"PG_ADVISORY_XACT_LOCK_SHARED": true, "PG_TRY_ADVISORY_LOCK": true, "PG_TRY_ADVISORY_XACT_LOCK": true,
		"PG_CREATE_RESTORE_POINT": true, "PG_SWITCH_WAL": true, "PG_PROMOTE": true, "PG_BACKUP_START": true,
		"PG_BACKUP_STOP": true, "PG_START_BACKUP": true, "PG_STOP_BACKUP": true, "PG_CREATE_PHYSICAL_REPLICATION_SLOT": true,
		"PG_CREATE_LOGICAL_REPLICATION_SLOT": true, "PG_DROP_REPLICATION_SLOT": true, "PG_LOGICAL_EMIT_MESSAGE": true,
		"PG_REPLICATION_ORIGIN_CREATE": true, "PG_STAT_RESET": true, "PG_STAT_RESET_SHARED": true, "PG_FILE_WRITE": true,
		"PG_FILE_UNLINK": true, "PG_FILE_RENAME": true, "PG_IMPORT_SYSTEM_COLLATIONS": true, "QUERY_TO_XML": true,
		"QUERY_TO_XMLSCHEMA": true, "QUERY_TO_XML_AND_XMLSCHEMA": true, "CURSOR_TO_XML": true,
		// MySQL and MariaDB.
		"GET_LOCK": true, "RELEASE_LOCK": true, "RELEASE_ALL_LOCKS": true, "SYS_EXEC": true, "SYS_EVAL": true,
		// SQLite (load_extension, and the fileio and fts3 extensions).
		"LOAD_EXTENSION": true, "WRITEFILE": true, "EDIT": true, "FTS3_TOKENIZER": true,
		// SQL Server.
		"OPENQUERY": true, "OPENDATASOURCE": true, "OPENROWSET": true,
		// Snowflake.
		"SYSTEM$CANCEL_QUERY": true, "SYSTEM$CANCEL_ALL_QUERIES": true, "SYSTEM$ABORT_SESSION": true,
		"SYSTEM$ABORT_TRANSACTION": true, "SYSTEM$SEND_EMAIL": true, "SYSTEM$SEND_SNOWFLAKE_NOTIFICATION": true,
		"SYSTEM$SET_RETURN_VALUE": true, "SYSTEM$PIPE_FORCE_RESUME": true, "SYSTEM$TASK_DEPENDENTS_ENABLE": true,
		"SYSTEM$USER_TASK_CANCEL_ONGOING_EXECUTIONS": true, "SYSTEM$GENERATE_SCIM_ACCESS_TOKEN": true,
		"SYSTEM$GLOBAL_ACCOUNT_SET_PARAMETER": true, "SYSTEM$CREATE_BILLING_EVENT": true,
		"SYSTEM$ENABLE_BEHAVIOR_CHANGE_BUNDLE": true, "SYSTEM$DISABLE_BEHAVIOR_CHANGE_BUNDLE": true,
		// BigQuery.
		"EXTERNAL_QUERY": true,
	}
})

// fileFuncs read files of the database server (or list its directories): reads, but of what lies
// outside the database, which a read-only SQL tool must not hand to a model.
//
// The table is built on first use, so start-up does not pay for it.
var fileFuncs = sync.OnceValue(func() map[string]bool {
	return map[string]bool{
		"PG_READ_FILE": true, "PG_READ_BINARY_FILE": true, "PG_LS_DIR": true, "PG_STAT_FILE": true,
		"PG_LS_LOGDIR": true, "PG_LS_WALDIR": true, "PG_LS_TMPDIR": true, "PG_LS_ARCHIVE_STATUSDIR": true,
		"LOAD_FILE": true, "READFILE": true, "LSDIR": true,
	}
})

// funcReason says why calling the function named upper (upper case) is not a plain read, or "".
func funcReason(upper string) string {
	switch {
	case stateFuncs()[upper]:
		return "which changes state or runs SQL elsewhere"
	case fileFuncs()[upper]:
		return "which reads files of the database server, outside the database"
	}
	return ""
}

// statePackages are Oracle packages whose functions change state, run other SQL or reach the
// network, called as PACKAGE.FUNCTION(…) from a SELECT.
//
// The table is built on first use, so start-up does not pay for it.
var statePackages = sync.OnceValue(func() map[string]bool {
	return map[string]bool{
		"DBMS_PIPE": true, "DBMS_LOCK": true, "DBMS_SCHEDULER": true, "DBMS_JOB": true, "DBMS_SQL": true,
		"DBMS_XMLGEN": true, "DBMS_XMLQUERY": true, "DBMS_JAVA": true, "DBMS_AQ": true, "DBMS_ALERT": true,
		"DBMS_LDAP": true, "DBMS_CLOUD": true, "DBMS_STATS": true, "DBMS_SESSION": true, "DBMS_RLS": true,
		"UTL_HTTP": true, "UTL_FILE": true, "UTL_TCP": true, "UTL_SMTP": true, "UTL_MAIL": true, "UTL_INADDR": true,
	}
})

// writeInside returns why a statement starting with kw writes or locks although it may start like
// a read, or "". Every token is checked, also after SHOW: only the object SHOW CREATE names is
// exempt from the data words.
func writeInside(stmt []token, kw string) string {
	exempt := showExempt(stmt, kw)
	for i, t := range stmt {
		next := ""
		if i+1 < len(stmt) {
			next = stmt[i+1].text
		}
		if t.kind == tQuoted && next == "(" {
			if reason := quotedCall(stmt, i); reason != "" {
				return reason
			}
			continue
		}
		if t.kind != tWord {
			continue
		}
		switch {
		case t.text == "INTO" && kw != "INSERT" && kw != "REPLACE" && kw != "MERGE":
			return kw + " … INTO writes its result into a table, variable or file"
		case t.text == "FOR" && (next == "UPDATE" || next == "SHARE" || next == "NO" || next == "KEY"):
			return "the locking clause FOR " + next + " takes row locks"
		case t.text == "LOCK" && next == "IN" && kw != "LOCK":
			return "the locking clause LOCK IN SHARE MODE takes row locks"
		case lockHints[t.text]:
			return "the table hint " + t.text + " takes or holds locks; a read allows only " + readHintList()
		case t.text == "WITH" && next == "(" && i > 0 && (stmt[i-1].kind == tWord || stmt[i-1].kind == tQuoted):
			if reason := tableHints(stmt, i+1); reason != "" {
				return reason
			}
		case dataWords()[t.text] && t.text != kw && i >= exempt:
			if kw == "WITH" {
				return "WITH … " + t.text + " is a data-modifying statement"
			}
			return kw + " … " + t.text + " modifies data or schema"
		case (kw == "EXPLAIN" || kw == "DESCRIBE" || kw == "DESC") && (t.text == "ANALYZE" || t.text == "ANALYSE"):
			return kw + " ANALYZE runs the statement it explains"
		case t.text == "NEXTVAL":
			return "NEXTVAL advances a sequence, which changes state"
		case t.text == "NEXT" && next == "VALUE":
			return "NEXT VALUE FOR advances a sequence, which changes state"
		case next == "(" && funcReason(t.text) != "":
			return "it calls " + t.text + "(), " + funcReason(t.text)
		case statePackages()[t.text] && next == ".":
			return "it calls the package " + t.text + ", whose functions change state or reach other systems"
		}
	}
	if kw == "EXPLAIN" || kw == "DESCRIBE" || kw == "DESC" {
		if w := explained(stmt); statementWords()[w] {
			return kw + " " + w + ": only the plan of a read may be shown, since preparing a " + w +
				" can already change something (SQLite applies some PRAGMAs while preparing them)"
		}
	}
	return ""
}

// showExempt returns the index from which data words count in a SHOW statement: SHOW CREATE TABLE,
// SHOW CREATE PROCEDURE and SHOW PROCEDURE STATUS name what they show. For other statements, 0.
func showExempt(stmt []token, kw string) int {
	if kw != "SHOW" {
		return 0
	}
	i := 0
	for i < len(stmt) && stmt[i].kind != tWord {
		i++
	}
	i++ // SHOW
	if i < len(stmt) && stmt[i].kind == tWord && (stmt[i].text == "CREATE" || stmt[i].text == "PROCEDURE") {
		i++
		if stmt[i-1].text == "CREATE" && i < len(stmt) && stmt[i].kind == tWord && stmt[i].text == "PROCEDURE" {
			i++
		}
	}
	return i
}

// quotedCall checks a quoted name followed by "(": a function call in the readings where "…", `…`
// or […] quote identifiers, so "lo_import"(…) calls lo_import. Names written with escapes
// (U&"…" in PostgreSQL, \ in BigQuery) are refused as calls, since the guard does not decode them.
func quotedCall(stmt []token, i int) string {
	text := stmt[i].text
	if len(text) < 2 {
		return ""
	}
	var name string
	switch text[0] {
	case '"':
		name = strings.ReplaceAll(text[1:len(text)-1], `""`, `"`)
	case '`':
		name = strings.ReplaceAll(text[1:len(text)-1], "``", "`")
	case '[':
		name = strings.ReplaceAll(text[1:len(text)-1], "]]", "]")
	default:
		return "" // a string literal: not a name
	}
	if i >= 2 && stmt[i-1].text == "&" && stmt[i-2].kind == tWord && stmt[i-2].text == "U" {
		return "it calls a function named with U&\"…\" escapes, which the guard cannot check; write the name plainly"
	}
	if strings.ContainsRune(name, '\\') {
		return "it calls a function whose quoted name holds a backslash, which the guard cannot check; write the name plainly"
	}
	upper := upperASCII(strings.TrimSpace(name))
	if dot := strings.LastIndexByte(upper, '.'); dot >= 0 && funcReason(upper) == "" {
		upper = strings.TrimSpace(upper[dot+1:]) // BigQuery's `project.dataset.function`
	}
	if reason := funcReason(upper); reason != "" {
		return "it calls " + upper + "() (written " + clip(text, 60) + "), " + reason
	}
	return ""
}

// tableHints checks the T-SQL hint list WITH (…) that starts at the "(" at open: only readHints
// may appear there, with INDEX(…) / INDEX = … and FORCESEEK(…) arguments.
func tableHints(stmt []token, open int) string {
	depth := 0
	for j := open; j < len(stmt); j++ {
		t := stmt[j]
		switch {
		case t.text == "(" && t.kind == tPunct:
			depth++
		case t.text == ")" && t.kind == tPunct:
			depth--
			if depth == 0 {
				return ""
			}
		case depth > 1 || t.text == "," || t.text == "=":
			// arguments of INDEX(…) or FORCESEEK(…), separators
		case t.kind == tWord && readHints[t.text]:
		case j > open && stmt[j-1].text == "=":
			// the index of INDEX = name
		case lockHints[t.text]:
			return "the table hint " + t.text + " takes or holds locks; a read allows only " + readHintList()
		default:
			return "the table hint " + clip(t.text, 40) + " is not one a plain read needs; a read allows only " + readHintList()
		}
	}
	return ""
}

// explained returns the first word of the statement an EXPLAIN or DESCRIBE shows the plan of:
// the first word after the keyword that is not an option, skipping option lists in parentheses
// and option values; "" when there is none.
func explained(stmt []token) string {
	seenKeyword := false
	depth := 0
	for _, t := range stmt {
		switch {
		case t.kind == tPunct && t.text == "(" && seenKeyword:
			depth++
		case t.kind == tPunct && t.text == ")" && depth > 0:
			depth--
		case depth > 0:
		case t.kind != tWord:
			if seenKeyword && t.text != "=" {
				return ""
			}
		case !seenKeyword:
			seenKeyword = true
		case explainOptions()[t.text]:
		default:
			return t.text
		}
	}
	return ""
}
