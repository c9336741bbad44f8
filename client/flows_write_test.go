package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"testing"
)

// endpointCase is one call of a service method against a stub endpoint: what the request must
// look like and what the method must return for the stub's answer.
type endpointCase struct {
	name      string
	method    string
	path      string // full path, under /rest
	wantQuery values
	wantBody  string // "" = no body
	status    int    // 0 = 200
	answer    string
	call      func(ctx context.Context, c *Client) (any, error)
	want      any // compared with reflect.DeepEqual; a json.RawMessage compares as JSON
}

// runEndpointCases runs each case on its own server.
func runEndpointCases(t *testing.T, cases []endpointCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			mux.HandleFunc(tt.path, func(w http.ResponseWriter, r *http.Request) {
				testMethod(t, r, tt.method)
				testAPIHeaders(t, r)
				testFormValues(t, r, tt.wantQuery)
				if tt.wantBody == "" {
					testNoBody(t, r)
				} else {
					testHeader(t, r, "Content-Type", "application/json")
					testJSONBody(t, r, tt.wantBody)
				}
				if tt.status != 0 {
					w.WriteHeader(tt.status)
				}
				fmt.Fprint(w, tt.answer)
			})
			got, err := tt.call(t.Context(), c)
			if err != nil {
				t.Fatal(err)
			}
			if raw, ok := got.(json.RawMessage); ok {
				testJSONEqual(t, "answer", raw, string(tt.want.(json.RawMessage)))
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestFlowsService_writes(t *testing.T) {
	t.Parallel()
	const def = `{"name":"Copy","flowType":"database-to-database","transformations":[{"source":{"connectionId":1,"sql":"SELECT 1"}}],"x-unknown":{"kept":true}}`
	const stored = `{"id":77,"name":"Copy","flowType":"database-to-database","x-unknown":{"kept":true}}`
	runEndpointCases(t, []endpointCase{
		{
			name: "create passes the definition through", method: http.MethodPost, path: "/rest/v1/flows",
			wantQuery: values{}, wantBody: def, answer: stored, want: json.RawMessage(stored),
			call: func(ctx context.Context, c *Client) (any, error) {
				raw, _, err := c.Flows.Create(ctx, json.RawMessage(def))
				return raw, err
			},
		},
		{
			name: "update puts the whole definition", method: http.MethodPut, path: "/rest/v1/flows/77",
			wantQuery: values{}, wantBody: def, answer: stored, want: json.RawMessage(stored),
			call: func(ctx context.Context, c *Client) (any, error) {
				raw, _, err := c.Flows.Update(ctx, 77, json.RawMessage(def))
				return raw, err
			},
		},
		{
			name: "delete reports the recycle-bin item", method: http.MethodDelete, path: "/rest/v1/flows/77",
			wantQuery: values{}, answer: `{"flowId":77,"name":"Copy","recycleBinId":"5","deletedWith":[{"artifactType":"schedule","artifactId":3,"name":"Nightly","recycleBinId":6}]}`,
			want: &Deletion{FlowID: 77, Name: "Copy", RecycleBinID: 5,
				DeletedWith: []Artifact{{ArtifactType: "schedule", ArtifactID: 3, Name: "Nightly", RecycleBinID: 6}}},
			call: func(ctx context.Context, c *Client) (any, error) {
				d, _, err := c.Flows.Delete(ctx, 77)
				return d, err
			},
		},
		{
			name: "delete answered 204", method: http.MethodDelete, path: "/rest/v1/flows/78",
			wantQuery: values{}, status: http.StatusNoContent, want: &Deletion{},
			call: func(ctx context.Context, c *Client) (any, error) {
				d, _, err := c.Flows.Delete(ctx, 78)
				return d, err
			},
		},
	})
}

func TestFlowsService_writeErrors(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/v1/flows/5", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"status":400,"error":"Bad Request","message":"Field 'name' is required","path":"/rest/v1/flows/5"}`)
	})
	raw, resp, err := c.Flows.Update(t.Context(), 5, json.RawMessage(`{"name":""}`))
	if e := apiErrorOf(t, err); e.Status != 400 || e.Message != "Field 'name' is required" || e.Method != http.MethodPut {
		t.Errorf("error %+v", e)
	}
	if raw != nil || resp == nil {
		t.Errorf("raw %s, resp %v: want nil and the response", raw, resp)
	}
	if _, _, err := c.Flows.Create(t.Context(), json.RawMessage(`{not json`)); err == nil {
		t.Error("an invalid definition must fail before it is sent")
	}
}

func TestDeletion_ObjectID(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		d    Deletion
		want int64
	}{{Deletion{ArtifactID: 3}, 3}, {Deletion{FlowID: 4}, 4}, {Deletion{ID: 5}, 5}, {Deletion{}, 0}} {
		if got := tt.d.ObjectID(); got != tt.want {
			t.Errorf("%+v: %d, want %d", tt.d, got, tt.want)
		}
	}
}
