// Package hostlist parses and matches the operator's allow-list of network hosts (--webhook-hosts):
// config validates the list with it at start-up and tools match URLs against it, so the shape of
// an entry is decided in one place. It uses the standard library only.
package hostlist

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Loopback is the list the sandbox allows when the operator names none: this machine only.
var Loopback = []string{"localhost", "127.0.0.1", "[::1]"}

// entry is one allowed host: an exact name or IP, or a wildcard "*.example.com" (any subdomain of
// example.com, not example.com itself), with an optional port ("" = any port).
type entry struct {
	host     string // lower-case; without brackets for IPv6; without the "*." of a wildcard
	wildcard bool
	port     string
}

// List is a parsed allow-list; the zero value allows nothing.
type List struct {
	entries []entry
	text    []string // the entries as normalised, for messages
}

// Parse reads entries of the form host, host:port, *.domain or *.domain:port (IPv6 in brackets,
// e.g. [::1]:8080). It refuses anything else, including a bare "*" and URLs, with the reason.
func Parse(items []string) (List, error) {
	var l List
	for _, item := range items {
		e, norm, err := parseEntry(strings.TrimSpace(item))
		if err != nil {
			return List{}, err
		}
		l.entries = append(l.entries, e)
		l.text = append(l.text, norm)
	}
	return l, nil
}

// Normalize parses items and returns them in canonical spelling (lower-case, IPv6 in brackets).
func Normalize(items []string) ([]string, error) {
	l, err := Parse(items)
	if err != nil {
		return nil, err
	}
	return l.Entries(), nil
}

func parseEntry(s string) (entry, string, error) {
	bad := func(reason string) (entry, string, error) {
		return entry{}, "", fmt.Errorf("%q is not a host entry: %s; use host, host:port or *.example.com", clip(s), reason)
	}
	switch {
	case s == "":
		return bad("it is empty")
	case s == "*" || strings.HasPrefix(s, "*:"):
		return bad("a bare wildcard would let webhooks send data anywhere; list each host, or *.domain for a domain's subdomains")
	case strings.Contains(s, "://") || strings.ContainsAny(s, "/?#@ \t"):
		return bad("give only the host (and port), not a URL")
	}
	host, port := s, ""
	if h, p, err := net.SplitHostPort(s); err == nil {
		host, port = h, p
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return bad("the port must be a number from 1 to 65535")
		}
	} else if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		host = s[1 : len(s)-1]
	} else if strings.Count(s, ":") > 0 && net.ParseIP(s) == nil {
		return bad("the port must be a number from 1 to 65535")
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	e := entry{host: host, port: port}
	if rest, ok := strings.CutPrefix(host, "*."); ok {
		e.wildcard, e.host = true, rest
	}
	if ip := net.ParseIP(e.host); ip != nil {
		if e.wildcard {
			return bad("a wildcard needs a domain name, not an IP address")
		}
		e.host = ip.String()
	} else if !validName(e.host) || (e.wildcard && !strings.Contains(e.host, ".")) {
		return bad("a host name has letters, digits, '-' and '.' (a wildcard only as the first label, as in *.example.com)")
	}
	return e, e.String(), nil
}

// validName reports whether s is a DNS name (labels of letters, digits and '-').
func validName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}

// String renders the entry as an operator writes it.
func (e entry) String() string {
	h := e.host
	if strings.Contains(h, ":") {
		h = "[" + h + "]"
	}
	if e.wildcard {
		h = "*." + h
	}
	if e.port != "" {
		h += ":" + e.port
	}
	return h
}

// Entries returns the list in canonical spelling.
func (l List) Entries() []string { return append([]string(nil), l.text...) }

// Empty reports whether the list allows nothing.
func (l List) Empty() bool { return len(l.entries) == 0 }

// AllowsURL reports whether an http(s) URL's host and port are on the list. A URL without a port
// uses its scheme's default (80 or 443), which an entry with a port must name.
func (l List) AllowsURL(u *url.URL) bool {
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if ip := net.ParseIP(host); ip != nil {
		host = ip.String()
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	for _, e := range l.entries {
		if e.port != "" && e.port != port {
			continue
		}
		if e.wildcard && strings.HasSuffix(host, "."+e.host) || !e.wildcard && host == e.host {
			return true
		}
	}
	return false
}

// HostPort is how a URL's target reads in messages: host, or host:port when a port is given.
func HostPort(u *url.URL) string {
	return strings.ToLower(u.Host)
}

func clip(s string) string {
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}
