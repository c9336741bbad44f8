package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/etlworks/etlworks-mcp/sandbox"
)

// demoSandbox starts a sandbox in the test process, so the test knows every demo user's key.
func demoSandbox(t *testing.T) (*sandbox.Server, map[string]string) {
	t.Helper()
	sb, err := sandbox.Start(t.Context(), "", sandbox.Options{RunStep: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	keys := map[string]string{}
	for _, u := range sb.Sandbox.Credentials().Users {
		keys[u.Login] = u.APIKey
	}
	return sb, keys
}

// authServer is the binary serving /mcp, with what it wrote to stderr.
type authServer struct {
	url    string // the /mcp endpoint, as the start-up line prints it
	banner string
	stderr *lockedBuffer
	hc     *http.Client
}

// startAuthServer starts the binary with args and env and waits for its start-up line.
func startAuthServer(t *testing.T, env []string, args ...string) *authServer {
	t.Helper()
	cmd := newCommand(t, args...)
	cmd.Env = append(cmd.Env, env...)
	s := &authServer{stderr: &lockedBuffer{}, hc: http.DefaultClient}
	pr, pw := io.Pipe()
	cmd.Stderr = io.MultiWriter(s.stderr, pw)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopGracefully(cmd); pw.Close() })
	s.banner = waitForLine(t, pr, regexp.MustCompile(`serving MCP over streamable HTTP at .*`))
	s.url = regexp.MustCompile(`https?://127\.0\.0\.1:\d+/mcp`).FindString(s.banner)
	return s
}

// session connects an MCP client sending key as its bearer credential ("" sends none).
func (s *authServer) session(t *testing.T, key string) *session {
	t.Helper()
	opts := []transport.StreamableHTTPCOption{transport.WithHTTPBasicClient(s.hc)}
	if key != "" {
		opts = append(opts, transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + key}))
	}
	c, err := mcpclient.NewStreamableHttpClient(s.url, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return connectSession(t, c)
}

// post sends one initialize with the Authorization header given ("" for none).
func (s *authServer) post(t *testing.T, url, authorization string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	res, err := s.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// selfSignedFiles writes a certificate for 127.0.0.1 and its key, and returns a client trusting it.
func selfSignedFiles(t *testing.T) (certFile, keyFile string, hc *http.Client) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(42), Subject: pkix.Name{CommonName: "etlworks-mcp e2e"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	kb, err := x509.MarshalECPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// runID starts a flow without waiting and returns the run id.
func (s *session) runID(flow string) int64 {
	s.t.Helper()
	var run struct {
		RunID int64 `json:"run_id"`
	}
	s.okJSON("run_flow", map[string]any{"flow": flow}, &run)
	if run.RunID == 0 {
		s.t.Fatalf("run_flow %s gave no run_id", flow)
	}
	return run.RunID
}

// TestForwardAuthTwoUsers shares one --http-auth forward server (over TLS, with a self-signed
// certificate) between the demo users: each acts as themselves in Etlworks, a confirmation issued
// to one does not confirm for another, a Viewer's run is refused naming the role it needs, calls
// beyond --max-calls-per-user are refused, and requests without a good key get 401.
func TestForwardAuthTwoUsers(t *testing.T) {
	t.Parallel()
	sb, keys := demoSandbox(t)
	certFile, keyFile, hc := selfSignedFiles(t)
	srv := startAuthServer(t, []string{"ETLWORKS_URL=" + sb.URL},
		"--http", "127.0.0.1:0", "--http-auth", "forward", "--tls-cert", certFile, "--tls-key", keyFile, "--max-calls-per-user", "1")
	srv.hc = hc
	if !strings.HasPrefix(srv.url, "https://") || !strings.Contains(srv.banner, "auth forward") {
		t.Fatalf("start-up line: %s", srv.banner)
	}

	res := srv.post(t, srv.url, "")
	if res.StatusCode != http.StatusUnauthorized || res.Header.Get("WWW-Authenticate") != `Bearer realm="etlworks-mcp"` {
		t.Errorf("no key: %d %q", res.StatusCode, res.Header.Get("WWW-Authenticate"))
	}
	if res := srv.post(t, srv.url, "Bearer not-an-etlworks-key"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("bad key: %d", res.StatusCode)
	}
	health, err := hc.Get(strings.TrimSuffix(srv.url, "/mcp") + "/healthz")
	if err != nil || health.StatusCode != http.StatusOK {
		t.Fatalf("/healthz without a key: %v %v", err, health)
	}
	health.Body.Close()

	alice, bob, victor := srv.session(t, keys["alice"]), srv.session(t, keys["bob"]), srv.session(t, keys["victor"])
	runs := map[string][2]any{"alice": {"Load orders from CSV", alice.runID("Load orders from CSV")},
		"bob": {"Load product catalog", bob.runID("Load product catalog")}}
	for who, run := range runs {
		text := alice.ok("get_run", map[string]any{"flow": run[0], "run_id": run[1]})
		if !strings.Contains(text, `"`+who+`"`) {
			t.Errorf("run %d started by %s is recorded as: %s", run, who, text)
		}
	}

	del := map[string]any{"flow": "Daily revenue rollup"}
	token := alice.confirmToken("delete_flow", del)
	if msg := bob.fails("delete_flow", plus(del, token)); !strings.Contains(msg, "another caller's key") {
		t.Errorf("bob used alice's confirmation: %s", msg)
	}
	alice.ok("delete_flow", plus(del, token))

	msg := victor.fails("run_flow", map[string]any{"flow": "Load orders from CSV"})
	for _, want := range []string{"victor", "Viewer", "Operator role or higher"} {
		if !strings.Contains(msg, want) {
			t.Errorf("victor's refused run does not name %q: %s", want, msg)
		}
	}
	if msg := bob.fails("upload_file", map[string]any{"connection": "Staging files", "path": "/etc/hostname"}); !strings.Contains(msg, "stdio") {
		t.Errorf("a local path over HTTP: %s", msg)
	}

	// bob's waiting run_flow holds his one call slot: his next call is refused, alice's is not.
	done := make(chan string, 1)
	go func() {
		text, _ := bob.call("run_flow", map[string]any{"flow": "Nightly warehouse refresh", "wait": true, "timeout_seconds": 60}, true)
		done <- text
	}()
	for bob.progressCount() == 0 {
		select {
		case text := <-done:
			t.Fatalf("bob's run finished before it reported progress: %s", text)
		case <-time.After(5 * time.Millisecond):
		}
	}
	second, isErr := bob.call("list_flows", map[string]any{}, false)
	alice.ok("list_flows", map[string]any{})
	if text := <-done; !strings.Contains(text, `"status"`) {
		t.Errorf("bob's waiting run: %s", text)
	}
	if !isErr || !strings.Contains(second, "--max-calls-per-user") {
		t.Errorf("bob's call beyond his limit: %v %s", isErr, second)
	}

	// A client of the stateless protocol sends the key with every request, and acts as its user too.
	c, err := mcpclient.NewStreamableHttpClient(srv.url, transport.WithHTTPBasicClient(hc),
		transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + keys["carol"]}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Initialize(t.Context(), mcp.InitializeRequest{}); err != nil {
		t.Fatalf("initialize: %v", err)
	}
	t.Logf("carol negotiated protocol %s", c.ProtocolVersion())
	carol := &session{t: t, c: c}
	if run := carol.runID("Export revenue report"); !strings.Contains(alice.ok("get_run", map[string]any{"flow": "Export revenue report", "run_id": run}), `"carol"`) {
		t.Errorf("carol's run (protocol %s) is not recorded under her login", c.ProtocolVersion())
	}

	for login, key := range keys {
		if strings.Contains(srv.stderr.String(), key) {
			t.Errorf("%s's key is in the server's log", login)
		}
	}
}

// TestTokenAuthEndToEnd serves the sandbox with --http-auth token: the right token works, a wrong
// one or none gets 401, and the token never shows in the log.
func TestTokenAuthEndToEnd(t *testing.T) {
	t.Parallel()
	token := strings.Repeat("0123456789abcdef", 3)
	srv := startAuthServer(t, []string{"ETLWORKS_MCP_TOKEN=" + token}, "--sandbox", "--http", "127.0.0.1:0", "--http-auth", "token")
	if !strings.Contains(srv.banner, "auth token") {
		t.Errorf("start-up line: %s", srv.banner)
	}
	for _, auth := range []string{"", "Bearer " + token + "x", "Bearer " + token[:32]} {
		if res := srv.post(t, srv.url, auth); res.StatusCode != http.StatusUnauthorized || res.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("Authorization %q: %d", auth, res.StatusCode)
		}
	}
	if text := srv.session(t, token).ok("list_flows", map[string]any{}); !strings.Contains(text, "Load orders from CSV") {
		t.Errorf("list_flows with the token: %s", text)
	}
	if strings.Contains(srv.stderr.String(), token) {
		t.Error("the token is in the server's log")
	}
}

// TestHTTPAuthRefusedStarts checks the combinations that would expose Etlworks stop the server at
// start with a message saying what to use instead.
func TestHTTPAuthRefusedStarts(t *testing.T) {
	t.Parallel()
	cases := []struct {
		env  []string
		args []string
		want []string
	}{
		{nil, []string{"--sandbox", "--http", "0.0.0.0:0", "--allow-remote"}, []string{"--http-auth", "forward", "token"}},
		{nil, []string{"--sandbox", "--http", "0.0.0.0:0", "--allow-remote", "--http-auth", "none"}, []string{"forward", "token"}},
		{[]string{"ETLWORKS_URL=https://app.etlworks.com/rest"}, []string{"--http", "0.0.0.0:0", "--allow-remote", "--http-auth", "forward"},
			[]string{"clear text", "--tls-cert", "--behind-tls-proxy"}},
	}
	for _, tc := range cases {
		cmd := newCommand(t, tc.args...)
		cmd.Env = append(cmd.Env, tc.env...)
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != exitUsage {
			t.Errorf("%v: %v, want exit %d\n%s", tc.args, err, exitUsage, out)
			continue
		}
		for _, want := range tc.want {
			if !strings.Contains(string(out), want) {
				t.Errorf("%v: the refusal does not mention %q: %s", tc.args, want, out)
			}
		}
	}
}
