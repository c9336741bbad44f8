package client

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// AuditService reads the audit trail (/v1/audit, Administrator): who changed or ran what, when,
// and whether it worked.
type AuditService service

// AuditListOptions filters the audit trail. Etlworks documents the list and the exception flag;
// the filters are this project's design (the sandbox's extended profile), and a server that ignores them
// returns its last 1,000 events.
type AuditListOptions struct {
	Method    string    `query:"method"`    // event name, e.g. editFlow, runFlow
	User      string    `query:"user"`      // user name
	Result    string    `query:"result"`    // "success" or "error"
	From      time.Time `query:"from"`      // events at or after
	To        time.Time `query:"to"`        // events at or before
	Object    string    `query:"object"`    // the object the event touched: a name, or "type:id" such as "flow:12"
	Exception bool      `query:"exception"` // include exception texts ("ex")
	ListOptions
}

// List returns one page of audit events, newest first, as the raw JSON array.
func (s *AuditService) List(ctx context.Context, opts *AuditListOptions) (json.RawMessage, *Response, error) {
	return s.client.getList(ctx, "v1/audit", queryOf(opts))
}

// Get returns one audit event with its payload and exception, as raw JSON.
func (s *AuditService) Get(ctx context.Context, id int64) (json.RawMessage, *Response, error) {
	return s.client.sendRaw(ctx, http.MethodGet, "v1/audit/"+itoa(id), nil, nil)
}
