package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// appName is the audit "an" field: the application that wrote the event.
const appName = "etlworks"

// auditEvent is one audit-trail entry to write: a mutation or a finished run.
type auditEvent struct {
	md      string // camelCase verb+noun, e.g. runFlow, editFlow
	user    string
	tenant  string
	ok      bool
	payload any         // nil = no additional info
	ex      string      // exception text; "" = none
	hip     string      // host IP
	cip     string      // client IP
	dn      int64       // duration, ms
	dt      int64       // start, epoch ms
	obj     auditObject // zero = derived from md and payload (see audit_object.go)
}

// auditEventOf is the event the engine or the seeded history reports, to write.
func auditEventOf(ev model.AuditEvent) auditEvent {
	out := auditEvent{md: ev.Method, user: ev.User, tenant: ev.Tenant, ok: ev.OK, ex: ev.Exception,
		hip: ev.HostIP, cip: ev.ClientIP, dn: ev.Duration, dt: ev.Started}
	if ev.Payload != nil {
		out.payload = ev.Payload
	}
	return out
}

// auditRecord is the wire shape of GET /v1/audit, the audit trail Etlworks documents.
type auditRecord struct {
	ID  int64           `json:"id"`
	AN  string          `json:"an"`
	MD  string          `json:"md"`
	UR  string          `json:"ur"`
	TN  string          `json:"tn"`
	RT  bool            `json:"rt"`
	IN  bool            `json:"in"`
	EX  json.RawMessage `json:"ex,omitempty"` // only with exception=true (or on a single record)
	HIP string          `json:"hip"`
	CIP string          `json:"cip"`
	DN  int64           `json:"dn"`
	DT  epochText       `json:"dt"` // documented as a string: decimal epoch ms (§6.1 [X])
	// ObjectType, ObjectID and ObjectName name what the event touched (null when nothing).
	ObjectType *string         `json:"objectType"`
	ObjectID   *int64          `json:"objectId"`
	ObjectName *string         `json:"objectName"`
	Payload    json.RawMessage `json:"payload,omitempty"` // the event's additional info, when it has some
}

// epochText is epoch milliseconds written as a JSON string of decimal digits, the documented
// type of the audit "dt"; it reads a string or a number.
type epochText int64

// MarshalJSON writes the value as a quoted decimal number.
func (t epochText) MarshalJSON() ([]byte, error) {
	return []byte(`"` + strconv.FormatInt(int64(t), 10) + `"`), nil
}

// UnmarshalJSON reads a quoted or bare decimal number.
func (t *epochText) UnmarshalJSON(b []byte) error {
	n, err := strconv.ParseInt(strings.Trim(string(b), `"`), 10, 64)
	if err != nil {
		return fmt.Errorf("audit dt %s: %w", b, err)
	}
	*t = epochText(n)
	return nil
}

// encode returns the event's payload as JSON (nil = none) and its object, derived when not set.
func (ev auditEvent) encode() ([]byte, auditObject, error) {
	var payload []byte
	if ev.payload != nil {
		b, err := json.Marshal(ev.payload)
		if err != nil {
			return nil, auditObject{}, err
		}
		payload = b
	}
	obj := ev.obj
	if obj.Type == "" {
		obj = deriveObject(ev.md, payload)
	}
	return payload, obj, nil
}

// insertAudit writes one audit event.
func insertAudit(ctx context.Context, ex execer, ev auditEvent) error {
	b, obj, err := ev.encode()
	if err != nil {
		return err
	}
	var payload, exc any
	if b != nil {
		payload = string(b)
	}
	if ev.ex != "" {
		exc = ev.ex
	}
	_, err = ex.ExecContext(ctx, `INSERT INTO audit(an, md, ur, tn, rt, payload, ex, hip, cip, dn, dt,
		object_type, object_id, object_name) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		appName, ev.md, ev.user, ev.tenant, ev.ok, payload, exc, ev.hip, ev.cip, ev.dn, ev.dt,
		nullText(obj.Type), nullID(obj.ID), nullText(obj.Name))
	return err
}

// auditFilter selects audit records: the filters are our own design ([I]); Etlworks documents none.
type auditFilter struct {
	method, user string
	result       string // "", "success" or "error"
	object       objectFilter
	from, to     int64
	limit        int
	offset       int
}

const auditColumns = `id, an, md, ur, tn, rt, payload, ex, hip, cip, dn, dt, object_type, object_id, object_name`

func scanAudit(sc interface{ Scan(...any) error }, withEx, withPayload bool) (auditRecord, error) {
	var a auditRecord
	var payload, ex, objType, objName sql.NullString
	var objID sql.NullInt64
	if err := sc.Scan(&a.ID, &a.AN, &a.MD, &a.UR, &a.TN, &a.RT, &payload, &ex, &a.HIP, &a.CIP, &a.DN, &a.DT,
		&objType, &objID, &objName); err != nil {
		return a, err
	}
	a.ObjectType, a.ObjectID, a.ObjectName = nullString(objType), nullInt(objID), nullString(objName)
	a.IN = payload.Valid
	if withEx {
		a.EX, _ = json.Marshal(nullString(ex))
	}
	if withPayload && payload.Valid {
		a.Payload = json.RawMessage(payload.String)
	}
	return a, nil
}

// listAudit returns one page of audit records, newest first, and the total that match.
func (st *store) listAudit(ctx context.Context, af auditFilter, withEx bool) ([]auditRecord, int, error) {
	var c conditions
	if af.method != "" {
		c.add(`md = ? COLLATE NOCASE`, af.method)
	}
	af.object.conditions(c.add)
	if af.user != "" {
		c.add(`ur = ? COLLATE NOCASE`, af.user)
	}
	switch af.result {
	case "success":
		c.add(`rt = ?`, true)
	case "error":
		c.add(`rt = ?`, false)
	}
	if af.from != 0 {
		c.add(`dt >= ?`, af.from)
	}
	if af.to != 0 {
		c.add(`dt <= ?`, af.to)
	}
	return listPage(ctx, st.db, c, `SELECT COUNT(*) FROM audit`, `SELECT `+auditColumns+` FROM audit`,
		` ORDER BY dt DESC, id DESC`, af.limit, af.offset, func(sc rowScanner) (auditRecord, error) {
			return scanAudit(sc, withEx, true)
		})
}

// getAudit returns one audit record with its payload and exception.
func (st *store) getAudit(ctx context.Context, id int64) (auditRecord, error) {
	a, err := scanAudit(st.db.QueryRowContext(ctx, `SELECT `+auditColumns+` FROM audit WHERE id = ?`, id), true, true)
	if errors.Is(err, sql.ErrNoRows) {
		return a, errNotFound
	}
	return a, err
}

// recordMutation audits a mutating request, successful or not, so the trail shows attempts too.
// md is camelCase verb+noun (addFlow, deleteConnection); the payload should carry "<type>Id" and
// "name" so the event's object is found (see deriveObject). A successful mutation also notifies
// webhooks and the scheduler. A failure to write the audit is logged, never returned: it must not
// turn a done change into an error.
func (s *Sandbox) recordMutation(r *http.Request, p *principal, md string, payload any, callErr error, started time.Time) {
	s.recordObjectMutation(r, p, md, auditObject{}, payload, callErr, started)
}

// recordObjectMutation is recordMutation with the touched object named explicitly.
func (s *Sandbox) recordObjectMutation(r *http.Request, p *principal, md string, obj auditObject, payload any, callErr error,
	started time.Time) {
	hip, cip := requestIPs(r)
	ev := auditEvent{md: md, user: p.Login, tenant: p.TenantName, ok: callErr == nil, payload: payload,
		hip: hip, cip: cip, dn: time.Since(started).Milliseconds(), dt: started.UnixMilli(), obj: obj}
	if callErr != nil {
		ev.ex = callErr.Error()
	}
	ctx := context.WithoutCancel(r.Context())
	if err := insertAudit(ctx, s.st.db, ev); err != nil {
		s.log.Error("write audit event", "md", md, "err", err)
	}
	if callErr == nil && s.auto != nil {
		_, obj, _ = ev.encode()
		s.auto.mutated(ctx, r, md, obj)
	}
}

// requestIPs returns the host (local) and client (remote) IP of a request.
func requestIPs(r *http.Request) (hip, cip string) {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		cip = host
	}
	if addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if host, _, err := net.SplitHostPort(addr.String()); err == nil {
			hip = host
		}
	}
	if hip == "" {
		hip = "127.0.0.1"
	}
	return hip, cip
}

// listAuditHandler serves GET /v1/audit (Administrator): filters method (alias action), user,
// object (see parseObjectFilter), result, from and to; newest first with X-Total-Count.
func (s *Sandbox) listAuditHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	q, limit, offset, err := listQuery(r)
	if err != nil {
		return err
	}
	af := auditFilter{method: q.Get("method"), user: q.Get("user"), result: q.Get("result"), limit: limit, offset: offset,
		object: parseObjectFilter(q.Get("object"))}
	if af.method == "" {
		af.method = q.Get("action") // alias: the UI calls the method the action
	}
	if af.result != "" && af.result != "success" && af.result != "error" {
		return badRequest("Parameter 'result' must be 'success' or 'error', not '%s'", af.result)
	}
	if af.from, err = epochParam(q, "from"); err != nil {
		return err
	}
	if af.to, err = epochParam(q, "to"); err != nil {
		return err
	}
	list, total, err := s.st.listAudit(r.Context(), af, q.Get("exception") == "true")
	if err != nil {
		return err
	}
	return writeList(w, list, total)
}

// documentedAuditWindow is how many events the documented audit trail returns: "the last 1,000
// events", as Etlworks documents it.
const documentedAuditWindow = 1000

// lastAuditHandler serves GET /v1/audit in the documented profile: the last 1,000 events,
// newest first, with ex only when exception=true; no filter or paging parameter applies.
func (s *Sandbox) lastAuditHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	list, total, err := s.st.listAudit(r.Context(), auditFilter{limit: documentedAuditWindow},
		r.URL.Query().Get("exception") == "true")
	if err != nil {
		return err
	}
	return writeList(w, list, min(total, documentedAuditWindow))
}

// getAuditHandler serves GET /v1/audit/{id} with the event's payload.
func (s *Sandbox) getAuditHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	a, err := loadFromPath(r, "Audit event", s.st.getAudit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a)
}
