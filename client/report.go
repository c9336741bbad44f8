package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/etlworks/etlworks-mcp/internal/lazyre"
)

// Report is what `doctor --report` writes: for each endpoint the client knows, whether the route
// answered and with which status, and the field names of one answer. It carries no value from
// the instance (no ids, names, URLs or secrets), so a user can send it back and the API contract
// can be corrected from facts.
type Report struct {
	Generated    string            `json:"generated"`
	Endpoints    []EndpointReport  `json:"endpoints"`
	Capabilities map[string]string `json:"capabilities"`
}

// EndpointReport is one endpoint's line in a Report.
type EndpointReport struct {
	Method      string   `json:"method"`
	Path        string   `json:"path"` // the template, "(root)/…" outside /rest
	Tag         string   `json:"tag"`
	Capability  string   `json:"capability,omitempty"`
	Called      bool     `json:"called"`
	Skipped     string   `json:"skipped,omitempty"` // why it was not called
	Status      int      `json:"status,omitempty"`
	ContentType string   `json:"content_type,omitempty"`
	Fields      []string `json:"fields,omitempty"`  // JSON field paths of the answer: "[].id", "db.status"
	Problem     string   `json:"problem,omitempty"` // no answer: the kind of failure, without detail
}

// BuildReport calls every read-only endpoint once, with ids taken from the documented lists and
// never a request that can change anything, and records what came back.
func (c *Client) BuildReport(ctx context.Context) *Report {
	rep := &Report{Generated: time.Now().UTC().Format(time.RFC3339), Endpoints: []EndpointReport{}, Capabilities: map[string]string{}}
	ids := c.sampleIDs(ctx)
	for _, ep := range endpoints {
		line := EndpointReport{Method: ep.Method, Path: ep.Path, Tag: ep.Tag, Capability: string(ep.Capability)}
		if ep.Root {
			line.Path = "(root)/" + ep.Path
		}
		r, why := reportRequest(ep, ids)
		if r == nil {
			line.Skipped = why
			rep.Endpoints = append(rep.Endpoints, line)
			continue
		}
		line.Called = true
		body, resp, err := c.exchangeRaw(ctx, r)
		if ep.Capability != "" {
			_ = c.learn(ctx, c.cred(ctx), &ep, r, body, err)
		}
		if resp != nil {
			line.Status, line.ContentType = resp.StatusCode, resp.Header.Get("Content-Type")
		}
		var trunc *TruncatedError
		switch {
		case err == nil || errors.As(err, &trunc):
			line.Fields = FieldNames(body)
		case resp == nil:
			line.Problem = "no answer (network, TLS or timeout)"
		}
		rep.Endpoints = append(rep.Endpoints, line)
	}
	for name, st := range c.CapabilityStates(ctx) {
		rep.Capabilities[string(name)] = st.String()
	}
	return rep
}

// sampleIDs reads ids for the report's requests from documented lists: a flow, its latest run,
// a connection the flow uses; and from the optional lists when they answer.
func (c *Client) sampleIDs(ctx context.Context) map[string]string {
	ids := map[string]string{"provider": "etlworks-mcp-probe"}
	first := func(path string) json.RawMessage {
		raw, _, err := c.getList(ctx, path, url.Values{"limit": {"1"}})
		if err != nil {
			return nil
		}
		var rows []json.RawMessage
		if json.Unmarshal(raw, &rows) != nil || len(rows) == 0 {
			return nil
		}
		return rows[0]
	}
	idOf := func(row json.RawMessage, field string) string {
		var m map[string]json.RawMessage
		if json.Unmarshal(row, &m) != nil {
			return ""
		}
		var id ID
		if json.Unmarshal(m[field], &id) != nil || id == 0 {
			return ""
		}
		return itoa(int64(id))
	}
	if flow := first("v1/flows"); flow != nil {
		ids["flowId"] = idOf(flow, "id")
		var f struct {
			Connections []struct {
				ID ID `json:"id"`
			} `json:"connections"`
		}
		if json.Unmarshal(flow, &f) == nil && len(f.Connections) > 0 && f.Connections[0].ID != 0 {
			ids["connectionId"] = itoa(int64(f.Connections[0].ID))
		}
	}
	if fid := ids["flowId"]; fid != "" {
		if run, _, err := c.Executions.Get(ctx, parseID(fid), nil); err == nil && run.AuditID != 0 {
			ids["auditId"] = itoa(int64(run.AuditID))
		}
	}
	for key, path := range map[string]string{"scheduleId": "v1/schedules", "webhookId": "v1/webhooks",
		"listenerId": "v1/listeners", "auditEventId": "v1/audit", "binId": "v1/recycle-bin"} {
		if row := first(path); row != nil {
			ids[key] = idOf(row, "id")
		}
	}
	return ids
}

func parseID(s string) int64 {
	var id ID
	_ = id.UnmarshalJSON([]byte(s))
	return int64(id)
}

// reportRequest builds the report's request for a read-only endpoint, or says why there is none.
func reportRequest(ep Endpoint, ids map[string]string) (*request, string) {
	if !ep.ReadOnly() {
		return nil, "changes data: not called"
	}
	idFor := map[string]string{
		"v1/flows/{flowId}":                             ids["flowId"],
		"v1/flows/{flowId}/documentation":               ids["flowId"],
		"v1/executions/{flowId}":                        ids["flowId"],
		"v1/connections/{id}":                           ids["connectionId"],
		"v1/explorer/{id}/*":                            ids["connectionId"],
		"v1/schedules/{id}":                             ids["scheduleId"],
		"v1/webhooks/{id}":                              ids["webhookId"],
		"v1/listeners/{id}":                             ids["listenerId"],
		"v1/audit/{id}":                                 ids["auditEventId"],
		"v1/recycle-bin/{id}":                           ids["binId"],
		"etl/rest/v1/tasks/{auditId}/":                  ids["auditId"],
		"v1/connections/oauth/{provider}/authorize-url": ids["provider"],
	}
	r := &request{method: ep.Method, path: ep.Path, atRoot: ep.Root}
	if strings.Contains(ep.Path, "{") || strings.HasSuffix(ep.Path, "*") {
		id := idFor[ep.Path]
		if id == "" {
			return nil, "no id to call it with (the list that gives one is empty or absent)"
		}
		r.path = pathTemplate.ReplaceAllString(ep.Path, id)
		r.path = strings.Replace(r.path, "*", "objects", 1)
	}
	switch ep.Path {
	case "health":
		r.noAuth = true
	case "v1/metrics/executions":
		r.query = url.Values{"date": {time.Now().UTC().Format(time.DateOnly)}}
	case "etl/rest/v1/tasks/{auditId}/":
		r.query = url.Values{"type": {"task"}}
	case "v1/executions/console/download":
		if ids["flowId"] == "" || ids["auditId"] == "" {
			return nil, "no run to download the log of"
		}
		r.query = url.Values{"flowId": {ids["flowId"]}, "auditId": {ids["auditId"]}}
		r.tokenInQuery, r.accept = true, "*/*"
	}
	if ep.Collection && r.query == nil && ep.Path != "v1/users/me" {
		r.query = url.Values{"limit": {"1"}}
	}
	return r, ""
}

// FieldNames lists the JSON field paths of a body, never its values: "id", "db.status",
// "[].executions[].auditId". Arrays show their first element; the free-form maps whose keys a
// user chooses (properties, parameters) show only that they are there. Non-JSON gives nil.
func FieldNames(body []byte) []string {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	set := map[string]bool{}
	walkFields(v, "", 0, set)
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	if len(out) > maxReportFields {
		out = out[:maxReportFields]
	}
	return out
}

const (
	maxReportFields = 300
	maxFieldDepth   = 5
)

// opaqueMaps are objects whose keys are chosen by users, so their keys are not reported.
var opaqueMaps = map[string]bool{"properties": true, "parameters": true, "params": true}

func walkFields(v any, prefix string, depth int, set map[string]bool) {
	if depth > maxFieldDepth || len(set) > maxReportFields {
		return
	}
	switch t := v.(type) {
	case map[string]any:
		for k, child := range t {
			name := k
			if prefix != "" {
				name = prefix + "." + k
			}
			set[name] = true
			if opaqueMaps[k] {
				continue
			}
			walkFields(child, name, depth+1, set)
		}
	case []any:
		name := prefix + "[]"
		if prefix == "" {
			name = "[]"
		}
		set[name] = true
		if len(t) > 0 {
			walkFields(t[0], name, depth+1, set)
		}
	}
}

// pathTemplate matches a {name} segment of an endpoint path.
var pathTemplate = lazyre.New(`\{[^}]+\}`)
