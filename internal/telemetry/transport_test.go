package telemetry

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// TestTransport sends requests whose URL carries a name and a token in its query through the
// instrumented transport: metrics and spans know them only by route, and the Etlworks side gets
// the trace context.
func TestTransport(t *testing.T) {
	t.Parallel()
	var traceparent string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		traceparent = r.Header.Get("Traceparent")
		if strings.HasSuffix(r.URL.Path, "/missing") {
			http.NotFound(w, r)
			return
		}
		_, _ = io.WriteString(w, "{}")
	}))
	defer srv.Close()
	m := NewMetrics()
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	routes := map[string]string{"/rest/v1/flows/flow-name/Secret%20Flow/run": "/v1/flows/flow-name/{name}/run"}
	rt := NewTransport(http.DefaultTransport, TransportOptions{Metrics: m, Tracer: tp,
		Route: func(r *http.Request) (string, int) {
			if r.URL.Query().Get("retry") != "" {
				return routes[r.URL.EscapedPath()], 1
			}
			return routes[r.URL.EscapedPath()], 0
		}})
	hc := &http.Client{Transport: rt}
	for _, u := range []string{
		srv.URL + "/rest/v1/flows/flow-name/Secret%20Flow/run?Authorization=Bearer%20tok-123",
		srv.URL + "/rest/v1/flows/flow-name/Secret%20Flow/run?retry=1",
		srv.URL + "/rest/raw/Secret%20Flow/missing",
	} {
		resp, err := hc.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if !strings.HasPrefix(traceparent, "00-") {
		t.Errorf("no traceparent sent: %q", traceparent)
	}
	if got := testutil.ToFloat64(m.Requests.WithLabelValues("GET", "/v1/flows/flow-name/{name}/run", "2xx")); got != 2 {
		t.Errorf("2xx requests = %v", got)
	}
	if got := testutil.ToFloat64(m.Requests.WithLabelValues("GET", UnknownRoute, "4xx")); got != 1 {
		t.Errorf("unknown-route 4xx requests = %v", got)
	}
	if got := testutil.ToFloat64(m.Retries.WithLabelValues("/v1/flows/flow-name/{name}/run")); got != 1 {
		t.Errorf("retries = %v", got)
	}
	var dump strings.Builder
	for _, sp := range spans.GetSpans() {
		if sp.SpanKind != trace.SpanKindClient {
			t.Errorf("span %s kind %v", sp.Name, sp.SpanKind)
		}
		dump.WriteString(sp.Name + " " + sp.Status.Description)
		for _, a := range sp.Attributes {
			dump.WriteString(" " + string(a.Key) + "=" + a.Value.Emit())
		}
		dump.WriteString("\n")
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, MetricsPath, nil))
	for _, text := range []string{dump.String(), rec.Body.String()} {
		for _, planted := range []string{"Secret", "tok-123", "Authorization", "?", "/rest/raw"} {
			if strings.Contains(text, planted) {
				t.Errorf("telemetry carries %q:\n%s", planted, text)
			}
		}
	}
	if !strings.Contains(dump.String(), "GET /v1/flows/flow-name/{name}/run") || !strings.Contains(dump.String(), "http.response.status_code=404") {
		t.Errorf("spans:\n%s", dump.String())
	}
}

// TestTransportError: a failed exchange is counted as "error" and its span names the kind of
// failure without quoting the URL (a url.Error does).
func TestTransportError(t *testing.T) {
	t.Parallel()
	m := NewMetrics()
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	failing := roundTripper(func(*http.Request) (*http.Response, error) { return nil, errors.New("dial tcp: refused") })
	hc := &http.Client{Transport: NewTransport(failing, TransportOptions{Metrics: m, Tracer: tp})}
	if _, err := hc.Get("http://127.0.0.1:9/rest/v1/executions/console/download?Authorization=Bearer%20tok-123"); err == nil {
		t.Fatal("no error")
	}
	if got := testutil.ToFloat64(m.Requests.WithLabelValues("GET", UnknownRoute, "error")); got != 1 {
		t.Errorf("error requests = %v", got)
	}
	got := spans.GetSpans()
	if len(got) != 1 || got[0].Status.Description != "transport" {
		t.Fatalf("spans: %+v", got)
	}
	for _, e := range got[0].Events {
		for _, a := range e.Attributes {
			if strings.Contains(a.Value.Emit(), "tok-123") {
				t.Errorf("span event carries the token: %v", a)
			}
		}
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
