package sandbox

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// deliveryTimeout bounds one webhook call, connection included.
const deliveryTimeout = 5 * time.Second

// webhookPayload is the JSON body of a delivery.
type webhookPayload struct {
	EventID   string `json:"eventId"`
	EventType string `json:"eventType"`
	WebhookID int64  `json:"webhookId"`
	EntityID  int64  `json:"entityId"`
	Entity    any    `json:"entity,omitempty"`
	EntityURL string `json:"entityUrl"`
	Timestamp int64  `json:"timestamp"`
}

// dispatcher delivers webhook events. Each delivery runs on its own goroutine with a timeout, so
// neither a run nor a request ever waits for a receiver; close cancels and awaits them.
type dispatcher struct {
	st     *store
	log    *slog.Logger
	client *http.Client

	ctx    context.Context
	cancel context.CancelFunc
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

func newDispatcher(st *store, log *slog.Logger) *dispatcher {
	dialer := &net.Dialer{Timeout: deliveryTimeout, Control: loopbackOnly}
	transport := &http.Transport{DialContext: dialer.DialContext, DisableKeepAlives: true,
		ResponseHeaderTimeout: deliveryTimeout}
	ctx, cancel := context.WithCancel(context.Background())
	return &dispatcher{st: st, log: log, ctx: ctx, cancel: cancel, client: &http.Client{
		Transport: transport, Timeout: deliveryTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// loopbackOnly refuses to connect anywhere but this machine, whatever a host name resolves to.
func loopbackOnly(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("refused to connect to %s: the sandbox delivers webhooks only to loopback addresses", address)
	}
	return nil
}

// close cancels pending deliveries and waits for them.
func (d *dispatcher) close() {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	d.cancel()
	d.wg.Wait()
}

// emit delivers event to every enabled webhook subscribed to it that has a URL. build supplies the
// entity id, entity and entity URL; it is called only when someone listens.
func (d *dispatcher) emit(ctx context.Context, event string, build func() (int64, any, string)) {
	all, err := d.st.listWebhooks(ctx)
	if err != nil {
		d.log.Error("webhooks: list subscribers", "event", event, "err", err)
		return
	}
	var subs []*webhook
	for _, w := range all {
		if w.Enabled && w.URL != "" && slices.Contains(w.Events, event) {
			subs = append(subs, w)
		}
	}
	if len(subs) == 0 {
		return
	}
	entityID, entity, entityURL := build()
	now := time.Now().UnixMilli()
	for _, w := range subs {
		p := webhookPayload{EventID: newUUID(), EventType: event, WebhookID: w.ID, EntityID: entityID,
			EntityURL: entityURL, Timestamp: now}
		if w.IncludeEntity {
			p.Entity = entity
		}
		d.mu.Lock()
		if d.closed {
			d.mu.Unlock()
			return
		}
		d.wg.Add(1)
		d.mu.Unlock()
		go func() {
			defer d.wg.Done()
			d.deliver(w, p)
		}()
	}
}

// deliver makes one call and records its outcome on the webhook.
func (d *dispatcher) deliver(w *webhook, p webhookPayload) {
	started := time.Now()
	status, err := d.send(w, p)
	rec := delivery{Event: p.EventType, EventID: p.EventID, Status: status, At: started.UnixMilli(),
		DurationMs: time.Since(started).Milliseconds()}
	if err != nil {
		rec.Error = new(err.Error())
	} else if status >= 300 {
		rec.Error = new(fmt.Sprintf("the receiver answered %d %s", status, http.StatusText(status)))
	}
	if d.ctx.Err() != nil {
		return // shutting down: the database is about to close
	}
	if err := d.st.setLastDelivery(d.ctx, w.ID, rec); err != nil && d.ctx.Err() == nil {
		d.log.Error("webhooks: record delivery", "webhookId", w.ID, "err", err)
	}
	d.log.Debug("webhook delivered", "webhookId", w.ID, "event", p.EventType, "status", status, "err", rec.Error)
}

// send builds and sends the request: the JSON payload (POST) with the X-Etl-Webhook-* headers and,
// when the webhook has a secret, X-Etl-Webhook-Signature: sha256=<hex HMAC-SHA256 of the body>.
func (d *dispatcher) send(w *webhook, p webhookPayload) (int, error) {
	var body []byte
	if w.Method != http.MethodGet {
		var err error
		if body, err = json.Marshal(p); err != nil {
			return 0, err
		}
	}
	ctx, cancel := context.WithTimeout(d.ctx, deliveryTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, w.Method, w.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	for _, h := range w.Headers {
		req.Header.Set(h.Key, h.Value)
	}
	if body != nil {
		req.Header.Set("Content-Type", w.ContentType)
	}
	req.Header.Set("User-Agent", "Etlworks-Webhook (sandbox)")
	req.Header.Set("X-Etl-Webhook-Event-Id", p.EventID)
	req.Header.Set("X-Etl-Webhook-Event", p.EventType)
	req.Header.Set("X-Etl-Webhook-Id", strconv.FormatInt(w.ID, 10))
	req.Header.Set("X-Etl-Webhook-Entity-Id", strconv.FormatInt(p.EntityID, 10))
	req.Header.Set("X-Etl-Webhook-Entity-URL", p.EntityURL)
	if w.Secret != "" {
		req.Header.Set("X-Etl-Webhook-Signature", signBody(w.Secret, body))
	}
	if w.BasicUser != "" {
		req.SetBasicAuth(w.BasicUser, w.BasicPass)
	}
	res, err := d.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	return res.StatusCode, nil
}

// signBody is the X-Etl-Webhook-Signature value: "sha256=" + hex(HMAC-SHA256(secret, body)).
func signBody(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error()) // rand.Read never fails on supported platforms
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
