package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestUnexpectedBodies: what is not the JSON a GET expects is an error that says what came back
// and where to look, never "not found" or an empty list.
func TestUnexpectedBodies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, contentType, body string
		want                    []string
	}{
		{"empty", "application/json", "", []string{"GET /rest/v1/flows answered 200 with an empty body", "ETLWORKS_URL", "/rest"}},
		{"blank", "application/json", " \n ", []string{"with an empty body"}},
		{"null", "application/json", "null", []string{"with null", "ETLWORKS_URL"}},
		{"html sign-in page", "text/html; charset=utf-8", "<!DOCTYPE html>\n<html><head><title>Sign in</title>\x00</head>",
			[]string{"with an HTML page", "text/html; charset=utf-8", `"<!DOCTYPE html> <html><head><title>Sign in</title> </head>"`, "ETLWORKS_URL"}},
		{"plain text", "text/plain", "Service Unavailable", []string{"with text that is not JSON", `"Service Unavailable"`}},
		{"cut JSON", "application/json", `[{"id":1,"name":"a"`, []string{"with malformed JSON"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			mux.HandleFunc("/rest/v1/flows", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				fmt.Fprint(w, tt.body)
			})
			_, _, err := c.Flows.List(t.Context(), nil)
			var ub *UnexpectedBodyError
			if !errors.As(err, &ub) {
				t.Fatalf("error %v, want an *UnexpectedBodyError", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%s", w, err)
				}
			}
			_, err = c.Flows.FindByName(t.Context(), "orders")
			var nf *NameNotFoundError
			if errors.As(err, &nf) || !errors.As(err, &ub) {
				t.Errorf("a name lookup on this body says %v, want the body error", err)
			}
		})
	}
}

// TestEmptyWriteAnswer: a write may answer with nothing; that is not an error.
func TestEmptyWriteAnswer(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/v1/flows/7/stop", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	if _, _, err := c.Flows.Stop(t.Context(), 7, 0); err != nil {
		t.Fatalf("empty answer to a write: %v", err)
	}
}

// hugeArray streams a JSON array of about size bytes of flow rows without holding it, and counts
// what it managed to write.
func hugeArray(size int, written *atomic.Int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		row := []byte(`{"id":1,"name":"` + strings.Repeat("x", 1000) + `"},`)
		if _, err := io.WriteString(w, "["); err != nil {
			return
		}
		for n := 0; n < size; n += len(row) {
			k, err := w.Write(row)
			written.Add(int64(k))
			if err != nil {
				return
			}
		}
		_, _ = io.WriteString(w, `{"id":2,"name":"last"}]`)
	}
}

// allocated runs f and returns the bytes it allocated (the whole process's, so margins are wide).
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestHugeBodyIsRefused: a 50 MB array is refused at the body limit (2 MiB here, to keep the test
// fast; tools' TestToolsFacingBadUpstreams runs the default 32 MiB) with an error naming the
// endpoint, after reading no more than the limit, and a name lookup does not page on.
func TestHugeBodyIsRefused(t *testing.T) { // not parallel: it measures allocation
	if DefaultMaxBody != 32<<20 {
		t.Errorf("DefaultMaxBody = %d, the issue asks for 32 MiB", DefaultMaxBody)
	}
	c, mux, _ := setup(t, withMaxBodySize(2<<20))
	var written atomic.Int64
	var pages atomic.Int32
	mux.HandleFunc("/rest/v1/flows", func(w http.ResponseWriter, r *http.Request) {
		pages.Add(1)
		hugeArray(50<<20, &written)(w, r)
	})
	var err error
	alloc := allocated(func() { _, err = c.Flows.FindByName(t.Context(), "orders") })
	var tl *TooLargeError
	if !errors.As(err, &tl) {
		t.Fatalf("error %v, want a *TooLargeError", err)
	}
	for _, w := range []string{"GET /rest/v1/flows?limit=200", "larger than 2 MiB", "ask for less"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q: %s", w, err)
		}
	}
	if pages.Load() != 1 {
		t.Errorf("the lookup asked for %d pages after a refused one, want 1", pages.Load())
	}
	if alloc > 24<<20 {
		t.Errorf("refusing a 50 MB body at 2 MiB allocated %d MiB, want well under 24", alloc>>20)
	}
	if w := written.Load(); w > 16<<20 {
		t.Errorf("the server got to write %d MiB of a body refused at 2 MiB", w>>20)
	}
	t.Logf("allocated %d MiB; the server wrote %d MiB", alloc>>20, written.Load()>>20)
}

// TestSmallBodyLimit: a smaller body limit lowers the limit.
func TestSmallBodyLimit(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t, withMaxBodySize(4096))
	var written atomic.Int64
	mux.HandleFunc("/rest/v1/connections", hugeArray(1<<20, &written))
	_, _, err := c.Connections.List(t.Context(), nil)
	if !strings.Contains(fmt.Sprint(err), "larger than 4096 bytes") {
		t.Fatalf("error %v, want the 4096-byte limit", err)
	}
}

// TestQueryRowsBoundedWhileRead: a query answer of 20 MB of rows keeps at most the row budget,
// says it is truncated, and still reads the fields that follow the rows.
func TestQueryRowsBoundedWhileRead(t *testing.T) {
	c, mux, _ := setup(t)
	cell := `"` + strings.Repeat("z", 50<<10) + `"` // 200 rows: 10 MB, over the 8 MiB row budget
	mux.HandleFunc("/rest/v1/explorer/3/sql", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"rows":[`)
		for i := range 200 {
			if i > 0 {
				io.WriteString(w, ",")
			}
			io.WriteString(w, "["+cell+",1]")
		}
		io.WriteString(w, `],"columns":[{"name":"big","type":"TEXT"},{"name":"n","type":"INTEGER"}],"rowCount":200,"durationMs":5}`)
	})
	var res *QueryResult
	var err error
	alloc := allocated(func() { res, _, err = c.Explorer.SQL(t.Context(), 3, &SQLRequest{SQL: "SELECT big, n FROM t"}) })
	if err != nil {
		t.Fatal(err)
	}
	kept := 0
	for _, row := range res.Rows {
		for _, cell := range row {
			kept += len(cell)
		}
	}
	if !res.Truncated || kept > maxQueryRowBytes || len(res.Rows) == 0 {
		t.Errorf("kept %d rows (%d bytes), truncated %v; want some rows under %d bytes, truncated", len(res.Rows), kept, res.Truncated, maxQueryRowBytes)
	}
	if len(res.Columns) != 2 || res.RowCount != 200 || res.DurationMs != 5 {
		t.Errorf("fields after the rows were lost: %+v %d %d", res.Columns, res.RowCount, res.DurationMs)
	}
	if alloc > 80<<20 {
		t.Errorf("reading 10 MB of rows allocated %d MiB, want well under 80", alloc>>20)
	}
}

// TestStallEndsWithTheDeadline: an answer that starts and never finishes ends with the caller's
// deadline (the context error), not after the per-request timeout.
func TestStallEndsWithTheDeadline(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t, WithTimeout(time.Hour))
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	mux.HandleFunc("/rest/v1/flows", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `[{"id":1,`)
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Flows.FindByName(ctx, "orders")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want the deadline", err)
	}
}

// TestLookupStopsAtTheDeadline: a name lookup paging through a long list stops asking for pages
// once the call's deadline has passed.
func TestLookupStopsAtTheDeadline(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var pages atomic.Int32
	mux.HandleFunc("/rest/v1/flows", func(w http.ResponseWriter, r *http.Request) {
		n := pages.Add(1)
		if n == 3 {
			cancel() // the call's deadline ends while the third page is served
		}
		io.WriteString(w, "["+strings.TrimSuffix(strings.Repeat(fmt.Sprintf(`{"id":%d,"name":"x"},`, n), 200), ",")+"]")
	})
	_, err := c.Flows.FindByName(ctx, "orders")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want the context's", err)
	}
	if pages.Load() > 3 {
		t.Errorf("asked for %d pages, want no page after the deadline", pages.Load())
	}
}

// TestHTMLLogDownload: a sign-in page in place of a run log is an error, not log text, whether or
// not its content type says so.
func TestHTMLLogDownload(t *testing.T) {
	t.Parallel()
	for _, ct := range []string{"text/html", "text/plain"} {
		c, mux, _ := setup(t)
		mux.HandleFunc("/rest/v1/executions/console/download", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ct)
			io.WriteString(w, "\n<!DOCTYPE html><html><body>Please sign in</body></html>")
		})
		_, _, err := c.Executions.Log(t.Context(), 1, 2)
		if err == nil || !strings.Contains(err.Error(), "with an HTML page") || strings.Contains(err.Error(), testKey) {
			t.Errorf("%s: error %v, want an HTML-page error without the key", ct, err)
		}
	}
}

// TestLookupByteBudget: a lookup over pages that are each under the body limit still stops once
// its name index build has read its byte budget (indexBodies body limits) over all pages.
func TestLookupByteBudget(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t, withMaxBodySize(1<<20))
	var pages atomic.Int32
	name := strings.Repeat("n", 4000)
	mux.HandleFunc("/rest/v1/connections", func(w http.ResponseWriter, r *http.Request) {
		n := pages.Add(1) // each page different, as a server that honours offset sends them
		row := fmt.Sprintf(`{"id":%d,"name":"%s"}`, n, name)
		io.WriteString(w, "["+strings.TrimSuffix(strings.Repeat(row+",", 200), ",")+"]") // 800 KB, under the 1 MiB limit
	})
	_, err := c.Connections.FindByName(t.Context(), "CRM")
	if err == nil || !strings.Contains(err.Error(), "pass an id instead") {
		t.Fatalf("error %v, want the scan budget", err)
	}
	if n := pages.Load(); n > indexBodies*(1<<20)/(800<<10)+2 {
		t.Errorf("read %d pages of 800 KB with a %d MiB index budget", n, indexBodies)
	}
}
