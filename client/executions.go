package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/etlworks/etlworks-mcp/internal/bound"
)

// ExecutionsService reads runs: status, history and logs (/v1/executions).
type ExecutionsService service

// ExecutionGetOptions selects which run of a flow Get returns; all zero means the latest.
type ExecutionGetOptions struct {
	AuditID   int64           `query:"auditId"`   // a specific run
	MessageID string          `query:"messageId"` // the run a listener payload triggered
	Status    ExecutionStatus `query:"status"`    // the latest run in this status
}

// Get returns one run of a flow: the latest, or the one opts selects.
func (s *ExecutionsService) Get(ctx context.Context, flowID int64, opts *ExecutionGetOptions) (*Execution, *Response, error) {
	return decode[Execution](ctx, s.client, &request{method: http.MethodGet, path: "v1/executions/" + itoa(flowID), query: queryOf(opts)})
}

// ExecutionListOptions filters run history (GET /v1/executions, a documented-by-design endpoint).
type ExecutionListOptions struct {
	FlowID int64           `query:"flowId"`
	Status ExecutionStatus `query:"status"`
	From   time.Time       `query:"from"` // runs started at or after
	To     time.Time       `query:"to"`   // runs started before
	ListOptions
}

// List returns run history, newest first, as typed records; Response.Total holds X-Total-Count.
func (s *ExecutionsService) List(ctx context.Context, opts *ExecutionListOptions) ([]Execution, *Response, error) {
	raw, resp, err := s.client.getList(ctx, "v1/executions", queryOf(opts))
	if err != nil {
		return nil, resp, err
	}
	var out []Execution
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, resp, err
	}
	if out == nil {
		out = []Execution{}
	}
	return out, resp, nil
}

// isHTML reports whether a download is a web page (a sign-in page, a wrong URL) rather than a log.
func isHTML(contentType string, body []byte) bool {
	if strings.HasPrefix(strings.ToLower(contentType), "text/html") {
		return true
	}
	head := strings.ToLower(strings.TrimSpace(string(body[:min(len(body), 64)])))
	return strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html")
}

// RunLog is the downloaded log file of one run.
type RunLog struct {
	Text      []byte
	Truncated bool // the file was larger than the client's limit; Text holds its beginning
}

// Log downloads the log of one run. The token travels in the query string as Etlworks documents
// for this download; it is redacted from every error and log line.
func (s *ExecutionsService) Log(ctx context.Context, flowID, auditID int64) (*RunLog, *Response, error) {
	q := url.Values{"flowId": {itoa(flowID)}, "auditId": {itoa(auditID)}}
	// Accept any type: the answer is a log file (text/plain), not JSON.
	r := &request{method: http.MethodGet, path: "v1/executions/console/download", query: q, tokenInQuery: true, accept: "*/*"}
	limit := s.client.maxLogSize
	out := &RunLog{}
	resp, err := s.client.exchangeStream(ctx, r, func(endpoint string, hr *http.Response) error {
		text, err := io.ReadAll(io.LimitReader(hr.Body, limit+1))
		if err != nil {
			return fmt.Errorf("client: %s: read body: %w", endpoint, err)
		}
		if isHTML(hr.Header.Get("Content-Type"), text) {
			return &UnexpectedBodyError{Endpoint: endpoint, Status: hr.StatusCode, What: "an HTML page",
				ContentType: bound.Clip(hr.Header.Get("Content-Type"), 100), Start: snippet(text[:min(len(text), snippetBytes*2)], nil)}
		}
		if int64(len(text)) > limit {
			text, out.Truncated = text[:limit], true
		}
		out.Text = text
		return nil
	}, nil)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}
