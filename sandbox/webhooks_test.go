package sandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// hookCall is one request a test receiver got.
type hookCall struct {
	header http.Header
	body   []byte
	user   string
	pass   string
}

// receiver is a loopback HTTP server that records webhook deliveries.
type receiver struct {
	srv   *httptest.Server
	mu    sync.Mutex
	calls []hookCall
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		u, p, _ := r.BasicAuth()
		rc.mu.Lock()
		rc.calls = append(rc.calls, hookCall{header: r.Header.Clone(), body: b, user: u, pass: p})
		rc.mu.Unlock()
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// find returns the first call for event whose payload satisfies match.
func (rc *receiver) find(event string, match func(webhookPayload) bool) (hookCall, webhookPayload, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, c := range rc.calls {
		var p webhookPayload
		if c.header.Get("X-Etl-Webhook-Event") == event && json.Unmarshal(c.body, &p) == nil && match(p) {
			return c, p, true
		}
	}
	return hookCall{}, webhookPayload{}, false
}

func TestWebhooks(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	rc := newReceiver(t)
	body := map[string]any{"name": "Flow events", "events": []string{"Flow.Executed", "Flow.Failed", "Flow.Updated", "Schedule.Created"},
		"url": rc.srv.URL + "/hook", "secret": "s3cret", "basicUser": "hook", "basicPass": "pw",
		"headers": []map[string]string{{"key": "X-Custom", "value": "v1"}, {"key": "Authorization", "value": "Token abc"}}}
	var wh webhook
	h.ok("POST", "/rest/v1/webhooks", body, &wh)
	if wh.ID == 0 || wh.Secret != secretMask || wh.BasicPass != secretMask || wh.Method != "POST" ||
		wh.ContentType != "application/json" || !wh.Enabled || !wh.IncludeEntity || wh.LastDelivery != nil {
		t.Fatalf("created = %+v", wh)
	}
	if wh.Headers[0].Value != "v1" || wh.Headers[1].Value != secretMask {
		t.Errorf("headers = %+v", wh.Headers)
	}
	path := fmt.Sprintf("/rest/v1/webhooks/%d", wh.ID)

	t.Run("run events with signature", func(t *testing.T) {
		h := h.with(t)
		auditID := h.run(2, "", nil) // the seeded rollup fails
		var call hookCall
		var p webhookPayload
		for _, event := range []string{"Flow.Executed", "Flow.Failed"} {
			waitFor(t, event, func() bool {
				var ok bool
				call, p, ok = rc.find(event, func(p webhookPayload) bool { return p.EntityID == auditID })
				return ok
			})
		}
		if got, want := call.header.Get("X-Etl-Webhook-Signature"), signBody("s3cret", call.body); got != want {
			t.Errorf("signature %q, want %q", got, want)
		}
		mac := hmac.New(sha256.New, []byte("s3cret"))
		mac.Write(call.body)
		if call.header.Get("X-Etl-Webhook-Signature") != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
			t.Error("the signature is not the hex HMAC-SHA256 of the body")
		}
		hd := call.header
		if hd.Get("X-Etl-Webhook-Event-Id") != p.EventID || hd.Get("X-Etl-Webhook-Id") != fmt.Sprint(wh.ID) ||
			hd.Get("X-Etl-Webhook-Entity-Id") != fmt.Sprint(auditID) || hd.Get("X-Etl-Webhook-Entity-URL") != p.EntityURL ||
			hd.Get("X-Custom") != "v1" || hd.Get("Authorization") == "" || call.user != "hook" || call.pass != "pw" ||
			hd.Get("Content-Type") != "application/json" {
			t.Errorf("headers = %v, basic %s:%s", hd, call.user, call.pass)
		}
		entity, _ := p.Entity.(map[string]any)
		if p.WebhookID != wh.ID || p.Timestamp == 0 || entity["status"] != "error" || entity["flowName"] != "Daily revenue rollup" ||
			!strings.HasSuffix(p.EntityURL, fmt.Sprintf("/rest/v1/flows/2?auditId=%d", auditID)) || len(p.EventID) != 36 {
			t.Errorf("payload = %+v", p)
		}
		waitFor(t, "lastDelivery", func() bool {
			var got webhook
			h.ok("GET", path, nil, &got)
			return got.LastDelivery != nil && got.LastDelivery.Status == http.StatusOK && got.LastDelivery.Error == nil
		})
	})

	t.Run("mutation events", func(t *testing.T) {
		h := h.with(t)
		var f flow
		h.ok("GET", "/rest/v1/flows/1", nil, &f)
		f.Description = "Loads orders (edited)"
		h.ok("PUT", "/rest/v1/flows/1", f, nil)
		waitFor(t, "Flow.Updated", func() bool {
			_, p, ok := rc.find("Flow.Updated", func(p webhookPayload) bool { return p.EntityID == 1 })
			e, _ := p.Entity.(map[string]any)
			return ok && e["description"] == "Loads orders (edited)" && strings.HasSuffix(p.EntityURL, "/rest/v1/flows/1")
		})
		var sc schedule
		h.ok("POST", "/rest/v1/schedules", map[string]any{"name": "Hourly orders", "flowId": 1, "schedule": "0 0 * * * ?"}, &sc)
		waitFor(t, "Schedule.Created", func() bool {
			_, p, ok := rc.find("Schedule.Created", func(p webhookPayload) bool { return p.EntityID == sc.ID })
			e, _ := p.Entity.(map[string]any)
			return ok && e["name"] == "Hourly orders"
		})
		if _, _, ok := rc.find("Flow.Created", func(webhookPayload) bool { return true }); ok {
			t.Error("an event the webhook did not subscribe to was delivered")
		}
	})

	t.Run("secrets survive a masked update", func(t *testing.T) {
		h := h.with(t)
		var got webhook
		h.ok("GET", path, nil, &got)
		got.Description = "Edited"
		h.ok("PUT", path, got, &got)
		stored, err := h.sb.st.getWebhook(t.Context(), wh.ID)
		if err != nil || stored.Secret != "s3cret" || stored.BasicPass != "pw" || stored.Headers[1].Value != "Token abc" ||
			got.Description != "Edited" {
			t.Errorf("stored = %+v, %v", stored, err)
		}
	})

	t.Run("validation and roles", func(t *testing.T) {
		h := h.with(t)
		for _, c := range []struct {
			body map[string]any
			want string
		}{
			{map[string]any{"name": "x", "events": []string{"Flow.Executed"}, "url": "https://webhook.site/abc"}, "only to loopback addresses"},
			{map[string]any{"name": "x", "events": []string{"Flow.Exploded"}}, "Field 'events[0]': unknown event 'Flow.Exploded'"},
			{map[string]any{"name": "x", "events": []string{}}, "Field 'events'"},
			{map[string]any{"events": []string{"Flow.Executed"}}, "Field 'name'"},
			{map[string]any{"name": "x", "events": []string{"Flow.Executed"}, "method": "PATCH"}, "Field 'method'"},
			{map[string]any{"name": "flow EVENTS", "events": []string{"Flow.Executed"}}, "already exists"},
		} {
			eb := wantError(t, h.call("POST", "/rest/v1/webhooks", h.key, c.body), http.StatusBadRequest, "/rest/v1/webhooks")
			if !strings.Contains(eb.Message, c.want) {
				t.Errorf("message %q does not contain %q", eb.Message, c.want)
			}
		}
		var local webhook
		h.ok("POST", "/rest/v1/webhooks", map[string]any{"name": "Email only", "events": []string{"Flow.Failed"}}, &local)
		h.ok("POST", "/rest/v1/webhooks", map[string]any{"name": "Localhost", "events": []string{"Flow.Failed"},
			"url": "http://localhost:1/x"}, nil)
		wantError(t, h.call("GET", "/rest/v1/webhooks", h.userKey("carol"), nil), http.StatusForbidden, "/rest/v1/webhooks")
		var list []webhook
		res := h.ok("GET", "/rest/v1/webhooks?limit=2", nil, &list)
		if len(list) != 2 || res.header.Get("X-Total-Count") != "3" {
			t.Errorf("list: %d, total %s", len(list), res.header.Get("X-Total-Count"))
		}
		h.ok("DELETE", fmt.Sprintf("/rest/v1/webhooks/%d", local.ID), nil, nil)
		wantError(t, h.call("GET", fmt.Sprintf("/rest/v1/webhooks/%d", local.ID), h.key, nil), http.StatusNotFound,
			fmt.Sprintf("/rest/v1/webhooks/%d", local.ID))
		if len(h.auditOf("method=deleteWebhook&object=webhook")) != 1 {
			t.Error("no deleteWebhook audit event")
		}
	})
}

// TestWebhookFailedDelivery records an unreachable receiver on the webhook without delaying the run.
func TestWebhookFailedDelivery(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	rc := newReceiver(t)
	url := rc.srv.URL
	rc.srv.Close() // nothing listens there any more
	var wh webhook
	h.ok("POST", "/rest/v1/webhooks", map[string]any{"name": "Down", "events": []string{"Flow.Executed"}, "url": url}, &wh)
	started := time.Now()
	e := h.wait(4, h.run(4, "", nil))
	if e.Status != model.StatusSuccess || time.Since(started) > 5*time.Second {
		t.Fatalf("run = %+v after %s", e, time.Since(started))
	}
	waitFor(t, "a failed delivery", func() bool {
		var got webhook
		h.ok("GET", fmt.Sprintf("/rest/v1/webhooks/%d", wh.ID), nil, &got)
		return got.LastDelivery != nil && got.LastDelivery.Status == 0 && got.LastDelivery.Error != nil &&
			got.LastDelivery.Event == "Flow.Executed"
	})
}
