package client

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestAPIError_fromResponse(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 400) // 800 bytes: cut at 200 bytes on a rune boundary
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		header      http.Header
		want        APIError // Method and Path are filled in below
		wantText    string   // the whole Error()
	}{
		{
			name: "spring error body", status: 404, contentType: "application/json",
			body:     `{"timestamp":"2026-05-09T10:00:00Z","status":404,"error":"Not Found","message":"Flow 12 not found","path":"/rest/v1/flows/12"}`,
			want:     APIError{Status: 404, ErrorText: "Not Found", Message: "Flow 12 not found"},
			wantText: "etlworks: GET /rest/v1/flows/12: 404: Flow 12 not found",
		},
		{
			name: "spring body without message", status: 403, contentType: "application/json",
			body:     `{"status":403,"error":"Forbidden","path":"/rest/v1/flows/12"}`,
			want:     APIError{Status: 403, ErrorText: "Forbidden"},
			wantText: "etlworks: GET /rest/v1/flows/12: 403: Forbidden",
		},
		{
			name: "spring body without error", status: 400, contentType: "application/json",
			body:     `{"status":400,"message":"Field 'name' is required"}`,
			want:     APIError{Status: 400, ErrorText: "Bad Request", Message: "Field 'name' is required"},
			wantText: "etlworks: GET /rest/v1/flows/12: 400: Field 'name' is required",
		},
		{
			name: "plain text body", status: 500, contentType: "text/plain",
			body:     "  java.lang.NullPointerException: flow\n",
			want:     APIError{Status: 500, ErrorText: "Internal Server Error", Message: "java.lang.NullPointerException: flow"},
			wantText: "etlworks: GET /rest/v1/flows/12: 500: java.lang.NullPointerException: flow",
		},
		{
			name: "long plain text is cut", status: 500, contentType: "text/plain",
			body: long,
			want: APIError{Status: 500, ErrorText: "Internal Server Error", Message: strings.Repeat("é", 100) + "…(600 more bytes)"},
		},
		{
			name: "html body ignored", status: 502, contentType: "text/html",
			body:     "\n<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>",
			want:     APIError{Status: 502, ErrorText: "Bad Gateway"},
			wantText: "etlworks: GET /rest/v1/flows/12: 502: Bad Gateway",
		},
		{
			name: "html 404 from a wrong base URL", status: 404, contentType: "text/html",
			body:     "<html><head><title>Sign in - Company SSO</title></head></html>",
			want:     APIError{Status: 404, ErrorText: "Not Found", Page: "<html><head><title>Sign in - Company SSO</title></head></html>"},
			wantText: `etlworks: GET /rest/v1/flows/12: 404: an HTML page ("<html><head><title>Sign in - Company SSO</title></head></html>") instead of Etlworks' JSON: check ETLWORKS_URL`,
		},
		{
			name: "empty body", status: 401,
			want:     APIError{Status: 401, ErrorText: "Unauthorized"},
			wantText: "etlworks: GET /rest/v1/flows/12: 401: Unauthorized",
		},
		{
			name: "unknown status, empty body", status: 599,
			want: APIError{Status: 599},
		},
		{
			name: "retry-after seconds", status: 429, header: http.Header{"Retry-After": {"120"}},
			body:     `{"status":429,"error":"Too Many Requests","message":"slow down"}`,
			want:     APIError{Status: 429, ErrorText: "Too Many Requests", Message: "slow down", RetryAfter: 2 * time.Minute},
			wantText: "etlworks: GET /rest/v1/flows/12: 429: slow down",
		},
		{
			name: "3xx is an error too", status: 304,
			want: APIError{Status: 304, ErrorText: "Not Modified"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			mux.HandleFunc("/rest/v1/flows/12", func(w http.ResponseWriter, r *http.Request) {
				for k, vs := range tt.header {
					w.Header()[k] = vs
				}
				if tt.contentType != "" {
					w.Header().Set("Content-Type", tt.contentType)
				}
				w.WriteHeader(tt.status)
				fmt.Fprint(w, tt.body)
			})
			raw, resp, err := client.Flows.Get(t.Context(), 12)
			if raw != nil {
				t.Errorf("raw = %s, want nil on error", raw)
			}
			if resp == nil || resp.StatusCode != tt.status {
				t.Errorf("resp = %v, want the %d response", resp, tt.status)
			}
			got := apiErrorOf(t, err)
			want := tt.want
			want.Method, want.Path = http.MethodGet, "/rest/v1/flows/12"
			if *got != want {
				t.Errorf("APIError:\n got %+v\nwant %+v", *got, want)
			}
			if tt.wantText != "" && !strings.HasPrefix(err.Error(), tt.wantText) {
				t.Errorf("Error() = %q, want %q", err, tt.wantText)
			}
		})
	}
}

func TestAPIError_matching(t *testing.T) {
	t.Parallel()
	notFound := &APIError{Status: 404, Method: "GET", Path: "/rest/v1/flows/1", Message: "Flow 1 not found"}
	wrapped := fmt.Errorf("get flow: %w", notFound)

	if !errors.Is(wrapped, &APIError{Status: 404}) {
		t.Error("errors.Is does not match an APIError by status")
	}
	if errors.Is(wrapped, &APIError{Status: 500}) {
		t.Error("errors.Is matches another status")
	}
	if errors.Is(wrapped, errors.New("etlworks: GET /rest/v1/flows/1: 404: Flow 1 not found")) {
		t.Error("errors.Is matches a non-APIError")
	}
	if !IsNotFound(wrapped) || !IsStatus(wrapped, 404) {
		t.Error("IsNotFound/IsStatus miss a wrapped 404")
	}
	if IsStatus(wrapped, 403) || IsNotFound(&APIError{Status: 410}) {
		t.Error("IsStatus matches another status")
	}
	if IsNotFound(nil) || IsNotFound(errors.New("404")) {
		t.Error("IsNotFound matches a non-APIError")
	}
	var e *APIError
	if !errors.As(wrapped, &e) || e != notFound {
		t.Error("errors.As does not find the APIError")
	}
}

func TestIsNotFound_fromServer(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/v1/executions/77", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"status":404,"error":"Not Found","message":"Flow 77 has never run"}`, http.StatusNotFound)
	})
	exec, _, err := client.Executions.Get(t.Context(), 77, nil)
	if !IsNotFound(err) {
		t.Errorf("error %v, want a 404", err)
	}
	if exec != nil {
		t.Errorf("exec = %+v, want nil on error", exec)
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"5", 5 * time.Second},
		{" 30 ", 30 * time.Second},
		{"-3", 0},
		{"soon", 0},
		{"Wed, 21 Oct 2015 07:28:00 GMT", 0}, // a date in the past
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	future := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	if got := parseRetryAfter(future); got < 58*time.Minute || got > time.Hour {
		t.Errorf("parseRetryAfter(%q) = %s, want about 1h", future, got)
	}
}

func TestSanitizePath(t *testing.T) {
	t.Parallel()
	q := url.Values{
		"Authorization": {"Bearer " + testKey},
		"token":         {"t"},
		"PASSWORD":      {"p"},
		"apiKey":        {"k"},
		"flowId":        {"3"},
	}
	got := sanitizePath("/rest/v1/x", q)
	want := "/rest/v1/x?Authorization=REDACTED&PASSWORD=REDACTED&apiKey=REDACTED&flowId=3&token=REDACTED"
	if got != want {
		t.Errorf("sanitizePath = %q, want %q", got, want)
	}
	if got := sanitizePath("/rest/v1/x", nil); got != "/rest/v1/x" {
		t.Errorf("sanitizePath without query = %q", got)
	}
}
