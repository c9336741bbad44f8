package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/connectors"
)

func TestOAuth(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	var sheet connection
	h.ok("POST", "/rest/v1/connections", map[string]any{"name": "Budget sheet", "connectionType": "connection.api.googlesheets",
		"properties": map[string]string{connectors.PropTemplate + "spreadsheetId": "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms"}}, &sheet)
	authorize := func(h *harness, provider string, id int64, redirect string) authorizeURLResponse {
		h.t.Helper()
		var res authorizeURLResponse
		h.ok("GET", fmt.Sprintf("/rest/v1/connections/oauth/%s/authorize-url?connectionId=%d&redirectUri=%s", provider, id,
			url.QueryEscape(redirect)), nil, &res)
		return res
	}
	callback := func(h *harness, id int64, code, state string) response {
		h.t.Helper()
		return h.call("POST", fmt.Sprintf("/rest/v1/connections/%d/oauth/callback", id), h.key, map[string]string{"code": code, "state": state})
	}
	cbPath := fmt.Sprintf("/rest/v1/connections/%d/oauth/callback", sheet.ID)

	t.Run("authorize url points at the provider", func(t *testing.T) {
		h := h.with(t)
		res := authorize(h, "google", sheet.ID, "https://app.example.org/oauth/done")
		u, err := url.Parse(res.URL)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		if u.Scheme != "https" || u.Host != "accounts.google.com" || u.Path != "/o/oauth2/v2/auth" || len(res.State) < 32 ||
			q.Get("state") != res.State || q.Get("client_id") == "" || q.Get("redirect_uri") != "https://app.example.org/oauth/done" ||
			q.Get("response_type") != "code" || !strings.Contains(q.Get("scope"), "spreadsheets") || q.Get("access_type") != "offline" {
			t.Errorf("url = %s", res.URL)
		}
		for provider, host := range map[string]string{"microsoft": "login.microsoftonline.com", "salesforce": "login.salesforce.com",
			"hubspot": "app.hubspot.com"} {
			res := authorize(h, provider, 5, "http://localhost:8080/cb") // Shopify API is a generic HTTP connection
			if u, _ := url.Parse(res.URL); u.Host != host || u.Query().Get("scope") == "" || u.Query().Get("client_id") == "" {
				t.Errorf("%s url = %s", provider, res.URL)
			}
		}
		var def authorizeURLResponse
		h.ok("GET", fmt.Sprintf("/rest/v1/connections/oauth/google/authorize-url?connectionId=%d", sheet.ID), nil, &def)
		if u, _ := url.Parse(def.URL); !strings.HasPrefix(u.Query().Get("redirect_uri"), h.srv.URL+"/") {
			t.Errorf("default redirect = %s", u.Query().Get("redirect_uri"))
		}
	})

	t.Run("authorize url errors", func(t *testing.T) {
		h := h.with(t)
		eb := wantError(t, h.call("GET", "/rest/v1/connections/oauth/okta/authorize-url?connectionId=5", h.key, nil),
			http.StatusBadRequest, "/rest/v1/connections/oauth/okta/authorize-url")
		if !strings.Contains(eb.Message, "google, hubspot, microsoft, salesforce") {
			t.Errorf("unknown provider: %q", eb.Message)
		}
		p := "/rest/v1/connections/oauth/google/authorize-url"
		for query, want := range map[string]int{"?connectionId=x": 400, "?connectionId=99": 404, "?connectionId=1": 400,
			fmt.Sprintf("?connectionId=%d&redirectUri=ftp://x", sheet.ID): 400} {
			wantError(t, h.call("GET", p+query, h.key, nil), want, p)
		}
		eb = wantError(t, h.call("GET", fmt.Sprintf("/rest/v1/connections/oauth/hubspot/authorize-url?connectionId=%d", sheet.ID), h.key, nil), 400, strings.Replace(p, "google", "hubspot", 1))
		if !strings.Contains(eb.Message, "signs in with google") {
			t.Errorf("wrong provider: %q", eb.Message)
		}
	})

	t.Run("not signed in fails the test", func(t *testing.T) {
		h := h.with(t)
		if r := h.testConn(sheet.ID); r.Success || !strings.Contains(r.Message, "not signed in to Google") {
			t.Errorf("test = %+v", r)
		}
	})

	t.Run("callback checks the state", func(t *testing.T) {
		h := h.with(t)
		wantError(t, callback(h, sheet.ID, "4/0AX4XfWh", "made-up"), 400, cbPath)
		other := authorize(h, "microsoft", 5, "http://localhost/cb")
		eb := wantError(t, callback(h, sheet.ID, "4/0AX4XfWh", other.State), 400, cbPath)
		if !strings.Contains(eb.Message, "issued for connection 5") {
			t.Errorf("other connection: %q", eb.Message)
		}
		old := authorize(h, "google", sheet.ID, "http://localhost/cb")
		if _, err := h.sb.st.db.Exec(`UPDATE oauth_states SET expires_at = ? WHERE state = ?`, time.Now().Add(-time.Second).UnixMilli(), old.State); err != nil {
			t.Fatal(err)
		}
		if eb := wantError(t, callback(h, sheet.ID, "4/0AX4XfWh", old.State), 400, cbPath); !strings.Contains(eb.Message, "expired") {
			t.Errorf("expired: %q", eb.Message)
		}
		bad := authorize(h, "google", sheet.ID, "http://localhost/cb")
		if eb := wantError(t, callback(h, sheet.ID, "invalid-code", bad.State), 400, cbPath); !strings.Contains(eb.Message, "invalid_grant") {
			t.Errorf("invalid code: %q", eb.Message)
		}
		if eb := wantError(t, callback(h, sheet.ID, "", bad.State), 400, cbPath); !strings.Contains(eb.Message, "'code'") {
			t.Errorf("no code: %q", eb.Message)
		}
		stored, _ := h.sb.st.getConnection(t.Context(), sheet.ID)
		if stored.Properties[connectors.PropRefreshToken] != "" {
			t.Errorf("a failed callback stored a token")
		}
	})

	t.Run("callback stores a masked refresh token", func(t *testing.T) {
		h := h.with(t)
		a := authorize(h, "google", sheet.ID, "http://localhost/cb")
		res := callback(h, sheet.ID, "4/0AX4XfWhGoodCode", a.State)
		if res.status != http.StatusOK {
			t.Fatalf("callback: %d %s", res.status, res.body)
		}
		var got connection
		res.decode(t, &got)
		stored, _ := h.sb.st.getConnection(t.Context(), sheet.ID)
		token := stored.Properties[connectors.PropRefreshToken]
		if got.Properties[connectors.PropRefreshToken] != maskedSecret || !strings.HasPrefix(token, "1//") || strings.Contains(string(res.body), token) {
			t.Fatalf("callback answer %s, stored %q", res.body, token)
		}
		if body := h.ok("GET", fmt.Sprintf("/rest/v1/connections/%d", sheet.ID), nil, nil).body; strings.Contains(string(body), token) {
			t.Errorf("GET leaks the refresh token")
		}
		if rec := h.lastAudit("editConnection"); !rec.RT || !strings.Contains(string(rec.Payload), `"oauthProvider":"google"`) ||
			strings.Contains(string(rec.Payload), token) {
			t.Errorf("audit payload = %s", rec.Payload)
		}
		wantError(t, callback(h, sheet.ID, "4/0AX4XfWhGoodCode", a.State), 400, cbPath) // single use
		if r := h.testConn(sheet.ID); !r.Success || !strings.Contains(r.Message, "signed in to Google Sheets") {
			t.Errorf("test after sign-in = %+v", r)
		}
	})

	t.Run("a state without a connection fits any connection of the provider", func(t *testing.T) {
		h := h.with(t)
		var a authorizeURLResponse
		h.ok("GET", "/rest/v1/connections/oauth/salesforce/authorize-url", nil, &a)
		if u, _ := url.Parse(a.URL); u.Query().Get("scope") != "api refresh_token offline_access" {
			t.Errorf("url = %s", a.URL)
		}
		eb := wantError(t, callback(h, sheet.ID, "aPrx", a.State), 400, cbPath)
		if !strings.Contains(eb.Message, "signs in with google, not salesforce") {
			t.Errorf("wrong type: %q", eb.Message)
		}
		var sf connection
		h.ok("POST", "/rest/v1/connections", map[string]any{"name": "Salesforce CRM", "connectionType": "connection.api.salesforce"}, &sf)
		h.ok("GET", "/rest/v1/connections/oauth/salesforce/authorize-url", nil, &a)
		var got connection
		if res := callback(h, sf.ID, "aPrxGood", a.State); res.status != 200 {
			t.Fatalf("callback: %d %s", res.status, res.body)
		} else {
			res.decode(t, &got)
		}
		if got.Properties[connectors.PropRefreshToken] != maskedSecret {
			t.Errorf("salesforce = %+v", got)
		}
	})

	t.Run("roles", func(t *testing.T) {
		h := h.with(t)
		a := authorize(h, "google", sheet.ID, "http://localhost/cb")
		if res := h.call("POST", cbPath, h.userKey("victor"), map[string]string{"code": "c", "state": a.State}); res.status != http.StatusForbidden {
			t.Errorf("viewer callback: %d", res.status)
		}
	})
}
