package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// wrapperKeys are the fields a paged object may keep its rows in. Etlworks documents bare arrays;
// a server (or proxy) that wraps them is tolerated.
var wrapperKeys = []string{"items", "content", "data", "results"}

// getList GETs a list endpoint and returns the rows as a JSON array, whatever the envelope.
func (c *Client) getList(ctx context.Context, path string, q url.Values) (json.RawMessage, *Response, error) {
	raw, resp, err := c.doRaw(ctx, &request{method: http.MethodGet, path: path, query: q})
	if err != nil {
		return nil, resp, err
	}
	rows, total, err := normalizeList(raw)
	if err != nil {
		return nil, resp, fmt.Errorf("client: GET %s: %w", path, err)
	}
	if resp.Total < 0 && total >= 0 {
		resp.Total = total
	}
	return rows, resp, nil
}

// normalizeList unwraps {"items": [...], "total": n}-style bodies and returns a bare array.
func normalizeList(raw json.RawMessage) (json.RawMessage, int, error) {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || bytes.Equal(trimmed, []byte("null")) {
		return json.RawMessage("[]"), -1, nil
	}
	if trimmed[0] == '[' {
		return trimmed, -1, nil
	}
	if trimmed[0] != '{' {
		return nil, -1, fmt.Errorf("expected a JSON array, got %.20s", trimmed)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &obj); err != nil {
		return nil, -1, err
	}
	total := -1
	for _, k := range []string{"total", "totalCount", "totalElements"} {
		if v, ok := obj[k]; ok {
			_ = json.Unmarshal(v, &total)
		}
	}
	for _, k := range wrapperKeys {
		if v, ok := obj[k]; ok && len(bytes.TrimSpace(v)) > 0 && bytes.TrimSpace(v)[0] == '[' {
			return v, total, nil
		}
	}
	return nil, -1, fmt.Errorf("expected a JSON array or an object with one of %v", wrapperKeys)
}
