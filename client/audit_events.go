package client

import (
	"bytes"
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"
)

// AuditEvent is one audit record of GET /v1/audit, decoded tolerantly: the documented short
// names (id, an, md, ur, tn, rt, in, ex, hip, cip, dn, dt) plus the object fields and payload the
// sandbox's extended profile adds. dt is documented as a string: a number or a numeric string is
// epoch ms, otherwise ISO-8601, otherwise the raw text is kept in DTRaw.
type AuditEvent struct {
	ID         int64
	App        string // an
	Method     string // md, e.g. editFlow, runFlow
	User       string // ur
	Tenant     string // tn
	Success    bool   // rt
	HasInfo    bool   // in
	Exception  string // ex
	HostIP     string // hip
	ClientIP   string // cip
	DurationMs int64  // dn
	At         time.Time
	DTRaw      string // dt as sent, when it is not a time this client can read
	ObjectType string // extended
	ObjectID   int64  // extended
	ObjectName string // extended
	Payload    json.RawMessage
	Raw        json.RawMessage
}

// DecodeAuditEvent reads one audit record; fields of an unexpected type are left empty rather
// than failing the whole record.
func DecodeAuditEvent(raw json.RawMessage) AuditEvent {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(raw, &m)
	e := AuditEvent{Raw: raw, Payload: m["payload"]}
	e.ID = looseInt(m["id"])
	e.App, e.Method, e.User, e.Tenant = looseString(m["an"]), looseString(m["md"]), looseString(m["ur"]), looseString(m["tn"])
	e.Success, e.HasInfo = looseBool(m["rt"]), looseBool(m["in"])
	e.Exception, e.HostIP, e.ClientIP = looseString(m["ex"]), looseString(m["hip"]), looseString(m["cip"])
	e.DurationMs = looseInt(m["dn"])
	e.At, e.DTRaw = parseAuditTime(m["dt"])
	e.ObjectType, e.ObjectID, e.ObjectName = looseString(m["objectType"]), looseInt(m["objectId"]), looseString(m["objectName"])
	return e
}

// parseAuditTime reads dt: epoch ms as a number or numeric string, else ISO-8601; raw is the text
// kept when neither reads.
func parseAuditTime(v json.RawMessage) (time.Time, string) {
	s := looseString(v)
	if s == "" {
		return time.Time{}, ""
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.UnixMilli(n).UTC(), ""
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return time.UnixMilli(int64(f)).UTC(), ""
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00",
		"2006-01-02 15:04:05.999999999", "2006-01-02T15:04Z07:00", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), ""
		}
	}
	return time.Time{}, s
}

// looseString reads a JSON string, or the text of a number or boolean; "" for null or objects.
func looseString(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || bytes.Equal(v, []byte("null")) || v[0] == '{' || v[0] == '[' {
		return ""
	}
	if v[0] == '"' {
		var s string
		_ = json.Unmarshal(v, &s)
		return s
	}
	return string(v)
}

func looseInt(v json.RawMessage) int64 {
	s := looseString(v)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	f, _ := strconv.ParseFloat(s, 64)
	return int64(f)
}

func looseBool(v json.RawMessage) bool {
	b, _ := strconv.ParseBool(looseString(v))
	return b
}

// maxActionNames bounds how many distinct event names a search counts.
const maxActionNames = 200

// AuditObjectTypes are the object types an audit search names on their own ("flow").
var AuditObjectTypes = []string{"flow", "connection", "schedule", "webhook", "listener", "format"}

// objectType is the event's object type: the extended field, else the noun that ends md
// (editFlow → flow), since documented records name no object.
func (e AuditEvent) objectType() string {
	if e.ObjectType != "" {
		return strings.ToLower(e.ObjectType)
	}
	md := strings.ToLower(e.Method)
	for _, t := range AuditObjectTypes {
		if strings.HasSuffix(md, t) || strings.HasSuffix(md, t+"s") {
			return t
		}
	}
	return ""
}

// AuditFilter is an audit search, applied to every event here whatever the server did with it.
type AuditFilter struct {
	Method   string    // md by word or prefix, case-insensitive (see MatchAction)
	User     string    // ur, case-insensitive
	Result   string    // "success" or "error"
	From, To time.Time // dt bounds, inclusive
	// Object is "type:id", "type:name", "type", an id or a name (a case-insensitive substring).
	Object string
}

// objectParts splits an object filter.
func (f AuditFilter) objectParts() (typ string, id int64, name string) {
	v := strings.TrimSpace(f.Object)
	if t, rest, ok := strings.Cut(v, ":"); ok && isAuditType(t) {
		typ, v = strings.ToLower(t), strings.TrimSpace(rest)
	} else if isAuditType(v) {
		return strings.ToLower(v), 0, ""
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
		return typ, n, ""
	}
	return typ, 0, v
}

func isAuditType(s string) bool {
	for _, t := range AuditObjectTypes {
		if strings.EqualFold(s, t) {
			return true
		}
	}
	return false
}

// Match reports whether e passes f. An event whose time or object cannot be read does not pass a
// filter on it (unreadable says so, for the caller to report).
func (f AuditFilter) Match(e AuditEvent) (ok bool, unreadable bool) {
	if f.Method != "" && !MatchAction(e.Method, f.Method) {
		return false, false
	}
	if f.User != "" && !strings.EqualFold(e.User, f.User) {
		return false, false
	}
	if (f.Result == "success" && !e.Success) || (f.Result == "error" && e.Success) {
		return false, false
	}
	if !f.From.IsZero() || !f.To.IsZero() {
		if e.At.IsZero() {
			return false, true
		}
		if (!f.From.IsZero() && e.At.Before(f.From.Truncate(time.Millisecond))) || (!f.To.IsZero() && e.At.After(f.To)) {
			return false, false
		}
	}
	if f.Object == "" {
		return true, false
	}
	typ, id, name := f.objectParts()
	if typ != "" {
		et := e.objectType()
		if et == "" {
			return false, true
		}
		if et != typ {
			return false, false
		}
	}
	if id != 0 && e.ObjectID != id {
		return false, e.ObjectID == 0
	}
	if name != "" && !strings.Contains(strings.ToLower(e.ObjectName), strings.ToLower(name)) {
		return false, e.ObjectName == ""
	}
	return true, false
}

// MatchAction reports whether the event name md matches q by prefix or by one of md's camelCase
// words, case-insensitively: "delete" matches deleteFlow and deleteConnection, "flow" matches
// runFlow and addFlow, "editFlow" and "edit flow" match editFlow. A blank q matches everything.
func MatchAction(md, q string) bool {
	q = strings.ToLower(strings.NewReplacer(" ", "", "_", "", "-", "").Replace(q))
	if q == "" {
		return true
	}
	lower := strings.ToLower(md)
	for i := 0; i < len(md); i++ {
		if (i == 0 || isUpper(md[i]) || md[i-1] == '_' || md[i-1] == '.') && strings.HasPrefix(lower[i:], q) {
			return true
		}
	}
	return false
}

func isUpper(b byte) bool { return b >= 'A' && b <= 'Z' }

// AuditSearch is what Search found and what it read to find it.
type AuditSearch struct {
	Events     []AuditEvent // newest first
	Scan                    // rows read
	Unreadable int          // events left out because the filter's field could not be read on them
	// Actions counts the event names (md) of every row read, matched or not, so that a search
	// that finds nothing can name the actions the window does hold.
	Actions map[string]int
}

// Search reads the audit trail as far as the server serves it (Etlworks documents the last 1,000
// events), sending f as the sandbox's filters, then keeps only the events that pass f, newest
// first: a server that ignores the filters returns no event that fails them. The method is not
// sent, since a server matches it exactly and f matches it by word or prefix.
func (s *AuditService) Search(ctx context.Context, f AuditFilter, exception bool) (*AuditSearch, error) {
	out := &AuditSearch{Actions: map[string]int{}}
	sc, err := s.Scan(ctx, &AuditListOptions{User: f.User, Result: f.Result, From: f.From, To: f.To,
		Object: f.Object, Exception: exception}, func(row json.RawMessage) bool {
		e := DecodeAuditEvent(row)
		if e.Method != "" && (len(out.Actions) < maxActionNames || out.Actions[e.Method] > 0) {
			out.Actions[e.Method]++
		}
		ok, unreadable := f.Match(e)
		if unreadable {
			out.Unreadable++
		}
		if ok {
			out.Events = append(out.Events, e)
		}
		return true
	})
	out.Scan = sc
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out.Events, func(i, j int) bool {
		a, b := out.Events[i], out.Events[j]
		if !a.At.Equal(b.At) {
			return a.At.After(b.At)
		}
		return a.ID > b.ID
	})
	return out, nil
}
