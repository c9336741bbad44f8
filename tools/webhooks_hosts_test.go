package tools

import (
	"strings"
	"testing"
)

// TestCreateWebhookHosts: create_webhook sends Etlworks events only to hosts the operator allows
// (--webhook-hosts), and a refusal names the host, what is allowed and the setting.
func TestCreateWebhookHosts(t *testing.T) {
	hook := func(url string) map[string]any {
		return map[string]any{"name": "H " + url, "url": url, "events": []any{"Flow.Failed"}}
	}
	none := newServerEnv(t, serverOpts{})
	msg := none.fails("create_webhook", hook("https://ops:pw-123@hooks.example.com/x"))
	mustContain(t, msg, `refused host "hooks.example.com"`, "allows webhooks to no host", "--webhook-hosts", "ETLWORKS_MCP_WEBHOOK_HOSTS", "*.example.com")
	if strings.Contains(msg, "pw-123") {
		t.Errorf("the refusal echoes the URL's password: %s", msg)
	}

	// The sandbox delivers only to loopback addresses, so the allowed hosts here are loopback ones
	// (wildcards are covered by internal/hostlist's tests).
	some := newServerEnv(t, serverOpts{sb: none.sb, deps: func(d *Deps) { d.WebhookHosts = []string{"localhost:9000", "127.0.0.1", "*.corp.example.com"} }})
	for _, url := range []string{"http://127.0.0.2:9/h", "http://localhost:9001/h", "https://evil.example.net/h", "https://corp.example.com.evil.net/h"} {
		mustContain(t, some.fails("create_webhook", hook(url)), "refused host", "may only call localhost:9000, 127.0.0.1, *.corp.example.com", "--webhook-hosts")
	}
	for _, url := range []string{"http://localhost:9000/h", "http://LOCALHOST:9000/upper", "http://127.0.0.1:5/h"} {
		mustContain(t, some.ok("create_webhook", hook(url), nil), `"created"`)
	}
	var list listResult[webhookView]
	some.ok("list_webhooks", map[string]any{"limit": 100}, &list)
	for _, w := range list.Items {
		if strings.HasPrefix(w.Name, "H ") && !strings.Contains(w.URL, ":9000/") && !strings.Contains(w.URL, "127.0.0.1:5/") {
			t.Errorf("a refused webhook was created: %+v", w)
		}
	}

	bad := newServerEnv(t, serverOpts{sb: none.sb, deps: func(d *Deps) { d.WebhookHosts = []string{"*"} }})
	mustContain(t, bad.fails("create_webhook", hook("https://hooks.example.com/h")), "create_webhook is unavailable", "bare wildcard")
}
