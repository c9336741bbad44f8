package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/etlworks/etlworks-mcp/internal/secrets"
)

// twoUserServer answers the flow list for keys "alice-key" and "bob-key" and 401 for any other,
// counting the checks per key, and lets only alice read the run history.
func twoUserServer(t *testing.T, checks map[string]*atomic.Int32) string {
	t.Helper()
	mux := http.NewServeMux()
	key := func(r *http.Request) string { return strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ") }
	mux.HandleFunc("GET /rest/v1/flows", func(w http.ResponseWriter, r *http.Request) {
		k := key(r)
		if n, ok := checks[k]; ok {
			n.Add(1)
			fmt.Fprint(w, `[]`)
			return
		}
		http.Error(w, `{"status":401,"error":"Unauthorized","message":"Invalid API key or token"}`, http.StatusUnauthorized)
	})
	mux.HandleFunc("GET /rest/v1/executions", func(w http.ResponseWriter, r *http.Request) {
		if key(r) != "alice-key" {
			http.Error(w, `{"status":403,"error":"Forbidden","message":"no"}`, http.StatusForbidden)
			return
		}
		fmt.Fprint(w, `[]`)
	})
	mux.HandleFunc("/rest/", notFound)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + "/rest"
}

func TestPerRequestKeys(t *testing.T) {
	t.Parallel()
	checks := map[string]*atomic.Int32{"alice-key": {}, "bob-key": {}}
	red := secrets.NewRedactor()
	c, err := New(twoUserServer(t, checks), WithPerRequestKeys(), WithRetries(0, 0), WithRedactor(red))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, _, err := c.Flows.List(ctx, nil); !errors.Is(err, ErrNoCredential) {
		t.Fatalf("a request without a key: %v, want ErrNoCredential", err)
	}
	if c.CredentialID(ctx) != "" {
		t.Error("a context without a key has a credential id")
	}
	alice, bob := WithRequestAPIKey(ctx, "alice-key"), WithRequestAPIKey(ctx, "bob-key")
	if c.CredentialID(alice) == c.CredentialID(bob) || c.CredentialID(alice) == "" {
		t.Fatalf("credential ids do not tell keys apart: %q %q", c.CredentialID(alice), c.CredentialID(bob))
	}
	if strings.Contains(c.CredentialID(alice), "alice") {
		t.Errorf("credential id %q shows the key", c.CredentialID(alice))
	}
	for range 3 {
		if v := c.VerifyCredential(alice).Verdict; v != CredentialAccepted {
			t.Fatalf("alice: %s", v)
		}
	}
	if n := checks["alice-key"].Load(); n < 1 {
		t.Fatalf("alice's key was never checked")
	}
	<-c.cred(alice).probed
	if n := checks["alice-key"].Load(); n != 1 {
		t.Errorf("alice's key was checked %d times within the verdict's lifetime, want 1", n)
	}
	if got := red.Text("key is alice-key"); strings.Contains(got, "alice-key") {
		t.Errorf("an accepted key is not redacted: %q", got)
	}
	if v := c.VerifyCredential(WithRequestAPIKey(ctx, "mallory-key")).Verdict; v != CredentialRejected {
		t.Errorf("unknown key: %s, want rejected", v)
	}
	if v := c.VerifyCredential(bob).Verdict; v != CredentialAccepted {
		t.Fatalf("bob: %s", v)
	}
	<-c.cred(bob).probed
	// What one key learned stays with it: alice may read the run history, bob may not.
	if s := c.CapabilityState(alice, CapRunHistory); s != CapPresent {
		t.Errorf("alice's run history: %s, want present", s)
	}
	if s := c.CapabilityState(bob, CapRunHistory); s != CapForbidden {
		t.Errorf("bob's run history: %s, want forbidden", s)
	}
	later := CarryCredential(context.Background(), bob)
	if c.CredentialID(later) != c.CredentialID(bob) {
		t.Error("CarryCredential lost the key")
	}
}

func TestCredentialCacheIsBounded(t *testing.T) {
	t.Parallel()
	var s credentials
	first := s.get("k0")
	for i := 1; i <= maxCredentials; i++ {
		s.get(fmt.Sprintf("k%d", i))
	}
	if s.order.Len() != maxCredentials || len(s.byKey) != maxCredentials {
		t.Fatalf("%d entries, want %d", s.order.Len(), maxCredentials)
	}
	if s.get("k0") == first {
		t.Error("the least recently used credential was kept beyond the bound")
	}
	recent := s.get("k5")
	s.get("new")
	if s.get("k5") != recent {
		t.Error("a recently used credential was forgotten")
	}
}
