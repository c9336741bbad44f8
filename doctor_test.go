package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/etlworks/etlworks-mcp/sandbox"
)

func startSandbox(t *testing.T) *sandbox.Server {
	t.Helper()
	sb, err := sandbox.Start(t.Context(), "", sandbox.Options{RunStep: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	return sb
}

func TestDoctorOnSandboxWithReport(t *testing.T) {
	report := filepath.Join(t.TempDir(), "report.json")
	code, out, errOut := runMain(t, nil, "doctor", "--sandbox", "--report", report)
	if code != 0 {
		t.Fatalf("exit %d:\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"ok    configuration", "ok    url", "ok    tls", "ok    credential", "role Administrator",
		"ok    health", "ok    explorer", "ok    report", "The server can serve."} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Endpoints []struct {
			Method, Path string
			Called       bool
			Status       int
			Fields       []string
		}
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	var flows []string
	for _, e := range rep.Endpoints {
		if e.Method == "GET" && e.Path == "v1/flows" {
			flows = e.Fields
		}
		if e.Called && e.Method != "GET" {
			t.Errorf("the report called %s %s, which changes data", e.Method, e.Path)
		}
	}
	if !strings.Contains(strings.Join(flows, ","), "[].name") {
		t.Errorf("the flow list's field names are missing: %v", flows)
	}
	for _, value := range []string{"Load orders from CSV", "alice", "Warehouse", "127.0.0.1", "acme-retail"} {
		if strings.Contains(string(b), value) {
			t.Errorf("the report carries the value %q", value)
		}
	}
}

func TestDoctorWrongKey(t *testing.T) {
	sb := startSandbox(t)
	env := map[string]string{"ETLWORKS_URL": sb.URL, "ETLWORKS_API_KEY": "not-the-key-1234567890"}
	code, out, _ := runMain(t, env, "doctor")
	if code != 1 || !strings.Contains(out, "FAIL  credential") || !strings.Contains(out, "rejected the API key (401") ||
		!strings.Contains(out, "Check ETLWORKS_API_KEY") || strings.Contains(out, "not-the-key") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

func TestDoctorNotEtlworks(t *testing.T) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<!doctype html><html><body>Welcome</body></html>"))
	}))
	t.Cleanup(web.Close)
	code, out, _ := runMain(t, map[string]string{"ETLWORKS_URL": web.URL + "/rest", "ETLWORKS_API_KEY": "k"}, "doctor")
	if code != 1 || !strings.Contains(out, "FAIL  url") || !strings.Contains(out, "HTML page") || !strings.Contains(out, "ending in /rest") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	code, out, _ = runMain(t, nil, "doctor")
	if code != 1 || !strings.Contains(out, "FAIL  configuration") {
		t.Fatalf("no configuration: exit %d:\n%s", code, out)
	}
}

// TestRejectedKeyFirstCall: initialize completes with a wrong key, and the first tool call says
// the key was rejected and what to check.
func TestRejectedKeyFirstCall(t *testing.T) {
	sb := startSandbox(t)
	c, err := mcpclient.NewStdioMCPClient(binary, []string{"HOME=" + t.TempDir(), "ETLWORKS_URL=" + sb.URL, "ETLWORKS_API_KEY=wrong-key-0987654321"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	s := connectSession(t, c)
	text, isErr := s.call("get_run", map[string]any{"flow": 1}, false)
	if !isErr || !strings.Contains(text, "rejected the API key (401") || !strings.Contains(text, "Check ETLWORKS_API_KEY") ||
		strings.Contains(text, "wrong-key") {
		t.Fatalf("first call: %v %s", isErr, text)
	}
}

// TestInstanceResource reads etlworks://instance over the protocol.
func TestInstanceResource(t *testing.T) {
	s := stdioSession(t, nil, "--sandbox")
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	res, err := s.c.ReadResource(ctx, mcp.ReadResourceRequest{Params: mcp.ReadResourceParams{URI: "etlworks://instance"}})
	if err != nil {
		t.Fatal(err)
	}
	text := res.Contents[0].(mcp.TextResourceContents).Text
	for _, want := range []string{`"role":"Administrator"`, `"health":{"status":"UP"`, `"name":"explorer"`, `"access":"accepted"`} {
		if !strings.Contains(text, want) {
			t.Errorf("instance resource lacks %s:\n%s", want, text)
		}
	}
}
