package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
)

// ScanLimit bounds how many rows one scan of a list reads, in pages of 200 (the documented
// maximum). Name lookups are not bound by it: they go through the name indexes (name_index.go).
const ScanLimit = 5000

// scanBodies bounds how much one scan reads over all its pages, in body limits (DefaultMaxBody;
// 64 MiB by default): rows that big are not worth paging through, and the caller can narrow the
// list or pass an id instead.
const scanBodies = 2

// Scan says what a scan of a list read, so a caller can say what window it searched.
type Scan struct {
	Rows      int  // rows read
	Truncated bool // stopped at ScanLimit with more rows to read
}

// scanBounds limits one scan: rows read and bytes read over all pages, 0 for no limit. Each page
// is always read within the body limit.
type scanBounds struct {
	rows  int
	bytes int64
}

// scan pages through a list endpoint, calling visit on each row until it returns false, up to
// ScanLimit rows and scanBodies body limits. Filters in q are sent, but Etlworks documents no list
// filter, so a server may ignore them: callers re-check each row.
func (c *Client) scan(ctx context.Context, path string, q url.Values, visit func(row json.RawMessage) bool) (Scan, error) {
	return c.scanRows(ctx, path, q, scanBounds{rows: ScanLimit, bytes: scanBodies * c.maxBody}, visit)
}

// scanRows is scan within the given bounds. Paging stops on a short page, at X-Total-Count, or
// when a page starts with the row the previous page started with (a server that ignores offset).
func (c *Client) scanRows(ctx context.Context, path string, q url.Values, b scanBounds, visit func(row json.RawMessage) bool) (Scan, error) {
	var s Scan
	var prevFirst []byte
	read := 0
	for offset := 0; b.rows == 0 || offset < b.rows; {
		if err := ctx.Err(); err != nil {
			return s, err // the call's deadline ended: stop paging rather than start another page
		}
		pq := maps.Clone(q)
		if pq == nil {
			pq = url.Values{}
		}
		pq.Set("limit", "200")
		pq.Del("offset")
		if offset > 0 {
			pq.Set("offset", strconv.Itoa(offset))
		}
		raw, resp, err := c.getList(ctx, path, pq)
		if err != nil {
			return s, err
		}
		if read += len(raw); b.bytes > 0 && int64(read) > b.bytes {
			return s, fmt.Errorf("client: reading GET %s took %d MiB over %d pages, more than this server reads for one list; narrow it, or pass an id instead of a name",
				path, read>>20, offset/200+1)
		}
		var rows []json.RawMessage
		if err := json.Unmarshal(raw, &rows); err != nil {
			return s, fmt.Errorf("client: GET %s: %w", path, err)
		}
		if len(rows) > 0 {
			if prevFirst != nil && bytes.Equal(rows[0], prevFirst) {
				return s, nil
			}
			prevFirst = bytes.Clone(rows[0]) // not a slice of raw, which would keep the page alive
		}
		for _, row := range rows {
			if b.rows > 0 && s.Rows >= b.rows {
				s.Truncated = true
				return s, nil
			}
			s.Rows++
			if !visit(row) {
				return s, nil
			}
		}
		if len(rows) < 200 || (resp.Total >= 0 && offset+len(rows) >= resp.Total) {
			return s, nil
		}
		offset += len(rows) // more than asked for: a server that ignores limit
	}
	s.Truncated = true
	return s, nil
}

// IsRouteAbsent reports whether err is a 404 or 405 from a collection route with no id in its
// path: there it means the route does not exist on this instance, never "no such object".
func IsRouteAbsent(err error) bool {
	return IsStatus(err, http.StatusNotFound) || IsStatus(err, http.StatusMethodNotAllowed)
}

// Scan reads every flow (up to ScanLimit) that the server returns for opts' filters.
func (s *FlowsService) Scan(ctx context.Context, opts *FlowListOptions, visit func(json.RawMessage) bool) (Scan, error) {
	return s.client.scan(ctx, "v1/flows", filtersOf(opts), visit)
}

// Scan reads every connection (up to ScanLimit) that the server returns for opts' filters. The
// list route is not documented; on an instance without it the error satisfies IsRouteAbsent.
func (s *ConnectionsService) Scan(ctx context.Context, opts *ConnectionListOptions, visit func(json.RawMessage) bool) (Scan, error) {
	return s.client.scan(ctx, "v1/connections", filtersOf(opts), visit)
}

// Scan reads every schedule (up to ScanLimit) that the server returns for opts' filters.
func (s *SchedulesService) Scan(ctx context.Context, opts *ScheduleListOptions, visit func(json.RawMessage) bool) (Scan, error) {
	return s.client.scan(ctx, "v1/schedules", filtersOf(opts), visit)
}

// Scan reads the audit trail as far as the server serves it (Etlworks documents the last 1,000
// events), with opts' filters sent.
func (s *AuditService) Scan(ctx context.Context, opts *AuditListOptions, visit func(json.RawMessage) bool) (Scan, error) {
	return s.client.scan(ctx, "v1/audit", filtersOf(opts), visit)
}

// Scan reads every listener (up to ScanLimit) that the server returns for opts' filter.
func (s *ListenersService) Scan(ctx context.Context, opts *ListenerListOptions, visit func(json.RawMessage) bool) (Scan, error) {
	return s.client.scan(ctx, "v1/listeners", filtersOf(opts), visit)
}

// Scan reads every recycle-bin item (up to ScanLimit) that the server returns for opts' filters.
func (s *RecycleBinService) Scan(ctx context.Context, opts *RecycleBinListOptions, visit func(json.RawMessage) bool) (Scan, error) {
	return s.client.scan(ctx, "v1/recycle-bin", filtersOf(opts), visit)
}
