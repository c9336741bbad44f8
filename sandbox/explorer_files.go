package sandbox

import (
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/dataset"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/runlog"
)

// The file side of the explorer: a local folder connection's files, their columns and rows
// (CSV and JSON), and folder listings. Everything goes through os.Root, so no name can leave the folder.

// folderRoot opens the folder of a local file connection as an os.Root, so nothing reached
// through it can leave the folder, symbolic links included.
func (s *Sandbox) folderRoot(c connection) (*os.Root, error) {
	dir, err := sandboxFolderPath(s.root, c.Properties[model.PropFolder])
	if err != nil {
		return nil, badRequest("Connection '%s': %s", c.Name, err.Error())
	}
	root, err := os.OpenRoot(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, badRequest("Folder '%s' of connection '%s' does not exist", c.Properties[model.PropFolder], c.Name)
	}
	return root, err
}

// uploadTempPrefix marks the half-written files of uploads in progress; listings skip them.
const uploadTempPrefix = ".upload-"

// folderObjects lists every file under a folder connection, by path relative to the folder.
func (s *Sandbox) folderObjects(c connection) ([]explorerObject, error) {
	root, err := s.folderRoot(c)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	out := []explorerObject{}
	err = fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && !strings.HasPrefix(d.Name(), uploadTempPrefix) {
			out = append(out, explorerObject{Name: p, Type: "file", Schema: ""})
		}
		return nil
	})
	return out, err
}

// readFolderFile reads a CSV or JSON file of a folder connection into a dataset.
func (s *Sandbox) readFolderFile(c connection, name string) (*dataset.Table, error) {
	rel := cleanRel(name)
	if name == "" || !filepath.IsLocal(filepath.FromSlash(rel)) || rel == "." {
		return nil, badRequest("Object '%s' must be a file path relative to the folder of connection '%s'", name, c.Name)
	}
	root, err := s.folderRoot(c)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	info, err := root.Stat(rel)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, notFound("File '%s' not found in connection '%s'; GET /rest/v1/explorer/%d/objects lists its files", name, c.Name, c.ID)
	case err != nil:
		return nil, badRequest("File '%s': %s", name, runlog.PlainIOError(err))
	case info.IsDir():
		return nil, badRequest("'%s' is a folder; GET /rest/v1/explorer/%d/files?path=%s lists it", name, c.ID, rel)
	}
	format := ""
	switch strings.ToLower(path.Ext(rel)) {
	case ".csv", ".txt":
		format = "CSV"
	case ".json":
		format = "JSON"
	default:
		return nil, badRequest("Only CSV and JSON files have columns and data in the sandbox explorer; '%s' is neither", name)
	}
	b, err := root.ReadFile(rel)
	if err != nil {
		return nil, badRequest("File '%s': %s", name, runlog.PlainIOError(err))
	}
	if format == "JSON" {
		ds, err := dataset.ParseJSON(b)
		if err != nil {
			return nil, badRequest("File '%s' is not a JSON array of objects: %s", name, err.Error())
		}
		return ds, nil
	}
	ds, _, err := dataset.ParseCSV(b)
	if err != nil {
		return nil, badRequest("File '%s' is not valid CSV: %s", name, err.Error())
	}
	return ds, nil
}

// datasetColumns infers the columns of a file: names from the CSV header (or JSON keys), types from
// the values, nullable when a value is empty, size as the longest text value.
func datasetColumns(ds *dataset.Table) []explorerColumn {
	values := make([][]any, len(ds.Rows)) // empty CSV fields are nulls, not text, for type inference
	for r, row := range ds.Rows {
		values[r] = make([]any, len(row))
		for i, v := range row {
			if v != "" {
				values[r][i] = v
			}
		}
	}
	out := make([]explorerColumn, len(ds.Columns))
	for i, name := range ds.Columns {
		col := explorerColumn{Name: name, Type: dataset.ColumnType(values, i)}
		longest := 0
		for _, row := range ds.Rows {
			v := dataset.Text(row[i])
			col.Nullable = col.Nullable || v == ""
			longest = max(longest, utf8.RuneCountInString(v))
		}
		if col.Type == "TEXT" {
			col.Size = &longest
		}
		out[i] = col
	}
	return out
}

// typedRows converts a file dataset's text values to the numbers their column type says they are.
func typedRows(ds *dataset.Table, cols []explorerColumn, limit int) [][]any {
	out := [][]any{}
	for _, row := range ds.Rows[:min(limit, len(ds.Rows))] {
		vals := make([]any, len(row))
		for i, v := range row {
			text, isText := v.(string)
			switch {
			case !isText:
				vals[i] = v
			case text == "":
				vals[i] = nil
			case cols[i].Type == "INTEGER":
				vals[i], _ = strconv.ParseInt(text, 10, 64)
			case cols[i].Type == "REAL":
				vals[i], _ = strconv.ParseFloat(text, 64)
			default:
				vals[i] = text
			}
		}
		out = append(out, vals)
	}
	return out
}

// fileEntry is one row of GET /v1/explorer/{id}/files; modified is epoch ms.
type fileEntry struct {
	Name     string `json:"name"`
	Size     int64  `json:"size"`
	Modified int64  `json:"modified"`
	Dir      bool   `json:"dir"`
}

// explorerFilesHandler serves GET /v1/explorer/{id}/files?path=: one folder level, by name, with
// limit/offset paging. path is relative to the connection's folder; "" is the folder itself.
func (s *Sandbox) explorerFilesHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	c, err := s.explorerConnection(r)
	if err != nil {
		return err
	}
	if c.ConnectionType != model.TypeLocalFile {
		return badRequest("Connection '%s' is a database; list its tables with GET /rest/v1/explorer/%d/objects", c.Name, c.ID)
	}
	q, limit, offset, err := listQuery(r)
	if err != nil {
		return err
	}
	rel := cleanRel(q.Get("path"))
	if !filepath.IsLocal(filepath.FromSlash(rel)) {
		return badRequest("Parameter 'path' must be relative to the folder of connection '%s', not '%s'", c.Name, q.Get("path"))
	}
	root, err := s.folderRoot(c)
	if err != nil {
		return err
	}
	defer root.Close()
	info, err := root.Stat(rel)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return notFound("Folder '%s' not found in connection '%s'", q.Get("path"), c.Name)
	case err != nil:
		return badRequest("Path '%s' of connection '%s': %s", q.Get("path"), c.Name, runlog.PlainIOError(err))
	case !info.IsDir():
		return badRequest("'%s' is a file, not a folder; read it with GET /rest/v1/explorer/%d/data?object=%s", q.Get("path"), c.ID, rel)
	}
	entries, err := fs.ReadDir(root.FS(), rel)
	if err != nil {
		return badRequest("Path '%s' of connection '%s': %s", q.Get("path"), c.Name, runlog.PlainIOError(err))
	}
	out := []fileEntry{}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), uploadTempPrefix) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // removed since the listing was read
		}
		fe := fileEntry{Name: e.Name(), Modified: info.ModTime().UnixMilli(), Dir: e.IsDir()}
		if !e.IsDir() {
			fe.Size = info.Size()
		}
		out = append(out, fe)
	}
	total := len(out)
	return writeList(w, out[min(offset, total):min(offset+limit, total)], total)
}
