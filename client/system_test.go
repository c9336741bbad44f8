package client

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestUsersService_Me(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	const me = `{"id":7,"login":"alice@example.com","email":"alice@example.com","role":"Operator","tenantId":2,"tenantName":"acme"}`
	mux.HandleFunc("/rest/v1/users/me", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAPIHeaders(t, r)
		testFormValues(t, r, values{})
		testNoBody(t, r)
		fmt.Fprint(w, me)
	})
	raw, resp, err := client.Users.Me(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	testJSONEqual(t, "me", raw, me)
	if resp.Total != -1 {
		t.Errorf("Total = %d, want -1", resp.Total)
	}
}

const healthJSON = `{"status":"UP","db":{"status":"UP","version":"13.0","schema.version":84,"running.flows":0}}`

func TestSystemService_Health(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testHeader(t, r, "Authorization", "")
		testHeader(t, r, "Accept", "application/json")
		testHeader(t, r, "User-Agent", "etlworks-mcp")
		testFormValues(t, r, values{})
		fmt.Fprint(w, healthJSON)
	})
	raw, _, err := client.System.Health(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	testJSONEqual(t, "health", raw, healthJSON)
}

func TestSystemService_Health_withLoginDoesNotSignIn(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t, WithLogin(testLogin, testPassword))
	mux.HandleFunc("/rest/v1/token-auth/issue", func(w http.ResponseWriter, r *http.Request) {
		t.Error("Health signed in")
	})
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		testHeader(t, r, "Authorization", "")
		fmt.Fprint(w, healthJSON)
	})
	if _, _, err := client.System.Health(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func TestSystemService_Health_down(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"status":"DOWN"}`)
	})
	_, _, err := client.System.Health(t.Context())
	if e := apiErrorOf(t, err); e.Status != http.StatusServiceUnavailable || e.Path != "/health" {
		t.Errorf("error %+v, want 503 at /health", e)
	}
}

// TestSystemService_Health_onPremPrefix: an instance served under a prefix (…/etl/rest) has its
// health endpoint beside /rest, at …/etl/health.
func TestSystemService_Health_onPremPrefix(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/etl/health", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, healthJSON) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request to %s", r.URL.Path)
	})
	server := httptest.NewServer(mux)
	t.Cleanup(server.Close)
	client, err := New(server.URL+"/etl/rest/", WithAPIKey(testKey), WithHTTPClient(server.Client()))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := client.System.Health(t.Context()); err != nil {
		t.Fatal(err)
	}
}
