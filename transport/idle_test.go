package transport

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/server"
)

// openSession initializes a legacy session over raw HTTP and returns its id.
func openSession(tb testing.TB, mcpURL string) string {
	req, _ := http.NewRequest(http.MethodPost, mcpURL, strings.NewReader(initBody))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	id := resp.Header.Get("Mcp-Session-Id")
	if resp.StatusCode != http.StatusOK || id == "" {
		tb.Fatalf("initialize: %d, session %q", resp.StatusCode, id)
	}
	return id
}

// TestHTTPSessionIdleExpiry: a session nobody deletes is ended once idle for SessionIdleTTL, and
// the server forgets it (its hooks see it unregistered), while without the option it stays.
func TestHTTPSessionIdleExpiry(t *testing.T) {
	t.Parallel()
	s := newStub()
	unregistered := make(chan string, 4)
	hooks := &server.Hooks{}
	hooks.AddOnUnregisterSession(func(_ context.Context, cs server.ClientSession) { unregistered <- cs.SessionID() })
	server.WithHooks(hooks)(s)
	srv := httptest.NewServer(NewHTTPHandler(s, HTTPOptions{SessionIdleTTL: time.Second}))
	t.Cleanup(srv.Close)
	mcpURL := srv.URL + MCPPath
	session := initSession(t, mcpURL)
	select {
	case id := <-unregistered:
		if id != session {
			t.Fatalf("unregistered %q, want %q", id, session)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("abandoned session not unregistered 30s after its 1s idle timeout")
	}
	h := map[string]string{"Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-11-25"}
	if r := send(t, http.MethodPost, mcpURL, h, strings.NewReader(listBody)); r.status != http.StatusNotFound {
		t.Errorf("request in the expired session: %d %s, want 404", r.status, r.body)
	}
	if fresh := initSession(t, mcpURL); fresh == session {
		t.Error("a new session reused the expired id")
	}
}

// heapMiB is the live heap after a full collection.
func heapMiB() float64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}

// BenchmarkAbandonedSessions opens 3,000 sessions that are never deleted and reports the live
// heap at start, with the sessions open, and once their idle timeout (1s) has passed:
//
//	go test ./transport -run '^$' -bench BenchmarkAbandonedSessions -benchtime 1x
func BenchmarkAbandonedSessions(b *testing.B) {
	const sessions = 3000
	for b.Loop() {
		s := newStub()
		var gone atomic.Int64
		hooks := &server.Hooks{}
		hooks.AddOnUnregisterSession(func(context.Context, server.ClientSession) { gone.Add(1) })
		server.WithHooks(hooks)(s)
		srv := httptest.NewServer(NewHTTPHandler(s, HTTPOptions{SessionIdleTTL: time.Second}))
		mcpURL := srv.URL + MCPPath
		start := heapMiB()
		for range sessions {
			openSession(b, mcpURL)
		}
		open := heapMiB()
		for deadline := time.Now().Add(60 * time.Second); gone.Load() < sessions; time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				b.Fatalf("%d of %d abandoned sessions expired within 60s", gone.Load(), sessions)
			}
		}
		after := heapMiB()
		srv.Close()
		b.ReportMetric(start, "MiB-start")
		b.ReportMetric(open, "MiB-3000-open")
		b.ReportMetric(after, "MiB-after-expiry")
		fmt.Fprintf(b.Output(), "%d abandoned sessions: heap %.1f MiB at start, %.1f MiB open, %.1f MiB after the idle timeout\n",
			sessions, start, open, after)
	}
}
