package client

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// flowFake serves a mutable flow list (pages of at most 200 rows by offset), GET, PUT and run of
// one flow, and counts list pages and GETs per Authorization header.
type flowFake struct {
	mu    sync.Mutex
	names map[int64]string // id -> name
	order []int64
	pages map[string]int // Authorization -> list pages served
	gets  atomic.Int32
}

func newFlowFake(t *testing.T, mux *http.ServeMux, n int) *flowFake {
	f := &flowFake{names: map[int64]string{}, pages: map[string]int{}}
	for i := 1; i <= n; i++ {
		f.add(int64(i), fmt.Sprintf("Flow %d", i))
	}
	mux.HandleFunc("GET /rest/v1/flows", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("limit") != "200" {
			t.Errorf("limit %q, want the documented 200", r.URL.Query().Get("limit"))
		}
		offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		f.mu.Lock()
		defer f.mu.Unlock()
		f.pages[r.Header.Get("Authorization")]++
		rows := []string{}
		for i := offset; i < min(offset+200, len(f.order)); i++ {
			id := f.order[i]
			rows = append(rows, fmt.Sprintf(`{"id":%d,"name":%q,"flowType":"file-to-database"}`, id, f.names[id]))
		}
		fmt.Fprint(w, "["+strings.Join(rows, ",")+"]")
	})
	mux.HandleFunc("GET /rest/v1/flows/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.gets.Add(1)
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		f.mu.Lock()
		name, ok := f.names[id]
		f.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"status":404,"message":"Flow not found"}`)
			return
		}
		fmt.Fprintf(w, `{"id":%d,"name":%q}`, id, name)
	})
	mux.HandleFunc("PUT /rest/v1/flows/{id}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{}`) // the test renames the flow in f itself
	})
	mux.HandleFunc("POST /rest/v1/flows", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{}`) // the test adds the flow to f itself
	})
	mux.HandleFunc("POST /rest/v1/flows/{id}/run", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"flowId":1,"auditId":1,"status":0}`)
	})
	return f
}

func (f *flowFake) add(id int64, name string) {
	f.names[id] = name
	f.order = append(f.order, id)
}

func (f *flowFake) set(id int64, name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.names[id]; !ok {
		f.order = append(f.order, id)
	}
	f.names[id] = name
}

func (f *flowFake) remove(id int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.names, id)
	for i, o := range f.order {
		if o == id {
			f.order = append(f.order[:i], f.order[i+1:]...)
			break
		}
	}
}

func (f *flowFake) pagesFor(auth string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pages[auth]
}

// fakeClock is a settable clock for TTL tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

const bearer = "Bearer " + testKey

// The index is built once (3 pages for 450 flows) and reused; each name costs one GET, which
// also confirms it; concurrent first lookups share one build.
func TestNameIndex_builtOnceReused(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	f := newFlowFake(t, mux, 450)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			name := fmt.Sprintf("Flow %d", 440+i)
			if n, err := c.Resolve(t.Context(), KindFlow, name); err != nil || n.Name != name || !n.Full {
				t.Errorf("resolve %q: %+v %v", name, n, err)
			}
		})
	}
	wg.Wait()
	for _, name := range []string{"Flow 1", "flow 230", "Flow 450"} {
		if _, err := c.Resolve(t.Context(), KindFlow, name); err != nil {
			t.Fatalf("resolve %q: %v", name, err)
		}
	}
	if p := f.pagesFor(bearer); p != 3 {
		t.Errorf("list pages = %d, want 3 (one build of 450 flows)", p)
	}
	if g := f.gets.Load(); g != 11 {
		t.Errorf("GETs = %d, want 11 (one per resolve)", g)
	}
	l, err := c.Names(t.Context(), KindFlow)
	if err != nil || len(l.Entries) != 450 || l.Capped || l.Entries[449].Name != "Flow 450" {
		t.Fatalf("names: %d entries, capped %v, %v", len(l.Entries), l != nil && l.Capped, err)
	}
}

// Past the TTL the old index still answers a found name while one rebuild runs in the background;
// a name missing from an outdated index waits for the new one, so a flow added elsewhere is found.
func TestNameIndex_ttlRefresh(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	c.index.now = clock.now
	f := newFlowFake(t, mux, 250)
	if _, err := c.Resolve(t.Context(), KindFlow, "Flow 7"); err != nil {
		t.Fatal(err)
	}
	f.set(9001, "Added elsewhere")
	if _, err := c.Resolve(t.Context(), KindFlow, "Added elsewhere"); err == nil {
		t.Fatal("a flow added elsewhere was found within the TTL without a rebuild")
	}
	if p := f.pagesFor(bearer); p != 2 {
		t.Fatalf("within the TTL: %d pages, want 2 (one build)", p)
	}
	clock.add(DefaultIndexTTL + time.Second)
	if n, err := c.Resolve(t.Context(), KindFlow, "Added elsewhere"); err != nil || n.ID != 9001 {
		t.Fatalf("after the TTL: %+v %v", n, err)
	}
	if p := f.pagesFor(bearer); p != 4 {
		t.Fatalf("after the TTL: %d pages, want 4 (a second build)", p)
	}
	clock.add(DefaultIndexTTL + time.Second)
	if _, err := c.Resolve(t.Context(), KindFlow, "Flow 8"); err != nil { // stale but found: answered at once
		t.Fatal(err)
	}
	if _, err := c.nameList(t.Context(), KindFlow, current); err != nil { // waits for the background build
		t.Fatal(err)
	}
	if p := f.pagesFor(bearer); p != 6 {
		t.Fatalf("background refresh: %d pages, want 6", p)
	}
}

// A name missing from an index older than the miss age (yet within the TTL) is looked up in a
// rebuilt index before "not found": a flow created through another replica is found in seconds.
// Within the miss age a miss costs no rebuild, so repeated misses cannot make one per call.
func TestNameIndex_missRebuildsAfterMissAge(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	c.index.now = clock.now
	f := newFlowFake(t, mux, 10)
	if _, err := c.Resolve(t.Context(), KindFlow, "Flow 3"); err != nil {
		t.Fatal(err)
	}
	f.set(77, "Made on another replica")
	for range 3 {
		if _, err := c.Resolve(t.Context(), KindFlow, "Made on another replica"); err == nil {
			t.Fatal("found without a rebuild within the miss age")
		}
	}
	if p := f.pagesFor(bearer); p != 1 {
		t.Fatalf("misses within the miss age: %d pages, want 1 (no rebuild)", p)
	}
	clock.add(DefaultIndexMissAge + time.Millisecond)
	if n, err := c.Resolve(t.Context(), KindFlow, "Made on another replica"); err != nil || n.ID != 77 {
		t.Fatalf("after the miss age: %+v %v", n, err)
	}
	if p := f.pagesFor(bearer); p != 2 {
		t.Fatalf("after the miss age: %d pages, want 2 (one rebuild)", p)
	}
}

// A write of the kind through the client outdates its index; a run does not. A flow deleted or
// renamed elsewhere fails its confirming GET and costs one rebuild, never a wrong answer.
func TestNameIndex_invalidatedByWrites(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	f := newFlowFake(t, mux, 10)
	ctx := t.Context()
	if _, err := c.Resolve(ctx, KindFlow, "Flow 3"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Flows.Run(ctx, 3, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Resolve(ctx, KindFlow, "Flow 4"); err != nil || f.pagesFor(bearer) != 1 {
		t.Fatalf("after a run: %v, %d pages, want the same index", err, f.pagesFor(bearer))
	}
	f.set(3, "Renamed")
	if _, _, err := c.Flows.Update(ctx, 3, []byte(`{"name":"Renamed"}`)); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Resolve(ctx, KindFlow, "Renamed"); err != nil || n.ID != 3 {
		t.Fatalf("renamed through the client: %+v %v", n, err)
	}
	if p := f.pagesFor(bearer); p != 2 {
		t.Fatalf("after an update: %d pages, want 2 (one rebuild)", p)
	}
	f.set(11, "Created here")
	if _, _, err := c.Flows.Create(ctx, []byte(`{"name":"Created here"}`)); err != nil {
		t.Fatal(err)
	}
	if l, err := c.Names(ctx, KindFlow); err != nil || len(l.Entries) != 11 || f.pagesFor(bearer) != 3 {
		t.Fatalf("names after a create: %v, %d pages, want a rebuilt index", err, f.pagesFor(bearer))
	}
	f.remove(5) // deleted elsewhere: the index still holds it
	_, err := c.Resolve(ctx, KindFlow, "Flow 5")
	var nf *NameNotFoundError
	if !errors.As(err, &nf) || nf.Capped != 0 {
		t.Fatalf("deleted elsewhere: %v", err)
	}
	if p := f.pagesFor(bearer); p != 4 {
		t.Fatalf("after a failed confirmation: %d pages, want 4", p)
	}
}

// Each credential has its own index: a second key builds its own, with its own requests.
func TestNameIndex_perCredential(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	f := newFlowFake(t, mux, 20)
	ctx := t.Context()
	if _, err := c.Resolve(ctx, KindFlow, "Flow 1"); err != nil {
		t.Fatal(err)
	}
	second := WithRequestAPIKey(ctx, "second-user-key")
	if _, err := c.Resolve(second, KindFlow, "Flow 2"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Resolve(second, KindFlow, "Flow 3"); err != nil {
		t.Fatal(err)
	}
	if a, b := f.pagesFor(bearer), f.pagesFor("Bearer second-user-key"); a != 1 || b != 1 {
		t.Fatalf("pages per key: %d and %d, want one build each", a, b)
	}
	c.capMu.Lock()
	n := len(c.creds.byKey)
	c.capMu.Unlock()
	if n != 2 {
		t.Fatalf("%d credentials cached, want 2", n)
	}
	if _, err := c.Resolve(ctx, KindFlow, "Flow 4"); err != nil || f.pagesFor(bearer) != 1 {
		t.Fatalf("back to the first key: %v, %d pages", err, f.pagesFor(bearer))
	}
}

// No 5,000-row cap: the 6,000th flow resolves. An index over its cap says so, in the error and
// in the list.
func TestNameIndex_beyondScanLimitAndCap(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	f := newFlowFake(t, mux, 6000)
	if n, err := c.Resolve(t.Context(), KindFlow, "Flow 6000"); err != nil || n.ID != 6000 {
		t.Fatalf("flow 6000: %+v %v", n, err)
	}
	if p := f.pagesFor(bearer); p != 31 {
		t.Fatalf("%d pages, want 31 (30 full ones and the empty one that ends the list)", p)
	}

	small, mux2, _ := setup(t)
	small.index.max = 300
	newFlowFake(t, mux2, 450)
	_, err := small.Resolve(t.Context(), KindFlow, "Flow 400")
	var nf *NameNotFoundError
	if !errors.As(err, &nf) || nf.Capped != 300 || !strings.Contains(err.Error(), "only the first 300 flows of this instance were searched") ||
		!strings.Contains(err.Error(), "pass the flow's id instead") {
		t.Fatalf("over the cap: %v", err)
	}
	l, err := small.Names(t.Context(), KindFlow)
	if err != nil || !l.Capped || len(l.Entries) != 300 {
		t.Fatalf("capped list: %+v %v", l, err)
	}
	if n, err := small.Resolve(t.Context(), KindFlow, "400"); err != nil || n.Name != "Flow 400" {
		t.Fatalf("by id past the cap: %+v %v", n, err)
	}
}

// Which requests outdate which indexes.
func TestWrittenKinds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		method, path string
		want         string
	}{
		{"POST", "v1/flows", "flow,listener,schedule"},
		{"PUT", "v1/flows/3", "flow,listener,schedule"},
		{"DELETE", "v1/flows/3", "flow,listener,schedule"},
		{"POST", "v1/flows/3/run", ""},
		{"POST", "v1/flows/3/suspend", ""},
		{"POST", "v1/flows/flow-name/x/run", ""},
		{"GET", "v1/flows", ""},
		{"POST", "v1/connections", "connection"},
		{"POST", "v1/connections/4/test", ""},
		{"DELETE", "v1/webhooks/4", "webhook"},
		{"PUT", "v1/listeners/4", "listener"},
		{"POST", "v1/recycle-bin/9/restore", "flow,connection,webhook,listener,schedule"},
		{"POST", "v1/token-auth", ""},
		{"PUT", "v1/schedules/2", "schedule"},
		{"POST", "v1/schedules", "schedule"},
		{"DELETE", "v1/schedules/2", "schedule"},
		{"POST", "v1/schedules/preview", ""},
		{"POST", "v1/schedules/2/run", ""},
	} {
		var got []string
		for _, k := range writtenKinds(&request{method: tc.method, path: tc.path}) {
			got = append(got, string(k))
		}
		if strings.Join(got, ",") != tc.want {
			t.Errorf("%s %s: %v, want %q", tc.method, tc.path, got, tc.want)
		}
	}
}

// The flow index records which workflows nest which flow, and whether the list says so at all.
func TestNameIndex_parents(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /rest/v1/flows", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `[{"id":1,"name":"Load","nestedFlows":[]},{"id":2,"name":"Roll up","nestedFlows":[]},
			{"id":3,"name":"Nightly","nestedFlows":[{"flowId":1},{"flowId":2},{"flowId":1}]},
			{"id":4,"name":"Weekly","nestedFlows":[{"flowId":"1"}]}]`)
	})
	l, err := c.Names(t.Context(), KindFlow)
	if err != nil || !l.NestedKnown {
		t.Fatalf("%+v %v", l, err)
	}
	if p := l.Parents(1); len(p) != 2 || p[0].Name != "Nightly" || p[1].ID != 4 {
		t.Fatalf("parents of 1: %+v", p)
	}
	if p := l.Parents(3); len(p) != 0 {
		t.Fatalf("parents of 3: %+v", p)
	}

	bare, mux2, _ := setup(t)
	mux2.HandleFunc("GET /rest/v1/flows", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `[{"id":1,"name":"Load"}]`)
	})
	if l, err := bare.Names(t.Context(), KindFlow); err != nil || l.NestedKnown {
		t.Fatalf("a list without nestedFlows: %+v %v", l, err)
	}
}

// While a build is in flight, every caller that needs the index joins it: one build, one set of
// list pages, however many callers.
func TestNameIndex_concurrentBuildsCoalesce(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	entered, release := make(chan struct{}), make(chan struct{})
	var pages atomic.Int32
	mux.HandleFunc("GET /rest/v1/flows", func(w http.ResponseWriter, r *http.Request) {
		if pages.Add(1) == 1 {
			close(entered)
			<-release
		}
		fmt.Fprint(w, `[{"id":1,"name":"Load"}]`)
	})
	mux.HandleFunc("GET /rest/v1/flows/1", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"id":1,"name":"Load"}`)
	})
	var wg sync.WaitGroup
	resolve := func() {
		if n, err := c.Resolve(t.Context(), KindFlow, "Load"); err != nil || n.ID != 1 {
			t.Errorf("resolve: %+v %v", n, err)
		}
	}
	wg.Go(resolve)
	<-entered // the first build is reading its first page
	ix := &c.cred(t.Context()).names
	ix.mu.Lock()
	first := ix.kind(KindFlow).building
	joined := c.startBuild(t.Context(), ix, ix.kind(KindFlow), KindFlow)
	ix.mu.Unlock()
	if first == nil || joined != first {
		t.Fatal("a second caller started its own build while one was in flight")
	}
	for range 7 {
		wg.Go(resolve)
	}
	close(release)
	wg.Wait()
	if n := pages.Load(); n != 1 {
		t.Fatalf("%d list pages for 8 concurrent lookups, want 1", n)
	}
}
