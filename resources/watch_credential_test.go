package resources

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/mark3labs/mcp-go/server"

	"github.com/etlworks/etlworks-mcp/client"
)

// TestWatcherPollsAsTheSubscriber checks a subscribed run is read with the Etlworks key of the
// request that subscribed, once per key, on a client that has no key of its own.
func TestWatcherPollsAsTheSubscriber(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	seen := map[string]int{}
	etl := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.Header.Get("Authorization")]++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/rest/v1/flows/1":
			fmt.Fprint(w, `{"id":1,"name":"Load orders"}`)
		default:
			fmt.Fprint(w, `{"auditId":7,"flowId":1,"status":"running","records":3}`)
		}
	}))
	defer etl.Close()
	api, err := client.New(etl.URL+"/rest", client.WithPerRequestKeys(), client.WithRetries(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	w := NewWatcher(Deps{Client: api}, 0)
	uri := Scheme + "runs/1/7"
	w.subs[subscription{"alice-session", uri}] = &watched{as: client.WithRequestAPIKey(context.Background(), "alice-key")}
	w.subs[subscription{"bob-session", uri}] = &watched{as: client.WithRequestAPIKey(context.Background(), "bob-key")}
	w.subs[subscription{"keyless-session", uri}] = &watched{as: context.Background()}
	w.poll(t.Context(), server.NewMCPServer("test", "1"))
	mu.Lock()
	defer mu.Unlock()
	if seen["Bearer alice-key"] == 0 || seen["Bearer bob-key"] == 0 {
		t.Errorf("the run was not read with each subscriber's key: %v", seen)
	}
	for auth := range seen {
		if auth != "Bearer alice-key" && auth != "Bearer bob-key" {
			t.Errorf("a read went out with %q", auth)
		}
	}
	if st := w.subs[subscription{"bob-session", uri}]; st == nil || st.last == "" {
		t.Errorf("bob's subscription did not record the run's state: %+v", st)
	}
	if st := w.subs[subscription{"keyless-session", uri}]; st == nil || st.last != "" {
		t.Errorf("a subscription without a key read the run: %+v", st)
	}
}
