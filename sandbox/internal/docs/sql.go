package docs

import (
	"fmt"
	"strings"

	"github.com/etlworks/etlworks-mcp/internal/lazyre"
	"github.com/etlworks/etlworks-mcp/internal/prose"
)

// sqlPlain explains SQL in a few plain-English words for the flow documentation. It recognises
// the common shapes (SELECT with filters, grouping and aggregates; DDL and DML statements) and
// falls back to quoting the statement.
func sqlPlain(sql string) string {
	stmts := splitStatements(sql)
	switch len(stmts) {
	case 0:
		return "no SQL"
	case 1:
		return statementPlain(stmts[0])
	}
	parts := make([]string, len(stmts))
	for i, st := range stmts {
		parts[i] = statementPlain(st)
	}
	return fmt.Sprintf("%d statements in one transaction: it %s", len(stmts), prose.List(parts))
}

// splitStatements splits a script on semicolons outside quotes.
func splitStatements(sql string) []string {
	var out []string
	var cur strings.Builder
	var quote rune
	for _, c := range sql {
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == ';':
			if s := strings.TrimSpace(cur.String()); s != "" {
				out = append(out, s)
			}
			cur.Reset()
			continue
		}
		cur.WriteRune(c)
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

var (
	reCreateIndex = lazyre.New(`(?i)^CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?(\S+)\s+ON\s+([^\s(]+)\s*\(([^)]*)\)`)
	reDelete      = lazyre.New(`(?i)^DELETE\s+FROM\s+(\S+)(?:\s+WHERE\s+(.+))?$`)
	reUpdate      = lazyre.New(`(?i)^UPDATE\s+(\S+)`)
	reInsert      = lazyre.New(`(?i)^INSERT\s+(?:OR\s+\w+\s+)?INTO\s+([^\s(]+)`)
	reCreateTable = lazyre.New(`(?i)^CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([^\s(]+)`)
	reDropTable   = lazyre.New(`(?i)^DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?(\S+)`)
	reTables      = lazyre.New(`(?i)\b(?:FROM|JOIN)\s+([A-Za-z_][\w.]*)`)
	reWhere       = lazyre.New(`(?i)\bWHERE\s+(.+?)(?:\s+GROUP\s+BY\b|\s+ORDER\s+BY\b|\s+LIMIT\b|$)`)
	reGroupBy     = lazyre.New(`(?i)\bGROUP\s+BY\s+(.+?)(?:\s+HAVING\b|\s+ORDER\s+BY\b|\s+LIMIT\b|$)`)
	reOrderBy     = lazyre.New(`(?i)\bORDER\s+BY\s+(.+?)(?:\s+LIMIT\b|$)`)
	reAggregate   = lazyre.New(`(?i)\b(COUNT|SUM|AVG|MIN|MAX)\s*\(\s*([^)]*?)\s*\)`)
)

// statementPlain explains one statement.
func statementPlain(st string) string {
	norm := strings.Join(strings.Fields(st), " ")
	upper := strings.ToUpper(norm)
	if m := reCreateIndex.FindStringSubmatch(norm); m != nil {
		return fmt.Sprintf("creates the index `%s` on `%s` (%s) if it is missing", m[1], m[2], strings.TrimSpace(m[3]))
	}
	if m := reDelete.FindStringSubmatch(norm); m != nil {
		if m[2] != "" {
			return fmt.Sprintf("deletes the rows of `%s` where `%s`", m[1], m[2])
		}
		return fmt.Sprintf("deletes every row of `%s`", m[1])
	}
	if m := reUpdate.FindStringSubmatch(norm); m != nil {
		return fmt.Sprintf("updates rows of `%s`", m[1])
	}
	if m := reInsert.FindStringSubmatch(norm); m != nil {
		return fmt.Sprintf("inserts rows into `%s`", m[1])
	}
	if m := reCreateTable.FindStringSubmatch(norm); m != nil {
		return fmt.Sprintf("creates the table `%s`", m[1])
	}
	if m := reDropTable.FindStringSubmatch(norm); m != nil {
		return fmt.Sprintf("drops the table `%s`", m[1])
	}
	switch {
	case strings.HasPrefix(upper, "ANALYZE"):
		return "refreshes the query planner statistics"
	case strings.HasPrefix(upper, "SELECT"), strings.HasPrefix(upper, "WITH"):
		return selectPlain(norm)
	}
	return fmt.Sprintf("runs `%s`", prose.OneLine(norm, 80))
}

// selectPlain explains a query: its tables, filter, grouping, aggregates and order.
func selectPlain(q string) string {
	var tables []string
	for _, m := range reTables.FindAllStringSubmatch(q, -1) {
		tables = append(tables, "`"+m[1]+"`")
	}
	parts := []string{"it selects from " + prose.List(tables)}
	if len(tables) == 0 {
		parts = []string{"it computes values without reading a table"}
	}
	if m := reWhere.FindStringSubmatch(q); m != nil {
		parts = append(parts, fmt.Sprintf("keeps only rows where `%s`", m[1]))
	}
	if m := reGroupBy.FindStringSubmatch(q); m != nil {
		parts = append(parts, fmt.Sprintf("groups them by `%s`", m[1]))
	}
	var aggs []string
	for _, m := range reAggregate.FindAllStringSubmatch(q, -1) {
		fn, arg := strings.ToUpper(m[1]), m[2]
		switch {
		case fn == "COUNT" && (arg == "*" || arg == "1"):
			aggs = append(aggs, "the number of rows")
		case fn == "COUNT":
			aggs = append(aggs, fmt.Sprintf("the number of `%s` values", arg))
		default:
			word := map[string]string{"SUM": "sum", "AVG": "average", "MIN": "smallest", "MAX": "largest"}[fn]
			aggs = append(aggs, fmt.Sprintf("the %s of `%s`", word, arg))
		}
	}
	if len(aggs) > 0 {
		parts = append(parts, "computes "+prose.List(aggs))
	}
	if m := reOrderBy.FindStringSubmatch(q); m != nil {
		parts = append(parts, fmt.Sprintf("sorts the result by `%s`", m[1]))
	}
	return prose.List(parts)
}
