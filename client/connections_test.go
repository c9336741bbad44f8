package client

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestConnectionsService_List(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      *ConnectionListOptions
		wantQuery values
	}{
		{"nil options", nil, values{}},
		{"all filters", &ConnectionListOptions{Name: "crm db", Tag: "prod", ConnectionType: "connection.db.postgres",
			ListOptions: ListOptions{Limit: 25, Offset: 50}},
			values{"name": "crm db", "tag": "prod", "connectionType": "connection.db.postgres", "limit": "25", "offset": "50"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			mux.HandleFunc("/rest/v1/connections", func(w http.ResponseWriter, r *http.Request) {
				testMethod(t, r, http.MethodGet)
				testAPIHeaders(t, r)
				testFormValues(t, r, tt.wantQuery)
				testNoBody(t, r)
				w.Header().Set("X-Total-Count", "7")
				fmt.Fprint(w, `[{"id":1,"name":"Warehouse","connectionType":"connection.db.sqlite"}]`)
			})
			rows, resp, err := client.Connections.List(t.Context(), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			testJSONEqual(t, "rows", rows, `[{"id":1,"name":"Warehouse","connectionType":"connection.db.sqlite"}]`)
			if resp.Total != 7 {
				t.Errorf("Total = %d, want 7", resp.Total)
			}
		})
	}
}

func TestConnectionsService_Get(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	const conn = `{"id":3,"name":"CRM database","connectionType":"connection.db.sqlite","properties":{"field.connection.template.password":"********"},"tags":["crm"]}`
	mux.HandleFunc("/rest/v1/connections/3", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testAPIHeaders(t, r)
		testNoBody(t, r)
		fmt.Fprint(w, conn)
	})
	raw, _, err := client.Connections.Get(t.Context(), 3)
	if err != nil {
		t.Fatal(err)
	}
	testJSONEqual(t, "connection", raw, conn)
}

func TestConnectionsService_CreateUpdate(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/v1/connections", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		testHeader(t, r, "Content-Type", "application/json")
		testJSONBody(t, r, `{"name":"pg","description":"","connectionType":"connection.db.postgres","properties":{},"tags":[]}`)
		fmt.Fprint(w, `{"id":9,"name":"pg"}`)
	})
	mux.HandleFunc("/rest/v1/connections/9", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPut)
		testJSONBody(t, r, `{"name":"pg","description":"d","connectionType":"connection.db.postgres",
			"properties":{"field.connection.template.host":"db"},"tags":["prod"]}`)
		fmt.Fprint(w, `{"id":9,"name":"pg","description":"d"}`)
	})
	raw, _, err := client.Connections.Create(t.Context(), &ConnectionRequest{Name: "pg", ConnectionType: "connection.db.postgres"})
	if err != nil {
		t.Fatal(err)
	}
	testJSONEqual(t, "created", raw, `{"id":9,"name":"pg"}`)
	raw, _, err = client.Connections.Update(t.Context(), 9, json.RawMessage(`{"name":"pg","description":"d","connectionType":"connection.db.postgres",
			"properties":{"field.connection.template.host":"db"},"tags":["prod"]}`))
	if err != nil {
		t.Fatal(err)
	}
	testJSONEqual(t, "updated", raw, `{"id":9,"name":"pg","description":"d"}`)
	if _, _, err := client.Connections.Update(t.Context(), 9, nil); err == nil {
		t.Error("Update(nil) must fail before sending")
	}
}

// TestConnectionsService_writeErrorHidesSecrets: a server that echoes the request body in its
// error must not make the client repeat the secrets it sent.
func TestConnectionsService_writeErrorHidesSecrets(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	const pw = "s3cret-Passw0rd"
	mux.HandleFunc("/rest/v1/connections/4", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"status":400,"error":"Bad Request","message":"cannot connect as crm with password %s (host db, key AKIA1234)"}`, pw)
	})
	_, _, err := client.Connections.Update(t.Context(), 4, json.RawMessage(`{"name":"crm","connectionType":"connection.db.sqlite",
		"properties":{"field.connection.template.password":"`+pw+`","field.connection.template.accessKey":"AKIA1234","field.connection.template.host":"db"}}`))
	e := apiErrorOf(t, err)
	if strings.Contains(e.Error(), pw) || strings.Contains(e.Error(), "AKIA1234") {
		t.Errorf("error repeats a secret: %v", e)
	}
	if !strings.Contains(e.Error(), "host db") {
		t.Errorf("error lost the non-secret text: %v", e)
	}
}

func TestConnectionsService_Delete(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/v1/connections/5", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodDelete)
		testNoBody(t, r)
		fmt.Fprint(w, `{"connectionId":5,"name":"x","recycleBinId":12,"usedByFlows":[{"id":1,"name":"Load"}]}`)
	})
	mux.HandleFunc("/rest/v1/connections/7", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/rest/v1/connections/6", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"status":404,"error":"Not Found","message":"Connection 6 not found"}`)
	})
	del, _, err := client.Connections.Delete(t.Context(), 5)
	if err != nil {
		t.Fatal(err)
	}
	if del.ObjectID() != 5 || del.Name != "x" || del.RecycleBinID != 12 || len(del.UsedByFlows) != 1 || del.UsedByFlows[0].Name != "Load" {
		t.Errorf("deleted: %+v", del)
	}
	if del, _, err := client.Connections.Delete(t.Context(), 7); err != nil || del.ObjectID() != 0 || del.RecycleBinID != 0 {
		t.Errorf("204: %+v %v", del, err)
	}
	if _, _, err := client.Connections.Delete(t.Context(), 6); !IsNotFound(err) {
		t.Errorf("error %v, want a 404", err)
	}
}

func TestConnectionsService_Test(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/v1/connections/3/test", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		testAPIHeaders(t, r)
		fmt.Fprint(w, `{"success":false,"message":"Authentication failed for user crm_reader","durationMs":12}`)
	})
	got, _, err := client.Connections.Test(t.Context(), 3)
	if err != nil {
		t.Fatal(err)
	}
	want := &ConnectionTest{Success: false, Message: "Authentication failed for user crm_reader", DurationMs: 12}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestConnectionsService_Types(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/v1/connection-types", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		testFormValues(t, r, values{"name": "postgres", "category": "database", "limit": "200"})
		fmt.Fprint(w, `[{"type":"connection.db.postgres","name":"PostgreSQL","category":"database","properties":[]}]`)
	})
	raw, _, err := client.Connections.Types(t.Context(), &ConnectionTypeListOptions{Name: "postgres", Category: "database", ListOptions: ListOptions{Limit: 200}})
	if err != nil {
		t.Fatal(err)
	}
	testJSONEqual(t, "types", raw, `[{"type":"connection.db.postgres","name":"PostgreSQL","category":"database","properties":[]}]`)
}

func TestConnectionsService_OAuth(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/rest/v1/connections/oauth/{provider}/authorize-url", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		if got := r.PathValue("provider"); got != "google sheets" {
			t.Errorf("provider %q", got)
		}
		testFormValues(t, r, values{"connectionId": "8", "redirectUri": "https://x.example/cb"})
		fmt.Fprint(w, `{"url":"https://accounts.example/auth?state=abc","state":"abc"}`)
	})
	mux.HandleFunc("/rest/v1/connections/8/oauth/callback", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		testJSONBody(t, r, `{"code":"the-code-123","state":"abc"}`)
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"status":400,"error":"Bad Request","message":"code the-code-123 expired"}`)
	})
	got, _, err := client.Connections.OAuthURL(t.Context(), "google sheets", &OAuthURLOptions{ConnectionID: 8, RedirectURI: "https://x.example/cb"})
	if err != nil {
		t.Fatal(err)
	}
	if *got != (OAuthURL{URL: "https://accounts.example/auth?state=abc", State: "abc"}) {
		t.Errorf("got %+v", got)
	}
	_, _, err = client.Connections.OAuthCallback(t.Context(), 8, "the-code-123", "abc")
	if e := apiErrorOf(t, err); strings.Contains(e.Error(), "the-code-123") {
		t.Errorf("error repeats the code: %v", e)
	}
	if _, _, err := client.Connections.OAuthURL(t.Context(), " ", nil); err == nil {
		t.Error("an empty provider must fail before sending")
	}
}

func TestSecretValues(t *testing.T) {
	t.Parallel()
	got := secretValues(map[string]string{
		"field.connection.template.password":  "hunter22",
		"field.connection.template.secretKey": MaskedSecret,
		"field.connection.template.token":     "abc", // too short to redact safely
		"field.connection.template.host":      "db.internal",
		"field.connection.template.apiKey":    "k-123456",
	})
	want := map[string]bool{"hunter22": true, "k-123456": true}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for _, v := range got {
		if !want[v] {
			t.Errorf("unexpected secret %q", v)
		}
	}
}
