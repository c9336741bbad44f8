package tools

import (
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/etlworks/etlworks-mcp/client"
)

// faultyTool returns the handler of one tool wired to an Etlworks stand-in served by h, with a
// short per-call timeout.
func faultyTool(t *testing.T, name string, h http.HandlerFunc, callTimeout time.Duration) func(map[string]any) (string, bool) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	api, err := client.New(srv.URL+"/rest", client.WithAPIKey("k"), client.WithRetries(0, 0), client.WithTimeout(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range All(Deps{Client: api, CallTimeout: callTimeout, PollInterval: time.Millisecond}) {
		if d.Tool.Name == name {
			return func(args map[string]any) (string, bool) {
				res, err := d.Handler(t.Context(), callRequest(name, args))
				if err != nil {
					t.Fatalf("%s: protocol error %v", name, err)
				}
				return resultData(res), res.IsError
			}
		}
	}
	t.Fatalf("no tool %s", name)
	return nil
}

// stall answers with the start of a JSON body and then nothing until the client leaves.
func stall(w http.ResponseWriter, r *http.Request) {
	io.WriteString(w, `[{"id":1,`)
	w.(http.Flusher).Flush()
	<-r.Context().Done()
}

// TestCallTimeout: a call whose upstream stalls ends at the per-call deadline with a clear error.
func TestCallTimeout(t *testing.T) {
	call := faultyTool(t, "get_flow", stall, 50*time.Millisecond)
	got, isErr := call(map[string]any{"flow": "Load orders"})
	if !isErr {
		t.Fatalf("want an error, got %s", got)
	}
	mustContain(t, got, "get_flow did not finish within 50ms", "--call-timeout", "ETLWORKS_CALL_TIMEOUT")
}

// TestRunFlowWaitOwnDeadline: run_flow with wait is bounded by its timeout_seconds, not by the
// per-call timeout: a run that outlives the per-call timeout is still followed.
func TestRunFlowWaitOwnDeadline(t *testing.T) {
	var polls atomic.Int32
	h := func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/rest/v1/flows/7" && r.Method == http.MethodGet:
			io.WriteString(w, `{"id":7,"name":"slow"}`)
		case r.URL.Path == "/rest/v1/flows/7/run":
			io.WriteString(w, `{"flowId":7,"auditId":70,"status":0}`)
		case r.URL.Path == "/rest/v1/executions/7":
			status := "running"
			if polls.Add(1) > 3 {
				status = "success"
			}
			time.Sleep(20 * time.Millisecond) // four polls outlast the 30ms per-call timeout
			io.WriteString(w, `{"auditId":70,"flowId":7,"status":"`+status+`"}`)
		case r.URL.Path == "/rest/v1/executions/console/download":
			io.WriteString(w, "done\n")
		default:
			io.WriteString(w, `[]`)
		}
	}
	call := faultyTool(t, "run_flow", h, 30*time.Millisecond)
	got, isErr := call(map[string]any{"flow": 7, "wait": true, "timeout_seconds": 60})
	if isErr || !strings.Contains(got, `"status":"success"`) {
		t.Fatalf("run_flow with wait: %v %s", isErr, got)
	}
}

// TestToolsFacingBadUpstreams: HTML, empty and null bodies and a 50 MB array get errors that say
// what came back, and the huge one is refused with bounded memory.
func TestToolsFacingBadUpstreams(t *testing.T) {
	// A static 50 MB JSON file: its Content-Length alone gets it refused at the default 32 MiB limit
	// (client tests cover a streamed body of unknown length).
	huge := func(w http.ResponseWriter, r *http.Request) {
		row := []byte(`{"id":1,"name":"` + strings.Repeat("x", 1000) + `"},`)
		n := (50 << 20) / len(row)
		w.Header().Set("Content-Length", strconv.Itoa(1+n*len(row)+len(`{"id":2,"name":"y"}]`)))
		io.WriteString(w, "[")
		for range n {
			if _, err := w.Write(row); err != nil {
				return
			}
		}
		io.WriteString(w, `{"id":2,"name":"y"}]`)
	}
	body := func(ct, b string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { w.Header().Set("Content-Type", ct); io.WriteString(w, b) }
	}
	for _, tt := range []struct {
		name string
		h    http.HandlerFunc
		tool string
		args map[string]any
		want []string
	}{
		{"html", body("text/html", "<html><title>Okta sign in</title></html>"), "list_flows", nil, []string{"HTML page", "Okta sign in", "ETLWORKS_URL", "/rest"}},
		{"html 404", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, "<html><title>Welcome to nginx</title></html>")
		}, "get_flow", map[string]any{"flow": 3}, []string{"answered 404 with an HTML page", "Welcome to nginx", "ETLWORKS_URL"}},
		{"empty", body("application/json", ""), "get_flow", map[string]any{"flow": 3}, []string{"empty body", "ETLWORKS_URL"}},
		{"null", body("application/json", "null"), "list_connections", nil, []string{"with null", "ETLWORKS_URL"}},
		{"null by name", body("application/json", "null"), "get_flow", map[string]any{"flow": "orders"}, []string{"with null", "ETLWORKS_URL"}},
		{"huge", huge, "get_flow", map[string]any{"flow": "orders"}, []string{"larger than 32 MiB", "GET /rest/v1/flows"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			call := faultyTool(t, tt.tool, tt.h, time.Minute)
			var got string
			var isErr bool
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			got, isErr = call(tt.args)
			runtime.ReadMemStats(&after)
			if !isErr {
				t.Fatalf("want an error, got %s", got)
			}
			mustContain(t, got, tt.want...)
			if strings.Contains(got, "not found") {
				t.Errorf("reported as not found: %s", got)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 200<<20 {
				t.Errorf("allocated %d MiB", alloc>>20)
			}
		})
	}
}

// TestErrorsEchoBounded: a megabyte of input comes back as at most a couple of hundred bytes.
func TestErrorsEchoBounded(t *testing.T) {
	e := newEnv(t)
	big := strings.Repeat("A", 1<<20)
	for _, tt := range []struct {
		tool string
		args map[string]any
	}{
		{"get_flow", map[string]any{"flow": big}},
		{"get_run_log", map[string]any{"flow": "Load orders from CSV", "grep": "(" + big}},
		{"list_flows", map[string]any{big: 1}},
		{"list_flows", map[string]any{"cursor": big}},
		{"run_sql", map[string]any{"connection": "Warehouse", "sql": "SELECT " + big + " FROM nowhere"}},
		{"run_sql", map[string]any{"connection": big, "sql": "SELECT 1"}},
		{"create_schedule", map[string]any{"flow": "Load orders from CSV", "cron": "0 0 2 * " + big}},
		{"create_schedule", map[string]any{"flow": "Load orders from CSV", "cron": "0 0 " + big + " * * ?"}},
		{"update_flow", map[string]any{"flow": "Load orders from CSV", "set": map[string]any{"description.." + big: 1}, "dry_run": true}},
	} {
		got := e.fails(tt.tool, tt.args)
		if len(got) > 1200 {
			t.Errorf("%s: a 1 MiB value came back as a %d-byte error: %.300s", tt.tool, len(got), got)
		}
	}
}

// TestParamsTypeNamed: a wrong type inside params names the type that was sent.
func TestParamsTypeNamed(t *testing.T) {
	e := newEnv(t)
	got := e.fails("run_flow", map[string]any{"flow": "Load orders from CSV", "params": map[string]any{"day": map[string]any{"x": 1}}})
	mustContain(t, got, `"params": every value in it must be a string, got an object`)
	got = e.fails("run_flow", map[string]any{"flow": "Load orders from CSV", "params": []any{"x"}})
	mustContain(t, got, `"params" must be an object, got an array`)
}

// TestRunSQLHugeValues: the reproduction from the issue, SELECT zeroblob(50000000), and a value
// just under SQLite's limit, both end bounded in memory with a clear answer.
func TestRunSQLHugeValues(t *testing.T) {
	e := newEnv(t)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	got := e.fails("run_sql", map[string]any{"connection": "Warehouse", "sql": "SELECT zeroblob(50000000)"})
	mustContain(t, got, "larger than the 8 MiB")
	got = e.ok("run_sql", map[string]any{"connection": "Warehouse", "sql": "SELECT printf('%.1000000c', 'x') AS big, 2 AS n"}, nil)
	runtime.ReadMemStats(&after)
	mustContain(t, unfence(got), "1 row (truncated: first 1; more exist); to page, add ORDER BY and LIMIT/OFFSET to the SQL\nbig,n\n"+strings.Repeat("x", maxCell)+"…,2\n")
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 200<<20 {
		t.Errorf("allocated %d MiB", alloc>>20)
	}
}
