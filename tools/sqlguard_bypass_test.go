package tools

// bypassCases are the ways through the guard found for issue 8, and the reads next to them that
// must stay reads. TestSQLGuard checks them with guardCases; the fuzz target starts from them.
var bypassCases = []guardCase{
	// Backslash escapes inside '…' but not inside "…": PostgreSQL without
	// standard_conforming_strings, MySQL with ANSI_QUOTES, Snowflake, BigQuery raw strings.
	{sql: bypassQuotes, want: sqlRefused, why: "2 statements"},
	{sql: bypassQuotes, conn: "connection.db.postgres", want: sqlRefused, why: "2 statements: send one statement per call (as PostgreSQL without standard_conforming_strings reads it)"},
	{sql: bypassQuotes, conn: "connection.db.mysql", want: sqlRefused, why: "(as MySQL with ANSI_QUOTES reads it)"},
	{sql: bypassQuotes, conn: "connection.db.mariadb", want: sqlRefused, why: "2 statements"},
	{sql: bypassQuotes, conn: "connection.db.snowflake", want: sqlRefused, why: "2 statements"},
	{sql: bypassQuotes, conn: "connection.db.bigquery", want: sqlRefused, why: "2 statements"},
	{sql: bypassQuotes, conn: "connection.db.redshift", want: sqlRefused, why: "2 statements"},
	{sql: `SELECT 1 AS r"\", '\' " ' ; DELETE FROM t; -- ' -- "`, conn: "connection.db.bigquery", want: sqlRefused, why: "2 statements"},
	{sql: "SELECT `a\\` ; DELETE FROM t; -- `", conn: "connection.db.bigquery", want: sqlRefused, why: "2 statements"},
	{sql: "SELECT '''a' ; DELETE FROM t; -- '''", want: sqlRefused, why: "2 statements"},
	{sql: `SELECT '''it's''' AS s, r'\d+' AS re FROM t`, conn: "connection.db.bigquery", want: sqlRead},
	{sql: `SELECT 'it\'s' AS s FROM t`, conn: "connection.db.snowflake", want: sqlRead},
	{sql: `SELECT "a\"b" FROM t`, conn: "connection.db.mysql", want: sqlRefused, why: "ANSI_QUOTES"},
	// Snowflake's pipe operator ->> runs the next statement; JSON's ->> is an operator.
	{sql: "SHOW TABLES ->> DROP TABLE t", want: sqlWrite, why: "DROP"},
	{sql: "SHOW TABLES ->> DROP TABLE t", conn: "connection.db.snowflake", want: sqlWrite, why: "after the pipe operator ->>, DROP is not a read statement"},
	{sql: "SHOW TABLES ->> CALL cleanup()", conn: "connection.db.snowflake", want: sqlWrite, why: "CALL"},
	{sql: "SHOW TABLES ->> (CALL cleanup())", conn: "connection.db.snowflake", want: sqlWrite, why: "CALL"},
	{sql: `SHOW TABLES ->> SELECT "name" FROM $1 ->> DELETE FROM t`, conn: "connection.db.snowflake", want: sqlWrite, why: "DELETE"},
	{sql: "SHOW TABLES LIKE 'o%' DROP TABLE t", conn: "connection.db.mysql", want: sqlWrite, why: "SHOW … DROP"},
	{sql: `SHOW TABLES ->> SELECT "name" FROM $1`, conn: "connection.db.snowflake", want: sqlRead},
	{sql: "SELECT data->>'name' FROM t", want: sqlRead},
	{sql: "SELECT data ->> 'name' FROM t", conn: "connection.db.postgres", want: sqlRead},
	{sql: "SHOW CREATE PROCEDURE refresh", conn: "connection.db.mysql", want: sqlRead},
	{sql: "SHOW PROCEDURE STATUS", conn: "connection.db.mysql", want: sqlRead},
	// Function names quoted, bracketed or in backticks are still function names.
	{sql: `SELECT "lo_import"('/etc/passwd')`, conn: "connection.db.postgres", want: sqlWrite, why: "LO_IMPORT"},
	{sql: `SELECT "pg_catalog"."lo_import"('/etc/passwd')`, conn: "connection.db.postgres", want: sqlWrite, why: "LO_IMPORT"},
	{sql: `SELECT "nextval" ('order_seq')`, want: sqlWrite, why: "NEXTVAL"},
	{sql: `SELECT [load_extension]('evil')`, conn: "connection.db.sqlite", want: sqlWrite, why: "LOAD_EXTENSION"},
	{sql: "SELECT `load_extension`('evil')", conn: "connection.db.sqlite", want: sqlWrite, why: "LOAD_EXTENSION"},
	{sql: `SELECT [load_extension]('evil')`, want: sqlWrite, why: "LOAD_EXTENSION"},
	{sql: `SELECT U&"lo\005fimport"('/etc/passwd')`, conn: "connection.db.postgres", want: sqlWrite, why: "U&"},
	{sql: "SELECT `proj.ds.external_query`('c', 'x')", conn: "connection.db.bigquery", want: sqlWrite, why: "EXTERNAL_QUERY"},
	{sql: `SELECT "upper"(name) FROM t`, want: sqlRead},
	{sql: "SELECT lo_from_bytea(0, 'x')", conn: "connection.db.postgres", want: sqlWrite, why: "LO_FROM_BYTEA"},
	{sql: "SELECT pg_notify('jobs', 'run')", conn: "connection.db.postgres", want: sqlWrite, why: "PG_NOTIFY"},
	{sql: "SELECT dblink_exec('remote', 'DELETE FROM t')", conn: "connection.db.postgres", want: sqlWrite, why: "DBLINK_EXEC"},
	{sql: `SELECT "dblink_exec"('remote', 'DELETE FROM t')`, conn: "connection.db.postgres", want: sqlWrite, why: "DBLINK_EXEC"},
	{sql: "SELECT * FROM OPENROWSET(BULK 'x.txt', SINGLE_CLOB) AS d", conn: "connection.db.sqlserver", want: sqlWrite, why: "OPENROWSET"},
	{sql: "SELECT * FROM OPENDATASOURCE('MSOLEDBSQL', 'Server=x').db.dbo.t", conn: "connection.db.sqlserver", want: sqlWrite, why: "OPENDATASOURCE"},
	{sql: "SELECT * FROM [OPENQUERY](remote, 'DELETE FROM t')", conn: "connection.db.sqlserver", want: sqlWrite, why: "OPENQUERY"},
	{sql: "SELECT NEXT VALUE FOR dbo.order_seq", conn: "connection.db.sqlserver", want: sqlWrite, why: "sequence"},
	{sql: "SELECT order_seq.NEXTVAL FROM dual", conn: "connection.db.oracle", want: sqlWrite, why: "sequence"},
	{sql: "SELECT DBMS_PIPE.SEND_MESSAGE('p') FROM dual", conn: "connection.db.oracle", want: sqlWrite, why: "DBMS_PIPE"},
	{sql: "SELECT SYSTEM$CANCEL_QUERY('01a')", conn: "connection.db.snowflake", want: sqlWrite, why: "SYSTEM$CANCEL_QUERY"},
	{sql: "SELECT writefile('/tmp/x', 'y')", conn: "connection.db.sqlite", want: sqlWrite, why: "WRITEFILE"},
	// EXPLAIN shows the plan of reads only: SQLite runs some PRAGMAs while preparing them.
	{sql: "EXPLAIN PRAGMA query_only=0", conn: "connection.db.sqlite", want: sqlWrite, why: "EXPLAIN PRAGMA"},
	{sql: "EXPLAIN PRAGMA query_only=0", want: sqlWrite, why: "PRAGMA"},
	{sql: "EXPLAIN QUERY PLAN PRAGMA writable_schema=1", conn: "connection.db.sqlite", want: sqlWrite, why: "PRAGMA"},
	{sql: "EXPLAIN ATTACH DATABASE '/tmp/x.db' AS x", conn: "connection.db.sqlite", want: sqlWrite, why: "ATTACH"},
	{sql: "EXPLAIN (COSTS OFF, FORMAT JSON) SET search_path = evil", conn: "connection.db.postgres", want: sqlWrite, why: "SET"},
	{sql: "EXPLAIN FORMAT=JSON SELECT * FROM orders", conn: "connection.db.mysql", want: sqlRead},
	{sql: "EXPLAIN (COSTS OFF) SELECT 1", conn: "connection.db.postgres", want: sqlRead},
	{sql: "EXPLAIN orders", conn: "connection.db.mysql", want: sqlRead},
	{sql: "DESCRIBE TABLE orders", conn: "connection.db.snowflake", want: sqlRead},
	// T-SQL table hints: only the ones that lock less or steer the plan.
	{sql: "SELECT * FROM t WITH (SERIALIZABLE)", conn: "connection.db.sqlserver", want: sqlWrite, why: "SERIALIZABLE takes or holds locks"},
	{sql: "SELECT * FROM t WITH (TABLOCKX)", conn: "connection.db.sqlserver", want: sqlWrite, why: "TABLOCKX"},
	{sql: "SELECT * FROM t WITH (NOLOCK, HOLDLOCK)", conn: "connection.db.sqlserver", want: sqlWrite, why: "HOLDLOCK"},
	{sql: "SELECT * FROM t (TABLOCKX)", conn: "connection.db.sqlserver", want: sqlWrite, why: "TABLOCKX"},
	{sql: "SELECT * FROM t WITH (REPEATABLEREAD)", want: sqlWrite, why: "REPEATABLEREAD"},
	{sql: "SELECT * FROM t WITH (PAGLOCK)", conn: "connection.db.sqlserver", want: sqlWrite, why: "PAGLOCK"},
	{sql: `SELECT * FROM t WITH ("TABLOCKX")`, conn: "connection.db.sqlserver", want: sqlWrite, why: "a read allows only"},
	{sql: "SELECT * FROM t WITH (FASTFIRSTROW)", conn: "connection.db.sqlserver", want: sqlWrite, why: "FASTFIRSTROW is not one a plain read needs"},
	{sql: "SELECT * FROM t OPTION (TABLE HINT(t, TABLOCKX))", conn: "connection.db.sqlserver", want: sqlWrite, why: "TABLOCKX"},
	{sql: "SELECT * FROM t WITH (NOLOCK)", conn: "connection.db.sqlserver", want: sqlRead},
	{sql: "SELECT a.id FROM t AS a WITH (NOLOCK, INDEX(ix_a), FORCESEEK) JOIN u WITH (INDEX = ix_u) ON a.id = u.id", conn: "connection.db.sqlserver", want: sqlRead},
	{sql: "SELECT * FROM OPENJSON(@j) WITH (id int '$.id')", conn: "connection.db.sqlserver", want: sqlRead},
}

// bypassQuotes hides a DELETE from readings where backslash escapes inside both '…' and "…" or
// inside neither; the DELETE is a second statement where it escapes inside '…' only (issue 8).
const bypassQuotes = `SELECT 1 AS "\", '\' " ' ; DELETE FROM t; -- ' -- "`
