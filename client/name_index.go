package client

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"
)

// Name indexes. Resolving a name by reading the kind's list each time costs the whole list per
// call (at 10,000 flows, 50 pages); so names resolve through one index per credential and kind:
// the id and name of every object, built by paging the list once (200 rows a page, the documented
// cap), kept for a short TTL, rebuilt in the background once it is older, and outdated by any write
// of the kind sent through this client. The flow index also records which workflows nest which
// flow, so "what starts this flow" needs no second pass over the list. A name found in an index is confirmed by the object's own
// GET, so an index that missed a change made elsewhere can cost a rebuild, never a wrong object.

// DefaultIndexTTL is how long a name index is used as it is before it is rebuilt.
const DefaultIndexTTL = 30 * time.Second

// DefaultIndexMaxNames bounds the names one index holds, so one credential on a huge instance
// cannot make the process hold an unbounded list; objects past it are found by id only.
const DefaultIndexMaxNames = 100_000

// indexBuildTimeout bounds one build. A build runs apart from the call that started it (other
// calls may be waiting for it), so the call's own deadline does not end it.
const indexBuildTimeout = 2 * time.Minute

// DefaultIndexMissAge is the oldest index a lookup trusts before saying a name does not exist: a
// name missing from an older one is looked up in a rebuilt index first, so an object created
// through another replica of this server (or in the Etlworks UI) is found within seconds, not
// after the TTL. Rebuilds for missing names are coalesced and happen at most once per this age.
const DefaultIndexMissAge = 2 * time.Second

// indexBodies bounds how much one build reads over all its pages, in body limits (DefaultMaxBody;
// 512 MiB by default). A build keeps only ids and names, so this bounds time and traffic, not
// memory: flow list rows are whole definitions, and 10,000 of them can exceed a plain scan's budget.
const indexBodies = 16

// indexConfig holds the index settings of a client (tests shorten them).
type indexConfig struct {
	ttl     time.Duration
	missAge time.Duration
	max     int
	now     func() time.Time
}

func defaultIndexConfig() indexConfig {
	return indexConfig{ttl: DefaultIndexTTL, missAge: DefaultIndexMissAge, max: DefaultIndexMaxNames, now: time.Now}
}

// NameEntry is one object of a name index.
type NameEntry struct {
	ID   int64
	Name string
	// Type is the connectionType of a connection found through the flows' connections arrays.
	Type string
	// FlowID is the flow a schedule or listener runs.
	FlowID int64
	// Row is, for a schedule or listener, its list row cut to the fields that say when or how it
	// starts its flow (trigger_index.go), so get_flow shows what starts a flow without a list read.
	Row json.RawMessage
}

// NameList is one built name index: every object of a kind the credential can list, in list
// order. It is never changed once built, so callers may read it without locks.
type NameList struct {
	Kind    Kind
	Entries []NameEntry
	// Capped says the instance has more objects than the index holds (Max): Entries holds the
	// first Max in list order, and the others resolve by id only.
	Capped bool
	Max    int
	// Via says how the entries were found when not by the kind's own list (ViaFlowConnections).
	Via string

	// NestedKnown says the flow list carried nestedFlows, so Parents can tell "no workflow holds
	// it" from "the instance does not say".
	NestedKnown bool

	built   time.Time
	gen     uint64
	folded  map[string][]int32 // lower-case name -> entries, in list order
	parents map[int64][]int32  // flow id -> the entries of the workflows whose nestedFlows hold it
	byFlow  map[int64][]int32  // flow id -> the schedules or listeners that run it
}

// Parents returns the workflows (flows whose nestedFlows hold flowID), from a flow index: what
// starts a flow, found without paging the flow list again.
func (l *NameList) Parents(flowID int64) []NameEntry {
	var out []NameEntry
	for _, i := range l.parents[flowID] {
		out = append(out, l.Entries[i])
	}
	return out
}

// find returns the entry with exactly this name (the first in list order), else the one entry
// whose name matches case-insensitively.
func (l *NameList) find(name string) (NameEntry, bool) {
	bucket := l.folded[strings.ToLower(name)]
	for _, i := range bucket {
		if l.Entries[i].Name == name {
			return l.Entries[i], true
		}
	}
	if len(bucket) == 1 {
		return l.Entries[bucket[0]], true
	}
	return NameEntry{}, false
}

// names returns every name, for the closest-name suggestions of a not-found error.
func (l *NameList) names() []string {
	out := make([]string, 0, len(l.Entries))
	for _, e := range l.Entries {
		if e.Name != "" { // a nameless schedule or listener is kept for its trigger row only
			out = append(out, e.Name)
		}
	}
	return out
}

// nameIndexes holds one credential's indexes, one per kind.
type nameIndexes struct {
	mu    sync.Mutex
	kinds map[Kind]*kindIndex
}

// kindIndex is the state of one kind's index.
type kindIndex struct {
	cur      *NameList
	gen      uint64      // bumped by every write of the kind; a list of an older gen is outdated
	building *indexBuild // the newest build in flight, nil when none
}

// indexBuild is one build in flight; every caller that needs it waits on done.
type indexBuild struct {
	gen  uint64
	done chan struct{}
	list *NameList
	err  error
}

// indexMode says whether a caller may use an outdated index.
type indexMode int

const (
	// staleOK takes an outdated index as it is (starting a rebuild in the background): right for
	// a name that will be confirmed by its GET.
	staleOK indexMode = iota
	// afterWrites takes an index past its TTL (rebuilding it in the background) but waits for one
	// newer than the last write through this client: right for what is shown unconfirmed, such as
	// completions and the workflows that nest a flow.
	afterWrites
	// current waits for an index that is younger than the miss age and newer than the last
	// write: right before saying that a name does not exist.
	current
)

func (ix *nameIndexes) kind(k Kind) *kindIndex {
	if ix.kinds == nil {
		ix.kinds = map[Kind]*kindIndex{}
	}
	ki, ok := ix.kinds[k]
	if !ok {
		ki = &kindIndex{}
		ix.kinds[k] = ki
	}
	return ki
}

// Names returns the name index of a kind (flow, connection, webhook, listener or schedule) for the
// credential in ctx, building it when there is none or a write through this client outdated it;
// completion offers every name through it. An index past the TTL is returned as it is while a new
// one is built in the background.
func (c *Client) Names(ctx context.Context, kind Kind) (*NameList, error) {
	return c.nameList(ctx, kind, afterWrites)
}

// nameList returns kind's index for the credential in ctx, as mode allows. Concurrent callers
// that need a build share one.
func (c *Client) nameList(ctx context.Context, kind Kind, mode indexMode) (*NameList, error) {
	ix := &c.cred(ctx).names
	ix.mu.Lock()
	ki := ix.kind(kind)
	l := ki.cur
	if l != nil && (mode == staleOK || (mode == afterWrites && l.gen == ki.gen) || (mode == current && c.youngerThan(ki, l, c.index.missAge))) {
		if !c.isCurrent(ki, l) {
			c.startBuild(ctx, ix, ki, kind)
		}
		ix.mu.Unlock()
		return l, nil
	}
	b := c.startBuild(ctx, ix, ki, kind)
	ix.mu.Unlock()
	select {
	case <-b.done:
		return b.list, b.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// isCurrent reports whether l is younger than the TTL and no write of its kind came after it.
// The caller holds the indexes' lock.
func (c *Client) isCurrent(ki *kindIndex, l *NameList) bool {
	return c.youngerThan(ki, l, c.index.ttl)
}

// youngerThan reports whether l was built less than age ago and no write of its kind came after
// it. The caller holds the indexes' lock.
func (c *Client) youngerThan(ki *kindIndex, l *NameList, age time.Duration) bool {
	return l.gen == ki.gen && c.index.now().Sub(l.built) < age
}

// startBuild returns the build in flight for the kind's current generation, or starts one. The
// caller holds the indexes' lock.
func (c *Client) startBuild(ctx context.Context, ix *nameIndexes, ki *kindIndex, kind Kind) *indexBuild {
	if b := ki.building; b != nil && b.gen == ki.gen {
		return b
	}
	b := &indexBuild{gen: ki.gen, done: make(chan struct{})}
	ki.building = b
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), indexBuildTimeout)
	go func() {
		defer cancel()
		b.list, b.err = c.buildIndex(bctx, kind, b.gen)
		ix.mu.Lock()
		if b.err == nil && (ki.cur == nil || b.gen >= ki.cur.gen) {
			ki.cur = b.list
		}
		if ki.building == b {
			ki.building = nil
		}
		ix.mu.Unlock()
		close(b.done)
	}()
	return b
}

// invalidateNames outdates the indexes of the kinds a write changed, for the credential in ctx.
func (c *Client) invalidateNames(ctx context.Context, kinds []Kind) {
	ix := &c.cred(ctx).names
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for _, k := range kinds {
		ix.kind(k).gen++
		if k == KindFlow { // a connection index read from the flows changes with them
			if ci := ix.kind(KindConnection); ci.cur == nil || ci.cur.Via != "" { // nil: one may be building
				ci.gen++
			}
		}
	}
}

// buildIndex pages through the kind's list once, keeping only ids and names, for flows which
// workflows nest which flow, and for schedules and listeners their trigger rows (each page is read
// within the body limit and dropped), at most c.index.max of them.
func (c *Client) buildIndex(ctx context.Context, kind Kind, gen uint64) (*NameList, error) {
	l := &NameList{Kind: kind, Max: c.index.max, built: c.index.now(), gen: gen, folded: map[string][]int32{}, parents: map[int64][]int32{}, byFlow: map[int64][]int32{}}
	seen := map[int64]bool{}
	add := func(e NameEntry) bool {
		if (e.Name == "" && e.Row == nil) || seen[e.ID] {
			return true
		}
		if len(l.Entries) >= l.Max {
			l.Capped = true
			return false
		}
		seen[e.ID] = true
		at := int32(len(l.Entries))
		if e.Name != "" {
			key := strings.ToLower(e.Name)
			l.folded[key] = append(l.folded[key], at)
		}
		if e.Row != nil {
			l.byFlow[e.FlowID] = append(l.byFlow[e.FlowID], at)
		}
		l.Entries = append(l.Entries, e)
		return true
	}
	visit := func(row json.RawMessage) bool {
		if carriesTriggers(kind) {
			e, ok := triggerEntry(row)
			return !ok || add(e)
		}
		var head struct {
			ID     ID     `json:"id"`
			Name   string `json:"name"`
			Nested *[]struct {
				FlowID ID `json:"flowId"`
			} `json:"nestedFlows"`
		}
		if json.Unmarshal(row, &head) != nil {
			return true
		}
		at := len(l.Entries)
		if !add(NameEntry{ID: int64(head.ID), Name: head.Name}) {
			return false
		}
		if head.Nested != nil && kind == KindFlow {
			l.NestedKnown = true
			if len(l.Entries) > at { // added, not a repeat
				for _, n := range *head.Nested {
					if p := l.parents[int64(n.FlowID)]; len(p) == 0 || p[len(p)-1] != int32(at) {
						l.parents[int64(n.FlowID)] = append(p, int32(at))
					}
				}
			}
		}
		return true
	}
	// One row more than the cap shows whether the instance has more.
	rows := scanBounds{rows: l.Max + 1, bytes: indexBodies * c.maxBody}
	var err error
	switch kind {
	case KindFlow:
		_, err = c.scanRows(ctx, "v1/flows", nil, rows, visit)
	case KindWebhook:
		_, err = c.scanRows(ctx, "v1/webhooks", nil, rows, visit)
	case KindListener:
		_, err = c.scanRows(ctx, "v1/listeners", nil, rows, visit)
	case KindSchedule:
		_, err = c.scanRows(ctx, "v1/schedules", nil, rows, visit)
	case KindConnection:
		_, err = c.scanRows(ctx, "v1/connections", nil, rows, visit)
		if IsRouteAbsent(err) {
			*l = NameList{Kind: kind, Max: l.Max, built: l.built, gen: gen, folded: map[string][]int32{}, Via: ViaFlowConnections}
			clear(seen)
			err = c.flowConnectionRows(ctx, scanBounds{bytes: indexBodies * c.maxBody}, func(row json.RawMessage) bool {
				var head struct {
					ID   ID     `json:"id"`
					Name string `json:"name"`
					Type string `json:"connectionType"`
				}
				if json.Unmarshal(row, &head) != nil {
					return true
				}
				return add(NameEntry{ID: int64(head.ID), Name: head.Name, Type: head.Type})
			})
		}
	default:
		return nil, errNoIndex(kind)
	}
	if err != nil {
		return nil, err
	}
	if l.Capped {
		c.log.WarnContext(ctx, "name index holds only part of the list: the other objects resolve by id only",
			"kind", string(kind), "max_names", l.Max)
	}
	return l, nil
}

// writtenKinds returns the kinds whose indexes a request can change: creating, replacing or
// deleting a flow (which also moves its listeners to the recycle bin, and may take its schedules),
// connection, webhook, listener or schedule (a pause or reschedule is a PUT), and any recycle-bin
// restore. Runs, stops, suspensions, previews and tests change nothing indexed.
func writtenKinds(r *request) []Kind {
	if r.method == "GET" || r.method == "HEAD" || r.atRoot {
		return nil
	}
	segs := strings.Split(strings.Trim(r.path, "/"), "/")
	if len(segs) < 2 || segs[0] != "v1" {
		return nil
	}
	if segs[1] == "recycle-bin" {
		return []Kind{KindFlow, KindConnection, KindWebhook, KindListener, KindSchedule}
	}
	kinds := map[string][]Kind{
		"flows":       {KindFlow, KindListener, KindSchedule},
		"connections": {KindConnection},
		"webhooks":    {KindWebhook},
		"listeners":   {KindListener},
		"schedules":   {KindSchedule},
	}[segs[1]]
	switch {
	case r.method == "POST" && len(segs) == 2, (r.method == "PUT" || r.method == "DELETE") && len(segs) == 3:
		return kinds
	}
	return nil
}
