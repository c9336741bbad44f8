package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
)

// ExplorerService browses what a connection holds: objects (tables, views, files, endpoints),
// their columns and data, ad-hoc SQL and file uploads (/v1/explorer/{connectionId}/…). Etlworks
// documents Explorer as a UI feature only; these paths are this project's design, served by the
// sandbox's extended profile.
type ExplorerService service

// ObjectListOptions filters the objects of a connection.
type ObjectListOptions struct {
	Type    string `query:"type"`    // table, view, endpoint, file or dataset; "" for all
	Pattern string `query:"pattern"` // a name pattern such as "ord*"
	ListOptions
}

// Objects lists the objects of connection id as a raw JSON array of {name, type, schema}.
func (s *ExplorerService) Objects(ctx context.Context, id int64, opts *ObjectListOptions) (json.RawMessage, *Response, error) {
	return s.client.getList(ctx, explorerPath(id, "objects"), queryOf(opts))
}

// Columns lists the columns of one object as a raw JSON array of {name, type, nullable, size}.
func (s *ExplorerService) Columns(ctx context.Context, id int64, object string) (json.RawMessage, *Response, error) {
	if object == "" {
		return nil, nil, fmt.Errorf("client: object name is empty")
	}
	return s.client.getList(ctx, explorerPath(id, "objects/"+url.PathEscape(object)+"/columns"), nil)
}

// QueryColumn names and types one column of a QueryResult.
type QueryColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// QueryResult is a table read from a connection: previewed data or the rows of a SQL query.
// Cells stay raw JSON so that large integers and nested values survive unchanged.
type QueryResult struct {
	Columns []QueryColumn       `json:"columns"`
	Rows    [][]json.RawMessage `json:"rows"`
	// RowCount is the number of rows the statement produced or changed, as the server reports it;
	// it exceeds len(Rows) when the result was cut at the row limit and the server counted them all.
	RowCount   int64 `json:"rowCount"`
	Truncated  bool  `json:"truncated"` // more rows exist than were returned
	DurationMs int64 `json:"durationMs"`
	// RowsAffected is how many rows a statement sent with AllowWrites changed; nil otherwise.
	RowsAffected *int64 `json:"rowsAffected,omitempty"`
}

// DataOptions selects what Data previews.
type DataOptions struct {
	Object   string // table, view, file or endpoint name (required)
	FormatID int64  // the format to parse a file with; 0 for the default
	Limit    int    // rows to return; 0 for the server's default (100)
}

// Data previews the rows of an object.
func (s *ExplorerService) Data(ctx context.Context, id int64, opts *DataOptions) (*QueryResult, *Response, error) {
	if opts == nil || opts.Object == "" {
		return nil, nil, fmt.Errorf("client: object name is empty")
	}
	q := url.Values{"object": {opts.Object}}
	if opts.FormatID > 0 {
		q.Set("formatId", itoa(opts.FormatID))
	}
	if opts.Limit > 0 {
		q.Set("limit", itoa(int64(opts.Limit)))
	}
	return decode[QueryResult](ctx, s.client, &request{method: http.MethodGet, path: explorerPath(id, "data"), query: q})
}

// SQLRequest is one ad-hoc statement.
type SQLRequest struct {
	SQL      string `json:"sql"`
	MaxRows  int    `json:"maxRows,omitempty"`  // 0 for the server's default
	FormatID int64  `json:"formatId,omitempty"` // for SQL over files; 0 for none
	// AllowWrites asks the server to run the statement on a handle that may write. Without it the
	// sandbox runs the statement read-only, so a statement that would change data fails.
	AllowWrites bool `json:"allowWrites,omitempty"`
}

// SQL runs a statement on connection id. A statement the database rejects is an *APIError (400)
// whose Message is the database's error.
func (s *ExplorerService) SQL(ctx context.Context, id int64, body *SQLRequest) (*QueryResult, *Response, error) {
	if body == nil || strings.TrimSpace(body.SQL) == "" {
		return nil, nil, fmt.Errorf("client: SQL is empty")
	}
	r, err := newJSONRequest(http.MethodPost, explorerPath(id, "sql"), nil, body)
	if err != nil {
		return nil, nil, err
	}
	return decode[QueryResult](ctx, s.client, r)
}

// UploadOptions places an uploaded file.
type UploadOptions struct {
	Path string // the file's path in the connection's storage, or a folder (ending in "/") to put it in; "" for the root
}

// Uploaded describes a file stored by Upload.
type Uploaded struct {
	Path     string `json:"path"` // where the file now is, relative to the connection's storage
	Size     int64  `json:"size"`
	Uploaded Millis `json:"uploaded"`
	Replaced bool   `json:"replaced"` // a file of that path was overwritten
}

// Upload stores content as file name in connection id's storage (multipart field "file"). The
// whole content is held in memory so the request can be replayed after a 401; callers bound its
// size. It is never retried.
func (s *ExplorerService) Upload(ctx context.Context, id int64, name string, content io.Reader, opts *UploadOptions) (*Uploaded, *Response, error) {
	if strings.TrimSpace(name) == "" {
		return nil, nil, fmt.Errorf("client: file name is empty")
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if opts != nil && opts.Path != "" {
		if err := mw.WriteField("path", opts.Path); err != nil {
			return nil, nil, err
		}
	}
	part, err := mw.CreateFormFile("file", name)
	if err != nil {
		return nil, nil, err
	}
	if _, err := io.Copy(part, content); err != nil {
		return nil, nil, fmt.Errorf("client: read upload %q: %w", name, err)
	}
	if err := mw.Close(); err != nil {
		return nil, nil, err
	}
	r := &request{method: http.MethodPost, path: explorerPath(id, "upload"), body: buf.Bytes(), contentType: mw.FormDataContentType()}
	return decode[Uploaded](ctx, s.client, r)
}

// Files lists the files under path in connection id's storage as a raw JSON array.
func (s *ExplorerService) Files(ctx context.Context, id int64, path string) (json.RawMessage, *Response, error) {
	q := url.Values{}
	setIf(q, "path", path)
	return s.client.getList(ctx, explorerPath(id, "files"), q)
}

func explorerPath(id int64, rest string) string { return "v1/explorer/" + itoa(id) + "/" + rest }
