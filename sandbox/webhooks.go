package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// webhook is the outbound notification object of /v1/webhooks. Secret, basicPass and
// secret-looking header values are masked on every read; sending the mask back keeps the stored value.
type webhook struct {
	ID            int64           `json:"id"`
	Name          string          `json:"name"`
	Description   string          `json:"description"`
	Events        []string        `json:"events"`
	URL           string          `json:"url"`
	Method        string          `json:"method"`
	ContentType   string          `json:"contentType"`
	IncludeEntity bool            `json:"includeEntity"`
	Headers       []webhookHeader `json:"headers"`
	Secret        string          `json:"secret"`
	BasicUser     string          `json:"basicUser"`
	BasicPass     string          `json:"basicPass"`
	Enabled       bool            `json:"enabled"`
	LastDelivery  *delivery       `json:"lastDelivery"` // [I] outcome of the latest delivery; null before the first
	CreatedAt     int64           `json:"createdAt"`
	UpdatedAt     int64           `json:"updatedAt"`
}

// webhookHeader is one extra header sent with each delivery.
type webhookHeader struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// delivery is the outcome of one webhook call: the HTTP status (0 = no answer) or the error.
type delivery struct {
	Event      string  `json:"event"`
	EventID    string  `json:"eventId"`
	Status     int     `json:"status"`
	At         int64   `json:"at"`
	DurationMs int64   `json:"durationMs"`
	Error      *string `json:"error"`
}

// webhookEvents are the events a webhook may subscribe to (S-WH plus the [I] <Entity>.<Verb> set).
var webhookEvents = []string{"Flow.Executed", "Flow.Failed", "Flow.Created", "Flow.Updated", "Flow.Deleted",
	"Connection.Created", "Connection.Updated", "Connection.Deleted", "Schedule.Created", "Schedule.Updated",
	"Schedule.Deleted", "Listener.Created", "Listener.Updated", "Listener.Deleted", "User.Created"}

const webhookColumns = `id, name, enabled, definition, last_delivery, created_at, updated_at`

func scanWebhook(sc interface{ Scan(...any) error }) (*webhook, error) {
	var w webhook
	var def string
	var last sql.NullString
	var id, created, updated int64
	var name string
	var enabled bool
	if err := sc.Scan(&id, &name, &enabled, &def, &last, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(def), &w); err != nil {
		return nil, fmt.Errorf("webhook %d definition: %w", id, err)
	}
	w.ID, w.Name, w.Enabled, w.CreatedAt, w.UpdatedAt, w.LastDelivery = id, name, enabled, created, updated, nil
	if last.Valid {
		w.LastDelivery = &delivery{}
		if err := json.Unmarshal([]byte(last.String), w.LastDelivery); err != nil {
			return nil, fmt.Errorf("webhook %d last delivery: %w", id, err)
		}
	}
	if w.Events == nil {
		w.Events = []string{}
	}
	if w.Headers == nil {
		w.Headers = []webhookHeader{}
	}
	return &w, nil
}

// listWebhooks returns every webhook, secrets included, ordered by id.
func (st *store) listWebhooks(ctx context.Context) ([]*webhook, error) {
	rows, err := st.db.QueryContext(ctx, `SELECT `+webhookColumns+` FROM webhooks ORDER BY id`)
	return scanList(rows, err, scanWebhook)
}

// getWebhook returns one webhook with its secrets, or errNotFound.
func (st *store) getWebhook(ctx context.Context, id int64) (*webhook, error) {
	w, err := scanWebhook(st.db.QueryRowContext(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	return w, err
}

// saveWebhook inserts (ID 0) or replaces a webhook and returns its id.
func (st *store) saveWebhook(ctx context.Context, w *webhook, nowMs int64) (int64, error) {
	c := *w
	c.ID, c.Name, c.Enabled, c.LastDelivery, c.CreatedAt, c.UpdatedAt = 0, "", false, nil, 0, 0
	def, err := json.Marshal(c)
	if err != nil {
		return 0, err
	}
	if w.ID == 0 {
		res, err := st.db.ExecContext(ctx, `INSERT INTO webhooks(name, enabled, definition, created_at, updated_at)
			VALUES(?, ?, ?, ?, ?)`, w.Name, w.Enabled, string(def), nowMs, nowMs)
		if err != nil {
			return 0, err
		}
		return res.LastInsertId()
	}
	_, err = st.db.ExecContext(ctx, `UPDATE webhooks SET name = ?, enabled = ?, definition = ?, updated_at = ? WHERE id = ?`,
		w.Name, w.Enabled, string(def), nowMs, w.ID)
	return w.ID, err
}

// setLastDelivery records the outcome of a delivery on its webhook.
func (st *store) setLastDelivery(ctx context.Context, id int64, d delivery) error {
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	_, err = st.db.ExecContext(ctx, `UPDATE webhooks SET last_delivery = ? WHERE id = ?`, string(b), id)
	return err
}

// masked returns a copy safe to send: secrets replaced by the mask, empty ones left empty.
func (w *webhook) masked() *webhook {
	c := *w
	c.Secret, c.BasicPass = maskValue(c.Secret), maskValue(c.BasicPass)
	c.Headers = make([]webhookHeader, len(w.Headers))
	for i, h := range w.Headers {
		c.Headers[i] = h
		if secretHeader(h.Key) {
			c.Headers[i].Value = maskValue(h.Value)
		}
	}
	return &c
}

func maskValue(v string) string {
	if v == "" {
		return ""
	}
	return secretMask
}

// secretMask replaces secret values in responses.
const secretMask = model.Mask

func secretHeader(key string) bool {
	return model.IsSecretKey(key) || strings.EqualFold(key, "Authorization") || strings.EqualFold(key, "Cookie")
}

// listWebhooksHandler serves GET /v1/webhooks (Administrator).
func (s *Sandbox) listWebhooksHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	_, limit, offset, err := listQuery(r)
	if err != nil {
		return err
	}
	all, err := s.st.listWebhooks(r.Context())
	if err != nil {
		return err
	}
	page := pageOf(all, limit, offset)
	for i, wh := range page {
		page[i] = wh.masked()
	}
	return writeList(w, page, len(all))
}

// webhookFromPath loads the webhook named by the {id} wildcard, or returns a 404.
func (s *Sandbox) webhookFromPath(r *http.Request) (*webhook, error) {
	return loadFromPath(r, "Webhook", s.st.getWebhook)
}

// getWebhookHandler serves GET /v1/webhooks/{id}.
func (s *Sandbox) getWebhookHandler(w http.ResponseWriter, r *http.Request, _ *principal) error {
	return answerLoaded(w, r, s.webhookFromPath, (*webhook).masked)
}

// createWebhookHandler serves POST /v1/webhooks; method POST, contentType application/json and
// enabled true are the defaults.
func (s *Sandbox) createWebhookHandler(w http.ResponseWriter, r *http.Request, p *principal) error {
	started := time.Now()
	wh := &webhook{Enabled: true, IncludeEntity: true}
	var id int64
	return s.mutate(r, p, started, mutation{md: "addWebhook", body: wh,
		check: func() error {
			wh.ID = 0
			return normalizeWebhook(wh, nil)
		},
		save: func() (err error) {
			id, err = s.st.saveWebhook(r.Context(), wh, started.UnixMilli())
			return uniqueName(err, "webhook", wh.Name)
		},
		payload: func() map[string]any { return map[string]any{"webhookId": id, "name": wh.Name, "events": wh.Events} },
		answer:  func() error { return s.writeWebhook(w, r, id) },
	})
}

// updateWebhookHandler serves PUT /v1/webhooks/{id}; the body is merged into the webhook.
func (s *Sandbox) updateWebhookHandler(w http.ResponseWriter, r *http.Request, p *principal) error {
	return withLoaded(r, s.webhookFromPath, func(old *webhook, started time.Time) error {
		wh := *old
		// Copies, so decoding the body cannot write through to old, whose secrets a masked value keeps.
		wh.Headers, wh.Events = slices.Clone(old.Headers), slices.Clone(old.Events)
		return s.mutate(r, p, started, mutation{md: "editWebhook", body: &wh,
			check: func() error {
				wh.ID = old.ID
				return normalizeWebhook(&wh, old)
			},
			save: func() error {
				_, err := s.st.saveWebhook(r.Context(), &wh, started.UnixMilli())
				return uniqueName(err, "webhook", wh.Name)
			},
			payload: func() map[string]any { return map[string]any{"webhookId": old.ID, "name": old.Name} },
			answer:  func() error { return s.writeWebhook(w, r, old.ID) },
		})
	})
}

// deleteWebhookHandler serves DELETE /v1/webhooks/{id}; webhooks do not go to the recycle bin.
func (s *Sandbox) deleteWebhookHandler(w http.ResponseWriter, r *http.Request, p *principal) error {
	return withLoaded(r, s.webhookFromPath, func(wh *webhook, started time.Time) error {
		_, err := s.st.db.ExecContext(r.Context(), `DELETE FROM webhooks WHERE id = ?`, wh.ID)
		return s.audited(r, p, started, "deleteWebhook", map[string]any{"webhookId": wh.ID, "name": wh.Name}, err,
			answerJSON(w, map[string]any{"id": wh.ID, "name": wh.Name, "deleted": true}))
	})
}

func (s *Sandbox) writeWebhook(w http.ResponseWriter, r *http.Request, id int64) error {
	wh, err := s.st.getWebhook(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, wh.masked())
}

// normalizeWebhook validates a webhook; old is the stored one on update, whose secrets survive
// when the body sends them back masked.
func normalizeWebhook(wh *webhook, old *webhook) error {
	wh.Name = strings.TrimSpace(wh.Name)
	if wh.Name == "" {
		return badRequest("Field 'name' is required")
	}
	if len(wh.Events) == 0 {
		return badRequest("Field 'events' must list at least one event: %s", strings.Join(webhookEvents, ", "))
	}
	for i, ev := range wh.Events {
		if !slices.Contains(webhookEvents, ev) {
			return badRequest("Field 'events[%d]': unknown event '%s'; one of %s", i, ev, strings.Join(webhookEvents, ", "))
		}
	}
	wh.URL = strings.TrimSpace(wh.URL)
	if err := checkLoopbackURL(wh.URL); err != nil {
		return err
	}
	wh.Method = strings.ToUpper(strings.TrimSpace(wh.Method))
	switch wh.Method {
	case "":
		wh.Method = http.MethodPost
	case http.MethodPost, http.MethodGet:
	default:
		return badRequest("Field 'method': '%s' is not supported; use POST or GET", wh.Method)
	}
	if wh.ContentType = strings.TrimSpace(wh.ContentType); wh.ContentType == "" {
		wh.ContentType = "application/json"
	}
	for i, h := range wh.Headers {
		if strings.TrimSpace(h.Key) == "" {
			return badRequest("Field 'headers[%d].key' is required", i)
		}
	}
	if old != nil {
		if wh.Secret == secretMask {
			wh.Secret = old.Secret
		}
		if wh.BasicPass == secretMask {
			wh.BasicPass = old.BasicPass
		}
		for i, h := range wh.Headers {
			if h.Value != secretMask {
				continue
			}
			for _, o := range old.Headers {
				if strings.EqualFold(o.Key, h.Key) {
					wh.Headers[i].Value = o.Value
				}
			}
		}
	}
	if wh.Headers == nil {
		wh.Headers = []webhookHeader{}
	}
	if wh.Events == nil {
		wh.Events = []string{}
	}
	return nil
}

// checkLoopbackURL refuses any webhook URL the sandbox would not call: it delivers to this machine
// only, so a demo never sends data anywhere. An empty URL is an e-mail-only webhook.
func checkLoopbackURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return badRequest("Field 'url': '%s' is not an http(s) URL", raw)
	}
	if !isLoopbackHost(u.Hostname()) {
		return badRequest("Field 'url': the sandbox delivers webhooks only to loopback addresses (127.0.0.0/8, ::1 or localhost), so '%s' would never be called; point it at a local receiver such as http://127.0.0.1:8080/hook",
			raw)
	}
	return nil
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
