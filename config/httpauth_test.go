package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// selfSigned writes a throwaway certificate and key for 127.0.0.1 and returns their paths.
func selfSigned(t *testing.T) (cert, key string) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func TestHTTPAuthModes(t *testing.T) {
	t.Parallel()
	token := strings.Repeat("s", 40)
	urlOnly := map[string]string{"ETLWORKS_URL": "https://app.etlworks.com/rest"}
	cert, key := selfSigned(t)
	ok := []struct {
		name string
		args []string
		env  map[string]string
		want Config
	}{
		{"loopback defaults to none", []string{"--http", "127.0.0.1:0"}, base(nil),
			Config{HTTPAuth: HTTPAuthNone, MaxCallsPerUser: 8}},
		{"forward needs no server key", []string{"--http", "127.0.0.1:0", "--http-auth", "forward", "--max-calls-per-user", "3"}, urlOnly,
			Config{HTTPAuth: HTTPAuthForward, MaxCallsPerUser: 3}},
		{"forward from env", []string{"--http", "127.0.0.1:0"}, map[string]string{"ETLWORKS_URL": "https://app.etlworks.com/rest", "ETLWORKS_MCP_HTTP_AUTH": "Forward"},
			Config{HTTPAuth: HTTPAuthForward, MaxCallsPerUser: 8}},
		{"token", []string{"--http", "127.0.0.1:0", "--http-auth", "token"}, base(map[string]string{"ETLWORKS_MCP_TOKEN": token}),
			Config{HTTPAuth: HTTPAuthToken, Token: token, MaxCallsPerUser: 8}},
		{"remote forward behind a proxy", []string{"--http", "0.0.0.0:8931", "--allow-remote", "--http-auth", "forward", "--behind-tls-proxy"}, urlOnly,
			Config{HTTPAuth: HTTPAuthForward, BehindTLSProxy: true, MaxCallsPerUser: 8}},
		{"remote token with TLS", []string{"--http", "0.0.0.0:8931", "--allow-remote", "--http-auth", "token", "--tls-cert", cert, "--tls-key", key},
			base(map[string]string{"ETLWORKS_MCP_TOKEN": token}), Config{HTTPAuth: HTTPAuthToken, Token: token, TLSCert: cert, TLSKey: key, MaxCallsPerUser: 8}},
		{"env mode ignored with stdio", nil, base(map[string]string{"ETLWORKS_MCP_HTTP_AUTH": "forward"}), Config{}},
	}
	for _, tc := range ok {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(tc.args, env(tc.env))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			got := Config{HTTPAuth: c.HTTPAuth, Token: c.Token, TLSCert: c.TLSCert, TLSKey: c.TLSKey, BehindTLSProxy: c.BehindTLSProxy, MaxCallsPerUser: c.MaxCallsPerUser}
			if got.HTTPAuth != tc.want.HTTPAuth || got.Token != tc.want.Token || got.TLSCert != tc.want.TLSCert || got.TLSKey != tc.want.TLSKey ||
				got.BehindTLSProxy != tc.want.BehindTLSProxy || got.MaxCallsPerUser != tc.want.MaxCallsPerUser {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			if tc.want.HTTPAuth == HTTPAuthForward && (c.APIKey != "" || c.Auth() != "forwarded") {
				t.Errorf("forward mode: Auth() = %q", c.Auth())
			}
			if c.HTTPAddr != "" && !strings.Contains(c.Describe(), "http_auth="+tc.want.HTTPAuth) {
				t.Errorf("Describe does not name the mode: %s", c.Describe())
			}
			if strings.Contains(c.Describe(), token) {
				t.Errorf("Describe shows the token")
			}
		})
	}
	bad := []struct {
		name     string
		args     []string
		env      map[string]string
		contains []string
	}{
		{"none beyond loopback", []string{"--http", "0.0.0.0:8931", "--allow-remote", "--http-auth", "none"}, base(nil), []string{"--http-auth", "forward", "token"}},
		{"remote without a mode", []string{"--http", "0.0.0.0:8931", "--allow-remote"}, base(nil), []string{"--http-auth", "forward", "token"}},
		{"remote forward in clear", []string{"--http", "0.0.0.0:8931", "--allow-remote", "--http-auth", "forward"}, urlOnly,
			[]string{"clear text", "--tls-cert", "--behind-tls-proxy"}},
		{"unknown mode", []string{"--http", "127.0.0.1:0", "--http-auth", "basic"}, base(nil), []string{"forward, token, none"}},
		{"token missing", []string{"--http", "127.0.0.1:0", "--http-auth", "token"}, base(nil), []string{"ETLWORKS_MCP_TOKEN", "openssl"}},
		{"token short", []string{"--http", "127.0.0.1:0", "--http-auth", "token"}, base(map[string]string{"ETLWORKS_MCP_TOKEN": "short"}), []string{"at least 32"}},
		{"token without token mode", []string{"--http", "127.0.0.1:0"}, base(map[string]string{"ETLWORKS_MCP_TOKEN": token}), []string{"only used with --http-auth token"}},
		{"forward with a server key", []string{"--http", "127.0.0.1:0", "--http-auth", "forward"}, base(nil), []string{"ETLWORKS_API_KEY", "unset it"}},
		{"cert without key", []string{"--http", "127.0.0.1:0", "--tls-cert", cert}, base(nil), []string{"--tls-key", "give both"}},
		{"cert not PEM", []string{"--http", "127.0.0.1:0", "--tls-cert", key, "--tls-key", cert}, base(nil), []string{"--tls-cert", "PEM"}},
		{"mode without http", []string{"--http-auth", "forward"}, base(nil), []string{"--http-auth", "only used with --http"}},
		{"limit zero", []string{"--http", "127.0.0.1:0", "--max-calls-per-user", "0"}, base(nil), []string{"--max-calls-per-user", "at least 1"}},
		{"forward on the embedded sandbox", []string{"--sandbox", "--http", "127.0.0.1:0", "--http-auth", "forward"}, nil,
			[]string{"--http-auth", "etlworks-mcp sandbox", "ETLWORKS_URL"}},
		{"upload dir over http", []string{"--http", "127.0.0.1:0", "--upload-dir", t.TempDir()}, base(nil), []string{"--upload-dir", "stdio", "content"}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.args, env(tc.env))
			if err == nil {
				t.Fatal("Load accepted it")
			}
			for _, want := range tc.contains {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
			if strings.Contains(err.Error(), token) {
				t.Errorf("error shows the token: %v", err)
			}
		})
	}
}
