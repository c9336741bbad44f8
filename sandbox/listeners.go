package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/etlworks/etlworks-mcp/internal/lazyre"
)

// listener is an HTTP listener: a user-defined endpoint
// /rest/v1/httplistener/{urlPattern} that runs its flow on each call. The properties are
// urlPattern, method (GET|POST|PUT|DELETE|ANY), authType (JWT|Basic), authLocation (header|query)
// and processing (async|sync); flowId is top-level (properties.flowId is accepted on input).
type listener struct {
	ID           int64             `json:"id"`
	Name         string            `json:"name"`
	Description  string            `json:"description"`
	ListenerType string            `json:"listenerType"`
	FlowID       int64             `json:"flowId"`
	FlowName     *string           `json:"flowName"` // null when the flow no longer exists
	Properties   map[string]string `json:"properties"`
	Tags         []string          `json:"tags"`
	EndpointURL  string            `json:"endpointUrl"` // [I] the full URL to call
	CreatedAt    int64             `json:"createdAt"`
	UpdatedAt    int64             `json:"updatedAt"`
}

// Listener property keys.
const (
	propURLPattern   = "urlPattern"
	propMethod       = "method"
	propAuthType     = "authType"
	propAuthLocation = "authLocation"
	propProcessing   = "processing"
	httpListenerType = "listener.http"
	httpListenerPath = "/v1/httplistener/"
)

const listenerSelect = `SELECT l.id, l.name, l.flow_id, l.definition, l.created_at, l.updated_at,
	(SELECT f.name FROM flows f WHERE f.id = l.flow_id) FROM listeners l`

func scanListener(sc interface{ Scan(...any) error }) (*listener, error) {
	var l listener
	var def string
	var flowName sql.NullString
	var id, flowID, created, updated int64
	var name string
	if err := sc.Scan(&id, &name, &flowID, &def, &created, &updated, &flowName); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(def), &l); err != nil {
		return nil, fmt.Errorf("listener %d definition: %w", id, err)
	}
	l.ID, l.Name, l.FlowID, l.CreatedAt, l.UpdatedAt, l.FlowName = id, name, flowID, created, updated, nullString(flowName)
	l.fillEmpty()
	return &l, nil
}

func (l *listener) fillEmpty() {
	if l.Properties == nil {
		l.Properties = map[string]string{}
	}
	if l.Tags == nil {
		l.Tags = []string{}
	}
}

// listListeners returns every listener ordered by id.
func (st *store) listListeners(ctx context.Context) ([]*listener, error) {
	rows, err := st.db.QueryContext(ctx, listenerSelect+` ORDER BY l.id`)
	return scanList(rows, err, scanListener)
}

// getListener returns one listener, or errNotFound.
func (st *store) getListener(ctx context.Context, id int64) (*listener, error) {
	l, err := scanListener(st.db.QueryRowContext(ctx, listenerSelect+` WHERE l.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	return l, err
}

// insertListener stores a listener; a non-zero l.ID is kept (seed, restore). It returns the id.
func insertListener(ctx context.Context, ex execer, l *listener, nowMs int64) (int64, error) {
	def, err := listenerDefinition(l)
	if err != nil {
		return 0, err
	}
	created := createdOr(l.CreatedAt, nowMs)
	res, err := ex.ExecContext(ctx, `INSERT INTO listeners(id, name, flow_id, url_pattern, definition, created_at, updated_at)
		VALUES(?, ?, ?, ?, ?, ?, ?)`, nullID(l.ID), l.Name, l.FlowID, l.Properties[propURLPattern], def, created, nowMs)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

func listenerDefinition(l *listener) (string, error) {
	c := *l
	c.ID, c.Name, c.FlowID, c.FlowName, c.EndpointURL, c.CreatedAt, c.UpdatedAt = 0, "", 0, nil, "", 0, 0
	b, err := json.Marshal(c)
	return string(b), err
}

// updateListener replaces a listener.
func (st *store) updateListener(ctx context.Context, l *listener, nowMs int64) error {
	def, err := listenerDefinition(l)
	if err != nil {
		return err
	}
	_, err = st.db.ExecContext(ctx, `UPDATE listeners SET name = ?, flow_id = ?, url_pattern = ?, definition = ?,
		updated_at = ? WHERE id = ?`, l.Name, l.FlowID, l.Properties[propURLPattern], def, nowMs, l.ID)
	return err
}

// deleteListener moves a listener to the recycle bin, with its flow as dependency.
func (st *store) deleteListener(ctx context.Context, l *listener, by string, nowMs int64) (int64, error) {
	return inTx(ctx, st.db, func(tx *sql.Tx) (int64, error) { return binListener(ctx, tx, l, by, nowMs) })
}

// binListener writes a listener's bin item (its flow as dependency) and deletes it, inside tx.
func binListener(ctx context.Context, tx *sql.Tx, l *listener, by string, nowMs int64) (int64, error) {
	deps := flowDependency(l.FlowID, l.FlowName)
	return binMove(ctx, tx, "listener", l.ID, l.Name, l, deps, by, nowMs, `DELETE FROM listeners WHERE id = ?`)
}

// listenerURL is the full endpoint URL of a listener under base (the .../rest URL).
func listenerURL(base string, l *listener) string {
	return base + httpListenerPath + l.Properties[propURLPattern]
}

// patternSegment is one segment of a URL pattern: a literal or a {variable}.
var patternSegment = lazyre.New(`^([A-Za-z0-9._~-]+|\{[A-Za-z_][A-Za-z0-9_]*\})$`)

// cleanPattern validates a URL pattern and strips slashes and a pasted endpoint prefix.
func cleanPattern(p string) (string, error) {
	p = strings.TrimSpace(p)
	if i := strings.Index(p, httpListenerPath); i >= 0 {
		p = p[i+len(httpListenerPath):]
	}
	p = strings.Trim(p, "/")
	if p == "" {
		return "", badRequest("Field 'properties.urlPattern' is required, e.g. \"orders/inbound\" or \"patients/{id}\"")
	}
	for _, seg := range strings.Split(p, "/") {
		if !patternSegment.MatchString(seg) {
			return "", badRequest("Field 'properties.urlPattern': segment '%s' of '%s' must be letters, digits, . _ ~ - or a {variable}", seg, p)
		}
	}
	return p, nil
}

// patternKey is a pattern with variable names erased: patterns with equal keys match the same URLs.
func patternKey(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") {
			segs[i] = "{}"
		}
	}
	return strings.Join(segs, "/")
}

// matchPattern matches a request path (below httplistener/) against a pattern and returns the
// values of its {variables}.
func matchPattern(pattern, path string) (map[string]string, bool) {
	ps, xs := strings.Split(pattern, "/"), strings.Split(strings.Trim(path, "/"), "/")
	if len(ps) != len(xs) {
		return nil, false
	}
	vars := map[string]string{}
	for i, p := range ps {
		switch {
		case strings.HasPrefix(p, "{"):
			if xs[i] == "" {
				return nil, false
			}
			vars[strings.Trim(p, "{}")] = xs[i]
		case p != xs[i]:
			return nil, false
		}
	}
	return vars, true
}

// normalizeListener validates a listener from POST or PUT; errors are 400s naming the field.
func (s *Sandbox) normalizeListener(ctx context.Context, l *listener, selfID int64) error {
	l.Name = strings.TrimSpace(l.Name)
	if l.Name == "" {
		return badRequest("Field 'name' is required")
	}
	if l.ListenerType == "" {
		l.ListenerType = httpListenerType
	}
	if l.ListenerType != httpListenerType {
		return badRequest("Field 'listenerType': only %s is modelled by the sandbox, not '%s'", httpListenerType, l.ListenerType)
	}
	l.fillEmpty()
	if v := l.Properties["flowId"]; l.FlowID == 0 && v != "" {
		fmt.Sscan(v, &l.FlowID)
	}
	delete(l.Properties, "flowId")
	if l.FlowID == 0 {
		return badRequest("Field 'flowId' is required: the id of the flow each call runs")
	}
	if _, err := s.st.getFlow(ctx, l.FlowID); errors.Is(err, errNotFound) {
		return badRequest("Field 'flowId': flow %d not found", l.FlowID)
	} else if err != nil {
		return err
	}
	p, err := cleanPattern(l.Properties[propURLPattern])
	if err != nil {
		return err
	}
	l.Properties[propURLPattern] = p
	choices := []struct{ key, def, allowed string }{
		{propMethod, "POST", "GET POST PUT DELETE ANY"}, {propAuthType, "JWT", "JWT Basic"},
		{propAuthLocation, "header", "header query"}, {propProcessing, "async", "async sync"},
	}
	for _, c := range choices {
		v := strings.TrimSpace(l.Properties[c.key])
		if v == "" {
			v = c.def
		}
		ok := false
		for _, a := range strings.Fields(c.allowed) {
			if strings.EqualFold(v, a) {
				v, ok = a, true
			}
		}
		if !ok {
			return badRequest("Field 'properties.%s': '%s' is not one of %s", c.key, v, strings.ReplaceAll(c.allowed, " ", ", "))
		}
		l.Properties[c.key] = v
	}
	all, err := s.st.listListeners(ctx)
	if err != nil {
		return err
	}
	for _, o := range all {
		switch {
		case o.ID == selfID:
		case strings.EqualFold(o.Name, l.Name):
			return badRequest("Field 'name': a listener named '%s' already exists", l.Name)
		case patternKey(o.Properties[propURLPattern]) == patternKey(p):
			return badRequest("Field 'properties.urlPattern': '%s' is already used by listener %d '%s'", p, o.ID, o.Name)
		}
	}
	l.Tags = cleanTags(l.Tags)
	return nil
}

// listListenersHandler serves GET /v1/listeners: filters name (substring) and flowId; each row has its endpointUrl.
func (s *Sandbox) listListenersHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	q, limit, offset, flowID, err := flowListQuery(r)
	if err != nil {
		return err
	}
	all, err := s.st.listListeners(r.Context())
	if err != nil {
		return err
	}
	base := s.auto.rememberBase(r)
	var match []*listener
	for _, l := range all {
		if (flowID == 0 || l.FlowID == flowID) && strings.Contains(strings.ToLower(l.Name), strings.ToLower(q.Get("name"))) {
			l.EndpointURL = listenerURL(base, l)
			match = append(match, l)
		}
	}
	return writeList(w, pageOf(match, limit, offset), len(match))
}

// listenerFromPath loads the listener named by the {id} wildcard, or returns a 404.
func (s *Sandbox) listenerFromPath(r *http.Request) (*listener, error) {
	return loadFromPath(r, "Listener", s.st.getListener)
}

// getListenerHandler serves GET /v1/listeners/{id}.
func (s *Sandbox) getListenerHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	l, err := s.listenerFromPath(r)
	if err != nil {
		return err
	}
	return s.writeListener(w, r, l.ID)
}

// createListenerHandler serves POST /v1/listeners.
func (s *Sandbox) createListenerHandler(w http.ResponseWriter, r *http.Request, p *principal) error {
	started := time.Now()
	l := &listener{}
	var id int64
	return s.mutate(r, p, started, mutation{md: "addListener", body: l,
		check: func() error {
			l.ID, l.CreatedAt = 0, 0
			return s.normalizeListener(r.Context(), l, 0)
		},
		save: func() (err error) {
			id, err = insertListener(r.Context(), s.st.db, l, started.UnixMilli())
			return uniqueName(err, "listener", l.Name)
		},
		payload: func() map[string]any {
			return map[string]any{"listenerId": id, "name": l.Name, "flowId": l.FlowID, "urlPattern": l.Properties[propURLPattern]}
		},
		answer: func() error { return s.writeListener(w, r, id) },
	})
}

// updateListenerHandler serves PUT /v1/listeners/{id}; the body is merged into the listener.
func (s *Sandbox) updateListenerHandler(w http.ResponseWriter, r *http.Request, p *principal) error {
	return withLoaded(r, s.listenerFromPath, func(old *listener, started time.Time) error {
		l := *old
		l.Tags = slices.Clone(old.Tags)
		l.Properties = map[string]string{}
		for k, v := range old.Properties {
			l.Properties[k] = v
		}
		return s.mutate(r, p, started, mutation{md: "editListener", body: &l,
			check: func() error {
				l.ID = old.ID
				return s.normalizeListener(r.Context(), &l, old.ID)
			},
			save: func() error {
				return uniqueName(s.st.updateListener(r.Context(), &l, started.UnixMilli()), "listener", l.Name)
			},
			payload: func() map[string]any { return map[string]any{"listenerId": old.ID, "name": old.Name} },
			answer:  func() error { return s.writeListener(w, r, old.ID) },
		})
	})
}

// deleteListenerHandler serves DELETE /v1/listeners/{id}: the listener moves to the recycle bin.
func (s *Sandbox) deleteListenerHandler(w http.ResponseWriter, r *http.Request, p *principal) error {
	return withLoaded(r, s.listenerFromPath, func(l *listener, started time.Time) error {
		return s.deleteToBin(w, r, p, started, "deleteListener", "listener", l.ID, l.Name, func() (int64, error) {
			return s.st.deleteListener(r.Context(), l, p.Login, started.UnixMilli())
		})
	})
}

func (s *Sandbox) writeListener(w http.ResponseWriter, r *http.Request, id int64) error {
	l, err := s.st.getListener(r.Context(), id)
	if err != nil {
		return err
	}
	l.EndpointURL = listenerURL(s.auto.rememberBase(r), l)
	return writeJSON(w, http.StatusOK, l)
}
