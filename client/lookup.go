package client

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/etlworks/etlworks-mcp/internal/bound"
)

// NameNotFoundError says no object of a kind has the id or name that was asked for. Names holds
// the names that do exist (up to ScanLimit), and its message offers the closest ones: the one
// not-found message that tools, resources and prompts show.
type NameNotFoundError struct {
	Kind  string // "flow", "connection", "schedule", "webhook"
	Name  string // the id or name asked for
	Names []string
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
	var get func(context.Context, int64) (json.RawMessage, *Response, error)
	switch kind {
	case KindFlow:
		get = c.Flows.Get
	case KindConnection:
		get = c.Connections.Get
	case KindWebhook:
		get = c.Webhooks.Get
	case KindListener:
		get = c.Listeners.Get
	case KindSchedule:
		return c.Schedules.FindByID(ctx, id)
	default:
		return nil, fmt.Errorf("client: cannot resolve a %s", kind)
	}
	raw, _, err := get(ctx, id)
	if IsNotFound(err) {
		return nil, &NameNotFoundError{Kind: string(kind), Name: ref}
	}
	if err != nil {
		return nil, err
	}
	var head struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(raw, &head)
	return &Named{ID: id, Name: head.Name, Raw: raw, Full: true}, nil
}

// resolveName finds an object by name in its kind's list.
func (c *Client) resolveName(ctx context.Context, kind Kind, name string) (*Named, error) {
	var m nameMatch
	var err error
	switch kind {
	case KindFlow:
		_, err = c.Flows.Scan(ctx, nil, m.visit(name, true))
	case KindSchedule:
		_, err = c.Schedules.Scan(ctx, nil, m.visit(name, true))
	case KindWebhook:
		_, err = c.scan(ctx, "v1/webhooks", nil, m.visit(name, false))
	case KindListener:
		_, err = c.scan(ctx, "v1/listeners", nil, m.visit(name, false))
	case KindConnection:
		_, err = c.Connections.Scan(ctx, nil, m.visit(name, true))
		if IsRouteAbsent(err) {
			m = nameMatch{}
			err = c.flowConnections(ctx, m.visit(name, false))
			if m.exact != nil {
				m.exact.Via = ViaFlowConnections
			}
			for _, f := range m.folded {
				f.Via = ViaFlowConnections
			}
		}
	default:
		return nil, fmt.Errorf("client: cannot resolve a %s", kind)
	}
	if err != nil {
		return nil, err
	}
	if m.exact != nil {
		return m.exact, nil
	}
	if len(m.folded) == 1 {
		return m.folded[0], nil
	}
	return nil, &NameNotFoundError{Kind: string(kind), Name: name, Names: m.names}
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

// flowConnections visits each connection of the flow list's connections arrays ({id, name,
// connectionType}): what an instance without a connection list route shows of its connections.
func (c *Client) flowConnections(ctx context.Context, visit func(json.RawMessage) bool) error {
	_, err := c.Flows.Scan(ctx, nil, func(row json.RawMessage) bool {
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
	_, err := s.Scan(ctx, nil, func(row json.RawMessage) bool {
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
