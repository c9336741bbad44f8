package config

import (
	"crypto/tls"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// The --http-auth modes.
const (
	// HTTPAuthForward: each /mcp request sends its caller's Etlworks API key, which the server
	// uses for that request's Etlworks calls, so Etlworks sees every caller as themselves.
	HTTPAuthForward = "forward"
	// HTTPAuthToken: each /mcp request sends the operator's static token (ETLWORKS_MCP_TOKEN);
	// Etlworks calls use the server's own credentials.
	HTTPAuthToken = "token"
	// HTTPAuthNone: no check, allowed only on a loopback address.
	HTTPAuthNone = "none"
)

// minToken is the shortest ETLWORKS_MCP_TOKEN accepted, as for the confirm key: 32 bytes cannot
// be guessed online.
const minToken = 32

// HTTPScheme is "https" when the server serves TLS itself, else "http".
func (c Config) HTTPScheme() string {
	if c.TLSCert != "" {
		return "https"
	}
	return "http"
}

// httpOnly are the settings that mean nothing without --http.
var httpOnly = []string{keyHTTPAuth, keyTLSCert, keyTLSKey, keyBehindTLS, keyMaxCalls}

// httpAuth reads who may call /mcp (--http-auth, the token, TLS and the per-caller limit) and
// refuses the combinations that would expose Etlworks: no authentication beyond loopback, keys or
// tokens in clear text across the network, and --upload-dir (the server's own disk) over HTTP.
func (r *resolver) httpAuth(c *Config) {
	if c.HTTPAddr == "" {
		for _, key := range httpOnly {
			if v := r.get(key); v.from == setting(key).Flag {
				r.fail(&FieldError{Field: v.from, Value: v.text, Reason: "only used with --http; add --http HOST:PORT or drop it"})
			}
		}
		return
	}
	host, _, _ := net.SplitHostPort(c.HTTPAddr)
	loopback := isLoopbackHost(host)
	v := r.get(keyHTTPAuth)
	switch mode := strings.ToLower(v.text); {
	case mode == "" && loopback:
		c.HTTPAuth = HTTPAuthNone
	case mode == "":
		r.fail(&FieldError{Field: "--http-auth", Reason: "not set, and --http " + c.HTTPAddr + " listens beyond this machine: " +
			"choose forward (each caller sends their own Etlworks API key) or token (callers send ETLWORKS_MCP_TOKEN)"})
		return
	default:
		if c.HTTPAuth = r.enum(keyHTTPAuth); c.HTTPAuth == "" {
			return
		}
	}
	if c.HTTPAuth == HTTPAuthNone && !loopback {
		r.fail(&FieldError{Field: v.from, Value: v.text, Reason: "--http " + c.HTTPAddr + " listens beyond this machine, " +
			"where none would let anyone who reaches it act with the server's Etlworks credentials; " +
			"use forward (each caller sends their own Etlworks API key) or token (callers send ETLWORKS_MCP_TOKEN)"})
	}
	if c.HTTPAuth == HTTPAuthForward && c.Sandbox {
		r.fail(&FieldError{Field: v.from, Value: v.text, Reason: "needs each caller's own Etlworks API key, and the embedded sandbox's keys are never shown: " +
			"run `etlworks-mcp sandbox` (it prints a key for each demo user) and start this server with ETLWORKS_URL=<its URL> instead of --sandbox"})
	}
	c.Token = r.token(c.HTTPAuth)
	c.TLSCert, c.TLSKey = r.tlsFiles()
	c.BehindTLSProxy = r.boolean(keyBehindTLS)
	if c.HTTPAuth != HTTPAuthNone && !loopback && c.TLSCert == "" && !c.BehindTLSProxy {
		r.fail(&FieldError{Field: "--http", Value: c.HTTPAddr, Reason: "with --http-auth " + c.HTTPAuth + " beyond this machine, " +
			"keys would cross the network in clear text: give --tls-cert and --tls-key, or --behind-tls-proxy when a TLS proxy terminates HTTPS in front"})
	}
	c.MaxCallsPerUser = r.positiveInt(keyMaxCalls)
	if v := r.get(keyUploadDir); v.text != "" {
		r.fail(&FieldError{Field: v.from, Value: v.text, Reason: "reads the server's own disk, which only a stdio client shares; " +
			"over --http, upload_file takes the file's text as content: drop --upload-dir"})
	}
}

// token reads ETLWORKS_MCP_TOKEN: required with token mode, refused with the others (it would
// guard nothing).
func (r *resolver) token(mode string) string {
	v := r.get(keyMCPToken)
	s := setting(keyMCPToken)
	switch {
	case mode != HTTPAuthToken && v.text != "":
		r.fail(&FieldError{Field: v.from, Reason: "only used with --http-auth token; unset it, or add --http-auth token"})
		return ""
	case mode != HTTPAuthToken:
		return ""
	case v.text == "" && v.from == "":
		r.fail(&FieldError{Field: s.Env, Reason: "not set, but --http-auth token needs it: set " + s.Env + " (or " + s.EnvFile +
			") to a random secret, e.g. from `openssl rand -base64 48`, and give it to each client"})
		return ""
	case len(v.text) < minToken:
		r.fail(&FieldError{Field: v.from, Reason: fmt.Sprintf("must be at least %d bytes, got %d; generate one with `openssl rand -base64 48`",
			minToken, len(v.text))})
		return ""
	}
	return v.text
}

// tlsFiles reads --tls-cert and --tls-key: both or neither, and loadable now, so a bad pair
// stops the start rather than every handshake.
func (r *resolver) tlsFiles() (cert, key string) {
	c, k := r.get(keyTLSCert), r.get(keyTLSKey)
	switch {
	case c.text == "" && k.text == "":
		return "", ""
	case c.text == "":
		r.fail(&FieldError{Field: "--tls-cert", Reason: "not set, but --tls-key is (" + k.from + "); give both"})
		return "", ""
	case k.text == "":
		r.fail(&FieldError{Field: "--tls-key", Reason: "not set, but --tls-cert is (" + c.from + "); give both"})
		return "", ""
	}
	if _, err := tls.LoadX509KeyPair(c.text, k.text); err != nil {
		r.fail(&FieldError{Field: c.from, Value: c.text, Reason: "cannot use it with " + k.from + " " + strconv.Quote(k.text) +
			": " + unwrapPathError(err).Error() + "; both must be PEM files (certificate chain, then its private key)"})
		return "", ""
	}
	return c.text, k.text
}

// positiveInt reads a whole number of at least 1.
func (r *resolver) positiveInt(name string) int {
	v := r.get(name)
	n, err := strconv.Atoi(v.text)
	if err != nil || n < 1 {
		r.fail(&FieldError{Field: v.from, Value: v.text, Reason: "must be a whole number of at least 1"})
		return 0
	}
	return n
}

// noServerCredentials refuses server-side Etlworks credentials in forward mode, where every
// call uses its caller's key: a configured key would suggest a fallback identity that never acts.
func (r *resolver) noServerCredentials() {
	for _, key := range []string{keyAPIKey, keyUsername, keyPassword} {
		if v := r.get(key); v.text != "" {
			r.fail(&FieldError{Field: v.from, Reason: "not used with --http-auth forward, where each call uses its caller's own key; unset it"})
		}
	}
}
