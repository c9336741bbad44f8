package client_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/etlworks/etlworks-mcp/client"
)

// fakeEtlworks stands in for an Etlworks instance: flow 42 runs as audit 1001, which is running on
// the first status check and has succeeded on the second.
func fakeEtlworks() *httptest.Server {
	var checks atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("POST /rest/v1/flows/42/run", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"flowId":42,"messageUuid":null,"auditId":"1001","status":0,"exception":null}`)
	})
	mux.HandleFunc("GET /rest/v1/executions/42", func(w http.ResponseWriter, r *http.Request) {
		status := "running"
		if checks.Add(1) > 1 {
			status = "success"
		}
		fmt.Fprintf(w, `{"auditId":1001,"flowId":42,"flowName":"Load orders","status":%q,"records":1500}`, status)
	})
	mux.HandleFunc("GET /rest/v1/executions/7", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"status":404,"error":"Not Found","message":"Flow 7 has never run"}`)
	})
	return httptest.NewServer(mux)
}

// Start a flow with parameters, then poll its run until it ends.
func Example() {
	srv := fakeEtlworks()
	defer srv.Close()
	baseURL := srv.URL + "/rest" // e.g. https://app.etlworks.com/rest

	c, err := client.New(baseURL, client.WithAPIKey("my-api-key"))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// The parameters become flow variables; the run starts asynchronously.
	run, _, err := c.Flows.Run(ctx, 42, map[string]string{"runDate": "2026-05-09"}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("flow %d: run %d %s\n", run.FlowID, run.AuditID, run.Status)

	// Poll the run by its audit id until its status is terminal.
	for {
		exec, _, err := c.Executions.Get(ctx, 42, &client.ExecutionGetOptions{AuditID: int64(run.AuditID)})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("run %d: %s\n", exec.AuditID, exec.Status)
		if exec.Status.Terminal() {
			fmt.Printf("%s loaded %d records\n", exec.FlowName, exec.Records)
			break
		}
		time.Sleep(10 * time.Millisecond) // against a real instance, poll every few seconds
	}
	// Output:
	// flow 42: run 1001 started
	// run 1001: running
	// run 1001: success
	// Load orders loaded 1500 records
}

// Sign in with a login and password instead of an API key: the client gets a JWT, keeps it, and
// gets a new one when Etlworks answers 401.
func ExampleWithLogin() {
	c, err := client.New("https://app.etlworks.com/rest",
		client.WithLogin("alice@example.com", "password"),
		client.WithTimeout(20*time.Second),
		client.WithUserAgent("nightly-report/1.0"),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.BaseURL())
	// Output: https://app.etlworks.com/rest
}

// Tell a missing object from other failures.
func ExampleIsNotFound() {
	srv := fakeEtlworks()
	defer srv.Close()
	c, err := client.New(srv.URL+"/rest", client.WithAPIKey("my-api-key"))
	if err != nil {
		log.Fatal(err)
	}

	_, _, err = c.Executions.Get(context.Background(), 7, nil)
	switch {
	case client.IsNotFound(err):
		fmt.Println("no run yet:", err)
	case err != nil:
		log.Fatal(err)
	}
	// Output: no run yet: etlworks: GET /rest/v1/executions/7: 404: Flow 7 has never run
}
