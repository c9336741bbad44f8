package tools

import (
	"encoding/json"

	"github.com/tidwall/gjson"
)

// The answers of the connection tools. Their fields are in the order clients have always seen
// them (alphabetical by key, the order a JSON object of the same keys was encoded in).

// connectionTest is test_connection's answer: whether Etlworks could connect, and what it said.
type connectionTest struct {
	Connection string `json:"connection"`
	DurationMs int64  `json:"duration_ms"`
	ID         int64  `json:"id"`
	Message    string `json:"message"`
	Next       string `json:"next,omitempty"` // after a failed test: how to fix it
	OK         bool   `json:"ok"`
}

// typeList is list_connector_types' answer: the matching types, how many matched, and how to
// narrow a long list.
type typeList struct {
	Items     []typeRow `json:"items"`
	Next      string    `json:"next,omitempty"`
	Total     int       `json:"total"`
	Truncated bool      `json:"truncated,omitempty"` // more than maxTypeRows matched
}

// created is the answer of a create: the new object and the call that follows it.
type created[T any] struct {
	Created T        `json:"created"`
	Next    toolCall `json:"next"`
}

// createdAnswer is the answer of a create whose call returned raw: the stored object seen
// through view, and the call next names for it.
func createdAnswer[T any](raw json.RawMessage, err error, view func(gjson.Result) T, next func(T) toolCall) (any, error) {
	if err != nil {
		return nil, err
	}
	v := view(gjson.ParseBytes(raw))
	return created[T]{Created: v, Next: next(v)}, nil
}

// connectionDryRun is create_connection's dry_run answer: what it would send and what it could
// check without creating anything.
type connectionDryRun struct {
	Checks    []string        `json:"checks"`
	Created   bool            `json:"created"` // always false
	DryRun    bool            `json:"dry_run"` // always true
	Next      string          `json:"next"`
	Problems  []string        `json:"problems,omitempty"`
	WouldSend connectionWould `json:"would_send"`
}

// connectionWould is the connection a create would send, secret values masked.
type connectionWould struct {
	ConnectionType string            `json:"connectionType"`
	Description    string            `json:"description,omitempty"`
	Name           string            `json:"name"`
	Properties     map[string]string `json:"properties"`
	Tags           []string          `json:"tags,omitempty"`
}

// connectionUpdate is update_connection's answer: the changes, and whether they were sent
// (Updated is absent in a dry run, false when there was nothing to change).
type connectionUpdate struct {
	Changes    map[string]string `json:"changes"`
	Connection string            `json:"connection"`
	DryRun     bool              `json:"dry_run,omitempty"`
	ID         int64             `json:"id"`
	Next       *toolCall         `json:"next,omitempty"`
	Unchanged  []string          `json:"unchanged,omitempty"`
	Updated    *bool             `json:"updated,omitempty"`
}

// oauthLink is get_oauth_url's answer: where the user signs in.
type oauthLink struct {
	Connection string `json:"connection"`
	Next       string `json:"next"`
	Provider   string `json:"provider"`
	URL        string `json:"url"`
}
