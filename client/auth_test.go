package client

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/etlworks/etlworks-mcp/internal/secrets"
)

const (
	testLogin    = "alice@example.com"
	testPassword = "s3cret-Pa55word"
)

// signIn serves POST /rest/v1/token-auth/issue, handing out jwt-1, jwt-2, … and counting the calls.
type signIn struct {
	t     *testing.T
	calls atomic.Int32
}

func (s *signIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	testMethod(s.t, r, http.MethodPost)
	testHeader(s.t, r, "Authorization", "")
	testHeader(s.t, r, "Content-Type", "application/json")
	testHeader(s.t, r, "Accept", "application/json")
	testFormValues(s.t, r, values{})
	testJSONBody(s.t, r, `{"login":"`+testLogin+`","password":"`+testPassword+`"}`)
	fmt.Fprintf(w, `{"token":"jwt-%d"}`, s.calls.Add(1))
}

// setupLogin is setup with password sign-in served at /v1/token-auth/issue.
func setupLogin(t *testing.T, opts ...Option) (*Client, *http.ServeMux, *signIn) {
	t.Helper()
	client, mux, _ := setup(t, append([]Option{WithLogin(testLogin, testPassword)}, opts...)...)
	s := &signIn{t: t}
	mux.Handle("/rest/v1/token-auth/issue", s)
	return client, mux, s
}

func TestLogin_signsInOnceAndCaches(t *testing.T) {
	t.Parallel()
	client, mux, s := setupLogin(t)
	var calls atomic.Int32
	mux.HandleFunc("/rest/v1/users/me", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		testHeader(t, r, "Authorization", "Bearer jwt-1")
		fmt.Fprint(w, `{"login":"alice@example.com"}`)
	})
	for range 3 {
		if _, _, err := client.Users.Me(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.calls.Load(); n != 1 {
		t.Errorf("%d sign-ins, want 1: the JWT is cached across calls", n)
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("%d calls, want 3", n)
	}
}

func TestLogin_fallsBackToTokenAuth(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusNotFound, http.StatusMethodNotAllowed} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t, WithLogin(testLogin, testPassword))
			var issue atomic.Int32
			mux.HandleFunc("/rest/v1/token-auth/issue", func(w http.ResponseWriter, r *http.Request) {
				issue.Add(1)
				w.WriteHeader(status)
			})
			s := &signIn{t: t}
			mux.Handle("/rest/v1/token-auth", s)
			mux.HandleFunc("/rest/v1/users/me", func(w http.ResponseWriter, r *http.Request) {
				testHeader(t, r, "Authorization", "Bearer jwt-1")
				fmt.Fprint(w, `{}`)
			})
			for range 2 {
				if _, _, err := client.Users.Me(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
			if issue.Load() != 1 || s.calls.Load() != 1 {
				t.Errorf("sign-ins: /issue %d, /token-auth %d; want 1 and 1", issue.Load(), s.calls.Load())
			}
		})
	}
}

func TestLogin_reissuesOnceOn401AndReplaysBody(t *testing.T) {
	t.Parallel()
	client, mux, s := setupLogin(t)
	var calls atomic.Int32
	mux.HandleFunc("/rest/v1/flows/7/run", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		testMethod(t, r, http.MethodPost)
		testHeader(t, r, "Content-Type", "application/json")
		testJSONBody(t, r, `{"runDate":"2026-05-09"}`) // the same body on both attempts
		if r.Header.Get("Authorization") != "Bearer jwt-2" {
			http.Error(w, `{"status":401,"error":"Unauthorized","message":"JWT expired"}`, http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, `{"flowId":7,"auditId":11,"status":0}`)
	})
	got, _, err := client.Flows.Run(t.Context(), 7, map[string]string{"runDate": "2026-05-09"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.AuditID != 11 {
		t.Errorf("auditId %d, want 11", got.AuditID)
	}
	if n := s.calls.Load(); n != 2 {
		t.Errorf("%d sign-ins, want 2 (first use, then one re-issue)", n)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("run sent %d times, want 2 (the rejected one and its one replay)", n)
	}
}

func TestLogin_second401IsReturned(t *testing.T) {
	t.Parallel()
	client, mux, s := setupLogin(t)
	var calls atomic.Int32
	mux.HandleFunc("/rest/v1/flows/7", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, `{"status":401,"error":"Unauthorized","message":"no access"}`, http.StatusUnauthorized)
	})
	_, _, err := client.Flows.Get(t.Context(), 7)
	if e := apiErrorOf(t, err); e.Status != http.StatusUnauthorized || e.Message != "no access" {
		t.Errorf("error %+v, want the second 401", e)
	}
	if n := s.calls.Load(); n != 2 {
		t.Errorf("%d sign-ins, want 2", n)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("request sent %d times, want 2", n)
	}
}

func TestLogin_concurrent401sSignInOnce(t *testing.T) {
	t.Parallel()
	client, mux, s := setupLogin(t)
	var (
		mu    sync.Mutex
		valid = "Bearer jwt-1"
	)
	var calls atomic.Int32
	mux.HandleFunc("/rest/v1/flows", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		mu.Lock()
		ok := r.Header.Get("Authorization") == valid
		mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, `[]`)
	})
	if _, _, err := client.Flows.List(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	valid = "Bearer jwt-2" // jwt-1 expires; the next sign-in hands out jwt-2
	mu.Unlock()

	const n = 24
	start := make(chan struct{})
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			<-start
			_, _, err := client.Flows.List(t.Context(), nil)
			errs <- err
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent call: %v", err)
		}
	}
	if got := s.calls.Load(); got != 2 {
		t.Errorf("%d sign-ins, want 2: concurrent 401s must share one re-issue", got)
	}
	if got := calls.Load(); got < n+1 || got > 2*n+1 {
		t.Errorf("%d calls, want between %d and %d", got, n+1, 2*n+1)
	}
}

func TestLogin_refused(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t, WithLogin(testLogin, testPassword))
			mux.HandleFunc("/rest/v1/token-auth/issue", func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(status)
				fmt.Fprintf(w, `{"status":%d,"error":"Unauthorized","message":"Bad credentials for password %s"}`, status, testPassword)
			})
			mux.HandleFunc("/rest/v1/token-auth", func(w http.ResponseWriter, r *http.Request) {
				t.Error("fell back to /v1/token-auth after a refusal")
			})
			mux.HandleFunc("/rest/v1/flows/1", func(w http.ResponseWriter, r *http.Request) {
				t.Error("the call went out without a token")
			})
			_, _, err := client.Flows.Get(t.Context(), 1)
			if err == nil {
				t.Fatal("no error from a refused sign-in")
			}
			msg := err.Error()
			want := fmt.Sprintf(`client: sign-in as "alice@example.com" was refused (%d): check the username and password`, status)
			if msg != want {
				t.Errorf("error %q, want %q", msg, want)
			}
			if strings.Contains(msg, testPassword) {
				t.Errorf("error %q carries the password", msg)
			}
		})
	}
}

func TestLogin_signInFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{
			name: "no token",
			handler: func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, `{"token":""}`)
			},
			want: "client: sign in: the server returned no token",
		},
		{
			name: "server error echoing the request",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusInternalServerError)
				fmt.Fprintf(w, `{"status":500,"error":"Internal Server Error","message":"cannot read {login: %s, password: %s}"}`, testLogin, testPassword)
			},
			want: "client: sign in: etlworks: POST /rest/v1/token-auth/issue: 500: cannot read {login: alice@example.com, password: REDACTED}",
		},
		{
			name: "neither path exists",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.NotFound(w, r)
			},
			want: "client: sign in: etlworks: POST /rest/v1/token-auth: 404: 404 page not found",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t, WithLogin(testLogin, testPassword))
			mux.HandleFunc("/rest/v1/token-auth/issue", tt.handler)
			mux.HandleFunc("/rest/v1/token-auth", http.NotFound)
			_, _, err := client.Users.Me(t.Context())
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v, want %q", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), testPassword) {
				t.Errorf("error %q carries the password", err)
			}
		})
	}
}

func TestLogin_signInIsNotRetriedOn503(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t, WithLogin(testLogin, testPassword), WithRetries(3, 0))
	var calls atomic.Int32
	mux.HandleFunc("/rest/v1/token-auth/issue", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	if _, _, err := client.Users.Me(t.Context()); !IsStatus(err, http.StatusServiceUnavailable) {
		t.Errorf("error %v, want a wrapped 503", err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("%d sign-in attempts, want 1", n)
	}
}

func TestAPIKey_neverSignsInNorRetries401(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/v1/token-auth/issue", func(w http.ResponseWriter, r *http.Request) {
		t.Error("an API-key client signed in")
	})
	mux.HandleFunc("/rest/v1/token-auth", func(w http.ResponseWriter, r *http.Request) {
		t.Error("an API-key client signed in")
	})
	var calls atomic.Int32
	mux.HandleFunc("/rest/v1/users/me", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		testHeader(t, r, "Authorization", "Bearer "+testKey)
		http.Error(w, `{"status":401,"error":"Unauthorized","message":"API key expired"}`, http.StatusUnauthorized)
	})
	_, _, err := client.Users.Me(t.Context())
	if want := "etlworks: GET /rest/v1/users/me: 401: API key expired"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("request sent %d times, want 1", n)
	}
}

func TestAuth_errorsNeverCarryTheToken(t *testing.T) {
	t.Parallel()
	client, mux, _ := setupLogin(t)
	mux.HandleFunc("/rest/v1/flows/4", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, "bad header %q", r.Header.Get("Authorization"))
	})
	_, _, err := client.Flows.Get(t.Context(), 4)
	if want := `etlworks: GET /rest/v1/flows/4: 400: bad header "Bearer REDACTED"`; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}

// TestLoginRegistersSecrets: the password and each JWT the client obtains are told to the
// Redactor, so no result or log line of the process can echo them.
func TestLoginRegistersSecrets(t *testing.T) {
	var jwt string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/rest/v1/token-auth") {
			jwt = "jwt-" + strings.Repeat("x", 8) + r.URL.Path[len(r.URL.Path)-5:]
			_, _ = w.Write([]byte(`{"token":"` + jwt + `"}`))
			return
		}
		_, _ = w.Write([]byte(`[]`))
	}))
	defer srv.Close()
	red := secrets.NewRedactor()
	c, err := New(srv.URL+"/rest", WithLogin("alice", "Passw0rd-291"), WithRedactor(red))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Flows.List(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if jwt == "" {
		t.Fatal("the client never signed in")
	}
	if out := red.Text("a Passw0rd-291 b " + jwt); strings.Contains(out, "Passw0rd-291") || strings.Contains(out, jwt) {
		t.Errorf("password or JWT not registered: %s", out)
	}
	key := "key-0123456789"
	if _, err := New(srv.URL+"/rest", WithAPIKey(key), WithRedactor(red)); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(red.Text(key), key) {
		t.Error("API key not registered")
	}
}
