package resources

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/internal/bound"
	"github.com/etlworks/etlworks-mcp/internal/links"
)

// readFaulty reads uri through the bounded handlers of All, against an Etlworks stand-in h.
func readFaulty(t *testing.T, h http.HandlerFunc, uri string, args map[string]any, callTimeout time.Duration) ([]mcp.ResourceContents, error) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	api, err := client.New(srv.URL+"/rest", client.WithAPIKey("k"), client.WithRetries(0, 0), client.WithTimeout(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range All(Deps{Client: api, CallTimeout: callTimeout}) {
		name := ""
		if d.Resource != nil {
			name = d.Resource.URI
		} else {
			name = d.Template.URITemplate.Raw()
		}
		if name == uri {
			req := mcp.ReadResourceRequest{}
			req.Params.URI = uri
			req.Params.Arguments = args
			return d.Handler(t.Context(), req)
		}
	}
	t.Fatalf("no resource %s", uri)
	return nil, nil
}

func TestResourceReadDeadline(t *testing.T) {
	stall := func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `[`)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}
	_, err := readFaulty(t, stall, Scheme+"flows", nil, 40*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "did not finish within 40ms") || !strings.Contains(err.Error(), "ETLWORKS_CALL_TIMEOUT") {
		t.Fatalf("error %v, want the per-read deadline", err)
	}
}

// TestResourceReadBudget: a 5 MB flow definition and a 50,000-line log come back within the read
// budget, saying what was left out and where to get it; the log is fenced as data.
func TestResourceReadBudget(t *testing.T) {
	h := func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/rest/v1/flows/5":
			fmt.Fprintf(w, `{"id":5,"name":"big","description":%q}`, strings.Repeat("word ", 1<<20))
		case "/rest/v1/executions/5":
			io.WriteString(w, `{"auditId":9,"flowId":5,"status":"error"}`)
		case "/rest/v1/executions/console/download":
			for i := range 50000 {
				fmt.Fprintf(w, "2026-12-01 10:00:00 INFO step %d %s\n", i, strings.Repeat("x", 80))
			}
		default:
			http.NotFound(w, r)
		}
	}
	for _, tt := range []struct {
		uri  string
		args map[string]any
		want []string
	}{
		{Scheme + "flows/{flow}", map[string]any{"flow": []string{"5"}}, []string{"[cut: showed ", "get_flow shows the definition summarized]"}},
		{links.RunLogTemplate, map[string]any{"flow": []string{"5"}, "run": []string{"latest"}},
			[]string{"50000 lines. Showing the last", "Untrusted data from Etlworks (run log)", "step 49999", "</data-"}},
	} {
		contents, err := readFaulty(t, h, tt.uri, tt.args, time.Minute)
		if err != nil {
			t.Fatalf("%s: %v", tt.uri, err)
		}
		text := contents[0].(mcp.TextResourceContents).Text
		if len(text) > bound.ResultBytes {
			t.Errorf("%s: %d bytes, over the %d budget", tt.uri, len(text), bound.ResultBytes)
		}
		for _, w := range tt.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s lacks %q: …%s", tt.uri, w, text[max(0, len(text)-200):])
			}
		}
	}
}
