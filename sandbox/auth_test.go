package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func (h *harness) token(path, login, password string) (response, string) {
	h.t.Helper()
	res := h.call("POST", path, "", map[string]string{"login": login, "password": password})
	var tr tokenResponse
	if res.status == http.StatusOK {
		res.decode(h.t, &tr)
	}
	return res, tr.Token
}

func TestAuth(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	creds := h.sb.Credentials()

	t.Run("api key", func(t *testing.T) {
		h := h.with(t)
		if len(creds.APIKey) != apiKeyLength || strings.Trim(creds.APIKey, alphanumeric) != "" {
			t.Fatalf("API key is not %d alphanumeric characters: %q", apiKeyLength, creds.APIKey)
		}
		var me meResponse
		h.ok("GET", "/rest/v1/users/me", nil, &me)
		if me.Login != "alice" || me.Role != "Administrator" || me.TenantID != 1 || me.TenantName != demoTenant || me.Email == "" || me.ID == 0 {
			t.Errorf("me = %+v", me)
		}
	})

	t.Run("jwt on both issue paths", func(t *testing.T) {
		h := h.with(t)
		for _, path := range []string{"/rest/v1/token-auth/issue", "/rest/v1/token-auth"} {
			res, tok := h.token(path, creds.Login, creds.Password)
			if res.status != http.StatusOK || strings.Count(tok, ".") != 2 {
				t.Fatalf("%s: status %d token %q", path, res.status, tok)
			}
			claims := decodeClaims(t, tok)
			if claims.Sub != "alice" || claims.Role != "Administrator" || claims.TenantID != 1 || claims.Exp-claims.Iat != 600 {
				t.Errorf("%s: claims %+v", path, claims)
			}
			var me meResponse
			if res := h.call("GET", "/rest/v1/users/me", tok, nil); res.status != http.StatusOK {
				t.Fatalf("me with JWT: %d %s", res.status, res.body)
			} else if res.decode(t, &me); me.Login != "alice" {
				t.Errorf("me = %+v", me)
			}
		}
	})

	t.Run("login by email", func(t *testing.T) {
		h := h.with(t)
		if res, _ := h.token("/rest/v1/token-auth", "alice@acme-retail.example", creds.Password); res.status != http.StatusOK {
			t.Errorf("status %d", res.status)
		}
	})

	t.Run("bad credentials", func(t *testing.T) {
		h := h.with(t)
		res, _ := h.token("/rest/v1/token-auth/issue", creds.Login, "wrong")
		wantError(t, res, http.StatusUnauthorized, "/rest/v1/token-auth/issue")
		res, _ = h.token("/rest/v1/token-auth", "nobody", "x")
		wantError(t, res, http.StatusUnauthorized, "/rest/v1/token-auth")
		eb := wantError(t, h.call("POST", "/rest/v1/token-auth", "", `{"login": "alice",`), http.StatusBadRequest, "/rest/v1/token-auth")
		if !strings.Contains(eb.Message, "JSON") {
			t.Errorf("bad JSON message = %q", eb.Message)
		}
	})

	t.Run("missing and invalid credentials", func(t *testing.T) {
		h := h.with(t)
		wantError(t, h.call("GET", "/rest/v1/flows", "", nil), http.StatusUnauthorized, "/rest/v1/flows")
		wantError(t, h.call("GET", "/rest/v1/flows", "not-a-key", nil), http.StatusUnauthorized, "/rest/v1/flows")
		_, tok := h.token("/rest/v1/token-auth", creds.Login, creds.Password)
		tampered := tok[:len(tok)-2] + "xx"
		wantError(t, h.call("GET", "/rest/v1/flows", tampered, nil), http.StatusUnauthorized, "/rest/v1/flows")
	})

	t.Run("query parameter form", func(t *testing.T) {
		h := h.with(t)
		_, tok := h.token("/rest/v1/token-auth", creds.Login, creds.Password)
		for _, cred := range []string{creds.APIKey, tok} {
			res := h.call("GET", "/rest/v1/users/me?Authorization="+url.QueryEscape("Bearer "+cred), "", nil)
			if res.status != http.StatusOK {
				t.Errorf("query form: %d %s", res.status, res.body)
			}
		}
	})

	t.Run("refresh", func(t *testing.T) {
		h := h.with(t)
		_, tok := h.token("/rest/v1/token-auth", creds.Login, creds.Password)
		res := h.call("POST", "/rest/v1/token-auth/refresh", tok, nil)
		var tr tokenResponse
		if res.status != http.StatusOK {
			t.Fatalf("refresh: %d %s", res.status, res.body)
		}
		res.decode(t, &tr)
		if decodeClaims(t, tr.Token).Sub != "alice" {
			t.Errorf("refreshed token %q", tr.Token)
		}
		wantError(t, h.call("POST", "/rest/v1/token-auth/refresh", creds.APIKey, nil), http.StatusBadRequest, "/rest/v1/token-auth/refresh")
	})

	t.Run("roles", func(t *testing.T) {
		h := h.with(t)
		bob, victor, carol := h.userKey("bob"), h.userKey("victor"), h.userKey("carol")
		cases := []struct {
			name, method, path, key string
			body                    any
			want                    int
		}{
			{"operator reads flows", "GET", "/rest/v1/flows", bob, nil, http.StatusOK},
			{"operator reads history", "GET", "/rest/v1/executions", bob, nil, http.StatusOK},
			{"operator cannot read audit", "GET", "/rest/v1/audit", bob, nil, http.StatusForbidden},
			{"operator cannot edit flows", "DELETE", "/rest/v1/flows/1", bob, nil, http.StatusForbidden},
			{"operator cannot suspend", "POST", "/rest/v1/flows/1/suspend", bob, nil, http.StatusForbidden},
			{"viewer reads flows", "GET", "/rest/v1/flows/1", victor, nil, http.StatusOK},
			{"viewer cannot run", "POST", "/rest/v1/flows/1/run", victor, nil, http.StatusForbidden},
			{"viewer cannot read status", "GET", "/rest/v1/executions/1", victor, nil, http.StatusForbidden},
			{"editor cannot read audit", "GET", "/rest/v1/audit", carol, nil, http.StatusForbidden},
			{"editor may create", "POST", "/rest/v1/flows", carol, map[string]any{"name": "x"}, http.StatusBadRequest},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				path, _, _ := strings.Cut(c.path, "?")
				res := h.call(c.method, c.path, c.key, c.body)
				if c.want == http.StatusOK {
					if res.status != http.StatusOK {
						t.Fatalf("status %d: %s", res.status, res.body)
					}
					return
				}
				wantError(t, res, c.want, path)
			})
		}
	})

	t.Run("routing errors", func(t *testing.T) {
		h := h.with(t)
		wantError(t, h.call("GET", "/rest/v1/nothing-here", h.key, nil), http.StatusNotFound, "/rest/v1/nothing-here")
		res := h.call("PATCH", "/rest/v1/flows/1", h.key, nil)
		wantError(t, res, http.StatusMethodNotAllowed, "/rest/v1/flows/1")
		if allow := res.header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "PUT") || !strings.Contains(allow, "DELETE") {
			t.Errorf("Allow = %q", allow)
		}
		wantError(t, h.call("GET", "/rest/v1/flows/abc", h.key, nil), http.StatusBadRequest, "/rest/v1/flows/abc")
	})
}

func TestTokenExpiry(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{TokenTTL: time.Second})
	creds := h.sb.Credentials()
	_, tok := h.token("/rest/v1/token-auth", creds.Login, creds.Password)
	if res := h.call("POST", "/rest/v1/token-auth/refresh", tok, nil); res.status != http.StatusOK {
		t.Fatalf("refresh of a fresh token: %d %s", res.status, res.body)
	}
	time.Sleep(time.Until(time.Unix(decodeClaims(t, tok).Exp, 0)) + 50*time.Millisecond)
	eb := wantError(t, h.call("GET", "/rest/v1/users/me", tok, nil), http.StatusUnauthorized, "/rest/v1/users/me")
	if !strings.Contains(eb.Message, "expired") {
		t.Errorf("message = %q", eb.Message)
	}
	wantError(t, h.call("POST", "/rest/v1/token-auth/refresh", tok, nil), http.StatusUnauthorized, "/rest/v1/token-auth/refresh")
	if res := h.call("GET", "/rest/v1/users/me", creds.APIKey, nil); res.status != http.StatusOK {
		t.Errorf("API keys do not expire: %d", res.status)
	}
}

func decodeClaims(t *testing.T, tok string) jwtClaims {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not a JWT", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c jwtClaims
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}
