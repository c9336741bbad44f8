package client

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

// connCountingServer serves GET /rest/v1/users/me and counts the TCP connections clients open.
func connCountingServer(t testing.TB) (*httptest.Server, *atomic.Int64) {
	var opened atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"login":"alice"}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &opened
}

// callConcurrently makes calls requests through c from callers goroutines.
func callConcurrently(t testing.TB, c *Client, callers, calls int) {
	var wg sync.WaitGroup
	var next atomic.Int64
	for range callers {
		wg.Go(func() {
			for next.Add(1) <= int64(calls) {
				if _, _, err := c.Users.Me(t.Context()); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestTransportReusesConnections: 32 callers making 1,000 calls share a pool of kept-alive
// connections instead of opening a new one for about half the calls (Go's default keeps 2 idle
// connections per host).
func TestTransportReusesConnections(t *testing.T) {
	t.Parallel()
	tr := NewTransport(0)
	if tr.MaxIdleConnsPerHost < 64 || tr.MaxIdleConns < tr.MaxIdleConnsPerHost || tr.IdleConnTimeout <= 0 || tr.DisableKeepAlives {
		t.Fatalf("transport not tuned: %+v", tr)
	}
	if big := NewTransport(256); big.MaxIdleConnsPerHost != 256 || big.MaxIdleConns < 256 {
		t.Fatalf("a pool for 256 calls in flight keeps %d idle per host, %d in all", big.MaxIdleConnsPerHost, big.MaxIdleConns)
	}
	srv, opened := connCountingServer(t)
	c, err := New(srv.URL+"/rest", WithAPIKey(testKey)) // the default transport, NewTransport
	if err != nil {
		t.Fatal(err)
	}
	const callers, calls = 32, 1000
	callConcurrently(t, c, callers, calls)
	if n := opened.Load(); n < 1 || n > MaxIdleConnsPerHost {
		t.Errorf("%d calls from %d callers opened %d connections, want at most %d", calls, callers, n, MaxIdleConnsPerHost)
	}
}

// BenchmarkNewConnections reports new TCP connections per 1,000 calls at 32 concurrent callers,
// with Go's default transport settings ("before") and NewTransport ("after"):
//
//	go test ./client -run '^$' -bench BenchmarkNewConnections -benchtime 5x
func BenchmarkNewConnections(b *testing.B) {
	for _, tc := range []struct {
		name string
		rt   func() http.RoundTripper
	}{
		{"default-transport", func() http.RoundTripper { return http.DefaultTransport.(*http.Transport).Clone() }},
		{"tuned-transport", func() http.RoundTripper { return NewTransport(0) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			srv, opened := connCountingServer(b)
			c, err := New(srv.URL+"/rest", WithAPIKey(testKey), WithHTTPClient(&http.Client{Transport: tc.rt()}))
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				callConcurrently(b, c, 32, 1000)
			}
			b.ReportMetric(float64(opened.Load())/float64(b.N), "newconns/1000calls")
		})
	}
}
