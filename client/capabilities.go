package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Capability names a group of REST routes that a real Etlworks instance may not have: routes of
// our own design (Endpoint.Tag "I") and documented operations whose path is our inference
// ("V*"). A few documented but role-limited groups (the reporting API, running tasks) are tracked
// the same way so that tools can tell "not allowed" from "not there" once and reuse the answer.
type Capability string

// The capability groups; routeTable (routes.go) lists the routes of each.
const (
	CapRunHistory       Capability = "run-history"       // (20, 21)
	CapReporting        Capability = "reporting"         // (23) documented, Administrator
	CapRunningTasks     Capability = "running-tasks"     // (24) documented, Administrator
	CapFlowEdit         Capability = "flow-edit"         // (11–13)
	CapFlowStop         Capability = "flow-stop"         // (16)
	CapFlowSuspend      Capability = "flow-suspend"      // (17, 18)
	CapConnectionList   Capability = "connection-list"   // (31)
	CapConnectionTest   Capability = "connection-test"   // (36)
	CapConnectionDelete Capability = "connection-delete" // (35)
	CapConnectorTypes   Capability = "connector-types"   // (37)
	CapOAuth            Capability = "oauth"             // (38, 39)
	CapExplorer         Capability = "explorer"          // (59–62, 64)
	CapStagingUpload    Capability = "staging-upload"    // (63)
	CapScheduleGet      Capability = "schedule-get"      // (47)
	CapScheduleEdit     Capability = "schedule-edit"     // (48, 49)
	CapScheduleActions  Capability = "schedule-actions"  // (50–52)
	CapSchedulePreview  Capability = "schedule-preview"  // (52a)
	CapScheduleRun      Capability = "schedule-run"      // (53)
	CapWebhooks         Capability = "webhooks"          // (54, 56–56b)
	CapListenerList     Capability = "listener-list"     // (42, 43)
	CapListenerEdit     Capability = "listener-edit"     // (42a, 43a, 43b)
	CapAuditDetail      Capability = "audit-detail"      // (66)
	CapRecycleBin       Capability = "recycle-bin"       // (67–71)
	CapUsersMe          Capability = "users-me"          // (6)
)

// CapabilityInfo says what a group does, for people: the operation named in "found no REST route
// for <operation>" and where the Etlworks UI does the same, so a missing route leads somewhere.
type CapabilityInfo struct {
	Name      Capability
	Operation string
	Where     string
	// Documented groups are in the public API but limited to some roles; tools never leave
	// tools/list for them.
	Documented bool
	// probe is a GET that tells, without changing anything, whether the group exists; "" when
	// the group is learned on first use only.
	probe string
}

// capabilityTable holds every group in display order.
var capabilityTable = []CapabilityInfo{
	{Name: CapRunHistory, Operation: "listing run history", Where: "Insights (formerly Statistics): Statistics and Dashboards tabs", probe: "v1/executions?limit=1"},
	{Name: CapReporting, Documented: true, Operation: "the reporting API (run history by day)", Where: "Insights (formerly Statistics): Statistics and Dashboards tabs"},
	{Name: CapRunningTasks, Documented: true, Operation: "running tasks (records processed and lag of a running flow)", Where: "Insights (formerly Statistics): Dashboards tab"},
	{Name: CapFlowEdit, Operation: "creating, editing or deleting flows", Where: "Flows: add, edit or delete the flow"},
	{Name: CapFlowStop, Operation: "stopping a flow", Where: "Flows: the Stop flow button, or a run's stop button on the Flow Statistics dashboard"},
	{Name: CapFlowSuspend, Operation: "suspending or resuming a flow", Where: "Flows: suspend or resume the flow"},
	{Name: CapConnectionList, Operation: "listing connections", Where: "Connections, filtered by Name, Tags or Type", probe: "v1/connections?limit=1"},
	{Name: CapConnectionTest, Operation: "testing a connection", Where: "Explorer, via the compass icon on the connection"},
	{Name: CapConnectionDelete, Operation: "deleting a connection", Where: "Connections: delete the connection"},
	{Name: CapConnectorTypes, Operation: "listing connector types", Where: "Connections: create the connection, then read it with get_connection as a template", probe: "v1/connection-types?limit=1"},
	{Name: CapOAuth, Operation: "OAuth sign-in for a connection", Where: `the connection's "Sign in with …" button`, probe: "v1/connections/oauth/etlworks-mcp-probe/authorize-url"},
	{Name: CapExplorer, Operation: "browsing objects, previewing data and running SQL", Where: "Explorer, via the compass icon", probe: "v1/explorer/" + probeID + "/objects"},
	{Name: CapStagingUpload, Operation: "uploading a file for staging", Where: "an UPLOAD user-defined API (HTTP listener) that copies the file into storage"},
	{Name: CapScheduleGet, Operation: "reading one schedule by id", Where: "Schedules (list_schedules finds it by id)", probe: "v1/schedules/" + probeID},
	{Name: CapScheduleEdit, Operation: "editing or deleting a schedule", Where: "Schedules: edit, enable, disable or delete the schedule"},
	{Name: CapScheduleActions, Operation: "pausing, resuming or rescheduling a schedule", Where: "Schedules: enable, disable or edit the schedule"},
	{Name: CapSchedulePreview, Operation: "previewing a schedule's fire times", Where: "Schedules: edit the schedule"},
	{Name: CapScheduleRun, Operation: "running a schedule now", Where: "Schedules: execute manually (run_flow runs the flow instead)"},
	{Name: CapWebhooks, Operation: "listing, editing or deleting webhooks", Where: "Webhooks", probe: "v1/webhooks?limit=1"},
	{Name: CapListenerList, Operation: "listing user-defined APIs (listeners)", Where: "Connections: Listeners", probe: "v1/listeners?limit=1"},
	{Name: CapListenerEdit, Operation: "creating, editing or deleting listeners", Where: "Connections: Listeners"},
	{Name: CapAuditDetail, Operation: "reading one audit event with its payload", Where: "the audit trail, per-event payload", probe: "v1/audit/" + probeID},
	{Name: CapRecycleBin, Operation: "the recycle bin", Where: "the Recycle Bin icon on the Flows screen (also Connections and Agents)", probe: "v1/recycle-bin?limit=1"},
	{Name: CapUsersMe, Operation: "who am I (user and role)", Where: "the user menu, top right", probe: "v1/users/me"},
}

// probeID is an id no Etlworks object has; probes of id routes use it so that they can find
// nothing and change nothing.
const probeID = "987654321987"

// Capabilities returns every group in display order (a copy).
func Capabilities() []CapabilityInfo { return append([]CapabilityInfo(nil), capabilityTable...) }

// CapabilityByName returns a group's description; ok is false for an unknown name.
func CapabilityByName(name Capability) (CapabilityInfo, bool) {
	for _, c := range capabilityTable {
		if c.Name == name {
			return c, true
		}
	}
	return CapabilityInfo{}, false
}

// CapState is what the client knows about a group for one credential.
type CapState int

// Capability states.
const (
	CapUnknown   CapState = iota // not probed or used yet, or the answers did not tell
	CapPresent                   // the instance has the routes
	CapForbidden                 // the routes exist but this credential may not use them
	CapAbsent                    // the instance has no such routes
)

func (s CapState) String() string {
	switch s {
	case CapPresent:
		return "present"
	case CapForbidden:
		return "forbidden"
	case CapAbsent:
		return "absent"
	}
	return "unknown"
}

// AbsentError says a call needs a capability this Etlworks instance lacks. Its text is the one
// people see, and it never suggests checking an id: the route, not the object, is missing.
type AbsentError struct {
	Capability CapabilityInfo
	Method     string // the request that found it missing, or that was not sent because of it
	Path       string
	// Err is the answer that showed the route missing, or a 404 standing for it when the request
	// was not sent; it keeps IsNotFound and IsStatus(…, 404) true for callers that fall back.
	Err *APIError
}

// Unwrap returns the answer behind the error.
func (e *AbsentError) Unwrap() error { return e.Err }

func (e *AbsentError) Error() string {
	return fmt.Sprintf("this server found no REST route for %s on this Etlworks instance; in the Etlworks UI: %s",
		e.Capability.Operation, e.Capability.Where)
}

// IsAbsent reports whether err says a capability is missing.
func IsAbsent(err error) bool {
	var a *AbsentError
	return errors.As(err, &a)
}

// credential holds what the client learned with one credential: capability states, the last
// credential check, the shape of this instance's "no such route" answer and the name indexes.
// Keyed by a hash of the credential, so a later per-user key (HTTP mode) gets its own.
type credential struct {
	mu        sync.Mutex
	states    map[Capability]CapState
	probeOnce sync.Once
	probed    chan struct{} // closed when the background probe has finished

	checkMu sync.Mutex // one credential check at a time
	check   *CredentialCheck

	fpOnce sync.Once
	fp     notFoundFingerprint

	names nameIndexes // name -> id indexes per kind (name_index.go)
}

// credentialKey hashes a credential's identity: the cache key never holds the secret itself.
func credentialKey(identity string) string {
	sum := sha256.Sum256([]byte(identity))
	return hex.EncodeToString(sum[:12])
}

// cred returns the cache of the credential the request in ctx uses: the key it carries
// (WithRequestAPIKey), else the client's own. A request with neither shares one empty cache, and
// its requests fail with ErrNoCredential.
func (c *Client) cred(ctx context.Context) *credential {
	key := "none"
	if a, err := c.authFor(ctx); err == nil {
		key = a.id()
	}
	c.capMu.Lock()
	defer c.capMu.Unlock()
	return c.creds.get(key)
}

// CapabilityState returns what is known of a group for the credential in ctx.
func (c *Client) CapabilityState(ctx context.Context, name Capability) CapState {
	cr := c.cred(ctx)
	cr.mu.Lock()
	defer cr.mu.Unlock()
	return cr.states[name]
}

// CapabilityStates returns the state of every group, in display order.
func (c *Client) CapabilityStates(ctx context.Context) map[Capability]CapState {
	cr := c.cred(ctx)
	cr.mu.Lock()
	defer cr.mu.Unlock()
	out := make(map[Capability]CapState, len(capabilityTable))
	for _, info := range capabilityTable {
		out[info.Name] = cr.states[info.Name]
	}
	return out
}

// OnCapabilityChange registers fn, called (outside any lock) whenever a group's state changes
// for any credential; tools use it to leave tools/list when their group is absent.
func (c *Client) OnCapabilityChange(fn func(Capability, CapState)) {
	c.capMu.Lock()
	defer c.capMu.Unlock()
	c.capWatchers = append(c.capWatchers, fn)
}

// setState records a state. Absent is final; present and forbidden are not overwritten by the
// weaker forbidden from one object's answer.
func (c *Client) setState(cr *credential, name Capability, s CapState) {
	cr.mu.Lock()
	old := cr.states[name]
	switch {
	case old == s, old == CapAbsent:
		cr.mu.Unlock()
		return
	case s == CapForbidden && old == CapPresent:
		cr.mu.Unlock()
		return
	}
	cr.states[name] = s
	cr.mu.Unlock()
	c.log.Debug("etlworks capability", "capability", string(name), "state", s.String())
	c.capMu.Lock()
	watchers := append([]func(Capability, CapState){}, c.capWatchers...)
	c.capMu.Unlock()
	for _, fn := range watchers {
		fn(name, s)
	}
}

func (c *Client) absentError(name Capability, r *request, answer error) error {
	info, _ := CapabilityByName(name)
	path := sanitizePath("/"+r.path, nil)
	var api *APIError
	if !errors.As(answer, &api) {
		api = &APIError{Status: http.StatusNotFound, Method: r.method, Path: path, ErrorText: "Not Found",
			Message: "this Etlworks instance has no such route"}
	}
	return &AbsentError{Capability: info, Method: r.method, Path: path, Err: api}
}

// exchange performs r, first refusing it without a network call when its capability is known to
// be absent, and afterwards learning from the answer whether the route exists. It returns the
// raw body, at most the body limit.
func (c *Client) exchange(ctx context.Context, r *request) ([]byte, *Response, error) {
	var body []byte
	resp, err := c.exchangeStream(ctx, r, c.readBody(&body), func() []byte { return body })
	return body, resp, err
}

// exchangeStream is exchange with the body handed to sink as it arrives (do decodes it there);
// kept returns what learn may see of the body (nil when the sink keeps none). A sink that found
// an HTML page where JSON belongs (an *UnexpectedBodyError) counts, like an HTML body, as the
// route's absence.
func (c *Client) exchangeStream(ctx context.Context, r *request, sink bodySink, kept func() []byte) (*Response, error) {
	ep := endpointFor(r)
	if ep == nil || ep.Capability == "" {
		return c.exchangeSink(ctx, r, sink)
	}
	cr := c.cred(ctx)
	cr.mu.Lock()
	absent := cr.states[ep.Capability] == CapAbsent
	cr.mu.Unlock()
	if absent {
		return nil, c.absentError(ep.Capability, r, nil)
	}
	resp, err := c.exchangeSink(ctx, r, sink)
	var body []byte
	if kept != nil {
		body = kept()
	}
	var ub *UnexpectedBodyError
	if errors.As(err, &ub) && ub.What == htmlPage {
		if lerr := c.learn(ctx, cr, ep, r, []byte("<"), nil); lerr != nil {
			return resp, lerr
		}
		return resp, err
	}
	return resp, c.learn(ctx, cr, ep, r, body, err)
}

// learn updates a group's state from one answer of one of its routes and returns the error the
// caller should see: an *AbsentError when the answer shows the route does not exist.
//
// The rule: 405 = absent (the method has no route at this path). A 404 from a collection route
// (no id in it) = absent. A 404 from a route with an id = absent only when it looks like this
// instance's answer to a path no Etlworks has, and that answer differs from its answer for a
// missing object on a documented route (see notFoundFingerprint); otherwise it is an object's
// 404. A non-JSON 2xx on a JSON route (an HTML page from a catch-all) = absent. 2xx, 400, 409
// and 422 = present; 403 = forbidden.
func (c *Client) learn(ctx context.Context, cr *credential, ep *Endpoint, r *request, body []byte, err error) error {
	if err == nil {
		if r.accept == "" && looksLikeHTML(body) {
			c.setState(cr, ep.Capability, CapAbsent)
			return c.absentError(ep.Capability, r, nil)
		}
		c.setState(cr, ep.Capability, CapPresent)
		return nil
	}
	var api *APIError
	if !errors.As(err, &api) || !c.answeredBy(api, r) {
		return err // no answer, or the sign-in route's answer
	}
	switch api.Status {
	case http.StatusMethodNotAllowed:
		c.setState(cr, ep.Capability, CapAbsent)
		return c.absentError(ep.Capability, r, err)
	case http.StatusNotFound:
		// A collection has no object to miss; a path a documented route also serves exists, so
		// its 404 is about the object.
		if ep.Collection || (!ep.servedByDocumented() && c.routeMissing(ctx, cr, api)) {
			c.setState(cr, ep.Capability, CapAbsent)
			return c.absentError(ep.Capability, r, err)
		}
	case http.StatusForbidden:
		c.setState(cr, ep.Capability, CapForbidden)
	case http.StatusBadRequest, http.StatusConflict, http.StatusUnprocessableEntity:
		c.setState(cr, ep.Capability, CapPresent)
	}
	return err
}

// answeredBy reports whether api is the answer to r itself (and not, say, to the sign-in that
// had to come first).
func (c *Client) answeredBy(api *APIError, r *request) bool {
	base := c.base
	if r.atRoot {
		base = c.root
	}
	path, _, _ := strings.Cut(api.Path, "?")
	return strings.TrimSuffix(path, "/") == strings.TrimSuffix(base.Path+strings.TrimPrefix(r.path, "/"), "/")
}

func looksLikeHTML(body []byte) bool {
	b := bytes.TrimSpace(body)
	return len(b) > 0 && b[0] == '<'
}

// Probe waits for the credential check and the capability probe (StartChecks starts them once
// per credential) and returns the states; ctx ending stops the wait, not the probe.
func (c *Client) Probe(ctx context.Context) map[Capability]CapState {
	c.StartChecks(ctx)
	select {
	case <-c.cred(ctx).probed:
	case <-ctx.Done():
	}
	return c.CapabilityStates(ctx)
}

// probeParallel bounds how many probes run at once, so start-up never floods an instance.
const probeParallel = 4

// probeGroups sends every group's probe, a few at a time. It runs after a credential check that
// did not reject the credential: with a rejected one every probe would answer 401 and tell nothing.
func (c *Client) probeGroups(ctx context.Context, cr *credential) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	sem := make(chan struct{}, probeParallel)
	var wg sync.WaitGroup
	for _, info := range capabilityTable {
		if info.probe == "" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			c.probeOne(ctx, cr, info)
		}()
	}
	wg.Wait()
}

// probeOne sends one group's probe GET. learn applies the same rule as on first use; a probe's
// 404 from a route with an id that is not a route's absence means the object (probeID) is
// missing, so the route is there.
func (c *Client) probeOne(ctx context.Context, cr *credential, info CapabilityInfo) {
	r := probeRequest(info.probe)
	ep := endpointFor(r)
	if ep == nil {
		return
	}
	body, _, err := c.exchangeHead(ctx, r, probeHead)
	err = c.learn(ctx, cr, ep, r, body, err)
	if IsStatus(err, http.StatusNotFound) && !IsAbsent(err) && !ep.Collection && cr.fp.usable {
		c.setState(cr, info.Name, CapPresent)
	}
}

func probeRequest(p string) *request {
	r := &request{method: http.MethodGet, path: p}
	if path, query, ok := bytes.Cut([]byte(p), []byte("?")); ok {
		r.path = string(path)
		r.query = map[string][]string{}
		for _, kv := range bytes.Split(query, []byte("&")) {
			k, v, _ := bytes.Cut(kv, []byte("="))
			r.query[string(k)] = []string{string(v)}
		}
	}
	return r
}

// KnownAbsent returns the *AbsentError for a group already known to be absent for the credential
// in ctx, and nil otherwise, without a network call: a dry run uses it to refuse what the apply
// would refuse. method and path name the request that would have been sent.
func (c *Client) KnownAbsent(ctx context.Context, name Capability, method, path string) error {
	if c.CapabilityState(ctx, name) != CapAbsent {
		return nil
	}
	return c.absentError(name, &request{method: method, path: path}, nil)
}
