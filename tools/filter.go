package tools

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/etlworks/etlworks-mcp/client"
)

// Lists filter here. No list filter has a public name in the Etlworks API, so a server may ignore the
// ones the client sends and return every row: each row a tool shows is checked against the filters
// again, whether or not the server applied them.

// filteredResult is a list filtered here, with what was searched when the source is bounded.
type filteredResult[T any] struct {
	listResult[T]
	Searched string `json:"searched,omitempty"`
}

// scanned reads every row a scan returns, keeps those that pass keep and returns the page at
// offset; the total is exact unless the scan stopped at client.ScanLimit.
func scanned[T any](offset, limit int, scan func(visit func(json.RawMessage) bool) (client.Scan, error),
	keep func(gjson.Result) bool, view func(gjson.Result) T) (filteredResult[T], client.Scan, error) {
	var items []T
	matched := 0
	sc, err := scan(func(row json.RawMessage) bool {
		r := gjson.ParseBytes(row)
		if !keep(r) {
			return true
		}
		if matched >= offset && len(items) < limit {
			items = append(items, view(r))
		}
		matched++
		return true
	})
	if err != nil {
		return filteredResult[T]{}, sc, err
	}
	total := matched
	out := filteredResult[T]{listResult: newListResult(items, offset, total)}
	if sc.Truncated {
		out.Total = nil
		out.NextCursor = nextCursor(offset, len(items), -1)
		out.Searched = fmt.Sprintf("the first %s rows only (the scan limit); narrow the filters", thousands(sc.Rows))
	}
	return out, sc, nil
}

// listed answers a list tool: one page of list when filtered is false, or else the rows of scan
// that pass keep (a server may ignore the filters, so they are applied again here).
func listed[T any](p page, filtered bool, list func(client.ListOptions) (json.RawMessage, *client.Response, error),
	scan func(visit func(json.RawMessage) bool) (client.Scan, error), keep func(gjson.Result) bool, view func(gjson.Result) T) (any, error) {
	offset, _ := p.offset()
	if filtered {
		res, _, err := scanned(offset, p.limit(), scan, keep, view)
		return res, err
	}
	return onePage(p, list, view)
}

// onePage answers a list tool with the page of list that p asks for, each row shown by view.
func onePage[T any](p page, list func(client.ListOptions) (json.RawMessage, *client.Response, error), view func(gjson.Result) T) (any, error) {
	offset, _ := p.offset()
	raw, resp, err := list(client.ListOptions{Limit: p.limit(), Offset: offset})
	if err != nil {
		return nil, err
	}
	return pageRows(raw, resp.Total, offset, view), nil
}

// pageRows is the list result of one page a list route returned, each row through view.
func pageRows[T any](raw json.RawMessage, total, offset int, view func(gjson.Result) T) listResult[T] {
	rows := []T{}
	for _, r := range gjson.ParseBytes(raw).Array() {
		rows = append(rows, view(r))
	}
	return newListResult(rows, offset, total)
}

// thousands renders 1000 as "1,000".
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// containsFold reports whether s contains part, ignoring case; an empty part matches everything.
func containsFold(s, part string) bool {
	return part == "" || strings.Contains(strings.ToLower(s), strings.ToLower(part))
}

// hasTag reports whether an object's tags hold tag (case-insensitive); an empty tag matches all.
func hasTag(obj gjson.Result, tag string) bool {
	if tag == "" {
		return true
	}
	for _, t := range obj.Get("tags").Array() {
		if strings.EqualFold(t.String(), tag) {
			return true
		}
	}
	return false
}
