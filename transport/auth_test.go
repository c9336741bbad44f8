package transport

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

func TestBearerAuthGate(t *testing.T) {
	t.Parallel()
	type who struct{}
	s := newStub()
	s.AddTool(mcp.NewTool("whoami", mcp.WithDescription("Report the caller from the context.")),
		func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			name, _ := ctx.Value(who{}).(string)
			return mcp.NewToolResultText("caller " + name), nil
		})
	auth := &BearerAuth{Want: "your key", Check: func(ctx context.Context, cred string) (context.Context, error) {
		switch cred {
		case "alice-key":
			return context.WithValue(ctx, who{}, "alice"), nil
		case "flaky-key":
			return ctx, fmt.Errorf("upstream down: %w", ErrCannotVerify)
		}
		return ctx, errors.New("the key was rejected")
	}}
	srv := httptest.NewServer(NewHTTPHandler(s, HTTPOptions{Auth: auth}))
	defer srv.Close()

	r := send(t, http.MethodPost, srv.URL+MCPPath, nil, strings.NewReader(initBody))
	if r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") != `Bearer realm="etlworks-mcp"` ||
		!strings.Contains(r.body, "Authorization: Bearer <your key>") {
		t.Errorf("no credential: %d %q %s", r.status, r.header.Get("WWW-Authenticate"), r.body)
	}
	r = send(t, http.MethodPost, srv.URL+MCPPath, map[string]string{"Authorization": "Bearer mallory-key"}, strings.NewReader(initBody))
	if r.status != http.StatusUnauthorized || !strings.Contains(r.header.Get("WWW-Authenticate"), `error="invalid_token"`) ||
		!strings.Contains(r.body, "rejected") || strings.Contains(r.body, "mallory-key") {
		t.Errorf("bad credential: %d %q %s", r.status, r.header.Get("WWW-Authenticate"), r.body)
	}
	r = send(t, http.MethodPost, srv.URL+MCPPath, map[string]string{"Authorization": "Bearer flaky-key"}, strings.NewReader(initBody))
	if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" {
		t.Errorf("unverifiable credential: %d %s", r.status, r.body)
	}
	if r := send(t, http.MethodGet, srv.URL+HealthPath, nil, nil); r.status != http.StatusOK {
		t.Errorf("/healthz needs a credential: %d", r.status)
	}
	alice := map[string]string{"Authorization": "bearer alice-key"}
	r = send(t, http.MethodPost, srv.URL+MCPPath, alice, strings.NewReader(initBody))
	session := r.header.Get("Mcp-Session-Id")
	if r.status != http.StatusOK || session == "" {
		t.Fatalf("initialize with a credential: %d %s", r.status, r.body)
	}
	alice["Mcp-Session-Id"], alice["MCP-Protocol-Version"] = session, "2025-11-25"
	r = send(t, http.MethodPost, srv.URL+MCPPath, alice,
		strings.NewReader(`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"whoami"}}`))
	if r.status != http.StatusOK || !strings.Contains(r.body, "caller alice") {
		t.Errorf("the check's context did not reach the tool: %d %s", r.status, r.body)
	}
	delete(alice, "Authorization")
	r = send(t, http.MethodPost, srv.URL+MCPPath, alice,
		strings.NewReader(`{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"whoami"}}`))
	if r.status != http.StatusUnauthorized {
		t.Errorf("a session id stood in for the credential: %d %s", r.status, r.body)
	}
}

func TestTokenAuth(t *testing.T) {
	t.Parallel()
	a := TokenAuth("s3cret-token-of-at-least-32-bytes!")
	if _, err := a.Check(t.Context(), "s3cret-token-of-at-least-32-bytes!"); err != nil {
		t.Errorf("the right token: %v", err)
	}
	for _, wrong := range []string{"", "s3cret", "s3cret-token-of-at-least-32-bytes?", "s3cret-token-of-at-least-32-bytes!!"} {
		if _, err := a.Check(t.Context(), wrong); err == nil || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("token %q: %v", wrong, err)
		}
	}
}

// writeSelfSigned writes a certificate for 127.0.0.1 and its key, returning the paths and a pool
// that trusts it.
func writeSelfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "etlworks-mcp test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestServeHTTPS(t *testing.T) {
	t.Parallel()
	certFile, keyFile, pool := writeSelfSigned(t)
	base, _ := startHTTP(t, HTTPOptions{TLSCert: certFile, TLSKey: keyFile})
	base = strings.Replace(base, "http://", "https://", 1)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := hc.Get(base + HealthPath)
	if err != nil {
		t.Fatalf("HTTPS /healthz: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil {
		t.Errorf("HTTPS /healthz: %d, TLS %v", resp.StatusCode, resp.TLS != nil)
	}
	plain, err := http.Get(strings.Replace(base, "https://", "http://", 1) + HealthPath)
	if err == nil {
		defer plain.Body.Close()
		if plain.StatusCode == http.StatusOK {
			t.Error("plain HTTP was served next to HTTPS")
		}
	}
}
