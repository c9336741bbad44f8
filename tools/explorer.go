package tools

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/internal/bound"
	"github.com/etlworks/etlworks-mcp/internal/csvtable"
	"github.com/etlworks/etlworks-mcp/internal/untrusted"
)

// Table bounds shared by preview_data and run_sql.
const (
	defaultRows = 100
	maxRows     = 1000
	maxCell     = csvtable.MaxCell // bytes of one cell before it is cut
	maxObjects  = 200              // objects list_objects shows
	maxUpload   = 10 << 20
)

// ListObjectsInput filters a connection's objects.
type ListObjectsInput struct {
	Connection Ref                 `json:"connection" jsonschema:"required,description=Id or exact name"`
	Type       choice[objectTypes] `json:"type,omitempty" jsonschema:"description=Type"`
	Pattern    string              `json:"pattern,omitempty" jsonschema:"description=Name part or glob\\, e.g. ord*"`
}

func listObjectsTool(d Deps) Def {
	return newTool(d, spec[ListObjectsInput]{
		name:        "list_objects",
		title:       "List objects",
		description: "List the tables, views, files or endpoints of a connection, grouped by type.",
		toolset:     "explorer",
		effect:      reads,
		handle: func(ctx context.Context, in ListObjectsInput) (any, error) {
			c, err := resolveConnection(ctx, d.Client, in.Connection)
			if err != nil {
				return nil, err
			}
			raw, resp, err := d.Client.Explorer.Objects(ctx, c.ID, &client.ObjectListOptions{Type: string(in.Type), Pattern: in.Pattern,
				ListOptions: client.ListOptions{Limit: maxObjects}})
			if err != nil {
				return nil, err
			}
			byType := map[string][]string{}
			n := 0
			for _, o := range gjson.ParseBytes(raw).Array() {
				typ := o.Get("type").String()
				if typ == "" {
					typ = "object"
				}
				byType[typ] = append(byType[typ], o.Get("name").String())
				n++
			}
			out := objectList{Connection: c.Name, Objects: byType, Total: resp.Total}
			if out.Total < 0 {
				out.Total = n
			}
			if out.Total > n {
				out.Truncated = true
				out.Next = "narrow with pattern or type"
			}
			return out, nil
		},
	})
}

// objectList is list_objects' answer: object names by type (Etlworks' types, "object" when it
// gives none), how many there are, and how to narrow a cut list. Fields are in the order clients
// have always seen them (alphabetical by key), as in the other answers below.
type objectList struct {
	Connection string              `json:"connection"`
	Next       string              `json:"next,omitempty"`
	Objects    map[string][]string `json:"objects"`
	Total      int                 `json:"total"`
	Truncated  bool                `json:"truncated,omitempty"` // more than maxObjects
}

// objectColumns is describe_object's answer: one "name type[(size)][ not null]" per column.
type objectColumns struct {
	Columns    []string `json:"columns"`
	Connection string   `json:"connection"`
	Object     string   `json:"object"`
}

// uploaded is upload_file's answer: where the file now is and whether it replaced one.
type uploaded struct {
	Bytes      int64  `json:"bytes"`
	Connection string `json:"connection"`
	Replaced   bool   `json:"replaced,omitempty"`
	Uploaded   string `json:"uploaded"`
}

// ObjectInput names one object of a connection.
type ObjectInput struct {
	Connection Ref    `json:"connection" jsonschema:"required,description=Id or exact name"`
	Object     string `json:"object" jsonschema:"required,description=Table\\, view or file name"`
}

func describeObjectTool(d Deps) Def {
	return newTool(d, spec[ObjectInput]{
		name:        "describe_object",
		title:       "Describe object",
		description: "Show the columns of a table, view or file: name, type, nullable.",
		toolset:     "explorer",
		effect:      reads,
		handle: func(ctx context.Context, in ObjectInput) (any, error) {
			c, err := resolveConnection(ctx, d.Client, in.Connection)
			if err != nil {
				return nil, err
			}
			raw, _, err := d.Client.Explorer.Columns(ctx, c.ID, in.Object)
			if err != nil {
				return nil, objectError(ctx, d, c, in.Object, err)
			}
			cols := []string{}
			for _, col := range gjson.ParseBytes(raw).Array() {
				s := col.Get("name").String() + " " + col.Get("type").String()
				if size := col.Get("size"); size.Exists() && size.Type == gjson.Number && !strings.Contains(col.Get("type").String(), "(") {
					s += "(" + size.Raw + ")"
				}
				if col.Get("nullable").Exists() && !col.Get("nullable").Bool() {
					s += " not null"
				}
				cols = append(cols, s)
			}
			return objectColumns{Connection: c.Name, Object: in.Object, Columns: cols}, nil
		},
	})
}

// objectError turns "no such object" into a suggestion of the closest object names.
func objectError(ctx context.Context, d Deps, c connRef, object string, err error) error {
	if !client.IsNotFound(err) {
		return err
	}
	raw, _, lerr := d.Client.Explorer.Objects(ctx, c.ID, &client.ObjectListOptions{ListOptions: client.ListOptions{Limit: maxObjects}})
	var names []string
	if lerr == nil {
		names = strs(gjson.ParseBytes(raw).Get("#.name"))
	}
	return &notFoundError{kind: "object", ref: object, suggestions: client.Closest(object, names, 3)}
}

// PreviewDataInput asks for the first rows of an object.
type PreviewDataInput struct {
	Connection Ref    `json:"connection" jsonschema:"required,description=Id or exact name"`
	Object     string `json:"object" jsonschema:"required,description=Table\\, view or file name"`
	Limit      int    `json:"limit,omitempty" jsonschema:"maximum=1000,description=Rows (default 100)"`
}

func (in *PreviewDataInput) validate() error { return checkRows("limit", in.Limit) }

func checkRows(field string, n int) error {
	if n < 0 || n > maxRows {
		return badInput(`%q must be between 1 and %d, got %d`, field, maxRows, n)
	}
	return nil
}

func rowsOrDefault(n int) int {
	if n == 0 {
		return defaultRows
	}
	return n
}

func previewDataTool(d Deps) Def {
	return newTool(d, spec[PreviewDataInput]{
		name:        "preview_data",
		title:       "Preview data",
		description: "Show the first rows of a table, view or file as CSV.",
		toolset:     "explorer",
		effect:      reads,
		handle: func(ctx context.Context, in PreviewDataInput) (any, error) {
			c, err := resolveConnection(ctx, d.Client, in.Connection)
			if err != nil {
				return nil, err
			}
			res, _, err := d.Client.Explorer.Data(ctx, c.ID, &client.DataOptions{Object: in.Object, Limit: rowsOrDefault(in.Limit)})
			if err != nil {
				return nil, objectError(ctx, d, c, in.Object, err)
			}
			limit := rowsOrDefault(in.Limit)
			t, shown := renderTable(res, limit, tableBudget(in.Limit))
			t.link = tableRestLink(c, in.Object, res, limit, shown)
			return t, nil
		},
	})
}

// RunSQLInput is run_sql's input when the server allows reads only.
type RunSQLInput struct {
	Connection Ref    `json:"connection" jsonschema:"required,description=Id or exact name"`
	SQL        string `json:"sql" jsonschema:"required,description=One statement"`
	MaxRows    int    `json:"max_rows,omitempty" jsonschema:"maximum=1000,description=Rows (default 100)"`
}

func (in *RunSQLInput) validate() error { return checkRows("max_rows", in.MaxRows) }

// RunSQLWriteInput is run_sql's input when the operator allows writes: a write is destructive and
// is confirmed first.
type RunSQLWriteInput struct {
	RunSQLInput
	confirmable
}

// readStatements names what run_sql runs without --allow-sql-writes.
const readStatements = "SELECT, WITH … SELECT, VALUES, SHOW, DESCRIBE and EXPLAIN"

// runSQLTool registers run_sql as a read-only tool, or, when the operator started the server with
// --allow-sql-writes, as a destructive one that confirms each write. Both share runSQL.
func runSQLTool(d Deps) Def {
	if d.AllowSQLWrites {
		return newTool(d, spec[RunSQLWriteInput]{
			name:        "run_sql",
			title:       "Run SQL",
			description: "Run one SQL statement on a database connection; results as CSV. Writes ask for confirmation first.",
			toolset:     "explorer",
			effect:      destroys,
			handle: func(ctx context.Context, in RunSQLWriteInput) (any, error) {
				return runSQL(ctx, d, in.RunSQLInput)
			},
		})
	}
	return newTool(d, spec[RunSQLInput]{
		name:        "run_sql",
		title:       "Run SQL",
		description: "Run one read-only SQL statement (SELECT, WITH, VALUES, SHOW, DESCRIBE, EXPLAIN) on a connection; results as CSV.",
		toolset:     "explorer",
		effect:      reads,
		handle: func(ctx context.Context, in RunSQLInput) (any, error) {
			return runSQL(ctx, d, in)
		},
	})
}

func runSQL(ctx context.Context, d Deps, in RunSQLInput) (any, error) {
	c, err := resolveConnection(ctx, d.Client, in.Connection)
	if err != nil {
		return nil, err
	}
	v := checkSQL(in.SQL, dialectFor(c.Type))
	run := func(write bool) (any, error) {
		rows := rowsOrDefault(in.MaxRows)
		res, _, err := d.Client.Explorer.SQL(ctx, c.ID, &client.SQLRequest{SQL: in.SQL, MaxRows: rows, AllowWrites: write})
		if err != nil {
			return nil, err
		}
		t, shown := renderTable(res, rows, tableBudget(in.MaxRows))
		if n := min(len(res.Rows), rows); shown < n || res.Truncated || len(res.Rows) > n {
			// No resource link: re-running a statement from a URI would be a second way to run SQL.
			t.head = strings.TrimSuffix(t.head, "\n") + "; to page, add ORDER BY and LIMIT/OFFSET to the SQL\n"
		}
		return t, nil
	}
	switch v.kind {
	case sqlRefused:
		return nil, &inputError{msg: "run_sql refused the statement: " + v.reason + "."}
	case sqlWrite:
		if !d.AllowSQLWrites {
			return nil, &inputError{msg: fmt.Sprintf("run_sql refused %s: %s. It runs only %s; "+
				"writes need the server to be started with --allow-sql-writes (and without --read-only).", v.keyword, v.reason, readStatements)}
		}
		// A statement has no state to bind to, so its confirmation is valid only in this process.
		action := fmt.Sprintf("Run a %s statement that may change data on %s: %s", v.keyword, c, clip(oneLine(in.SQL), 300))
		return d.confirm.then(ctx, action, nil, func() (any, error) { return run(true) })
	}
	return run(false)
}

// tableBudget is the byte budget of a table result: the default result budget, or the hard cap
// when the caller asked for a number of rows.
func tableBudget(askedRows int) int {
	if askedRows > 0 {
		return bound.MaxResultBytes
	}
	return bound.ResultBytes
}

// oneLine collapses whitespace so a statement reads on one line in a question.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// renderTable renders a query result as compact CSV under one summary line, which costs far fewer
// tokens than JSON arrays (no quotes around most cells). limit is the row cap that was asked for;
// budget bounds the whole result in bytes, whatever the row width. The rows are fenced as data
// from Etlworks. It also returns how many rows it showed.
//
//	3 rows
//	100 rows (truncated: first 100; more exist)
//	100 rows (truncated: first 100 of 250)
func renderTable(res *client.QueryResult, limit, budget int) (text, int) {
	var body strings.Builder
	n := min(len(res.Rows), limit)
	names := make([]string, len(res.Columns))
	for i, col := range res.Columns {
		names[i] = col.Name
	}
	csvtable.Header(&body, names)
	room := budget - untrusted.Overhead - 200 // the summary line stays under 200 bytes
	shown := csvtable.Rows(&body, res.Rows[:n], room)
	var b strings.Builder
	rowWord := "rows"
	if shown == 1 {
		rowWord = "row"
	}
	fmt.Fprintf(&b, "%d %s", shown, rowWord)
	switch {
	case shown < n:
		fmt.Fprintf(&b, " (cut at %d rows to stay under %d KiB; ", shown, budget>>10)
		if budget < bound.MaxResultBytes {
			b.WriteString("set max_rows (or limit) for up to 256 KiB, or select fewer columns)")
		} else {
			b.WriteString("lower max_rows or select fewer columns)")
		}
	case res.RowCount > int64(n) && (res.Truncated || len(res.Rows) > n):
		fmt.Fprintf(&b, " (truncated: first %d of %d)", n, res.RowCount)
	case res.Truncated || len(res.Rows) > n:
		fmt.Fprintf(&b, " (truncated: first %d; more exist)", n)
	}
	if res.RowsAffected != nil {
		fmt.Fprintf(&b, "; %d rows affected", *res.RowsAffected)
	}
	b.WriteByte('\n')
	if len(res.Columns) == 0 {
		return text{head: b.String(), budget: budget}, shown
	}
	return text{head: b.String(), body: body.String(), what: "query result", budget: budget}, shown
}

// UploadFileInput is a file to stage in a connection's storage.
type UploadFileInput struct {
	Connection Ref    `json:"connection" jsonschema:"required,description=File storage: id or exact name"`
	Path       string `json:"path,omitempty" jsonschema:"description=Local file under the server's --upload-dir (off unless set)"`
	Content    string `json:"content,omitempty" jsonschema:"description=Text to upload instead of a file"`
	Name       string `json:"name,omitempty" jsonschema:"description=Target name or path (default: local name)"`
}

func (in *UploadFileInput) validate() error {
	switch {
	case (in.Path == "") == (in.Content == ""):
		return badInput(`give exactly one of "path" (a local file) or "content" (the text to upload)`)
	case in.Content != "" && strings.TrimSpace(in.Name) == "":
		return badInput(`"name" is required with "content": the file name to store it as, e.g. orders.csv`)
	case len(in.Content) > maxUpload:
		return badInput(`"content" is %d bytes; the upload limit is %d MiB`, len(in.Content), maxUpload>>20)
	}
	return nil
}

func uploadFileTool(d Deps) Def {
	return newTool(d, spec[UploadFileInput]{
		name:        "upload_file",
		title:       "Upload file",
		description: "Upload a local file or text to a file-storage connection, e.g. to stage flow data; replaces a same-named file.",
		toolset:     "explorer",
		effect:      writesOnce,
		handle: func(ctx context.Context, in UploadFileInput) (any, error) {
			c, err := resolveConnection(ctx, d.Client, in.Connection)
			if err != nil {
				return nil, err
			}
			var content io.Reader = strings.NewReader(in.Content)
			target := strings.TrimSpace(in.Name)
			if in.Path != "" && d.Remote {
				return nil, badInput(`"path" reads a file on the server's own disk, which only a local (stdio) client shares; ` +
					`over HTTP send the file's text as "content", with "name"`)
			}
			if in.Path != "" {
				data, err := readUpload(d.UploadDir, in.Path)
				if err != nil {
					return nil, err
				}
				content = bytes.NewReader(data)
				if target == "" {
					target = filepath.Base(in.Path)
				}
			}
			up, _, err := d.Client.Explorer.Upload(ctx, c.ID, path.Base(strings.ReplaceAll(target, `\`, "/")), content, &client.UploadOptions{Path: target})
			if err != nil {
				return nil, err
			}
			return uploaded{Connection: c.Name, Uploaded: up.Path, Bytes: up.Size, Replaced: up.Replaced}, nil
		},
	})
}

func byteSize(n int64) string {
	if n >= 1<<20 {
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
