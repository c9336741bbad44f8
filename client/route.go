package client

import (
	"context"
	"net/http"
	"strings"
)

// RequestInfo describes an outgoing Etlworks request to the http.RoundTripper that sends it,
// so metrics and traces can label it without parsing (or leaking) the raw URL.
type RequestInfo struct {
	// Route is the route template, such as /v1/flows/{id} or /v1/flows/flow-name/{name}/run:
	// ids and names typed by users are replaced, and there is never a query string.
	Route string
	// Attempt is 0 for the first send, 1 for the first retry, and so on.
	Attempt int
}

type requestInfoKey struct{}

// RequestInfoOf returns what the client recorded about r, found in r's context; ok is false for
// requests the client did not send.
func RequestInfoOf(r *http.Request) (info RequestInfo, ok bool) {
	info, ok = r.Context().Value(requestInfoKey{}).(RequestInfo)
	return info, ok
}

func withRequestInfo(ctx context.Context, r *request, attempt int) context.Context {
	return context.WithValue(ctx, requestInfoKey{}, RequestInfo{Route: routeTemplate(r.path), Attempt: attempt})
}

// namedRoutes are the paths that carry a name typed by a user, segment by segment: "#" matches
// an id, "{…}" any segment (the name, which the template keeps as the placeholder).
var namedRoutes = [][]string{
	{"v1", "flows", "flow-name", "{name}", "run"},
	{"v1", "connections", "oauth", "{provider}", "authorize-url"},
	{"v1", "explorer", "#", "objects", "{object}", "columns"},
}

// routeTemplate is path as a route template: numeric segments become {id}, the names of
// namedRoutes their placeholder, and any other segment that does not look like a fixed word of
// the API (lower-case letters, digits and dashes) becomes {name}, so a name never reaches a label.
func routeTemplate(path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for _, pat := range namedRoutes {
		if matchRoute(pat, segs) {
			segs = append([]string(nil), pat...)
			break
		}
	}
	for i, s := range segs {
		switch {
		case isDigits(s) || s == "#":
			segs[i] = "{id}"
		case strings.HasPrefix(s, "{"):
		case !isWord(s):
			segs[i] = "{name}"
		}
	}
	return "/" + strings.Join(segs, "/")
}

func matchRoute(pat, segs []string) bool {
	if len(pat) != len(segs) {
		return false
	}
	for i, p := range pat {
		switch {
		case p == "#":
			if !isDigits(segs[i]) {
				return false
			}
		case strings.HasPrefix(p, "{"):
		case p != segs[i]:
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// isWord reports whether s looks like a fixed path word of the Etlworks API (flows, flow-name,
// recycle-bin).
func isWord(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && c != '-' && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
