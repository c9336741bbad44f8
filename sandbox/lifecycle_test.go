package sandbox

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/demo"
	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

func TestHealth(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	res := h.call("GET", "/health", "", nil)
	var body struct {
		Status string         `json:"status"`
		DB     map[string]any `json:"db"`
		Disk   map[string]any `json:"disk"`
		RAM    map[string]any `json:"ram"`
		CPU    map[string]any `json:"cpu"`
	}
	if res.status != http.StatusOK {
		t.Fatalf("status %d", res.status)
	}
	res.decode(t, &body)
	if body.Status != "UP" || body.DB["status"] != "UP" || body.DB["running.flows"] != float64(0) || body.DB["schema.version"] != float64(schemaVersion) ||
		body.Disk["free.human"] == "" || body.RAM["heap.used"] == nil || body.CPU["processors"] == nil {
		t.Errorf("health = %s", res.body)
	}
	wantError(t, h.call("GET", "/rest/health", "", nil), http.StatusNotFound, "/rest/health")
}

func TestDataDirPersistence(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first, err := New(Options{DataDir: dir, RunStep: testStep})
	if err != nil {
		t.Fatal(err)
	}
	creds := first.Credentials()
	h := &harness{t: t, sb: first, key: creds.APIKey}
	srv := newServer(t, first)
	h.srv = srv
	var f flow
	h.ok("POST", "/rest/v1/flows", newFlowBody("Load returns"), &f)
	if resp := h.syncRun(f.ID, "", nil); resp.Status != codeSuccess {
		t.Fatalf("run = %+v", resp)
	}
	executions := h.count(first.st.db, `SELECT COUNT(*) FROM executions`)
	slow := h.run(1, "?parallel=true", nil) // still running when the sandbox closes
	srv.Close()
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"state.db", demo.WarehouseFile, demo.CRMDatabaseFile, filepath.Join(demo.StagingFolder, "orders.csv")} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}

	second, err := New(Options{DataDir: dir, RunStep: testStep})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if !reflect.DeepEqual(second.Credentials(), creds) {
		t.Errorf("credentials changed across restarts")
	}
	h = &harness{t: t, sb: second, key: creds.APIKey, srv: newServer(t, second)}
	var flows []flow
	h.ok("GET", "/rest/v1/flows?limit=200", nil, &flows)
	if len(flows) != seededFlows+1 || flows[seededFlows].Name != "Load returns" || *flows[seededFlows].LastRunStatus != model.StatusSuccess {
		t.Errorf("after reopen: %d flows", len(flows))
	}
	if n := h.count(second.st.db, `SELECT COUNT(*) FROM executions`); n != executions+1 {
		t.Errorf("executions = %d, want %d (no reseeding)", n, executions+1)
	}
	var e execution
	h.ok("GET", fmt.Sprintf("/rest/v1/executions/1?auditId=%d", slow), nil, &e)
	if e.Status != model.StatusCanceled || e.Ended == nil {
		t.Errorf("a run active at Close = %+v", e)
	}
	if log := h.logOf(1, slow); !strings.Contains(log, "shutting down") {
		t.Errorf("log:\n%s", log)
	}
	if n := h.count(h.warehouse(), `SELECT COUNT(*) FROM returns`); n != 12 {
		t.Errorf("demo database lost its data: %d rows", n)
	}
}

func TestStart(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := Start(ctx, "", Options{RunStep: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") || !strings.HasSuffix(srv.URL, "/rest") || srv.Sandbox.Credentials().URL != srv.URL {
		t.Fatalf("URL %q, credentials URL %q", srv.URL, srv.Sandbox.Credentials().URL)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/v1/users/me", nil)
	req.Header.Set("Authorization", "Bearer "+srv.Sandbox.Credentials().APIKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(b), `"login":"alice"`) {
		t.Fatalf("me: %d %s", res.StatusCode, b)
	}

	// A synchronous run in flight does not hold up shutdown: Close cancels it and the caller gets status 2.
	done := make(chan string, 1)
	go func() {
		req, _ := http.NewRequest("POST", srv.URL+"/v1/flows/1/run?sync=true", nil)
		req.Header.Set("Authorization", "Bearer "+srv.Sandbox.Credentials().APIKey)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- err.Error()
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		done <- string(b)
	}()
	for srv.Sandbox.eng.Running() == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case got := <-done:
		if !strings.Contains(got, `"status":2`) {
			t.Errorf("sync run during shutdown answered %s", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("shutdown hung on a synchronous run")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := http.Get(strings.TrimSuffix(srv.URL, "/rest") + "/health"); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("server still serving after its context ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
