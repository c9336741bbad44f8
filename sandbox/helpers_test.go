package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// testStep paces test runs: fast, but slow enough that a run is observably running for a while.
const testStep = 10 * time.Millisecond

// harness is a sandbox behind an httptest server.
type harness struct {
	t   *testing.T
	sb  *Sandbox
	srv *httptest.Server
	key string // alice's API key
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	if opts.RunStep == 0 {
		opts.RunStep = testStep
	}
	sb, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(func() {
		srv.Close()
		if err := sb.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return &harness{t: t, sb: sb, srv: srv, key: sb.Credentials().APIKey}
}

// newServer serves a sandbox over HTTP for the length of the test.
func newServer(t *testing.T, sb *Sandbox) *httptest.Server {
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	return srv
}

// with returns the harness reporting to t, for use inside a subtest.
func (h *harness) with(t *testing.T) *harness {
	c := *h
	c.t = t
	return &c
}

// response is a decoded HTTP answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// call sends a request; token "" sends no credential; body may be nil, a string or a value to encode.
func (h *harness) call(method, path, token string, body any) response {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		js, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(js)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// ok calls as alice and requires a 200, decoding the body into v when v is not nil.
func (h *harness) ok(method, path string, body, v any) response {
	h.t.Helper()
	res := h.call(method, path, h.key, body)
	if res.status != http.StatusOK {
		h.t.Fatalf("%s %s: status %d, body %s", method, path, res.status, res.body)
	}
	if v != nil {
		res.decode(h.t, v)
	}
	return res
}

// flowID finds a seeded flow by name.
func (h *harness) flowID(name string) int64 {
	h.t.Helper()
	f, err := h.sb.st.flowByName(h.t.Context(), name)
	if err != nil {
		h.t.Fatalf("flow %q: %v", name, err)
	}
	return f.ID
}

// run starts a flow asynchronously and returns its audit id.
func (h *harness) run(flowID int64, query string, params any) int64 {
	h.t.Helper()
	var resp execResponse
	h.ok("POST", fmt.Sprintf("/rest/v1/flows/%d/run%s", flowID, query), params, &resp)
	if resp.Status != codeStarted || resp.AuditID == nil {
		h.t.Fatalf("run flow %d: %+v", flowID, resp)
	}
	return *resp.AuditID
}

// wait polls an execution until it reaches a terminal status.
func (h *harness) wait(flowID, auditID int64) execution {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var e execution
		h.ok("GET", fmt.Sprintf("/rest/v1/executions/%d?auditId=%d", flowID, auditID), nil, &e)
		if model.IsTerminal(e.Status) {
			return e
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("execution %d still %s", auditID, e.Status)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// logOf downloads a run's log as alice.
func (h *harness) logOf(flowID, auditID int64) string {
	h.t.Helper()
	return string(h.ok("GET", fmt.Sprintf("/rest/v1/executions/console/download?flowId=%d&auditId=%d", flowID, auditID), nil, nil).body)
}

// userKey returns the API key of a seeded user.
func (h *harness) userKey(login string) string {
	h.t.Helper()
	u, err := h.sb.st.userByLogin(h.t.Context(), login)
	if err != nil {
		h.t.Fatalf("user %s: %v", login, err)
	}
	return u.APIKey
}

// wantError checks a response is an error of the given status in the standard shape.
func wantError(t *testing.T, res response, status int, path string) errorBody {
	t.Helper()
	if res.status != status {
		t.Fatalf("status = %d, want %d; body %s", res.status, status, res.body)
	}
	var eb errorBody
	res.decode(t, &eb)
	if eb.Status != status || eb.Error != http.StatusText(status) || eb.Message == "" || eb.Path != path {
		t.Errorf("error body = %+v, want status %d, error %q, a message and path %q", eb, status, http.StatusText(status), path)
	}
	if _, err := time.Parse(time.RFC3339, eb.Timestamp); err != nil {
		t.Errorf("timestamp %q is not RFC3339: %v", eb.Timestamp, err)
	}
	return eb
}
