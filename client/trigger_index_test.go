package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// triggerFake serves a mutable schedule list and listener list per Authorization header, and
// counts the list requests of each.
type triggerFake struct {
	mu       sync.Mutex
	rows     map[string]map[string][]string // Authorization -> "schedules"/"listeners" -> rows
	requests map[string]int                 // Authorization + " " + path -> list requests
}

func newTriggerFake(mux *http.ServeMux) *triggerFake {
	f := &triggerFake{rows: map[string]map[string][]string{}, requests: map[string]int{}}
	for _, kind := range []string{"schedules", "listeners"} {
		mux.HandleFunc("GET /rest/v1/"+kind, func(w http.ResponseWriter, r *http.Request) {
			auth := r.Header.Get("Authorization")
			f.mu.Lock()
			defer f.mu.Unlock()
			f.requests[auth+" "+kind]++
			fmt.Fprint(w, "["+strings.Join(f.rows[auth][kind], ",")+"]")
		})
		mux.HandleFunc("POST /rest/v1/"+kind, func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{}`) // the test adds the row to f itself
		})
		mux.HandleFunc("PUT /rest/v1/"+kind+"/{id}", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{}`)
		})
	}
	return f
}

func (f *triggerFake) add(auth, kind, row string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rows[auth] == nil {
		f.rows[auth] = map[string][]string{}
	}
	f.rows[auth][kind] = append(f.rows[auth][kind], row)
}

func (f *triggerFake) count(auth, kind string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[auth+" "+kind]
}

// starting returns the trigger rows of kind's index that run flow, as one string.
func starting(t *testing.T, c *Client, ctx context.Context, kind Kind, flow int64) string {
	t.Helper()
	l, err := c.Names(ctx, kind)
	if err != nil {
		t.Fatalf("%s index: %v", kind, err)
	}
	var rows []string
	for _, e := range l.Starting(flow) {
		rows = append(rows, string(e.Row))
	}
	return strings.Join(rows, "\n")
}

// A warm index answers from memory: within the TTL the schedule and listener lists are each read
// once however often what starts a flow is asked, and the flow filter is applied here (the fake
// ignores it). A row keeps only the fields a trigger line reads.
func TestTriggerIndex_hitWithinTTL(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	c.index.now = clock.now
	f := newTriggerFake(mux)
	f.add(bearer, "schedules", `{"id":1,"name":"Nightly","flowId":7,"enabled":true,"schedule":"0 0 2 * * ?","nextRuns":[1800003600000],"parameters":{"password":"x"},"description":"long"}`)
	f.add(bearer, "schedules", `{"id":2,"name":"Other","flowId":8,"enabled":false,"schedule":"0 0 3 * * ?"}`)
	f.add(bearer, "schedules", `{"id":"3","name":"","flowId":"7","enabled":false,"schedule":"0 0 4 * * ?"}`)
	f.add(bearer, "listeners", `{"id":5,"name":"Hook","flowId":7,"listenerType":"listener.http","properties":{"urlPattern":"orders","method":"POST","authType":"JWT"}}`)
	f.add(bearer, "listeners", `{"id":6,"name":"Odd","flowId":7,"properties":"not an object"}`)
	ctx := t.Context()
	for range 5 {
		got := starting(t, c, ctx, KindSchedule, 7)
		want := `{"id":1,"name":"Nightly","flowId":7,"enabled":true,"schedule":"0 0 2 * * ?","nextRuns":[1800003600000]}` + "\n" +
			`{"id":"3","name":"","flowId":"7","enabled":false,"schedule":"0 0 4 * * ?"}`
		if got != want {
			t.Fatalf("schedules of flow 7:\n%s\nwant\n%s", got, want)
		}
		got = starting(t, c, ctx, KindListener, 7)
		want = `{"id":5,"name":"Hook","flowId":7,"properties":{"method":"POST","urlPattern":"orders"}}` + "\n" +
			`{"id":6,"name":"Odd","flowId":7}`
		if got != want {
			t.Fatalf("listeners of flow 7:\n%s\nwant\n%s", got, want)
		}
		clock.add(time.Second)
	}
	if got := starting(t, c, ctx, KindSchedule, 9); got != "" {
		t.Fatalf("a flow nothing starts: %q", got)
	}
	if s, l := f.count(bearer, "schedules"), f.count(bearer, "listeners"); s != 1 || l != 1 {
		t.Fatalf("within the TTL: %d schedule and %d listener list requests, want 1 each", s, l)
	}
	l, _ := c.Names(ctx, KindSchedule)
	if names := l.names(); strings.Join(names, ",") != "Nightly,Other" {
		t.Fatalf("a nameless schedule is kept for its trigger only: %q", names)
	}
}

// Any write of a schedule or listener through the client outdates its index, so the next read
// shows it; a flow write outdates both (deleting a flow takes its listeners and schedules).
func TestTriggerIndex_invalidatedByWrites(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	f := newTriggerFake(mux)
	mux.HandleFunc("DELETE /rest/v1/flows/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /rest/v1/schedules/preview", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"nextRuns":[]}`)
	})
	mux.HandleFunc("DELETE /rest/v1/schedules/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	ctx := t.Context()
	if got := starting(t, c, ctx, KindSchedule, 7); got != "" {
		t.Fatalf("no schedules yet: %q", got)
	}
	f.add(bearer, "schedules", `{"id":1,"name":"New","flowId":7,"enabled":true,"schedule":"0 0 2 * * ?"}`)
	if _, _, err := c.Schedules.Create(ctx, &Schedule{Name: "New", FlowID: 7, Enabled: true, Schedule: "0 0 2 * * ?"}); err != nil {
		t.Fatal(err)
	}
	if got := starting(t, c, ctx, KindSchedule, 7); !strings.Contains(got, `"New"`) {
		t.Fatalf("after a create through the client: %q", got)
	}
	if _, _, err := c.Schedules.Update(ctx, 1, json.RawMessage(`{"id":1}`)); err != nil {
		t.Fatal(err)
	}
	starting(t, c, ctx, KindSchedule, 7)
	if _, _, err := c.Schedules.Delete(ctx, 1); err != nil {
		t.Fatal(err)
	}
	starting(t, c, ctx, KindSchedule, 7)
	if n := f.count(bearer, "schedules"); n != 4 {
		t.Fatalf("after a create, an update and a delete: %d list requests, want 4", n)
	}
	if got := starting(t, c, ctx, KindListener, 7); got != "" {
		t.Fatalf("no listeners yet: %q", got)
	}
	f.add(bearer, "listeners", `{"id":5,"name":"Hook","flowId":7}`)
	if _, _, err := c.Listeners.Create(ctx, json.RawMessage(`{"name":"Hook"}`)); err != nil {
		t.Fatal(err)
	}
	if got := starting(t, c, ctx, KindListener, 7); !strings.Contains(got, `"Hook"`) {
		t.Fatalf("after a listener create: %q", got)
	}
	if _, _, err := c.Schedules.Preview(ctx, "0 0 2 * * ?"); err != nil { // writes nothing
		t.Fatal(err)
	}
	starting(t, c, ctx, KindSchedule, 7)
	if _, _, err := c.Flows.Delete(ctx, 7); err != nil {
		t.Fatal(err)
	}
	starting(t, c, ctx, KindSchedule, 7)
	starting(t, c, ctx, KindListener, 7)
	if s, l := f.count(bearer, "schedules"), f.count(bearer, "listeners"); s != 5 || l != 3 {
		t.Fatalf("after a flow delete: %d schedule and %d listener list requests, want 5 and 3", s, l)
	}
}

// Each credential has its own schedule and listener indexes: one key's schedules are never shown
// to another, and each key's first read is its own request.
func TestTriggerIndex_perCredential(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	f := newTriggerFake(mux)
	const other = "Bearer second-user-key"
	f.add(bearer, "schedules", `{"id":1,"name":"Mine","flowId":7}`)
	f.add(other, "schedules", `{"id":2,"name":"Theirs","flowId":7}`)
	ctx := t.Context()
	second := WithRequestAPIKey(ctx, "second-user-key")
	for range 3 {
		if got := starting(t, c, ctx, KindSchedule, 7); !strings.Contains(got, `"Mine"`) || strings.Contains(got, "Theirs") {
			t.Fatalf("first key: %q", got)
		}
		if got := starting(t, c, second, KindSchedule, 7); !strings.Contains(got, `"Theirs"`) || strings.Contains(got, "Mine") {
			t.Fatalf("second key: %q", got)
		}
	}
	if a, b := f.count(bearer, "schedules"), f.count(other, "schedules"); a != 1 || b != 1 {
		t.Fatalf("list requests per key: %d and %d, want 1 each", a, b)
	}
	f.add(other, "schedules", `{"id":3,"name":"Theirs too","flowId":7}`)
	if _, _, err := c.Schedules.Create(second, &Schedule{Name: "Theirs too", FlowID: 7}); err != nil {
		t.Fatal(err)
	}
	starting(t, c, ctx, KindSchedule, 7)
	if got := starting(t, c, second, KindSchedule, 7); !strings.Contains(got, "Theirs too") {
		t.Fatalf("the second key's write: %q", got)
	}
	if a, b := f.count(bearer, "schedules"), f.count(other, "schedules"); a != 1 || b != 2 {
		t.Fatalf("a write outdates only its own credential's index: %d and %d requests, want 1 and 2", a, b)
	}
}

// A list that cannot be read is an error of the index (the caller says "could not be checked"),
// and is not kept: the next read asks again.
func TestTriggerIndex_listFails(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	calls := 0
	mux.HandleFunc("GET /rest/v1/listeners", func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"status":403,"message":"Access denied"}`)
	})
	for range 2 {
		if _, err := c.Names(t.Context(), KindListener); !IsStatus(err, 403) {
			t.Fatalf("a refused list: %v", err)
		}
	}
	if calls != 2 {
		t.Fatalf("%d requests, want 2: a failed build is not kept", calls)
	}
}
