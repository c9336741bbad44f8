package client

import (
	"net/http"
	"strings"
	"sync"
	"testing"
)

func TestRouteTemplate(t *testing.T) {
	t.Parallel()
	tests := []struct{ path, want string }{
		{"v1/flows", "/v1/flows"},
		{"v1/flows/42", "/v1/flows/{id}"},
		{"v1/flows/42/run", "/v1/flows/{id}/run"},
		{"v1/flows/flow-name/orders/run", "/v1/flows/flow-name/{name}/run"},
		{"v1/flows/flow-name/Load%20orders%20from%20CSV/run", "/v1/flows/flow-name/{name}/run"},
		{"v1/connections/oauth/google/authorize-url", "/v1/connections/oauth/{provider}/authorize-url"},
		{"v1/connections/7/oauth/callback", "/v1/connections/{id}/oauth/callback"},
		{"v1/explorer/3/objects/orders/columns", "/v1/explorer/{id}/objects/{object}/columns"},
		{"v1/explorer/3/objects", "/v1/explorer/{id}/objects"},
		{"v1/executions/console/download", "/v1/executions/console/download"},
		{"v1/recycle-bin/9", "/v1/recycle-bin/{id}"},
		{"health", "/health"},
		{"v1/unknown/Secret%20Name/x.y", "/v1/unknown/{name}/{name}"},
	}
	for _, tt := range tests {
		if got := routeTemplate(tt.path); got != tt.want {
			t.Errorf("routeTemplate(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

// TestRequestInfo checks what a RoundTripper learns of each request: its route template and its
// attempt number, never the name in the path or the token in the query.
func TestRequestInfo(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []RequestInfo
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		info, ok := RequestInfoOf(r)
		if !ok {
			t.Errorf("no RequestInfo on %s", r.URL.Path)
		}
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, info)
		if len(seen) == 1 {
			return fakeResponse(r, http.StatusServiceUnavailable, nil, `{}`), nil
		}
		return fakeResponse(r, http.StatusOK, nil, `{"flowId":1,"auditId":2}`), nil
	})
	c, err := New("https://etl.example.com/rest", WithAPIKey(testKey), WithHTTPClient(&http.Client{Transport: rt}), WithRetries(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Flows.Get(t.Context(), 5); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Flows.RunByName(t.Context(), "Secret payroll flow", nil, nil); err != nil {
		t.Fatal(err)
	}
	want := []RequestInfo{{"/v1/flows/{id}", 0}, {"/v1/flows/{id}", 1}, {"/v1/flows/flow-name/{name}/run", 0}}
	if len(seen) != len(want) {
		t.Fatalf("saw %+v, want %+v", seen, want)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Errorf("request %d: %+v, want %+v", i, seen[i], want[i])
		}
		if strings.Contains(seen[i].Route, "payroll") || strings.Contains(seen[i].Route, "?") {
			t.Errorf("route %q leaks the path", seen[i].Route)
		}
	}
	if _, ok := RequestInfoOf(&http.Request{}); ok {
		t.Error("RequestInfoOf found info on a foreign request")
	}
}
