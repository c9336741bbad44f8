package sandbox

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/engine"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// maxPayloadParam is the largest body also passed to the flow as the variable {payload}; any body
// is stored as the message and can be read back with GET /v1/messages/{uuid}/payload.
const maxPayloadParam = 8 << 10

// callListenerHandler serves ANY /rest/v1/httplistener/{pattern...}: it
// authenticates the caller (a JWT or API key as Bearer, or a user's login and password as Basic,
// in the header or the Authorization query parameter), finds the listener, stores the body as a
// message and runs the listener's flow with the body, the {variables} of the pattern and the query
// parameters as flow variables. The answer is the receipt: {flowId, messageUuid, auditId, status,
// exception}, after the run when the listener processes synchronously or the query has sync=true.
func (s *Sandbox) callListenerHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	if r.Method == http.MethodOptions {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS")
		w.Header().Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	p, basic, err := s.listenerCaller(r)
	if err != nil {
		return err
	}
	path := r.PathValue("pattern")
	l, vars, err := s.findListener(r.Context(), path)
	if err != nil {
		return err
	}
	if want := l.Properties[propAuthType]; (want == "Basic") != basic {
		return apiErrorf(http.StatusUnauthorized, "Listener '%s' expects %s authentication", l.Name, want)
	}
	if m := l.Properties[propMethod]; m != "ANY" && m != r.Method {
		w.Header().Set("Allow", m)
		return apiErrorf(http.StatusMethodNotAllowed, "Listener '%s' accepts %s, not %s", l.Name, m, r.Method)
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	f, err := s.st.getFlow(r.Context(), l.FlowID)
	if errors.Is(err, errNotFound) {
		return apiErrorf(http.StatusConflict, "Listener '%s' runs flow %d, which no longer exists", l.Name, l.FlowID)
	}
	if err != nil {
		return err
	}
	q := r.URL.Query()
	wait := l.Properties[propProcessing] == "sync"
	if v := q.Get("sync"); v != "" {
		if wait, err = boolParam(q, "sync"); err != nil {
			return err
		}
	}
	params := map[string]string{}
	for k, v := range q {
		if k != "Authorization" && k != "sync" {
			params[k] = v[0]
		}
	}
	for k, v := range vars {
		params[k] = v
	}
	if len(body) > 0 && len(body) <= maxPayloadParam && utf8.Valid(body) {
		params["payload"] = string(body)
	}
	id := newUUID()
	params["messageUuid"] = id
	hip, cip := requestIPs(r)
	resp, err := s.launch(r.Context(), engine.Request{Flow: f, Params: params, User: p.Login, HostIP: hip, ClientIP: cip,
		MessageID: &id}, false)
	if err != nil {
		return err
	}
	status := "accepted"
	if resp.AuditID == nil {
		status = "rejected"
	}
	if _, err := s.st.db.ExecContext(context.WithoutCancel(r.Context()), `INSERT INTO messages(id, listener_id, flow_id, audit_id,
		received, method, content_type, size, payload, status) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, l.ID, f.ID, resp.AuditID, time.Now().UnixMilli(), r.Method, r.Header.Get("Content-Type"), len(body), body, status); err != nil {
		return err
	}
	if wait && resp.AuditID != nil {
		if resp, err = s.awaitReceipt(r.Context(), resp); err != nil {
			return err
		}
	}
	return writeJSON(w, http.StatusOK, resp)
}

// awaitReceipt waits for the run of a receipt to end and fills in its final code.
func (s *Sandbox) awaitReceipt(ctx context.Context, resp execResponse) (execResponse, error) {
	t := time.NewTicker(max(s.opts.RunStep/4, time.Millisecond))
	defer t.Stop()
	for {
		e, err := s.st.getExecution(ctx, *resp.AuditID)
		if err != nil {
			return resp, err
		}
		if model.IsTerminal(e.Status) {
			resp.Status, resp.Exception = responseCode(e.Status), e.Exception
			return resp, nil
		}
		select {
		case <-ctx.Done():
			return resp, ctx.Err()
		case <-t.C:
		}
	}
}

// listenerCaller authenticates a listener call; basic reports that Basic credentials were used.
func (s *Sandbox) listenerCaller(r *http.Request) (*principal, bool, error) {
	raw := strings.TrimSpace(r.Header.Get("Authorization"))
	if raw == "" {
		raw = strings.TrimSpace(r.URL.Query().Get("Authorization"))
	}
	if len(raw) > 6 && strings.EqualFold(raw[:6], "basic ") {
		dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(raw[6:]))
		login, password, ok := strings.Cut(string(dec), ":")
		if err != nil || !ok {
			return nil, true, apiErrorf(http.StatusUnauthorized, "Malformed Basic credentials")
		}
		u, err := s.st.userByLogin(r.Context(), login)
		if errors.Is(err, errNotFound) || (err == nil && subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) != 1) {
			return nil, true, apiErrorf(http.StatusUnauthorized, "Bad login or password")
		}
		if err != nil {
			return nil, true, err
		}
		return &principal{user: u}, true, nil
	}
	p, err := s.authorize(r, roleAny)
	return p, false, err
}

// findListener matches a path below httplistener/ to a listener, or returns a 404.
func (s *Sandbox) findListener(ctx context.Context, path string) (*listener, map[string]string, error) {
	all, err := s.st.listListeners(ctx)
	if err != nil {
		return nil, nil, err
	}
	var best *listener
	var bestVars map[string]string
	for _, l := range all {
		vars, ok := matchPattern(l.Properties[propURLPattern], path)
		if ok && (best == nil || len(vars) < len(bestVars)) { // a literal segment beats a {variable}
			best, bestVars = l, vars
		}
	}
	if best == nil {
		return nil, nil, notFound("No HTTP listener matches '%s'; GET /rest/v1/listeners lists the endpoints", "/rest"+httpListenerPath+path)
	}
	return best, bestVars, nil
}

// message is a stored listener payload (our design, tag [I]: not in Etlworks' public documentation);
// status is the run's status, or "rejected" when no run started.
type message struct {
	ID          string `json:"id"`
	FlowID      int64  `json:"flowId"`
	ListenerID  *int64 `json:"listenerId"`
	AuditID     *int64 `json:"auditId"`
	Received    int64  `json:"received"`
	Method      string `json:"method"`
	ContentType string `json:"contentType"`
	Size        int64  `json:"size"`
	Status      string `json:"status"`
}

const messageSelect = `SELECT m.id, m.flow_id, m.listener_id, m.audit_id, m.received, m.method, m.content_type, m.size,
	COALESCE((SELECT e.status FROM executions e WHERE e.audit_id = m.audit_id), m.status) FROM messages m`

func scanMessage(sc interface{ Scan(...any) error }) (message, error) {
	var m message
	var listenerID, auditID sql.NullInt64
	err := sc.Scan(&m.ID, &m.FlowID, &listenerID, &auditID, &m.Received, &m.Method, &m.ContentType, &m.Size, &m.Status)
	m.ListenerID, m.AuditID = nullInt(listenerID), nullInt(auditID)
	return m, err
}

// listMessagesHandler serves GET /v1/messages?flowId=&listenerId=: newest first with X-Total-Count.
func (s *Sandbox) listMessagesHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	q, limit, offset, flowID, err := flowListQuery(r)
	if err != nil {
		return err
	}
	listenerID, err := queryID(q, "listenerId", false)
	if err != nil {
		return err
	}
	var c conditions
	if flowID != 0 {
		c.add(`m.flow_id = ?`, flowID)
	}
	if listenerID != 0 {
		c.add(`m.listener_id = ?`, listenerID)
	}
	out, total, err := listPage(r.Context(), s.st.db, c, `SELECT COUNT(*) FROM messages m`, messageSelect,
		` ORDER BY m.received DESC, m.rowid DESC`, limit, offset, scanMessage)
	if err != nil {
		return err
	}
	return writeList(w, out, total)
}

// getMessageHandler serves GET /v1/messages/{uuid}.
func (s *Sandbox) getMessageHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	id := r.PathValue("uuid")
	m, err := scanMessage(s.st.db.QueryRowContext(r.Context(), messageSelect+` WHERE m.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("Message %s not found", id)
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, m)
}

// messagePayloadHandler serves GET /v1/messages/{uuid}/payload: the body as received.
func (s *Sandbox) messagePayloadHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	id := r.PathValue("uuid")
	var payload []byte
	var contentType string
	err := s.st.db.QueryRowContext(r.Context(), `SELECT payload, content_type FROM messages WHERE id = ?`, id).Scan(&payload, &contentType)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("Message %s not found", id)
	}
	if err != nil {
		return err
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(payload)
	return nil
}
