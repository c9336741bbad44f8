package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/internal/lazyre"
)

// causePattern maps error text to a cause category. Order matters: the first match wins, and the
// more specific patterns come first.
type causePattern struct {
	category string
	re       *lazyre.Regexp
}

var causePatterns = []causePattern{
	{"credentials", lazyre.New(`(?i)authentication failed|password authentication|access denied|login failed|invalid (user|password|credentials)|unauthori[sz]ed|\b401\b|permission denied for user`)},
	{"transient", transientPattern},
	{"connectivity", lazyre.New(`(?i)connection refused|connect timed out|timed out|unknown host|no route to host|unreachable|could not connect|UnknownHostException|SocketTimeoutException`)},
	{"SQL", lazyre.New(`(?i)no such (column|table)|column .* does not exist|relation .* does not exist|syntax error|invalid column|unknown column|ambiguous column|SQLSyntaxError|SQL error`)},
	{"data", lazyre.New(`(?i)constraint|duplicate key|unique|not null|cannot be null|conversion|cannot parse|unparseable|number format|invalid (date|number|value)|data truncat|out of range`)},
	{"configuration", lazyre.New(`(?i)file not found|no such file|not configured|missing (property|parameter|variable)|is not set|suspended|invalid configuration|FileNotFoundException`)},
}

// transientPattern matches failures that usually pass on their own: throttling (429, S3's 503
// Slow Down), a service briefly unavailable, a read that timed out, a connection reset, a busy or
// deadlocked database. A connect timeout is not one of them: it means the host cannot be reached.
var transientPattern = lazyre.New(`(?i)\b429\b|too many requests|throttl|slow ?down|reduce your request rate|rate (limit|exceeded)|` +
	`\b50[234]\b|service unavailable|bad gateway|gateway time-?out|read timed out|request timed out|timeout (expired|exceeded)|` +
	`connection reset|reset by peer|broken pipe|database is locked|SQLITE_BUSY|deadlock|lock wait timeout|too many connections|remaining connection slots`)

// transientKinds name what a transient failure was, first match first.
var transientKinds = []struct {
	kind string
	re   *lazyre.Regexp
}{
	{"throttling", lazyre.New(`(?i)\b429\b|too many requests|throttl|slow ?down|reduce your request rate|rate (limit|exceeded)`)},
	{"service unavailable", lazyre.New(`(?i)\b50[23]\b|service unavailable|bad gateway`)},
	{"timeout", lazyre.New(`(?i)\b504\b|time-?out|timed out`)},
	{"connection reset", lazyre.New(`(?i)reset|broken pipe`)},
	{"busy database", lazyre.New(`(?i)locked|SQLITE_BUSY|deadlock|too many connections|connection slots`)},
}

func transientKind(errText string) string {
	for _, k := range transientKinds {
		if k.re.MatchString(errText) {
			return k.kind
		}
	}
	return "transient failure"
}

var missingColumn = lazyre.New(`(?i)no such column:\s*([\w.]+)|column "?([\w.]+)"? does not exist|unknown column '?([\w.]+)'?`)

// classify names the likely cause from the error text and the connection tests, citing evidence.
func classify(ctx context.Context, c *client.Client, dg *diagnosis, flow gjson.Result, errText string) *cause {
	for _, cn := range dg.Connections {
		if cn.failed && causePatterns[0].re.MatchString(cn.Test) {
			return &cause{Category: "credentials",
				Summary:  fmt.Sprintf("connection %q rejects its credentials, so the flow cannot read or write through it", cn.Name),
				Evidence: append([]string{fmt.Sprintf("test_connection %q: %s", cn.Name, cn.Test)}, errorLines(dg.FirstError, 1)...)}
		}
	}
	category := "unknown"
	for _, p := range causePatterns {
		if p.re.MatchString(errText) {
			category = p.category
			break
		}
	}
	cs := &cause{Category: category, Evidence: errorLines(dg.FirstError, 2)}
	switch category {
	case "SQL":
		cs.Summary = sqlSummary(ctx, c, dg, flow, errText, cs)
	case "connectivity":
		cs.Summary = "a connection of the flow cannot be reached"
		for _, cn := range dg.Connections {
			if cn.failed {
				cs.Summary = fmt.Sprintf("connection %q cannot be reached", cn.Name)
				cs.Evidence = append(cs.Evidence, fmt.Sprintf("test_connection %q: %s", cn.Name, cn.Test))
			}
		}
	case "transient":
		cs.Summary = fmt.Sprintf("%s: a passing failure of a system the flow uses, which a retry usually clears", transientKind(errText))
	case "credentials":
		cs.Summary = "Etlworks could not sign in to a system the flow uses"
	case "data":
		cs.Summary = "the data broke a rule of the destination (type, constraint or format)"
	case "configuration":
		cs.Summary = "the flow or one of its connections is misconfigured"
	default:
		cs.Summary = "the error does not match a known pattern; read the first error in context"
	}
	if len(dg.Changes) > 0 {
		ch := dg.Changes[0]
		cs.Evidence = append(cs.Evidence, fmt.Sprintf("audit %d: %s %s %s at %s, after the last successful run", ch.AuditID, ch.User, ch.Action, ch.Object, ch.At))
	}
	return cs
}

// sqlSummary explains an SQL failure; for a missing column it names the transformation whose SQL
// reads it and, when the table can be described, the closest existing column.
func sqlSummary(ctx context.Context, c *client.Client, dg *diagnosis, flow gjson.Result, errText string, cs *cause) string {
	m := missingColumn.FindStringSubmatch(errText)
	if m == nil {
		return "the database rejected the flow's SQL"
	}
	col := firstNonEmpty(m[1:]...)
	bare := col[strings.LastIndexByte(col, '.')+1:]
	summary := fmt.Sprintf("the SQL reads column %s, which does not exist", col)
	for i, t := range flow.Get("transformations").Array() {
		sql := t.Get("source.sql").String()
		if !strings.Contains(strings.ToLower(sql), strings.ToLower(bare)) {
			continue
		}
		summary = fmt.Sprintf("the SQL of transformation %d (%s) reads column %s, which does not exist", i+1, t.Get("name").String(), col)
		connID := t.Get("source.connectionId").Int()
		for _, table := range tablesIn(sql) {
			raw, _, err := c.Explorer.Columns(ctx, connID, table)
			if err != nil {
				continue
			}
			var names []string
			for _, colRow := range gjson.ParseBytes(raw).Array() {
				names = append(names, colRow.Get("name").String())
			}
			if near := client.Closest(bare, names, 1); len(near) > 0 {
				summary += fmt.Sprintf("; table %s has %s", table, near[0])
				cs.Evidence = append(cs.Evidence, fmt.Sprintf("describe_object %s: columns %s", table, strings.Join(names, ", ")))
			}
			break
		}
		break
	}
	return summary
}

var fromTable = lazyre.New(`(?i)\b(?:from|join)\s+([\w.]+)`)

// tablesIn lists the tables an SQL statement reads (FROM and JOIN), in order.
func tablesIn(sql string) []string {
	var out []string
	for _, m := range fromTable.FindAllStringSubmatch(sql, -1) {
		out = append(out, m[1])
	}
	return out
}

// errorLines keeps up to n of the numbered lines that report the error itself, not their context.
func errorLines(numbered []string, n int) []string {
	out := []string{}
	for _, l := range numbered {
		if len(out) < n && errorLine.MatchString(l) && !stackLine.MatchString(l[strings.IndexByte(l, ':')+1:]) {
			out = append(out, l)
		}
	}
	return out
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
