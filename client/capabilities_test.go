package client

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// notFound answers like Spring Boot does for a path no controller has.
func notFound(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprintf(w, `{"status":404,"error":"Not Found","message":"No static resource %s.","path":%q}`, strings.TrimPrefix(r.URL.Path, "/rest/"), r.URL.Path)
}

// objectNotFound answers like a controller that has the route but not the object.
func objectNotFound(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprint(w, `{"status":404,"error":"Not Found","message":"Object 987654321987 not found"}`)
}

func TestProbeStates(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/", notFound) // every route not registered below is absent
	mux.HandleFunc("GET /rest/v1/flows", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `[]`) })
	mux.HandleFunc("GET /rest/v1/flows/{id}", objectNotFound)
	mux.HandleFunc("GET /rest/v1/executions", func(w http.ResponseWriter, r *http.Request) {
		testFormValues(t, r, values{"limit": "1"})
		fmt.Fprint(w, `[]`)
	})
	mux.HandleFunc("GET /rest/v1/connections", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"status":403,"error":"Forbidden","message":"no"}`, http.StatusForbidden)
	})
	mux.HandleFunc("GET /rest/v1/webhooks", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<html><body>Etlworks</body></html>") // a catch-all web page
	})
	mux.HandleFunc("GET /rest/v1/recycle-bin", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusMethodNotAllowed)
	})
	mux.HandleFunc("GET /rest/v1/schedules/{id}", objectNotFound) // the route exists; the probe's id does not
	mux.HandleFunc("GET /rest/v1/connections/oauth/{p}/authorize-url", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"status":400,"error":"Bad Request","message":"unknown provider"}`, http.StatusBadRequest)
	})
	states := c.Probe(t.Context())
	want := map[Capability]CapState{
		CapRunHistory: CapPresent, CapConnectionList: CapForbidden, CapWebhooks: CapAbsent, CapRecycleBin: CapAbsent,
		CapScheduleGet: CapPresent, CapOAuth: CapPresent, CapExplorer: CapAbsent, CapAuditDetail: CapAbsent,
		CapUsersMe: CapAbsent, CapConnectorTypes: CapAbsent, CapConnectionTest: CapUnknown,
	}
	for name, st := range want {
		if states[name] != st {
			t.Errorf("%s: %s, want %s", name, states[name], st)
		}
	}
	if check := c.LastCredentialCheck(t.Context()); check == nil || check.Verdict != CredentialAccepted {
		t.Errorf("credential check %+v, want accepted", check)
	}
}

func TestLearnOnFirstUse(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("/rest/", notFound)
	mux.HandleFunc("GET /rest/v1/flows/{id}", objectNotFound)
	mux.HandleFunc("POST /rest/v1/connections/{id}/test", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		notFound(w, r)
	})
	_, _, err := c.Connections.Test(t.Context(), 5)
	if !IsAbsent(err) || !strings.Contains(err.Error(), "no REST route for testing a connection") || !strings.Contains(err.Error(), "in the Etlworks UI: Explorer") {
		t.Fatalf("first use: %v", err)
	}
	if _, _, err := c.Connections.Test(t.Context(), 6); !IsAbsent(err) || calls.Load() != 1 {
		t.Fatalf("second use: %v after %d requests, want no new request", err, calls.Load())
	}
	// Callers that fall back on a route's 404 still see one; "no such object" does not.
	if !IsStatus(err, http.StatusNotFound) || IsNotFound(err) {
		t.Fatalf("IsStatus 404 %v, IsNotFound %v for %v", IsStatus(err, http.StatusNotFound), IsNotFound(err), err)
	}
}

func TestObjectNotFoundIsNotAbsent(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/", notFound)
	mux.HandleFunc("GET /rest/v1/flows/{id}", objectNotFound)
	mux.HandleFunc("POST /rest/v1/connections/{id}/test", objectNotFound)
	_, _, err := c.Connections.Test(t.Context(), 5)
	if IsAbsent(err) || !IsNotFound(err) {
		t.Fatalf("an object's 404: %v", err)
	}
	if st := c.CapabilityState(t.Context(), CapConnectionTest); st == CapAbsent {
		t.Fatal("an object's 404 marked the group absent")
	}
}

// TestAmbiguousNotFound covers an instance whose every 404 looks alike: nothing is concluded
// from a 404 on a route with an id.
func TestAmbiguousNotFound(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotFound) })
	_, _, err := c.Connections.Test(t.Context(), 5)
	if IsAbsent(err) || !IsNotFound(err) {
		t.Fatalf("ambiguous 404: %v", err)
	}
}

func TestCredentialCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status  int
		verdict string
		problem bool
	}{{200, CredentialAccepted, false}, {401, CredentialRejected, true}, {403, CredentialRefused, false}, {503, CredentialUnknown, false}} {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			mux.HandleFunc("GET /rest/v1/flows", func(w http.ResponseWriter, r *http.Request) {
				testFormValues(t, r, values{"limit": "1"})
				testHeader(t, r, "Authorization", "Bearer "+testKey)
				w.WriteHeader(tc.status)
				fmt.Fprint(w, `[]`)
			})
			mux.HandleFunc("/rest/", notFound)
			if err := c.CredentialProblem(t.Context()); err != nil {
				t.Fatalf("before any check: %v", err)
			}
			check := c.CheckCredential(t.Context())
			if check.Verdict != tc.verdict {
				t.Fatalf("verdict %s, want %s", check.Verdict, tc.verdict)
			}
			err := c.CredentialProblem(t.Context())
			if (err != nil) != tc.problem {
				t.Fatalf("problem %v, want %v", err, tc.problem)
			}
			if err != nil && (!strings.Contains(err.Error(), "rejected the API key (401") || strings.Contains(err.Error(), testKey)) {
				t.Fatalf("message %q", err)
			}
		})
	}
}

// TestHistoryFromReport pins the documented requests: the reporting API by date, day by day back
// to since, merged with the status route whose record lacks times and counts.
func TestHistoryFromReport(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	now := time.Now().UTC()
	today := now.Format(time.DateOnly)
	started := now.Add(-time.Hour).UnixMilli()
	var days []string
	mux.HandleFunc("/rest/", notFound)
	mux.HandleFunc("GET /rest/v1/flows/{id}", objectNotFound)
	mux.HandleFunc("GET /rest/v1/metrics/executions", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if len(q) != 1 || q.Get("date") == "" {
			t.Errorf("report query %v, want only date", q)
		}
		days = append(days, q.Get("date"))
		if q.Get("date") != today {
			fmt.Fprint(w, `[]`)
			return
		}
		fmt.Fprintf(w, `[{"flowId":7,"name":"Load orders","icon":"/img/x.png","executions":[
			{"flowId":7,"auditId":41,"status":"success","user":"scheduler","started":%d,"ended":%d,"records":15},
			{"flowId":7,"auditId":42,"status":"running","user":"alice","started":%d,"ended":null,"records":3}]},
			{"flowId":8,"name":"Other","executions":[{"flowId":8,"auditId":43,"status":"error","started":%d,"ended":%d,"records":0}]}]`,
			started, started+1000, started+5000, started, started+10)
	})
	mux.HandleFunc("GET /rest/v1/executions/{flowId}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("flowId") != "7" {
			t.Errorf("status of flow %s, want 7", r.PathValue("flowId"))
		}
		// the documented record: no started, ended, records or exception; the run has ended since
		fmt.Fprint(w, `{"auditId":42,"parentAuditId":null,"retries":null,"flowId":7,"flowName":"Load orders","eventId":null,"eventName":null,"messageId":null,"status":"success"}`)
	})
	h, err := c.Executions.History(t.Context(), HistoryOptions{FlowID: 7, Since: now.AddDate(0, 0, -2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 5 || days[1] != today {
		t.Errorf("days asked %v: want tomorrow, today and back to the day before since", days)
	}
	if len(h.Runs) != 2 || h.Runs[0].AuditID != 42 || h.Runs[0].Status != StatusSuccess || h.Runs[0].Records != 3 || h.Runs[0].Started == 0 {
		t.Fatalf("runs %+v", h.Runs)
	}
	if !strings.Contains(h.Source, "reporting API") || h.Limited != "" {
		t.Errorf("source %q limited %q", h.Source, h.Limited)
	}
	if st := c.CapabilityState(t.Context(), CapRunHistory); st != CapAbsent {
		t.Errorf("run-history %s, want absent (GET /v1/executions answered 404)", st)
	}
}

func TestHistoryForNonAdministrator(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/", notFound)
	mux.HandleFunc("GET /rest/v1/metrics/executions", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"status":403,"error":"Forbidden","message":"Administrator only"}`, http.StatusForbidden)
	})
	mux.HandleFunc("GET /rest/v1/flows", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `[{"id":7,"name":"a"},{"id":8,"name":"b"}]`)
	})
	mux.HandleFunc("GET /rest/v1/executions/{flowId}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("flowId") == "8" {
			objectNotFound(w, r) // never ran
			return
		}
		fmt.Fprint(w, `{"auditId":42,"flowId":7,"status":"error"}`)
	})
	h, err := c.Executions.History(t.Context(), HistoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Runs) != 1 || h.Runs[0].AuditID != 42 || h.Runs[0].Detailed() {
		t.Fatalf("runs %+v", h.Runs)
	}
	if !strings.Contains(h.Limited, "needs the Administrator role") || !strings.Contains(h.Limited, "get_run") {
		t.Errorf("limited %q", h.Limited)
	}
	if st := c.CapabilityState(t.Context(), CapReporting); st != CapForbidden {
		t.Errorf("reporting %s, want forbidden", st)
	}
}

func TestRunningTasksRequest(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /etl/rest/v1/tasks/42/", func(w http.ResponseWriter, r *http.Request) {
		testFormValues(t, r, values{"type": "stream"})
		testHeader(t, r, "Authorization", "Bearer "+testKey)
		fmt.Fprint(w, `[{"requestId":"r1","name":"orders","started":1584896338701,"type":"stream","latency":120,"maxLatency":300,"recordsProcessed":1500}]`)
	})
	tasks, _, err := c.Executions.RunningTasks(t.Context(), 42, "stream")
	if err != nil || len(tasks) != 1 || tasks[0].RecordsProcessed != 1500 || tasks[0].Latency != 120 {
		t.Fatalf("%+v %v", tasks, err)
	}
}

func TestFieldNamesHaveNoValues(t *testing.T) {
	t.Parallel()
	body := []byte(`[{"id":12,"name":"Secret flow","properties":{"my.var":"s3cr3t"},"connections":[{"id":3,"password":"hunter2"}],"tags":["prod"]}]`)
	got := strings.Join(FieldNames(body), ",")
	if want := "[],[].connections,[].connections[],[].connections[].id,[].connections[].password,[].id,[].name,[].properties,[].tags,[].tags[]"; got != want {
		t.Fatalf("fields %s\nwant   %s", got, want)
	}
	for _, v := range []string{"Secret flow", "s3cr3t", "hunter2", "prod", "my.var", "12"} {
		if strings.Contains(got, v) {
			t.Errorf("field names carry %q", v)
		}
	}
}

// TestChecksReadOnlyTheHead: against an upstream that answers every route with a 50 MB array, the
// credential check, the 404 fingerprint and the capability probes (several at once) each read only
// the start of the answer, not a body limit of it, and still find the credential accepted.
func TestChecksReadOnlyTheHead(t *testing.T) { // not parallel: it measures allocation
	c, mux, _ := setup(t, withMaxBodySize(4<<20))
	var written atomic.Int64
	var calls atomic.Int32
	mux.HandleFunc("/rest/", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		hugeArray(50<<20, &written)(w, r)
	})
	alloc := allocated(func() { c.Probe(t.Context()) })
	if n := calls.Load(); n < 5 {
		t.Fatalf("only %d checks were sent; the test would prove nothing", n)
	}
	// Reading a body limit per check allocates at least 4 MiB each (8 with the buffer's growth).
	if alloc > 12<<20 {
		t.Errorf("%d checks against 50 MB answers allocated %d MiB, want well under one 4 MiB body limit each", calls.Load(), alloc>>20)
	}
	if check := c.LastCredentialCheck(t.Context()); check == nil || check.Verdict != CredentialAccepted {
		t.Errorf("credential check %+v, want accepted (a 2xx answer)", check)
	}
	t.Logf("%d checks allocated %d MiB; the server wrote %d MiB", calls.Load(), alloc>>20, written.Load()>>20)
}
