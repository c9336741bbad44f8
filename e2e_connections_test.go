package main

import (
	"bufio"
	"bytes"
	"io"
	"log/slog"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/config"
)

// sandboxProcess runs `etlworks-mcp sandbox` as a separate process, the way a user tries the API,
// and returns what it prints: the REST base, alice's API key and the CRM database's password.
func sandboxProcess(t *testing.T) (url, apiKey, crmPassword string) {
	t.Helper()
	cmd := exec.Command(binary, "sandbox", "--addr", "127.0.0.1:0")
	cmd.Env = []string{"HOME=" + t.TempDir()}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	patterns := map[string]*regexp.Regexp{
		"url": regexp.MustCompile(`^Etlworks sandbox API at (\S+)$`),
		"key": regexp.MustCompile(`^\s*API key:\s+(\S+)$`),
		"crm": regexp.MustCompile(`^\s*CRM database password.*:\s+(\S+)$`),
	}
	found := make(chan map[string]string, 1)
	go func() {
		got := map[string]string{}
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			for name, re := range patterns {
				if m := re.FindStringSubmatch(sc.Text()); m != nil {
					got[name] = m[1]
				}
			}
			if len(got) == len(patterns) {
				found <- got
				break
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case got := <-found:
		return got["url"], got["key"], got["crm"]
	case <-time.After(30 * time.Second):
		t.Fatal("the sandbox command did not print its URL, API key and CRM password")
	}
	return "", "", ""
}

// TestConnectionsEndToEnd is the repair story of the connections and explorer toolsets, over
// stdio against a separately started sandbox (so through ETLWORKS_URL and ETLWORKS_API_KEY, as
// with a real Etlworks): the CRM connection fails its test, its password is fixed, "Sync CRM
// customers" then succeeds, and run_sql sees the synced rows in the warehouse.
func TestConnectionsEndToEnd(t *testing.T) {
	t.Parallel()
	url, key, crmPassword := sandboxProcess(t)
	var stderr bytes.Buffer
	s := stdioSession(t, []string{"ETLWORKS_URL=" + url, "ETLWORKS_API_KEY=" + key})

	text, isErr := s.call("test_connection", map[string]any{"connection": "CRM database"}, false)
	if isErr || !strings.Contains(text, `"ok":false`) || !strings.Contains(strings.ToLower(text), "authentication") {
		t.Fatalf("test_connection before the fix: %s", text)
	}
	text, isErr = s.call("run_sql", map[string]any{"connection": "Warehouse", "sql": "SELECT count(*) AS n FROM customers"}, false)
	if isErr || !strings.HasSuffix(text, "\nn\n47\n</"+fenceTag(text)+">") {
		t.Fatalf("warehouse before the sync: %q", text)
	}

	text, isErr = s.call("update_connection", map[string]any{"connection": "CRM database", "properties": map[string]any{"password": crmPassword}}, false)
	if isErr || !strings.Contains(text, `"password":"changed (secret)"`) || !strings.Contains(text, `"updated":true`) {
		t.Fatalf("update_connection: %s", text)
	}
	if strings.Contains(text, crmPassword) {
		t.Fatalf("update_connection echoed the password: %s", text)
	}
	text, isErr = s.call("test_connection", map[string]any{"connection": "CRM database"}, false)
	if isErr || !strings.Contains(text, `"ok":true`) {
		t.Fatalf("test_connection after the fix: %s", text)
	}

	text, isErr = s.call("run_flow", map[string]any{"flow": "Sync CRM customers", "wait": true, "timeout_seconds": 120}, false)
	if isErr || !strings.Contains(text, `"status":"success"`) {
		t.Fatalf("run_flow Sync CRM customers: %s", text)
	}

	text, isErr = s.call("run_sql", map[string]any{"connection": "Warehouse",
		"sql": "SELECT customer_id, first_name FROM customers ORDER BY customer_id DESC LIMIT 3"}, false)
	if isErr || !strings.HasPrefix(text, "3 rows\n") || !strings.Contains(text, "<"+fenceTag(text)+">\ncustomer_id,first_name\n1050,") || !strings.Contains(text, "\n1048,") {
		t.Fatalf("the newest CRM customers are not in the warehouse: %q", text)
	}
	text, _ = s.call("run_sql", map[string]any{"connection": "Warehouse", "sql": "SELECT count(*) AS n FROM customers"}, false)
	if !strings.HasSuffix(text, "\nn\n50\n</"+fenceTag(text)+">") {
		t.Errorf("warehouse after the sync: %q", text)
	}
	text, isErr = s.call("run_sql", map[string]any{"connection": "Warehouse", "sql": "DELETE FROM customers"}, false)
	if !isErr || !strings.Contains(text, "--allow-sql-writes") {
		t.Errorf("a write without --allow-sql-writes: %s", text)
	}
	if strings.Contains(stderr.String(), crmPassword) || strings.Contains(stderr.String(), key) {
		t.Error("the server's log shows a secret")
	}
}

// TestSQLWritesFlag: --allow-sql-writes turns run_sql into a destructive tool that takes a
// confirm_token, and --read-only wins over it (run_sql stays, read-only).
func TestSQLWritesFlag(t *testing.T) {
	t.Parallel()
	api, err := client.New("http://127.0.0.1:9/rest", client.WithAPIKey("unused"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		readOnly, allow, wantDestructive bool
	}{{false, false, false}, {false, true, true}, {true, true, false}} {
		cfg := config.Config{ReadOnly: c.readOnly, AllowSQLWrites: c.allow, LogLevel: "info", LogFormat: "text"}
		srv, _ := newMCPServer(t.Context(), cfg, api, slog.New(slog.DiscardHandler), nil, nil)
		tool, ok := srv.ListTools()["run_sql"]
		if !ok {
			t.Fatalf("%+v: no run_sql", c)
		}
		a := tool.Tool.Annotations
		destructive := *a.DestructiveHint && !*a.ReadOnlyHint && strings.Contains(string(tool.Tool.RawInputSchema), "confirm_token")
		if destructive != c.wantDestructive {
			t.Errorf("read-only %v, allow %v: run_sql destructive = %v, want %v", c.readOnly, c.allow, destructive, c.wantDestructive)
		}
	}
}

// fenceTag returns the boundary of the data fence in a result ("" when there is none), so tests
// can check the content inside it.
func fenceTag(text string) string {
	_, rest, ok := strings.Cut(text, "\n<data-")
	if !ok {
		return ""
	}
	tag, _, _ := strings.Cut(rest, ">")
	return "data-" + tag
}
