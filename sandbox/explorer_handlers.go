package sandbox

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/etlworks/etlworks-mcp/internal/lazyre"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/dataset"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// The explorer browses the two connection kinds the sandbox
// really has: SQLite databases (tables and views) and local folders (files). Other types answer 400.

// Explorer object types the API knows; a connection kind has a subset of them.
var explorerObjectTypes = []string{"table", "view", "endpoint", "file", "dataset"}

// explorerConnection loads the connection of an explorer path and checks the sandbox can browse it.
func (s *Sandbox) explorerConnection(r *http.Request) (connection, error) {
	c, err := s.connectionFromPath(r)
	if err != nil {
		return c, err
	}
	if c.ConnectionType != model.TypeSQLite && c.ConnectionType != model.TypeLocalFile {
		return c, badRequest("Explorer is not available for connection type %s in the sandbox; it browses SQLite "+
			"databases (%s) and local folders (%s), such as 'Warehouse' and 'Staging files'", c.ConnectionType, model.TypeSQLite, model.TypeLocalFile)
	}
	return c, nil
}

// explorerObject is one row of GET /v1/explorer/{id}/objects.
type explorerObject struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Schema string `json:"schema"`
}

// matchObjectPattern applies an objects pattern: a case-insensitive glob (* any run of characters,
// ? one character) when it has a wildcard, else a case-insensitive substring.
func matchObjectPattern(pattern, name string) bool {
	if pattern == "" {
		return true
	}
	if !strings.ContainsAny(pattern, "*?") {
		return strings.Contains(strings.ToLower(name), strings.ToLower(pattern))
	}
	var re strings.Builder
	re.WriteString("(?is)^")
	for _, r := range pattern {
		switch r {
		case '*':
			re.WriteString(".*")
		case '?':
			re.WriteString(".")
		default:
			re.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	re.WriteString("$")
	ok, _ := regexp.MatchString(re.String(), name)
	return ok
}

// explorerObjectsHandler serves GET /v1/explorer/{id}/objects?type=&pattern= with limit/offset paging.
func (s *Sandbox) explorerObjectsHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	c, err := s.explorerConnection(r)
	if err != nil {
		return err
	}
	q, limit, offset, err := listQuery(r)
	if err != nil {
		return err
	}
	typ := strings.ToLower(q.Get("type"))
	kinds := []string{"file"}
	if c.ConnectionType == model.TypeSQLite {
		kinds = []string{"table", "view"}
	}
	switch {
	case typ != "" && !slices.Contains(explorerObjectTypes, typ):
		return badRequest("Parameter 'type' must be one of %s, not '%s'", strings.Join(explorerObjectTypes, ", "), q.Get("type"))
	case typ != "" && !slices.Contains(kinds, typ):
		return badRequest("Parameter 'type': connection '%s' has objects of type %s, not %s", c.Name, strings.Join(kinds, " and "), typ)
	}
	var all []explorerObject
	if c.ConnectionType == model.TypeSQLite {
		all, err = s.databaseObjects(r.Context(), c)
	} else {
		all, err = s.folderObjects(c)
	}
	if err != nil {
		return err
	}
	out := []explorerObject{}
	for _, o := range all {
		if (typ == "" || o.Type == typ) && matchObjectPattern(q.Get("pattern"), o.Name) {
			out = append(out, o)
		}
	}
	total := len(out)
	return writeList(w, out[min(offset, total):min(offset+limit, total)], total)
}

// databaseObjects lists the tables and views of a SQLite connection, in the main schema.
func (s *Sandbox) databaseObjects(ctx context.Context, c connection) ([]explorerObject, error) {
	res, err := s.explorerQuery(ctx, c, `SELECT name, type FROM sqlite_master
		WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`, maxMaxRows, false)
	if err != nil {
		return nil, err
	}
	out := make([]explorerObject, len(res.Rows))
	for i, row := range res.Rows {
		out[i] = explorerObject{Name: dataset.Text(row[0]), Type: dataset.Text(row[1]), Schema: "main"}
	}
	return out, nil
}

// explorerColumn is one row of GET /v1/explorer/{id}/objects/{name}/columns; size is null when
// the type has none.
type explorerColumn struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Nullable bool   `json:"nullable"`
	Size     *int   `json:"size"`
}

var typeSize = lazyre.New(`\(\s*(\d+)`)

// explorerColumnsHandler serves GET /v1/explorer/{id}/objects/{name}/columns. A file name with
// folders is sent URL-encoded in one segment (exports%2Frevenue_report.csv).
func (s *Sandbox) explorerColumnsHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	c, err := s.explorerConnection(r)
	if err != nil {
		return err
	}
	name := r.PathValue("name")
	if c.ConnectionType == model.TypeLocalFile {
		ds, err := s.readFolderFile(c, name)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, datasetColumns(ds))
	}
	table, err := s.resolveTable(r.Context(), c, name)
	if err != nil {
		return err
	}
	res, err := s.explorerQuery(r.Context(), c, fmt.Sprintf(`SELECT name, type, "notnull", pk FROM pragma_table_info(%s)`,
		sqlString(table)), maxMaxRows, false)
	if err != nil {
		return err
	}
	out := make([]explorerColumn, len(res.Rows))
	for i, row := range res.Rows {
		col := explorerColumn{Name: dataset.Text(row[0]), Type: dataset.Text(row[1]), Nullable: dataset.Text(row[2]) == "0" && dataset.Text(row[3]) == "0"}
		if m := typeSize.FindStringSubmatch(col.Type); m != nil {
			n, _ := strconv.Atoi(m[1])
			col.Size = &n
		}
		out[i] = col
	}
	return writeJSON(w, http.StatusOK, out)
}

// sqlString quotes a string literal for SQLite.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// resolveTable finds a table or view by name (case-insensitively, an optional "main." prefix
// allowed), or returns a 404 that says where to look.
func (s *Sandbox) resolveTable(ctx context.Context, c connection, name string) (string, error) {
	objects, err := s.databaseObjects(ctx, c)
	if err != nil {
		return "", err
	}
	for _, candidate := range []string{name, strings.TrimPrefix(strings.ToLower(name), "main.")} {
		for _, o := range objects {
			if strings.EqualFold(o.Name, candidate) {
				return o.Name, nil
			}
		}
	}
	return "", notFound("Object '%s' not found in connection '%s'; GET /rest/v1/explorer/%d/objects lists its tables and views", name, c.Name, c.ID)
}

// Row limits of GET /v1/explorer/{id}/data.
const (
	defaultDataLimit = 100
	maxDataLimit     = 1000
)

// explorerDataHandler serves GET /v1/explorer/{id}/data?object=&limit=: the first rows of a table,
// view or file as a QueryResult. formatId is accepted and ignored.
func (s *Sandbox) explorerDataHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	c, err := s.explorerConnection(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	object := q.Get("object")
	if object == "" {
		return badRequest("Parameter 'object' is required; GET /rest/v1/explorer/%d/objects lists them", c.ID)
	}
	limit := defaultDataLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return badRequest("Parameter 'limit' must be a positive integer, not '%s'", v)
		}
		limit = min(n, maxDataLimit)
	}
	if c.ConnectionType == model.TypeLocalFile {
		ds, err := s.readFolderFile(c, object)
		if err != nil {
			return err
		}
		cols := datasetColumns(ds)
		res := &queryResult{Columns: make([]queryColumn, len(cols)), Rows: typedRows(ds, cols, limit), Truncated: len(ds.Rows) > limit}
		for i, col := range cols {
			res.Columns[i] = queryColumn{Name: col.Name, Type: col.Type}
		}
		res.RowCount = len(res.Rows)
		return writeJSON(w, http.StatusOK, res)
	}
	table, err := s.resolveTable(r.Context(), c, object)
	if err != nil {
		return err
	}
	res, err := s.explorerQuery(r.Context(), c, "SELECT * FROM "+dataset.QuoteIdent(table), limit, false)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}
