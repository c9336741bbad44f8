package transport

import (
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// originPolicy decides which browser origins may call the MCP endpoint. The MCP specification
// requires servers to validate Origin, because any web page a user visits can otherwise drive a
// local server (it can send requests, even if it cannot read the answers). Requests without an
// Origin header come from non-browser clients and pass.
type originPolicy struct {
	allowed map[string]bool // normalised scheme://host:port
	order   []string        // AllowedOrigins as given, for CORS
}

func newOriginPolicy(origins []string) originPolicy {
	p := originPolicy{allowed: make(map[string]bool)}
	for _, o := range origins {
		o = strings.TrimRight(strings.TrimSpace(o), "/")
		u, err := url.Parse(o)
		if o == "" || err != nil || u.Host == "" {
			continue
		}
		p.allowed[canonicalOrigin(u.Scheme, u.Host)] = true
		p.order = append(p.order, strings.ToLower(o))
	}
	return p
}

// list returns the configured origins, for mcp-go's CORS support.
func (p originPolicy) list() []string { return p.order }

// allows reports whether a request with this Origin header and Host may proceed: same origin as
// the Host it was sent to, a loopback origin (a local tool such as an inspector), or one of the
// configured origins. "null" (sandboxed frames, file: pages) and anything unparsable are refused.
func (p originPolicy) allows(origin, host string) bool {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false
	}
	if isLoopbackName(u.Hostname()) {
		return true
	}
	key := canonicalOrigin(u.Scheme, u.Host)
	return key == canonicalOrigin(u.Scheme, host) || p.allowed[key]
}

// check wraps next with the Origin policy; refused requests get 403 and a warning in the log,
// since they are what a malicious page driving the local server looks like.
func (p originPolicy) check(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" || p.allows(origin, r.Host) {
			next.ServeHTTP(w, r)
			return
		}
		log.Warn("refused request from a foreign origin", "origin", origin, "method", r.Method, "path", r.URL.Path)
		writeError(w, http.StatusForbidden, codeInvalidRequest, "Forbidden: Origin "+origin+
			" is not allowed. Only same-origin and localhost pages may call this server; "+
			"add trusted origins with --allowed-origins.")
	})
}

// canonicalOrigin lower-cases the host and makes the port explicit, so https://x.example and
// https://x.example:443 compare equal.
func canonicalOrigin(scheme, hostport string) string {
	scheme = strings.ToLower(scheme)
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host = strings.Trim(hostport, "[]")
		port = "80"
		if scheme == "https" {
			port = "443"
		}
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(host), port)
}

// isLoopbackName reports whether a host name or IP refers to this machine.
func isLoopbackName(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
