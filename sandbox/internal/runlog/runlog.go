// Package runlog writes what a sandbox run leaves behind: its log lines ("2026-11-29
// 09:41:50.123 INFO  Extracted 120 records from orders.csv") and its failures, rendered as the
// Java exceptions and stack traces Etlworks reports. The live engine and the seeded run history
// both write through it, so a seeded run reads exactly like a live one; the Explorer and upload
// handlers reuse its error shapes. Only sandbox and its internal packages can import it.
package runlog

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/etlworks/etlworks-mcp/internal/prose"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/connectors"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// TimeLayout is the timestamp at the start of every log line.
const TimeLayout = "2006-01-02 15:04:05.000"

// Line formats one log entry; a multi-line message (a stack trace) keeps its extra lines bare,
// as Java loggers print them.
func Line(t time.Time, level, msg string) string {
	return fmt.Sprintf("%s %-5s %s\n", t.Format(TimeLayout), level, msg)
}

// Sink receives the lines of one run: the live engine appends them to the store as they happen,
// the seed collects them with a synthetic clock.
type Sink interface {
	Line(level, msg string)
}

// Queued is the first line of a run: the flow, its audit id and who started it.
func Queued(f *model.Flow, auditID int64, user string) string {
	return fmt.Sprintf("Flow '%s' (id %d) queued for execution. Audit id: %d. User: %s", f.Name, f.ID, auditID, user)
}

// Started is the line a run logs when it leaves the queue, naming the flow type.
func Started(f *model.Flow) string {
	label, _ := model.FlowTypeLabel(f.FlowType)
	return fmt.Sprintf("Flow started. Flow type: %s", label)
}

// Variables lists the run parameters; values of secret-looking names are masked.
func Variables(vars map[string]string) string {
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

// TransformationStarted opens transformation i of n.
func TransformationStarted(i, n int, name string) string {
	return fmt.Sprintf("Transformation %d of %d '%s' started", i, n, name)
}

// ConnLabel names a connection with its type, as every line about a connection does.
func ConnLabel(c model.Connection) string {
	return fmt.Sprintf("'%s' [%s]", c.Name, c.ConnectionType)
}

// Reading describes what a transformation is about to extract.
func Reading(c model.Connection, tr model.Transformation) string {
	switch {
	case tr.Source.SQL != "":
		return fmt.Sprintf("Executing SQL on %s: %s", ConnLabel(c), prose.OneLine(tr.Source.SQL, 240))
	case c.ConnectionType == model.TypeLocalFile || connectors.IsFileStorage(c.ConnectionType):
		return fmt.Sprintf("Reading %s file '%s' from %s", model.FileFormat(tr.Source.Format, tr.Source.Object), tr.Source.Object, ConnLabel(c))
	case connectors.IsAPI(c.ConnectionType):
		return fmt.Sprintf("Calling GET %s on %s", tr.Source.Object, ConnLabel(c))
	}
	return fmt.Sprintf("Reading table '%s' from %s", tr.Source.Object, ConnLabel(c))
}

// Extracted reports how many records a transformation read, and from where.
func Extracted(n int, tr model.Transformation) string {
	from := tr.Source.Object
	if tr.Source.SQL != "" {
		from = "the SQL query"
	}
	return fmt.Sprintf("Extracted %d records from %s", n, from)
}

// Writing describes where a transformation is about to load.
func Writing(c model.Connection, tr model.Transformation) string {
	switch {
	case c.ConnectionType == model.TypeLocalFile || connectors.IsFileStorage(c.ConnectionType):
		return fmt.Sprintf("Writing %s file '%s' to %s (mode %s)", model.FileFormat(tr.Destination.Format, tr.Destination.Object),
			tr.Destination.Object, ConnLabel(c), tr.Mode)
	case connectors.IsAPI(c.ConnectionType):
		return fmt.Sprintf("Sending records to POST %s on %s", tr.Destination.Object, ConnLabel(c))
	}
	return fmt.Sprintf("Loading into table '%s' of %s (mode %s)", tr.Destination.Object, ConnLabel(c), tr.Mode)
}

// Recreated reports a destination table dropped and created again for new columns.
func Recreated(table string, cols int) string {
	return fmt.Sprintf("Table '%s' dropped and re-created with %d columns", table, cols)
}

// Loaded reports a load batch: records written so far out of the total.
func Loaded(done, total int, object string) string {
	return fmt.Sprintf("Loaded %d of %d records into '%s'", done, total, object)
}

// TransformationFinished closes a transformation that moved records.
func TransformationFinished(name string, read, written int, d time.Duration) string {
	return fmt.Sprintf("Transformation '%s' finished: %d records extracted, %d loaded in %s", name, read, written, seconds(d))
}

// SQLFinished closes an execute-SQL transformation.
func SQLFinished(name string, affected int, d time.Duration) string {
	return fmt.Sprintf("Transformation '%s' finished: %d rows affected in %s", name, affected, seconds(d))
}

// FlowFinished is the last line of a run: its status, records and duration.
func FlowFinished(status string, records int64, d time.Duration) string {
	return fmt.Sprintf("Flow finished with status %s. Records processed: %d. Duration: %s", strings.ToUpper(status), records, seconds(d))
}

// SkippedLines reports CSV lines left out because their field count is wrong.
func SkippedLines(n int, object string) string {
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

// seconds renders a duration the way the run log does: "2.4 s".
func seconds(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }
