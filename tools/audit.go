package tools

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/etlworks/etlworks-mcp/client"
)

// auditEventRow is one audit event, compact: when, who, what, on which object, and whether it worked.
type auditEventRow struct {
	ID     int64  `json:"id"`
	At     string `json:"at"`
	User   string `json:"user"`
	Action string `json:"action"`
	Result string `json:"result"`
	Object string `json:"object,omitempty"`
	Detail string `json:"detail,omitempty"`
	// Changes is what an edit changed, `path: before → after`, where the event holds it.
	Changes []string `json:"changes,omitempty"`
	Error   string   `json:"error,omitempty"`
}

// auditDetailSkip are payload keys already shown as the event's object or as its changes.
var auditDetailSkip = map[string]bool{"name": true, "id": true, "flowName": true, "parameters": true, "before": true, "after": true}

func viewAudit(a client.AuditEvent) auditEventRow {
	r := auditEventRow{ID: a.ID, At: auditAt(a), User: a.User, Action: a.Method, Result: "success", Object: auditTarget(a)}
	if !a.Success {
		r.Result = "error"
		r.Error = clip(firstLine(redact(exceptionSummary(a.Exception))), 200)
	}
	p := gjson.ParseBytes(a.Payload)
	r.Changes = auditChanges(p)
	r.Detail = auditDetail(p, len(r.Changes) > 0)
	return r
}

// auditAt renders an event's time in UTC, or its dt as Etlworks sent it when unreadable.
func auditAt(a client.AuditEvent) string {
	if a.At.IsZero() {
		return clip(a.DTRaw, 40)
	}
	return a.At.UTC().Format(time.RFC3339)
}

// auditTarget renders the object an event touched: `flow 3 "Daily revenue rollup"`.
func auditTarget(a client.AuditEvent) string {
	if a.ObjectType == "" {
		return ""
	}
	return artifactText(a.ObjectType, a.ObjectID, a.ObjectName)
}

// auditDetail keeps the payload's extra facts (changed fields, old and new schedule, run status)
// in one short line; ids of the object and secrets are left out, and so are the changed fields
// when the event's changes show them.
func auditDetail(p gjson.Result, hasChanges bool) string {
	if !p.IsObject() {
		return ""
	}
	var parts []string
	p.ForEach(func(k, v gjson.Result) bool {
		key := k.String()
		if auditDetailSkip[key] || (strings.HasSuffix(key, "Id") && key != "auditId") || (hasChanges && key == "changed") {
			return true
		}
		val := v.String()
		switch {
		case v.IsArray():
			val = "[" + strings.Join(detailItems(v), ", ") + "]"
		case v.IsObject():
			val = v.Raw
		}
		if val == "" || val == "[]" {
			return true
		}
		if isSecretKey(key) {
			val = "[REDACTED]"
		}
		parts = append(parts, key+"="+clip(redact(val), 80))
		return true
	})
	sort.Strings(parts)
	return clip(strings.Join(parts, " "), 200)
}

// detailItems renders list elements: objects by type and name (restored=[flow "X", schedule "Y"]).
func detailItems(list gjson.Result) []string {
	var out []string
	for _, el := range list.Array() {
		switch {
		case el.IsObject() && el.Get("name").Exists():
			out = append(out, strings.TrimSpace(el.Get("artifactType").String()+" "+strconv.Quote(el.Get("name").String())))
		case el.IsObject() || el.IsArray():
			out = append(out, el.Raw)
		default:
			out = append(out, el.String())
		}
	}
	return out
}

// SearchAuditInput filters the audit trail.
type SearchAuditInput struct {
	User   string               `json:"user,omitempty" jsonschema:"description=Login"`
	Action string               `json:"action,omitempty" jsonschema:"description=Word or prefix (delete)"`
	Object string               `json:"object,omitempty" jsonschema:"description=Name\\, type or flow:12"`
	Result choice[auditResults] `json:"result,omitempty" jsonschema:"description=Outcome"`
	Since  string               `json:"since,omitempty" jsonschema:"description=Time or age (24h)"`
	Until  string               `json:"until,omitempty" jsonschema:"description=Time or age"`
	page
}

func (in *SearchAuditInput) validate() error {
	now := time.Now()
	since, err := parseSince(in.Since, now)
	if err != nil {
		return err
	}
	until, err := parseSince(in.Until, now)
	if err != nil {
		return badInput(`"until" must be an RFC 3339 time, a date or an age (90m, 24h, 7d), got %q`, in.Until)
	}
	if !since.IsZero() && !until.IsZero() && until.Before(since) {
		return badInput(`"until" (%s) is before "since" (%s)`, until.UTC().Format(time.RFC3339), since.UTC().Format(time.RFC3339))
	}
	return in.page.validate()
}

// auditResult is a page of audit events; an empty one says why in hint.
type auditResult struct {
	filteredResult[auditEventRow]
	Hint string `json:"hint,omitempty"`
}

func searchAuditTool(d Deps) Def {
	return newTool(d, spec[SearchAuditInput]{
		name:        "search_audit",
		title:       "Search audit trail",
		description: "Audit trail, newest first. Actions: add/edit/delete + Flow/Connection/Schedule…, runFlow, suspendFlow.",
		toolset:     "audit",
		effect:      reads,
		handle: func(ctx context.Context, in SearchAuditInput) (any, error) {
			offset, _ := in.offset()
			now := time.Now()
			since, _ := parseSince(in.Since, now)
			until, _ := parseSince(in.Until, now)
			f := client.AuditFilter{Method: strings.TrimSpace(in.Action), User: strings.TrimSpace(in.User), Result: string(in.Result),
				Object: strings.TrimSpace(in.Object), From: since, To: until}
			found, err := d.Client.Audit.Search(ctx, f, true)
			if err != nil {
				return nil, err
			}
			rows := []auditEventRow{}
			for i := offset; i < len(found.Events) && len(rows) < in.limit(); i++ {
				rows = append(rows, viewAudit(found.Events[i]))
			}
			out := auditResult{filteredResult: filteredResult[auditEventRow]{listResult: newListResult(rows, offset, len(found.Events)),
				Searched: fmt.Sprintf("the %s audit events the API returned for this search (Etlworks serves at most its last 1,000), filtered here", thousands(found.Rows))}}
			if found.Rows >= 1000 {
				out.Searched = fmt.Sprintf("the last %s audit events (as many as the API serves), filtered here", thousands(found.Rows))
			}
			if found.Unreadable > 0 {
				out.Searched += fmt.Sprintf("; %d events name no object or time to match and were left out", found.Unreadable)
			}
			if len(found.Events) == 0 {
				out.Hint = emptyAuditHint(f, found)
			}
			return out, nil
		},
	})
}

// emptyAuditHint says which filters and window found nothing and, for an action, the nearest
// action names the window does hold.
func emptyAuditHint(f client.AuditFilter, found *client.AuditSearch) string {
	var filters []string
	for _, kv := range [][2]string{{"action", f.Method}, {"user", f.User}, {"object", f.Object}, {"result", f.Result}} {
		if kv[1] != "" {
			filters = append(filters, fmt.Sprintf("%s %q", kv[0], clip(kv[1], 60)))
		}
	}
	window := "of the whole trail served"
	switch {
	case !f.From.IsZero() && !f.To.IsZero():
		window = "from " + f.From.UTC().Format(time.RFC3339) + " to " + f.To.UTC().Format(time.RFC3339)
	case !f.From.IsZero():
		window = "since " + f.From.UTC().Format(time.RFC3339)
	case !f.To.IsZero():
		window = "until " + f.To.UTC().Format(time.RFC3339)
	}
	hint := "no event matched " + strings.Join(filters, ", ")
	if len(filters) == 0 {
		hint = "no event"
	}
	hint += " in the window " + window
	if f.Method == "" || len(found.Actions) == 0 {
		return hint
	}
	names := make([]string, 0, len(found.Actions))
	for n := range found.Actions {
		names = append(names, clip(n, 60)) // names come from the instance: bounded
	}
	sort.SliceStable(names, func(i, j int) bool {
		if found.Actions[names[i]] != found.Actions[names[j]] {
			return found.Actions[names[i]] > found.Actions[names[j]]
		}
		return names[i] < names[j]
	})
	near := client.Closest(f.Method, names, 3)
	if len(near) == 0 {
		near = names[:min(5, len(names))]
		return hint + "; actions in the window: " + strings.Join(near, ", ")
	}
	return hint + "; nearest actions in the window: " + strings.Join(near, ", ")
}
