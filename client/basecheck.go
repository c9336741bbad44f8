package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// BaseCheck is what an unauthenticated GET of the base URL's flow list tells about the URL: does
// it answer, over which TLS, and does it answer like an Etlworks REST base (a 401/403 with the
// JSON error body, or a JSON list)?
type BaseCheck struct {
	Err         error // no answer: DNS, refused connection, TLS failure, timeout
	TLSProblem  bool  // Err is about the certificate or the TLS handshake
	Status      int
	ContentType string
	Etlworks    bool   // the answer has the shape of Etlworks' API
	Why         string // what the answer looked like, when not Etlworks'
	HTTPS       bool
	TLSVersion  string    // "TLS 1.3"
	CertExpiry  time.Time // of the server's leaf certificate
}

// CheckBase sends GET {base}/v1/flows?limit=1 with no credential and reads the answer.
func (c *Client) CheckBase(ctx context.Context) *BaseCheck {
	out := &BaseCheck{HTTPS: c.base.Scheme == "https"}
	u, _ := c.base.Parse("v1/flows?limit=1")
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		out.Err = err
		return out
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		out.Err = scrubURLError(err)
		var certErr *tls.CertificateVerificationError
		var unknownCA x509.UnknownAuthorityError
		var hostErr x509.HostnameError
		var recErr tls.RecordHeaderError
		out.TLSProblem = errors.As(err, &certErr) || errors.As(err, &unknownCA) || errors.As(err, &hostErr) ||
			errors.As(err, &recErr) || strings.Contains(err.Error(), "tls:")
		return out
	}
	defer resp.Body.Close()
	out.Status, out.ContentType = resp.StatusCode, resp.Header.Get("Content-Type")
	if resp.TLS != nil {
		out.TLSVersion = tls.VersionName(resp.TLS.Version)
		if len(resp.TLS.PeerCertificates) > 0 {
			out.CertExpiry = resp.TLS.PeerCertificates[0].NotAfter
		}
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	out.Etlworks, out.Why = looksLikeEtlworks(resp.StatusCode, body)
	return out
}

// looksLikeEtlworks judges an unauthenticated answer of GET v1/flows.
func looksLikeEtlworks(status int, body []byte) (bool, string) {
	trimmed := strings.TrimSpace(string(body))
	if looksLikeHTML(body) {
		return false, fmt.Sprintf("an HTML page (%d), not the JSON of the Etlworks API", status)
	}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		var e map[string]any
		if trimmed == "" || json.Unmarshal(body, &e) == nil {
			return true, ""
		}
		return false, fmt.Sprintf("%d with a body that is not JSON", status)
	case status >= 200 && status < 300:
		if strings.HasPrefix(trimmed, "[") || strings.HasPrefix(trimmed, "{") {
			return true, ""
		}
		return false, fmt.Sprintf("%d with a body that is not JSON", status)
	case status == http.StatusNotFound:
		return false, "404: no flow list at this URL"
	}
	return false, fmt.Sprintf("status %d", status)
}
