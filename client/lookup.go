package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/etlworks/etlworks-mcp/internal/bound"
)

// NameNotFoundError says no object of a kind has the id or name that was asked for. Names holds
// the names that do exist (those of the kind's name index), and its message offers the closest
// ones: the one not-found message that tools, resources and prompts show.
type NameNotFoundError struct {
	Kind  string // "flow", "connection", "schedule", "webhook"
	Name  string // the id or name asked for
	Names []string
	// Capped is the number of names searched when the instance has more objects than the name
	// index holds (DefaultIndexMaxNames); 0 when every name was searched.
	Capped int
}

func (e *NameNotFoundError) Error() string {
	msg := fmt.Sprintf("%s %s not found", e.Kind, bound.Quote(e.Name))
	if near := Closest(e.Name, e.Names, 3); len(near) > 0 {
		q := make([]string, len(near))
		for i, n := range near {
			q[i] = bound.Quote(n)
		}
		msg += "; closest: " + strings.Join(q, ", ")
	}
	if e.Capped > 0 {
		msg += fmt.Sprintf("; only the first %d %ss of this instance were searched (the most this server indexes by name): pass the %s's id instead",
			e.Capped, e.Kind, e.Kind)
	}
	return msg
}

// Kind names a kind of object the resolver finds.
type Kind string

// The kinds Resolve knows.
const (
	KindFlow       Kind = "flow"
	KindConnection Kind = "connection"
	KindSchedule   Kind = "schedule"
	KindWebhook    Kind = "webhook"
	KindListener   Kind = "listener"
)

// Named is a resolved object: its id, exact name and raw JSON. Full says Raw is the whole object
// as a GET returns it (a flow or schedule list row, or a GET), so no second read is needed; a
// connection found through a flow's connections array carries only id, name and connectionType.
type Named struct {
	ID   int64
	Name string
	Raw  json.RawMessage
	Full bool
	// Via says how a name was found when it was not by the kind's own list, e.g. "the connections
	// arrays of the flow list" on an instance with no connection list route.
	Via string
}

// ViaFlowConnections is Named.Via for a connection found through the flow list.
const ViaFlowConnections = "the connections arrays of the flow list (this instance has no connection list route)"

// Resolve finds an object by numeric id or by exact name (a unique case-insensitive match counts
// too, because people rarely type capitals exactly). It is the one resolver of the tools,
// resources and prompts. An id is read with the kind's GET, except a schedule, which has no public
// GET and is found in the (documented) list; a name is found in the kind's list, and a
// connection's, when the instance has no connection list route, in the flows' connections arrays.
// An unknown id or name is a *NameNotFoundError.
func (c *Client) Resolve(ctx context.Context, kind Kind, ref string) (*Named, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, fmt.Errorf("client: no %s id or name given", kind)
	}
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil || id <= 0 {
		return c.resolveName(ctx, kind, ref)
	}
	if kind == KindSchedule {
		return c.Schedules.FindByID(ctx, id)
	}
	get := c.getOf(kind)
	if get == nil {
		return nil, fmt.Errorf("client: cannot resolve a %s", kind)
	}
	raw, _, err := get(ctx, id)
	if IsNotFound(err) {
		return nil, &NameNotFoundError{Kind: string(kind), Name: ref}
	}
	if err != nil {
		return nil, err
	}
	name, _ := nameOf(raw)
	return &Named{ID: id, Name: name, Raw: raw, Full: true}, nil
}

// getOf is the GET of one object of kind by id, or nil for a kind without one (a schedule).
func (c *Client) getOf(kind Kind) func(context.Context, int64) (json.RawMessage, *Response, error) {
	switch kind {
	case KindFlow:
		return c.Flows.Get
	case KindConnection:
		return c.Connections.Get
	case KindWebhook:
		return c.Webhooks.Get
	case KindListener:
		return c.Listeners.Get
	}
	return nil
}

// nameOf reads the name of an object; false when raw is not a JSON object. It reads only as far
// as the name: a flow's GET can be large, every resolve reads one, and decoding it whole here
// was a seventh of the CPU of an HTTP get_flow.
func nameOf(raw json.RawMessage) (string, bool) {
	if t := bytes.TrimLeft(raw, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return "", false
	}
	return gjson.GetBytes(raw, "name").String(), true // GetBytes reads raw in place; ParseBytes would copy it
}

// resolveName finds an object by name: a schedule in the schedule list (read fresh, see
// resolveSchedule), any other kind through its name index, confirmed by the object's GET.
func (c *Client) resolveName(ctx context.Context, kind Kind, name string) (*Named, error) {
	switch kind {
	case KindSchedule:
		return c.resolveSchedule(ctx, name)
	case KindFlow, KindConnection, KindWebhook, KindListener:
	default:
		return nil, errNoIndex(kind)
	}
	l, err := c.nameList(ctx, kind, staleOK)
	if err != nil {
		return nil, err
	}
	for retry := false; ; retry = true {
		if e, ok := l.find(name); ok {
			n, err := c.confirmEntry(ctx, kind, e, l.Via)
			if n != nil || err != nil {
				return n, err
			}
			// The object is gone or renamed: the index missed a change made elsewhere.
			c.invalidateNames(ctx, []Kind{kind})
		}
		if retry {
			break
		}
		// Before saying a name does not exist, look in an index built after the last write and
		// within the miss age (the one at hand may be it: then this costs nothing).
		if l, err = c.nameList(ctx, kind, current); err != nil {
			return nil, err
		}
	}
	nf := &NameNotFoundError{Kind: string(kind), Name: name, Names: l.names()}
	if l.Capped {
		nf.Capped = l.Max
	}
	return nil, nf
}

// confirmEntry reads an indexed object with its GET. It returns nil and no error when the object
// is gone or no longer has the indexed name, so that the caller looks again in a new index.
func (c *Client) confirmEntry(ctx context.Context, kind Kind, e NameEntry, via string) (*Named, error) {
	raw, _, err := c.getOf(kind)(ctx, e.ID)
	if IsNotFound(err) && !IsAbsent(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if name, ok := nameOf(raw); !ok || name != e.Name {
		return nil, nil
	}
	return &Named{ID: e.ID, Name: e.Name, Raw: raw, Full: true, Via: via}, nil
}

// nameMatch collects the rows of a scan that match a name.
type nameMatch struct {
	exact  *Named
	folded []*Named
	names  []string
	seen   map[int64]bool
}

// visit returns a scan visitor that stops at the exact name.
func (m *nameMatch) visit(name string, full bool) func(json.RawMessage) bool {
	return func(row json.RawMessage) bool {
		var head struct {
			ID   ID     `json:"id"`
			Name string `json:"name"`
		}
		if json.Unmarshal(row, &head) != nil || head.Name == "" {
			return true
		}
		if m.seen == nil {
			m.seen = map[int64]bool{}
		}
		if m.seen[int64(head.ID)] {
			return true
		}
		m.seen[int64(head.ID)] = true
		n := &Named{ID: int64(head.ID), Name: head.Name, Raw: row, Full: full}
		if head.Name == name {
			m.exact = n
			return false
		}
		if strings.EqualFold(head.Name, name) {
			m.folded = append(m.folded, n)
		}
		m.names = append(m.names, head.Name)
		return true
	}
}

// errNoIndex is the error for a kind the resolver does not know.
func errNoIndex(kind Kind) error { return fmt.Errorf("client: cannot resolve a %s", kind) }

// resolveSchedule finds a schedule by name in the schedule list, read fresh each time: there is
// no documented GET of one schedule, so the list row is the only current read of its state,
// which confirmations bind to. The read is not capped in rows (only in bytes, scanBodies).
func (c *Client) resolveSchedule(ctx context.Context, name string) (*Named, error) {
	var m nameMatch
	if _, err := c.scanRows(ctx, "v1/schedules", nil, scanBounds{bytes: scanBodies * c.maxBody}, m.visit(name, true)); err != nil {
		return nil, err
	}
	if m.exact != nil {
		return m.exact, nil
	}
	if len(m.folded) == 1 {
		return m.folded[0], nil
	}
	return nil, &NameNotFoundError{Kind: string(KindSchedule), Name: name, Names: m.names}
}

// flowConnections visits each connection of the flow list's connections arrays ({id, name,
// connectionType}): what an instance without a connection list route shows of its connections.
func (c *Client) flowConnections(ctx context.Context, visit func(json.RawMessage) bool) error {
	return c.flowConnectionRows(ctx, scanBounds{rows: ScanLimit, bytes: scanBodies * c.maxBody}, visit)
}

// flowConnectionRows is flowConnections within the given bounds of the flow list.
func (c *Client) flowConnectionRows(ctx context.Context, b scanBounds, visit func(json.RawMessage) bool) error {
	_, err := c.scanRows(ctx, "v1/flows", nil, b, func(row json.RawMessage) bool {
		var f struct {
			Connections []json.RawMessage `json:"connections"`
		}
		_ = json.Unmarshal(row, &f)
		for _, conn := range f.Connections {
			if !visit(conn) {
				return false
			}
		}
		return true
	})
	return err
}

// FlowConnections visits the connections named in the flows' connections arrays, each once.
// On an instance with no connection list route (GET /v1/connections is not documented) this is
// what can be seen of the connections.
func (s *ConnectionsService) FlowConnections(ctx context.Context, visit func(json.RawMessage) bool) (Scan, error) {
	seen := map[string]bool{}
	var sc Scan
	err := s.client.flowConnections(ctx, func(row json.RawMessage) bool {
		var head struct {
			ID   ID     `json:"id"`
			Name string `json:"name"`
		}
		if json.Unmarshal(row, &head) != nil {
			return true
		}
		key := strconv.FormatInt(int64(head.ID), 10) + "/" + head.Name
		if seen[key] {
			return true
		}
		seen[key] = true
		sc.Rows++
		return visit(row)
	})
	return sc, err
}

// FindByName returns the flow with this exact name (or the one case-insensitive match); a
// *NameNotFoundError lists the existing names otherwise.
func (s *FlowsService) FindByName(ctx context.Context, name string) (*Named, error) {
	return s.client.resolveName(ctx, KindFlow, name)
}

// FindByName returns the connection with this exact name (or the one case-insensitive match),
// through the flow list when the instance has no connection list route.
func (s *ConnectionsService) FindByName(ctx context.Context, name string) (*Named, error) {
	return s.client.resolveName(ctx, KindConnection, name)
}

// FindByName returns the schedule with this exact name (or the one case-insensitive match).
func (s *SchedulesService) FindByName(ctx context.Context, name string) (*Named, error) {
	return s.client.resolveName(ctx, KindSchedule, name)
}

// FindByID returns schedule id as the schedule list holds it: Etlworks documents GET /v1/schedules
// but no GET /v1/schedules/{id}.
func (s *SchedulesService) FindByID(ctx context.Context, id int64) (*Named, error) {
	var found *Named
	var names []string
	c := s.client
	_, err := c.scanRows(ctx, "v1/schedules", nil, scanBounds{bytes: scanBodies * c.maxBody}, func(row json.RawMessage) bool {
		var head struct {
			ID   ID     `json:"id"`
			Name string `json:"name"`
		}
		if json.Unmarshal(row, &head) != nil {
			return true
		}
		if int64(head.ID) == id {
			found = &Named{ID: id, Name: head.Name, Raw: row, Full: true}
			return false
		}
		names = append(names, head.Name)
		return true
	})
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, &NameNotFoundError{Kind: string(KindSchedule), Name: strconv.FormatInt(id, 10)}
	}
	return found, nil
}

// Closest ranks candidates by edit distance to ref (case-insensitive), favouring substring
// matches, and returns at most n reasonable ones: the names to suggest after a NameNotFoundError.
func Closest(ref string, candidates []string, n int) []string {
	type scored struct {
		name  string
		score int
	}
	out := []string{}
	if len(ref) > bound.EchoBytes {
		return out // no name is that long; comparing would cost len(ref) times each name's length
	}
	lref := strings.ToLower(ref)
	var all []scored
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := levenshtein(lref, lc)
		if strings.Contains(lc, lref) || strings.Contains(lref, lc) {
			d /= 3
		}
		if d <= max(len(lref), len(lc))*2/3 {
			all = append(all, scored{c, d})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].score < all[j].score })
	for i := 0; i < len(all) && i < n; i++ {
		out = append(out, all[i].name)
	}
	return out
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
