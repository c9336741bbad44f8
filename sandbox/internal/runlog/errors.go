package runlog

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"modernc.org/sqlite"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// Error is a run failure rendered the way Etlworks (a Java application) reports it: an
// exception class, a message and "\tat" frames. Its trace is the execution's exception field.
type Error struct {
	Class   string
	Message string
	Frames  []string
}

// Error returns the message alone, without the exception class.
func (e *Error) Error() string { return e.Message }

// Trace renders the Java-style stack trace.
func (e *Error) Trace() string {
	var b strings.Builder
	b.WriteString(e.Class + ": " + e.Message)
	for _, f := range e.Frames {
		b.WriteString("\n\tat " + f)
	}
	return b.String()
}

// EngineFrames are the bottom of every trace: the Etlworks engine running a flow on a worker thread.
func EngineFrames(phase string) []string {
	return []string{
		fmt.Sprintf("com.toolsverse.etl.core.engine.EtlProcess.%s(EtlProcess.java:653)", phase),
		"com.toolsverse.etl.core.engine.Scenario.execute(Scenario.java:1187)",
		"com.toolsverse.etl.core.task.common.FlowExecutor.run(FlowExecutor.java:219)",
		"java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1136)",
		"java.base/java.lang.Thread.run(Thread.java:840)",
	}
}

var sqliteCodeSuffix = regexp.MustCompile(`\s*\(\d+\)$`)

// SQLError wraps a SQLite error like the sqlite-jdbc driver reports it, e.g.
// "[SQLITE_ERROR] SQL error or missing database (no such column: amount_usd)".
func SQLError(err error, phase string) *Error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return &Error{Class: "java.sql.SQLException", Message: err.Error(), Frames: EngineFrames(phase)}
	}
	detail := sqliteCodeSuffix.ReplaceAllString(se.Error(), "")
	if i := strings.Index(detail, ": "); i >= 0 {
		detail = detail[i+2:]
	}
	name, text := "SQLITE_ERROR", "SQL error or missing database"
	switch se.Code() & 0xff {
	case 5:
		name, text = "SQLITE_BUSY", "The database file is locked"
	case 8:
		name, text = "SQLITE_READONLY", "Attempt to write a readonly database"
	case 19:
		name, text = "SQLITE_CONSTRAINT", "Abort due to constraint violation"
	case 20:
		name, text = "SQLITE_MISMATCH", "Data type mismatch"
	}
	frames := append([]string{
		"org.sqlite.core.DB.newSQLException(DB.java:1179)",
		"org.sqlite.core.DB.throwex(DB.java:1150)",
		"org.sqlite.core.NativeDB.prepare_utf8(Native Method)",
		"org.sqlite.core.DB.prepare(DB.java:264)",
		"org.sqlite.jdbc3.JDBC3Statement.execute(JDBC3Statement.java:51)",
		fmt.Sprintf("com.toolsverse.etl.connector.sql.SqlConnector.%s(SqlConnector.java:412)", phase),
	}, EngineFrames(phase)...)
	return &Error{Class: "java.sql.SQLException", Message: fmt.Sprintf("[%s] %s (%s)", name, text, detail), Frames: frames}
}

// AuthError is the failure to log in to a database with the credentials a connection stores.
func AuthError(c model.Connection) *Error {
	return &Error{
		Class: "java.sql.SQLInvalidAuthorizationSpecException",
		Message: fmt.Sprintf("Authentication failed for connection '%s': password authentication failed for user \"%s\"",
			c.Name, c.Properties[model.PropUser]),
		Frames: append([]string{
			"com.toolsverse.etl.connector.sql.SqlConnectionFactory.connect(SqlConnectionFactory.java:188)",
			"com.toolsverse.etl.connector.sql.SqlConnector.getConnection(SqlConnector.java:131)",
		}, EngineFrames("connect")...),
	}
}

// FileError reports a missing or unreadable file the way java.io does.
func FileError(path string, err error) *Error {
	return &Error{Class: "java.io.FileNotFoundException", Message: fmt.Sprintf("%s (%s)", path, PlainIOError(err)),
		Frames: append([]string{"java.base/java.io.FileInputStream.open0(Native Method)",
			"com.toolsverse.etl.connector.file.FileConnector.open(FileConnector.java:97)"}, EngineFrames("extract")...)}
}

// PlainIOError is the last part of an I/O error, capitalised ("No such file or directory"), as
// a Java message would put it.
func PlainIOError(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	if msg == "" {
		return msg
	}
	return strings.ToUpper(msg[:1]) + msg[1:]
}

// EngineError wraps any other failure of a run.
func EngineError(format string, args ...any) *Error {
	return &Error{Class: "com.toolsverse.etl.exception.EtlException", Message: fmt.Sprintf(format, args...),
		Frames: EngineFrames("execute")}
}

// AsError returns err as a *Error, wrapping foreign errors.
func AsError(err error) *Error {
	var re *Error
	if errors.As(err, &re) {
		return re
	}
	return EngineError("%s", err.Error())
}
