package resources

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/etlworks/etlworks-mcp/client"
)

// Watcher follows the run resources that clients subscribed to and tells each subscriber when
// the run's status or record count changes (notifications/resources/updated), until the run ends
// or the client unsubscribes. mcp-go only acknowledges subscriptions, so the bookkeeping is here.
// Each run is read with the Etlworks credential of the request that subscribed, so a subscriber
// learns only what its own key may read.
type Watcher struct {
	d        Deps
	interval time.Duration
	mu       sync.Mutex
	subs     map[subscription]*watched
}

// watched is one subscription's state: the last state seen ("" before the first poll) and a
// context carrying the subscriber's credential (client.CarryCredential).
type watched struct {
	last string
	as   context.Context
}

type subscription struct {
	session string
	uri     string
}

// NewWatcher returns a watcher polling every interval (1s when 0).
func NewWatcher(d Deps, interval time.Duration) *Watcher {
	if interval <= 0 {
		interval = time.Second
	}
	return &Watcher{d: d, interval: interval, subs: map[subscription]*watched{}}
}

// Hooks wires the watcher into the server's subscribe, unsubscribe and session-end events.
func (w *Watcher) Hooks(h *server.Hooks) {
	h.AddAfterSubscribe(func(ctx context.Context, _ any, req *mcp.SubscribeRequest, _ *mcp.EmptyResult) {
		if s := server.ClientSessionFromContext(ctx); s != nil && isRunURI(req.Params.URI) {
			w.mu.Lock()
			w.subs[subscription{s.SessionID(), req.Params.URI}] = &watched{as: client.CarryCredential(context.Background(), ctx)}
			w.mu.Unlock()
		}
	})
	h.AddAfterUnsubscribe(func(ctx context.Context, _ any, req *mcp.UnsubscribeRequest, _ *mcp.EmptyResult) {
		if s := server.ClientSessionFromContext(ctx); s != nil {
			w.mu.Lock()
			delete(w.subs, subscription{s.SessionID(), req.Params.URI})
			w.mu.Unlock()
		}
	})
	h.AddOnUnregisterSession(func(_ context.Context, s server.ClientSession) {
		w.mu.Lock()
		defer w.mu.Unlock()
		for sub := range w.subs {
			if sub.session == s.SessionID() {
				delete(w.subs, sub)
			}
		}
	})
}

// isRunURI accepts etlworks://runs/{flow}/{run} (not the log).
func isRunURI(uri string) bool {
	rest, ok := strings.CutPrefix(uri, Scheme+"runs/")
	return ok && strings.Count(rest, "/") == 1
}

// Run polls until ctx ends, notifying through srv.
func (w *Watcher) Run(ctx context.Context, srv *server.MCPServer) {
	t := time.NewTicker(w.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			w.poll(ctx, srv)
		}
	}
}

// poll reads each subscribed run once per credential that subscribed to it, and notifies.
func (w *Watcher) poll(ctx context.Context, srv *server.MCPServer) {
	type read struct{ uri, cred string }
	w.mu.Lock()
	reads := map[read][]subscription{}
	as := map[read]context.Context{}
	for sub, st := range w.subs {
		k := read{sub.uri, w.d.Client.CredentialID(st.as)}
		reads[k] = append(reads[k], sub)
		as[k] = st.as
	}
	w.mu.Unlock()
	for k, subs := range reads {
		uri := k.uri
		state, terminal, err := w.state(client.CarryCredential(ctx, as[k]), uri)
		if err != nil {
			continue // a transient error; the next poll tries again
		}
		for _, sub := range subs {
			w.mu.Lock()
			st, still := w.subs[sub]
			var last string
			if still {
				last = st.last
			}
			changed := still && last != "" && last != state
			if still {
				st.last = state
				if terminal && (changed || last == "") {
					// Nothing will change any more: one last update, then stop watching.
					delete(w.subs, sub)
				}
			}
			w.mu.Unlock()
			if changed || (still && terminal && last == "") {
				_ = srv.SendNotificationToSpecificClient(sub.session, string(mcp.MethodNotificationResourceUpdated), map[string]any{"uri": uri})
			}
		}
	}
}

// state reads a run and summarizes what a subscriber cares about.
func (w *Watcher) state(ctx context.Context, uri string) (string, bool, error) {
	parts := strings.Split(strings.TrimPrefix(uri, Scheme+"runs/"), "/")
	flowID, _, err := resolveFlow(ctx, w.d.Client, unescape(parts[0]))
	if err != nil {
		return "", false, err
	}
	runID, _ := strconv.ParseInt(parts[1], 10, 64)
	run, _, err := w.d.Client.Executions.Get(ctx, flowID, &client.ExecutionGetOptions{AuditID: runID})
	if err != nil {
		return "", false, err
	}
	return string(run.Status) + "/" + strconv.FormatInt(run.Records, 10), run.Status.Terminal(), nil
}
