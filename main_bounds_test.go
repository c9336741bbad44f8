package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestCallAgainstFaultyUpstream drives the whole program (config, client, tools) against an
// Etlworks stand-in that answers with a sign-in page, or stalls: each call ends with a clear
// message and exit code 1, the stall at the per-call deadline set by ETLWORKS_CALL_TIMEOUT.
func TestCallAgainstFaultyUpstream(t *testing.T) {
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<!doctype html><title>Company SSO</title>")
	}))
	defer html.Close()
	stall := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "[")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer stall.Close()
	for _, tt := range []struct {
		name string
		url  string
		want []string
	}{
		{"html", html.URL + "/rest", []string{"HTML page", "Company SSO", "check ETLWORKS_URL"}},
		{"stall", stall.URL + "/rest", []string{"list_flows did not finish within 150ms", "ETLWORKS_CALL_TIMEOUT"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"ETLWORKS_URL": tt.url, "ETLWORKS_API_KEY": "k", "ETLWORKS_CALL_TIMEOUT": "150ms"}
			code, out, errOut := runMain(t, env, "call", "list_flows", "{}")
			if code != 1 {
				t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out+errOut, w) {
					t.Errorf("output lacks %q:\n%s\n%s", w, out, errOut)
				}
			}
		})
	}
}
