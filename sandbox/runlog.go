package sandbox

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"modernc.org/sqlite"

	"github.com/etlworks/etlworks-mcp/internal/prose"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/connectors"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// The log lines of a run, shared by the live engine and the seeded history so both read alike:
// "2026-11-29 09:41:50.123 INFO  Extracted 120 records from orders.csv".

const logTimeLayout = "2006-01-02 15:04:05.000"

// logLine formats one log entry; a multi-line message (a stack trace) keeps its extra lines bare,
// as Java loggers print them.
func logLine(t time.Time, level, msg string) string {
	return fmt.Sprintf("%s %-5s %s\n", t.Format(logTimeLayout), level, msg)
}

// logSink receives the lines of one run: the live engine appends them to the store as they happen,
// the seed collects them with a synthetic clock.
type logSink interface {
	line(level, msg string)
}

func msgQueued(f *flow, auditID int64, user string) string {
	return fmt.Sprintf("Flow '%s' (id %d) queued for execution. Audit id: %d. User: %s", f.Name, f.ID, auditID, user)
}

func msgStarted(f *flow) string {
	label, _ := model.FlowTypeLabel(f.FlowType)
	return fmt.Sprintf("Flow started. Flow type: %s", label)
}

// msgVariables lists the run parameters; values of secret-looking names are masked.
func msgVariables(vars map[string]string) string {
	if len(vars) == 0 {
		return "No flow variables were passed"
	}
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + model.MaskedValue(k, vars[k])
	}
	return "Flow variables: " + strings.Join(parts, ", ")
}

func msgTransformationStarted(i, n int, name string) string {
	return fmt.Sprintf("Transformation %d of %d '%s' started", i, n, name)
}

func connLabelOf(c connection) string {
	return fmt.Sprintf("'%s' [%s]", c.Name, c.ConnectionType)
}

// msgReading describes what a transformation is about to extract.
func msgReading(c connection, tr transformation) string {
	switch {
	case tr.Source.SQL != "":
		return fmt.Sprintf("Executing SQL on %s: %s", connLabelOf(c), prose.OneLine(tr.Source.SQL, 240))
	case c.ConnectionType == typeLocalFile || connectors.IsFileStorage(c.ConnectionType):
		return fmt.Sprintf("Reading %s file '%s' from %s", model.FileFormat(tr.Source.Format, tr.Source.Object), tr.Source.Object, connLabelOf(c))
	case connectors.IsAPI(c.ConnectionType):
		return fmt.Sprintf("Calling GET %s on %s", tr.Source.Object, connLabelOf(c))
	}
	return fmt.Sprintf("Reading table '%s' from %s", tr.Source.Object, connLabelOf(c))
}

func msgExtracted(n int, tr transformation) string {
	from := tr.Source.Object
	if tr.Source.SQL != "" {
		from = "the SQL query"
	}
	return fmt.Sprintf("Extracted %d records from %s", n, from)
}

// msgWriting describes where a transformation is about to load.
func msgWriting(c connection, tr transformation) string {
	switch {
	case c.ConnectionType == typeLocalFile || connectors.IsFileStorage(c.ConnectionType):
		return fmt.Sprintf("Writing %s file '%s' to %s (mode %s)", model.FileFormat(tr.Destination.Format, tr.Destination.Object),
			tr.Destination.Object, connLabelOf(c), tr.Mode)
	case connectors.IsAPI(c.ConnectionType):
		return fmt.Sprintf("Sending records to POST %s on %s", tr.Destination.Object, connLabelOf(c))
	}
	return fmt.Sprintf("Loading into table '%s' of %s (mode %s)", tr.Destination.Object, connLabelOf(c), tr.Mode)
}

func msgRecreated(table string, cols int) string {
	return fmt.Sprintf("Table '%s' dropped and re-created with %d columns", table, cols)
}

func msgLoaded(done, total int, object string) string {
	return fmt.Sprintf("Loaded %d of %d records into '%s'", done, total, object)
}

func msgTransformationFinished(name string, read, written int, d time.Duration) string {
	return fmt.Sprintf("Transformation '%s' finished: %d records extracted, %d loaded in %s", name, read, written, seconds(d))
}

func msgSQLFinished(name string, affected int, d time.Duration) string {
	return fmt.Sprintf("Transformation '%s' finished: %d rows affected in %s", name, affected, seconds(d))
}

func msgFlowFinished(status string, records int64, d time.Duration) string {
	return fmt.Sprintf("Flow finished with status %s. Records processed: %d. Duration: %s", strings.ToUpper(status), records, seconds(d))
}

// msgSkippedLines reports CSV lines left out because their field count is wrong.
func msgSkippedLines(n int, object string) string {
	noun := "lines"
	if n == 1 {
		noun = "line"
	}
	verb := "were"
	if n == 1 {
		verb = "was"
	}
	return fmt.Sprintf("%d malformed %s in '%s' %s skipped", n, noun, object, verb)
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

// runError is a run failure rendered the way Etlworks (a Java application) reports it: an
// exception class, a message and "\tat" frames. Its trace is the execution's exception field.
type runError struct {
	class   string
	message string
	frames  []string
}

func (e *runError) Error() string { return e.message }

// trace renders the Java-style stack trace.
func (e *runError) trace() string {
	var b strings.Builder
	b.WriteString(e.class + ": " + e.message)
	for _, f := range e.frames {
		b.WriteString("\n\tat " + f)
	}
	return b.String()
}

// engineFrames are the bottom of every trace: the Etlworks engine running a flow on a worker thread.
func engineFrames(phase string) []string {
	return []string{
		fmt.Sprintf("com.toolsverse.etl.core.engine.EtlProcess.%s(EtlProcess.java:653)", phase),
		"com.toolsverse.etl.core.engine.Scenario.execute(Scenario.java:1187)",
		"com.toolsverse.etl.core.task.common.FlowExecutor.run(FlowExecutor.java:219)",
		"java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1136)",
		"java.base/java.lang.Thread.run(Thread.java:840)",
	}
}

var sqliteCodeSuffix = regexp.MustCompile(`\s*\(\d+\)$`)

// sqlRunError wraps a SQLite error like the sqlite-jdbc driver reports it, e.g.
// "[SQLITE_ERROR] SQL error or missing database (no such column: amount_usd)".
func sqlRunError(err error, phase string) *runError {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return &runError{class: "java.sql.SQLException", message: err.Error(), frames: engineFrames(phase)}
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
	}, engineFrames(phase)...)
	return &runError{class: "java.sql.SQLException", message: fmt.Sprintf("[%s] %s (%s)", name, text, detail), frames: frames}
}

// authRunError is the failure to log in to a database with the credentials a connection stores.
func authRunError(c connection) *runError {
	return &runError{
		class: "java.sql.SQLInvalidAuthorizationSpecException",
		message: fmt.Sprintf("Authentication failed for connection '%s': password authentication failed for user \"%s\"",
			c.Name, c.Properties[propUser]),
		frames: append([]string{
			"com.toolsverse.etl.connector.sql.SqlConnectionFactory.connect(SqlConnectionFactory.java:188)",
			"com.toolsverse.etl.connector.sql.SqlConnector.getConnection(SqlConnector.java:131)",
		}, engineFrames("connect")...),
	}
}

// fileRunError reports a missing or unreadable file the way java.io does.
func fileRunError(path string, err error) *runError {
	return &runError{class: "java.io.FileNotFoundException", message: fmt.Sprintf("%s (%s)", path, plainIOError(err)),
		frames: append([]string{"java.base/java.io.FileInputStream.open0(Native Method)",
			"com.toolsverse.etl.connector.file.FileConnector.open(FileConnector.java:97)"}, engineFrames("extract")...)}
}

func plainIOError(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	if msg == "" {
		return msg
	}
	return strings.ToUpper(msg[:1]) + msg[1:]
}

// engineRunError wraps any other failure of a run.
func engineRunError(format string, args ...any) *runError {
	return &runError{class: "com.toolsverse.etl.exception.EtlException", message: fmt.Sprintf(format, args...),
		frames: engineFrames("execute")}
}

// asRunError returns err as a *runError, wrapping foreign errors.
func asRunError(err error) *runError {
	var re *runError
	if errors.As(err, &re) {
		return re
	}
	return engineRunError("%s", err.Error())
}
