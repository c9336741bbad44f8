package client

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"sync/atomic"
	"testing"
)

func TestFlowsService_List(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      *FlowListOptions
		wantQuery values
		header    string // X-Total-Count, "" for none
		body      string
		wantRows  string
		wantTotal int
	}{
		{
			name: "nil options, bare array with X-Total-Count", wantQuery: values{},
			header: "57", body: `[{"id":1,"name":"a"},{"id":2,"name":"b"}]`,
			wantRows: `[{"id":1,"name":"a"},{"id":2,"name":"b"}]`, wantTotal: 57,
		},
		{
			name:      "all filters",
			opts:      &FlowListOptions{Name: "orders load", Tag: "production", FlowType: "flow.db-to-db", ListOptions: ListOptions{Limit: 200, Offset: 400}},
			wantQuery: values{"name": "orders load", "tag": "production", "flowType": "flow.db-to-db", "limit": "200", "offset": "400"},
			body:      `[]`, wantRows: `[]`, wantTotal: -1,
		},
		{
			name: "zero options send nothing", opts: &FlowListOptions{}, wantQuery: values{},
			body: `[{"id":1}]`, wantRows: `[{"id":1}]`, wantTotal: -1,
		},
		{
			name: "wrapped items with total", wantQuery: values{},
			body: `{"items":[{"id":3}],"total":9}`, wantRows: `[{"id":3}]`, wantTotal: 9,
		},
		{
			name: "header wins over the wrapper's total", wantQuery: values{},
			header: "12", body: `{"items":[{"id":3}],"total":9}`, wantRows: `[{"id":3}]`, wantTotal: 12,
		},
		{
			name: "spring page", wantQuery: values{},
			body: `{"content":[{"id":4}],"totalElements":1}`, wantRows: `[{"id":4}]`, wantTotal: 1,
		},
		{
			name: "unreadable X-Total-Count", wantQuery: values{},
			header: "many", body: `[]`, wantRows: `[]`, wantTotal: -1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			mux.HandleFunc("/rest/v1/flows", func(w http.ResponseWriter, r *http.Request) {
				testMethod(t, r, http.MethodGet)
				testAPIHeaders(t, r)
				testFormValues(t, r, tt.wantQuery)
				testNoBody(t, r)
				if tt.header != "" {
					w.Header().Set("X-Total-Count", tt.header)
				}
				fmt.Fprint(w, tt.body)
			})
			rows, resp, err := client.Flows.List(t.Context(), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			testJSONEqual(t, "rows", rows, tt.wantRows)
			if resp.Total != tt.wantTotal {
				t.Errorf("Total = %d, want %d", resp.Total, tt.wantTotal)
			}
		})
	}
}

func TestFlowsService_List_notAList(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/v1/flows", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"flows":[{"id":1}]}`)
	})
	rows, _, err := client.Flows.List(t.Context(), nil)
	want := "client: GET v1/flows: expected a JSON array or an object with one of [items content data results]"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
	if rows != nil {
		t.Errorf("rows = %s, want nil", rows)
	}
}

func TestFlowsService_Get(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	const flow = `{"id":12345,"name":"orders","flowType":"flow.db-to-db","tags":["prod"],"properties":{"k":"v"}}`
	mux.HandleFunc("/rest/v1/flows/12345", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAPIHeaders(t, r)
		testFormValues(t, r, values{})
		testNoBody(t, r)
		fmt.Fprint(w, flow)
	})
	raw, resp, err := client.Flows.Get(t.Context(), 12345)
	if err != nil {
		t.Fatal(err)
	}
	testJSONEqual(t, "flow", raw, flow)
	if resp.Total != -1 {
		t.Errorf("Total = %d, want -1 outside lists", resp.Total)
	}
}

func TestFlowsService_Documentation(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/v1/flows/9/documentation", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAPIHeaders(t, r)
		testFormValues(t, r, values{})
		fmt.Fprint(w, `{"documentation":"# Orders\nCopies orders.","diagram":"<div>diagram</div>"}`)
	})
	got, _, err := client.Flows.Documentation(t.Context(), 9)
	if err != nil {
		t.Fatal(err)
	}
	want := &FlowDocumentation{Documentation: "# Orders\nCopies orders.", Diagram: "<div>diagram</div>"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestFlowsService_Run(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		params    map[string]string
		opts      *RunOptions
		wantBody  string
		wantQuery values
	}{
		{"flat params, never wrapped", map[string]string{"runDate": "2026-05-09", "region": "eu west"}, nil,
			`{"runDate":"2026-05-09","region":"eu west"}`, values{}},
		{"a param named params stays flat", map[string]string{"params": "x"}, nil, `{"params":"x"}`, values{}},
		{"nil params send {}", nil, nil, `{}`, values{}},
		{"empty params send {}", map[string]string{}, &RunOptions{}, `{}`, values{}},
		{"sync", nil, &RunOptions{Sync: true}, `{}`, values{"sync": "true"}},
		{"parallel", nil, &RunOptions{Parallel: true}, `{}`, values{"parallel": "true"}},
		{"sync and parallel", map[string]string{"a": "1"}, &RunOptions{Sync: true, Parallel: true}, `{"a":"1"}`, values{"sync": "true", "parallel": "true"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			mux.HandleFunc("/rest/v1/flows/12345/run", func(w http.ResponseWriter, r *http.Request) {
				testMethod(t, r, http.MethodPost)
				testAPIHeaders(t, r)
				testHeader(t, r, "Content-Type", "application/json")
				testFormValues(t, r, tt.wantQuery)
				testJSONBody(t, r, tt.wantBody)
				fmt.Fprint(w, `{"flowId":12345,"messageUuid":null,"auditId":987654,"status":0,"exception":null}`)
			})
			got, _, err := client.Flows.Run(t.Context(), 12345, tt.params, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			want := &FlowExecution{FlowID: 12345, AuditID: 987654, Status: RunStarted}
			if *got != *want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

func TestFlowsService_Run_decoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want FlowExecution
	}{
		{"auditId as number", `{"flowId":1,"auditId":987654,"status":0}`, FlowExecution{FlowID: 1, AuditID: 987654}},
		{"auditId as numeric string", `{"flowId":"1","auditId":"987654","status":0}`, FlowExecution{FlowID: 1, AuditID: 987654}},
		{"auditId null", `{"flowId":1,"auditId":null,"status":3}`, FlowExecution{FlowID: 1, Status: RunNotStarted}},
		{"auditId empty string", `{"flowId":1,"auditId":"","status":3}`, FlowExecution{FlowID: 1, Status: RunNotStarted}},
		{"auditId absent", `{"flowId":1,"status":3}`, FlowExecution{FlowID: 1, Status: RunNotStarted}},
		{"large auditId", `{"auditId":9007199254740993}`, FlowExecution{AuditID: 9007199254740993}},
		{"sync success with uuid", `{"flowId":1,"messageUuid":"6f1c0e52-0b9d-4a49-9d0a-2d4f0d6a3a11","auditId":5,"status":4}`,
			FlowExecution{FlowID: 1, MessageUUID: "6f1c0e52-0b9d-4a49-9d0a-2d4f0d6a3a11", AuditID: 5, Status: RunSucceeded}},
		{"error with exception", `{"flowId":1,"auditId":6,"status":5,"exception":"java.sql.SQLException: boom"}`,
			FlowExecution{FlowID: 1, AuditID: 6, Status: RunFailed, Exception: "java.sql.SQLException: boom"}},
		{"unknown status kept", `{"flowId":1,"auditId":7,"status":9}`, FlowExecution{FlowID: 1, AuditID: 7, Status: 9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			mux.HandleFunc("/rest/v1/flows/1/run", func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, tt.body)
			})
			got, _, err := client.Flows.Run(t.Context(), 1, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if *got != tt.want {
				t.Errorf("got %+v, want %+v", *got, tt.want)
			}
		})
	}

	t.Run("auditId not a number", func(t *testing.T) {
		t.Parallel()
		client, mux, _ := setup(t)
		mux.HandleFunc("/rest/v1/flows/1/run", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"flowId":1,"auditId":"abc","status":0}`)
		})
		got, _, err := client.Flows.Run(t.Context(), 1, nil, nil)
		if err == nil || got != nil {
			t.Errorf("got %+v, %v; want nil and a decode error", got, err)
		}
	})
}

func TestFlowsService_RunByName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		flowName    string
		wantEscaped string // the path segment on the wire
	}{
		{"plain", "orders", "orders"},
		{"space", "My Flow", "My%20Flow"},
		{"slash", "Nightly load/EU orders", "Nightly%20load%2FEU%20orders"},
		{"query and fragment characters", "a?b#c", "a%3Fb%23c"},
		{"percent", "100% done", "100%25%20done"},
		{"dots inside a name", "Load orders... v2", "Load%20orders...%20v2"},
		{"unicode", "Übersicht", "%C3%9Cbersicht"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			mux.HandleFunc("/rest/v1/flows/flow-name/{name}/run", func(w http.ResponseWriter, r *http.Request) {
				testMethod(t, r, http.MethodPost)
				testAPIHeaders(t, r)
				testHeader(t, r, "Content-Type", "") // documented: no body, no content type
				if got, want := r.URL.EscapedPath(), "/rest/v1/flows/flow-name/"+tt.wantEscaped+"/run"; got != want {
					t.Errorf("escaped path %q, want %q", got, want)
				}
				if got := r.PathValue("name"); got != tt.flowName {
					t.Errorf("name decodes to %q, want %q", got, tt.flowName)
				}
				if got, want := r.URL.Query(), (url.Values{"sync": {"true"}, "k": {"v"}, "run date": {"2026-05-09&x"}}); !reflect.DeepEqual(got, want) {
					t.Errorf("query %v, want %v (parameters go in the query)", got, want)
				}
				if b, _ := io.ReadAll(r.Body); len(b) != 0 {
					t.Errorf("body %q, want none", b)
				}
				fmt.Fprint(w, `{"flowId":3,"auditId":"44","status":4}`)
			})
			got, _, err := client.Flows.RunByName(t.Context(), tt.flowName, map[string]string{"k": "v", "run date": "2026-05-09&x"}, &RunOptions{Sync: true})
			if err != nil {
				t.Fatal(err)
			}
			if want := (FlowExecution{FlowID: 3, AuditID: 44, Status: RunSucceeded}); *got != want {
				t.Errorf("got %+v, want %+v", *got, want)
			}
		})
	}
}

func TestFlowsService_RunByName_badNames(t *testing.T) {
	t.Parallel()
	client, _, _ := setup(t) // the catch-all fails the test if anything is sent
	for _, name := range []string{"", ".", ".."} {
		if got, _, err := client.Flows.RunByName(t.Context(), name, nil, nil); err == nil || got != nil {
			t.Errorf("RunByName(%q) = %+v, %v; want an error and nothing sent", name, got, err)
		}
	}
}

func TestFlowsService_Stop(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		auditID   int64
		wantQuery values
	}{
		{"latest run", 0, values{}},
		{"one run", 987654, values{"auditId": "987654"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			var calls atomic.Int32
			mux.HandleFunc("/rest/v1/flows/12/stop", func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				testMethod(t, r, http.MethodPost)
				testAPIHeaders(t, r)
				testFormValues(t, r, tt.wantQuery)
				testNoBody(t, r)
				fmt.Fprint(w, `{"flowId":12,"auditId":987654,"status":2}`)
			})
			got, _, err := client.Flows.Stop(t.Context(), 12, tt.auditID)
			if err != nil {
				t.Fatal(err)
			}
			if want := (FlowExecution{FlowID: 12, AuditID: 987654, Status: RunCanceled}); *got != want {
				t.Errorf("got %+v, want %+v", *got, want)
			}
			if calls.Load() != 1 {
				t.Errorf("stop sent %d times", calls.Load())
			}
		})
	}
}

func TestFlowsService_failuresReturnNil(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	for _, p := range []string{"/rest/v1/flows", "/rest/v1/flows/6", "/rest/v1/flows/6/documentation", "/rest/v1/flows/6/run", "/rest/v1/flows/6/stop",
		"/rest/v1/flows/flow-name/six/run"} {
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, `{"status":500,"error":"Internal Server Error","message":"boom"}`, http.StatusInternalServerError)
		})
	}
	ctx := t.Context()
	check := func(name string, got any, resp *Response, err error) {
		t.Helper()
		if !IsStatus(err, http.StatusInternalServerError) {
			t.Errorf("%s: error %v, want 500", name, err)
		}
		if !reflect.ValueOf(got).IsNil() {
			t.Errorf("%s: result %v, want nil", name, got)
		}
		if resp == nil || resp.StatusCode != http.StatusInternalServerError {
			t.Errorf("%s: resp %v, want the 500 response", name, resp)
		}
	}
	raw, resp, err := client.Flows.Get(ctx, 6)
	check("Get", raw, resp, err)
	doc, resp, err := client.Flows.Documentation(ctx, 6)
	check("Documentation", doc, resp, err)
	run, resp, err := client.Flows.Run(ctx, 6, nil, nil)
	check("Run", run, resp, err)
	run, resp, err = client.Flows.RunByName(ctx, "six", nil, nil)
	check("RunByName", run, resp, err)
	run, resp, err = client.Flows.Stop(ctx, 6, 0)
	check("Stop", run, resp, err)
	rows, resp, err := client.Flows.List(ctx, nil)
	check("List", rows, resp, err)
}
