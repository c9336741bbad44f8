package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const (
	// baseURLPath is where the test server mounts the API, as Etlworks does under /rest. Every
	// handler is registered with it spelled out, so a method that builds an absolute path (and so
	// drops the base) hits the catch-all handler and fails the test.
	baseURLPath = "/rest"
	// testKey is the API key setup authenticates with; tests search error text for it.
	testKey = "test-api-key-7f3c9a01"
)

// setup starts a test server and returns a client for it, the mux to register handlers on (with
// full paths: "/rest/v1/…" for the API, "/health" for the root) and the server URL. The client
// authenticates with testKey and does not retry unless opts say otherwise. It talks through the
// server's own transport: http.DefaultTransport is shared, and every httptest.Server.Close closes
// its idle connections, which breaks requests of tests running in parallel.
func setup(t *testing.T, opts ...Option) (client *Client, mux *http.ServeMux, serverURL string) {
	t.Helper()
	mux = http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request %s %s (is the base path %q honoured?)", r.Method, r.URL.Path, baseURLPath)
		http.Error(w, "no handler for "+r.URL.Path, http.StatusTeapot)
	})
	server := httptest.NewServer(mux)
	t.Cleanup(server.Close)
	opts = append([]Option{WithAPIKey(testKey), WithRetries(0, 0), WithHTTPClient(server.Client())}, opts...)
	client, err := New(server.URL+baseURLPath, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return client, mux, server.URL
}

// values is a compact url.Values for one-valued parameters.
type values map[string]string

func testMethod(t *testing.T, r *http.Request, want string) {
	t.Helper()
	if got := r.Method; got != want {
		t.Errorf("request method: %v, want %v", got, want)
	}
}

func testHeader(t *testing.T, r *http.Request, header, want string) {
	t.Helper()
	if got := r.Header.Get(header); got != want {
		t.Errorf("header %s: %q, want %q", header, got, want)
	}
}

// testFormValues checks that the query string holds exactly want.
func testFormValues(t *testing.T, r *http.Request, want values) {
	t.Helper()
	w := url.Values{}
	for k, v := range want {
		w.Set(k, v)
	}
	if got := r.URL.Query(); !reflect.DeepEqual(got, w) && !(len(got) == 0 && len(w) == 0) {
		t.Errorf("query: %v, want %v", got, w)
	}
}

// testJSONBody checks that the body is JSON equal to want (key order and spacing aside).
func testJSONBody(t *testing.T, r *http.Request, want string) {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	var got, w any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Errorf("body %q is not JSON: %v", b, err)
		return
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want %q: %v", want, err)
	}
	if !reflect.DeepEqual(got, w) {
		t.Errorf("body: %s, want %s", b, want)
	}
}

// testNoBody checks that a request carries neither a body nor a Content-Type.
func testNoBody(t *testing.T, r *http.Request) {
	t.Helper()
	b, _ := io.ReadAll(r.Body)
	if len(b) != 0 {
		t.Errorf("body: %q, want none", b)
	}
	testHeader(t, r, "Content-Type", "")
}

// testAPIHeaders checks the headers every authenticated JSON call sends.
func testAPIHeaders(t *testing.T, r *http.Request) {
	t.Helper()
	testHeader(t, r, "Authorization", "Bearer "+testKey)
	testHeader(t, r, "Accept", "application/json")
	testHeader(t, r, "User-Agent", "etlworks-mcp")
}

// testJSONEqual compares two JSON texts by value.
func testJSONEqual(t *testing.T, name string, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: %q is not JSON: %v", name, got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: bad want: %v", name, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s: %s, want %s", name, got, want)
	}
}

// apiErrorOf returns the *APIError err wraps, failing the test when there is none.
func apiErrorOf(t *testing.T, err error) *APIError {
	t.Helper()
	var e *APIError
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *APIError", err, err)
	}
	return e
}

// roundTripFunc is an http.RoundTripper for tests that need no network (synctest bubbles).
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// fakeResponse builds a response for roundTripFunc.
func fakeResponse(r *http.Request, status int, header http.Header, body string) *http.Response {
	if header == nil {
		header = http.Header{}
	}
	return &http.Response{
		StatusCode: status,
		Status:     fmt.Sprintf("%d %s", status, http.StatusText(status)),
		Header:     header,
		Body:       io.NopCloser(strings.NewReader(body)),
		Request:    r,
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	c, err := New("https://app.etlworks.com/rest/", WithAPIKey("k"))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if got, want := c.BaseURL(), "https://app.etlworks.com/rest"; got != want {
		t.Errorf("BaseURL: %q, want %q", got, want)
	}
	if got, want := c.root.String(), "https://app.etlworks.com/"; got != want {
		t.Errorf("root: %q, want %q", got, want)
	}
	if c.Flows == nil || c.Executions == nil || c.Users == nil || c.System == nil {
		t.Error("a service is nil")
	}
	if c.timeout != DefaultTimeout || c.userAgent != "etlworks-mcp" || c.maxLogSize != 32<<20 {
		t.Errorf("defaults: timeout %s, user agent %q, max log %d", c.timeout, c.userAgent, c.maxLogSize)
	}

	c, err = New("http://etl.internal:8080/etl/rest", WithLogin("u", "p"))
	if err != nil {
		t.Fatalf("New on-prem: %v", err)
	}
	if got, want := c.root.String(), "http://etl.internal:8080/etl/"; got != want {
		t.Errorf("on-prem root: %q, want %q", got, want)
	}
}

func TestNew_errors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		baseURL string
		opts    []Option
		want    string // substring of the error
	}{
		{"empty URL", "", []Option{WithAPIKey("k")}, "must be an absolute http(s) URL"},
		{"no scheme", "app.etlworks.com/rest", []Option{WithAPIKey("k")}, "must be an absolute http(s) URL"},
		{"ftp scheme", "ftp://app.etlworks.com/rest", []Option{WithAPIKey("k")}, "must be an absolute http(s) URL"},
		{"no host", "https:///rest", []Option{WithAPIKey("k")}, "must be an absolute http(s) URL"},
		{"unparsable", "http://[::1/rest", []Option{WithAPIKey("k")}, "must be an absolute http(s) URL"},
		{"query string", "https://app.etlworks.com/rest?tenant=1", []Option{WithAPIKey("k")}, "must be an absolute http(s) URL"},
		{"fragment", "https://app.etlworks.com/rest#top", []Option{WithAPIKey("k")}, "must be an absolute http(s) URL"},
		{"no credentials", "https://app.etlworks.com/rest", nil, "no credentials"},
		{"empty key", "https://app.etlworks.com/rest", []Option{WithAPIKey("")}, "API key is empty"},
		{"blank key", "https://app.etlworks.com/rest", []Option{WithAPIKey(" \t")}, "API key is empty"},
		{"no password", "https://app.etlworks.com/rest", []Option{WithLogin("alice", "")}, "login and password are both required"},
		{"no login", "https://app.etlworks.com/rest", []Option{WithLogin("", "pw")}, "login and password are both required"},
		{"nil http client", "https://app.etlworks.com/rest", []Option{WithAPIKey("k"), WithHTTPClient(nil)}, "nil http.Client"},
		{"zero timeout", "https://app.etlworks.com/rest", []Option{WithAPIKey("k"), WithTimeout(0)}, "timeout must be positive"},
		{"negative retries", "https://app.etlworks.com/rest", []Option{WithAPIKey("k"), WithRetries(-1, time.Second)}, "must not be negative"},
		{"negative delay", "https://app.etlworks.com/rest", []Option{WithAPIKey("k"), WithRetries(1, -time.Second)}, "must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := New(tt.baseURL, tt.opts...)
			if err == nil {
				t.Fatalf("New(%q) = %v, want an error", tt.baseURL, c.BaseURL())
			}
			if c != nil {
				t.Error("New returned a client with its error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestClient_headers(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t, WithUserAgent("etlworks-mcp/1.2.3"))
	mux.HandleFunc("/rest/v1/users/me", func(w http.ResponseWriter, r *http.Request) {
		testHeader(t, r, "Authorization", "Bearer "+testKey)
		testHeader(t, r, "Accept", "application/json")
		testHeader(t, r, "User-Agent", "etlworks-mcp/1.2.3")
		fmt.Fprint(w, `{}`)
	})
	if _, _, err := client.Users.Me(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func TestClient_refusesDotSegments(t *testing.T) {
	t.Parallel()
	client, _, _ := setup(t)
	for _, p := range []string{"v1/../health", "v1/./flows", ".."} {
		_, err := client.do(t.Context(), &request{method: http.MethodGet, path: p}, nil)
		if err == nil || !strings.Contains(err.Error(), "refusing path") {
			t.Errorf("path %q: error %v, want a refusal", p, err)
		}
	}
}

func TestClient_decodeError(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/v1/flows/1/documentation", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"documentation": 12`)
	})
	doc, resp, err := client.Flows.Documentation(t.Context(), 1)
	if err == nil || !strings.Contains(err.Error(), "GET /rest/v1/flows/1/documentation answered 200 with malformed JSON") {
		t.Errorf("error %v, want a decode error naming the call", err)
	}
	if doc != nil {
		t.Errorf("doc = %+v, want nil on error", doc)
	}
	if resp == nil || resp.StatusCode != http.StatusOK {
		t.Errorf("resp = %v, want the 200 response", resp)
	}
}

func TestClient_noContent(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/v1/flows/3/stop", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	got, resp, err := client.Flows.Stop(t.Context(), 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	if *got != (FlowExecution{}) || resp.StatusCode != http.StatusNoContent || resp.Total != -1 {
		t.Errorf("got %+v, status %d, total %d", got, resp.StatusCode, resp.Total)
	}
}

func TestClient_timeout(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t, WithTimeout(50*time.Millisecond), WithRetries(3, time.Millisecond))
	var calls atomic.Int32
	mux.HandleFunc("/rest/v1/flows/5", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		select {
		case <-r.Context().Done():
		case <-time.After(3 * time.Second):
		}
	})
	start := time.Now()
	_, _, err := client.Flows.Get(t.Context(), 5)
	if err == nil {
		t.Fatal("no error from a server that never answers")
	}
	if want := "client: GET /rest/v1/flows/5: no answer within 50ms"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if errors.Is(err, context.Canceled) {
		t.Error("a client timeout reads as the caller's cancellation")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s, want about 50ms", d)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("server called %d times, want 1 (a timeout is not retried)", n)
	}
}

func TestClient_callerContext(t *testing.T) {
	t.Parallel()

	t.Run("cancelled before the call", func(t *testing.T) {
		t.Parallel()
		client, mux, _ := setup(t)
		mux.HandleFunc("/rest/v1/flows/5", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{}`) })
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		raw, _, err := client.Flows.Get(ctx, 5)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
		if raw != nil {
			t.Errorf("raw = %s, want nil", raw)
		}
	})

	t.Run("cancelled while waiting", func(t *testing.T) {
		t.Parallel()
		client, mux, _ := setup(t)
		arrived := make(chan struct{})
		mux.HandleFunc("/rest/v1/flows/5", func(w http.ResponseWriter, r *http.Request) {
			close(arrived)
			select {
			case <-r.Context().Done():
			case <-time.After(3 * time.Second):
			}
		})
		ctx, cancel := context.WithCancel(t.Context())
		go func() { <-arrived; cancel() }()
		_, _, err := client.Flows.Get(ctx, 5)
		if err != context.Canceled {
			t.Errorf("error %v, want exactly context.Canceled", err)
		}
	})

	t.Run("caller deadline", func(t *testing.T) {
		t.Parallel()
		client, mux, _ := setup(t)
		mux.HandleFunc("/rest/v1/flows/5", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(3 * time.Second):
			}
		})
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		_, _, err := client.Flows.Get(ctx, 5)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error %v, want context.DeadlineExceeded", err)
		}
	})
}

func TestClient_transportError(t *testing.T) {
	t.Parallel()
	server := httptest.NewServer(http.NotFoundHandler())
	serverURL, hc := server.URL, server.Client()
	server.Close() // nothing listens any more
	client, err := New(serverURL+"/rest", WithAPIKey(testKey), WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = client.Executions.Log(t.Context(), 3, 7)
	if err == nil {
		t.Fatal("no error from a closed server")
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "client: GET /rest/v1/executions/console/download?") || strings.Contains(msg, testKey) {
		t.Errorf("error %q: want the sanitized call and no key", msg)
	}
}

func TestClient_debugLogCarriesNoSecret(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client, mux, _ := setup(t, WithLogger(logger), WithRetries(1, time.Millisecond))
	var calls atomic.Int32
	mux.HandleFunc("/rest/v1/executions/console/download", func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "log line\n")
	})
	if _, _, err := client.Executions.Log(t.Context(), 3, 7); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, testKey) {
		t.Errorf("debug log carries the key:\n%s", out)
	}
	for _, want := range []string{"etlworks request", "retrying request", "status=503", "status=200", "Authorization=REDACTED"} {
		if !strings.Contains(out, want) {
			t.Errorf("debug log lacks %q:\n%s", want, out)
		}
	}
}
