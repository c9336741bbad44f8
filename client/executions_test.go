package client

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

const executionJSON = `{"auditId":987654,"parentAuditId":null,"retries":null,"flowId":12345,"flowName":"orders",
	"eventId":null,"eventName":null,"messageId":null,"status":"success","started":1584896338701,
	"ended":1584896342166,"user":"scheduler","records":15,"exception":null}`

var executionWant = Execution{
	AuditID: 987654, FlowID: 12345, FlowName: "orders", Status: StatusSuccess,
	Started: 1584896338701, Ended: 1584896342166, User: "scheduler", Records: 15,
}

func TestExecutionsService_Get(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      *ExecutionGetOptions
		wantQuery values
	}{
		{"latest", nil, values{}},
		{"zero options", &ExecutionGetOptions{}, values{}},
		{"by auditId", &ExecutionGetOptions{AuditID: 987654}, values{"auditId": "987654"}},
		{"by messageId", &ExecutionGetOptions{MessageID: "6f1c0e52-0b9d-4a49-9d0a-2d4f0d6a3a11"}, values{"messageId": "6f1c0e52-0b9d-4a49-9d0a-2d4f0d6a3a11"}},
		{"by status", &ExecutionGetOptions{Status: StatusSuccess}, values{"status": "success"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			mux.HandleFunc("/rest/v1/executions/12345", func(w http.ResponseWriter, r *http.Request) {
				testMethod(t, r, http.MethodGet)
				testAPIHeaders(t, r)
				testFormValues(t, r, tt.wantQuery)
				testNoBody(t, r)
				fmt.Fprint(w, executionJSON)
			})
			got, _, err := client.Executions.Get(t.Context(), 12345, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if *got != executionWant {
				t.Errorf("got %+v\nwant %+v", *got, executionWant)
			}
		})
	}
}

func TestExecutionsService_Get_decoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want Execution
	}{
		{"auditId as numeric string", `{"auditId":"987654","flowId":"12","status":"running","started":"1584896338701"}`,
			Execution{AuditID: 987654, FlowID: 12, Status: StatusRunning, Started: 1584896338701}},
		{"auditId null", `{"auditId":null,"flowId":12,"status":"queued"}`, Execution{FlowID: 12, Status: StatusQueued}},
		{"retried run", `{"auditId":5,"parentAuditId":"4","retries":2,"eventId":8,"eventName":"nightly","messageId":"m-1","status":"error","exception":"boom"}`,
			Execution{AuditID: 5, ParentAuditID: 4, Retries: 2, EventID: 8, EventName: "nightly", MessageID: "m-1", Status: StatusError, Exception: "boom"}},
		{"unknown fields ignored", `{"auditId":5,"status":"warning","tenant":"acme","metrics":{"a":1}}`, Execution{AuditID: 5, Status: StatusWarning}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			mux.HandleFunc("/rest/v1/executions/12", func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, tt.body)
			})
			got, _, err := client.Executions.Get(t.Context(), 12, nil)
			if err != nil {
				t.Fatal(err)
			}
			if *got != tt.want {
				t.Errorf("got %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

func TestExecutionsService_List(t *testing.T) {
	t.Parallel()
	from := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 5, 9, 12, 30, 0, 0, time.FixedZone("CEST", 2*3600))
	tests := []struct {
		name      string
		opts      *ExecutionListOptions
		wantQuery values
		header    string
		body      string
		want      []Execution
		wantTotal int
	}{
		{
			name: "bare array with X-Total-Count", wantQuery: values{},
			header: "3", body: "[" + executionJSON + `,{"auditId":"987653","flowId":12345,"status":"error"}]`,
			want:      []Execution{executionWant, {AuditID: 987653, FlowID: 12345, Status: StatusError}},
			wantTotal: 3,
		},
		{
			name:      "all filters",
			opts:      &ExecutionListOptions{FlowID: 12345, Status: StatusError, From: from, To: to, ListOptions: ListOptions{Limit: 50, Offset: 100}},
			wantQuery: values{"flowId": "12345", "status": "error", "from": "1777593600000", "to": "1778322600000", "limit": "50", "offset": "100"},
			body:      `[]`, want: []Execution{}, wantTotal: -1,
		},
		{
			name: "wrapped items with total", opts: &ExecutionListOptions{}, wantQuery: values{},
			body: `{"items":[{"auditId":1,"status":"queued"}],"total":41}`,
			want: []Execution{{AuditID: 1, Status: StatusQueued}}, wantTotal: 41,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			mux.HandleFunc("/rest/v1/executions", func(w http.ResponseWriter, r *http.Request) {
				testMethod(t, r, http.MethodGet)
				testAPIHeaders(t, r)
				testFormValues(t, r, tt.wantQuery)
				if tt.header != "" {
					w.Header().Set("X-Total-Count", tt.header)
				}
				fmt.Fprint(w, tt.body)
			})
			got, resp, err := client.Executions.List(t.Context(), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
			if resp.Total != tt.wantTotal {
				t.Errorf("Total = %d, want %d", resp.Total, tt.wantTotal)
			}
		})
	}
}

func TestExecutionsService_List_badRecord(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/v1/executions", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `[{"auditId":"abc"}]`)
	})
	got, _, err := client.Executions.List(t.Context(), nil)
	if err == nil || !strings.Contains(err.Error(), "id abc is not a whole number") {
		t.Errorf("error %v, want a decode error", err)
	}
	if got != nil {
		t.Errorf("got %v, want nil", got)
	}
}

func TestExecutionsService_Log(t *testing.T) {
	t.Parallel()
	const text = "2026-05-09 10:00:00 INFO flow started\n2026-05-09 10:00:03 INFO flow finished\n"
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/v1/executions/console/download", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testHeader(t, r, "Authorization", "Bearer "+testKey)
		testHeader(t, r, "User-Agent", "etlworks-mcp")
		testNoBody(t, r)
		// the documented download form: ?flowId=&auditId=&Authorization=Bearer%20<token>
		testFormValues(t, r, values{"flowId": "3", "auditId": "7", "Authorization": "Bearer " + testKey})
		if !strings.Contains(r.URL.RawQuery, "Authorization=Bearer%20"+testKey) {
			t.Errorf("raw query %q lacks the documented Authorization=Bearer%%20<token>", r.URL.RawQuery)
		}
		if accept := r.Header.Get("Accept"); accept == "application/json" {
			t.Errorf("Accept %q refuses the text/plain log file", accept)
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Disposition", `attachment; filename="flow-3-7.log"`)
		fmt.Fprint(w, text)
	})
	got, resp, err := client.Executions.Log(t.Context(), 3, 7)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Text) != text || got.Truncated {
		t.Errorf("got %q (truncated %v), want %q", got.Text, got.Truncated, text)
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status %d", resp.StatusCode)
	}
}

func TestExecutionsService_Log_maxSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		body          string
		wantText      string
		wantTruncated bool
	}{
		{"under the limit", "0123", "0123", false},
		{"at the limit", "0123456789", "0123456789", false},
		{"one byte over", "0123456789A", "0123456789", true},
		{"far over", strings.Repeat("x", 100_000), "xxxxxxxxxx", true},
		{"empty", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t, withMaxLogSize(10))
			mux.HandleFunc("/rest/v1/executions/console/download", func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, tt.body)
			})
			got, _, err := client.Executions.Log(t.Context(), 3, 7)
			if err != nil {
				t.Fatal(err)
			}
			if string(got.Text) != tt.wantText || got.Truncated != tt.wantTruncated {
				t.Errorf("got %q (truncated %v), want %q (truncated %v)", got.Text, got.Truncated, tt.wantText, tt.wantTruncated)
			}
		})
	}

	t.Run("JSON calls are not capped", func(t *testing.T) {
		t.Parallel()
		client, mux, _ := setup(t, withMaxLogSize(10))
		mux.HandleFunc("/rest/v1/flows/1", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"id":1,"name":"a name longer than ten bytes"}`)
		})
		if _, _, err := client.Flows.Get(t.Context(), 1); err != nil {
			t.Errorf("Get under a 10-byte log cap: %v", err)
		}
	})
}

// TestExecutionsService_Log_tokenNeverInErrors makes the download fail in every way and checks
// that the token it carried in the query string never reaches the error text.
func TestExecutionsService_Log_tokenNeverInErrors(t *testing.T) {
	t.Parallel()
	const path = "/rest/v1/executions/console/download?Authorization=REDACTED&auditId=7&flowId=3"
	tests := []struct {
		name    string
		opts    []Option
		handler http.HandlerFunc
		want    string // the whole error text
	}{
		{
			name: "spring error",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusInternalServerError)
				fmt.Fprint(w, `{"status":500,"error":"Internal Server Error","message":"log not found"}`)
			},
			want: "etlworks: GET " + path + ": 500: log not found",
		},
		{
			name: "forbidden, empty body",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusForbidden)
			},
			want: "etlworks: GET " + path + ": 403: Forbidden",
		},
		{
			name: "server echoes the request URL",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprintf(w, "bad request: %s (query %s)", r.URL.String(), r.URL.Query().Get("Authorization"))
			},
			want: "etlworks: GET " + path + ": 400: bad request: /rest/v1/executions/console/download?Authorization=Bearer%20REDACTED&auditId=7&flowId=3 (query Bearer REDACTED)",
		},
		{
			name: "connection dropped",
			handler: func(w http.ResponseWriter, r *http.Request) {
				conn, _, err := http.NewResponseController(w).Hijack()
				if err == nil {
					conn.Close()
				}
			},
			want: "client: GET " + path + ": EOF",
		},
		{
			name: "no answer",
			opts: []Option{WithTimeout(50 * time.Millisecond)},
			handler: func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-time.After(3 * time.Second):
				}
			},
			want: "client: GET " + path + ": no answer within 50ms",
		},
		{
			name: "retries exhausted",
			opts: []Option{WithRetries(1, time.Millisecond)},
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusBadGateway)
			},
			want: "etlworks: GET " + path + ": 502: Bad Gateway",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t, tt.opts...)
			mux.HandleFunc("/rest/v1/executions/console/download", tt.handler)
			got, _, err := client.Executions.Log(t.Context(), 3, 7)
			if err == nil {
				t.Fatal("no error")
			}
			if got != nil {
				t.Errorf("log %q, want nil on error", got.Text)
			}
			if msg := err.Error(); strings.Contains(msg, testKey) {
				t.Errorf("error carries the token: %q", msg)
			}
			if err.Error() != tt.want {
				t.Errorf("error %q\nwant  %q", err, tt.want)
			}
		})
	}
}
