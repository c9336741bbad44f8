package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/etlworks/etlworks-mcp/internal/bound"
)

// NameNotFoundError says no object of a kind has the name that was asked for. Names holds the
// names that do exist (up to the scan limit), so callers can suggest the closest ones.
type NameNotFoundError struct {
	Kind  string // "flow", "connection", …
	Name  string
	Names []string
}

func (e *NameNotFoundError) Error() string {
	return fmt.Sprintf("%s %s not found", e.Kind, bound.Quote(e.Name))
}

// maxNameScan bounds how many objects a name lookup reads, in pages of 200.
const maxNameScan = 5000

// nameScanBodies bounds how much a name lookup reads over all its pages, in body limits
// (WithMaxBodySize; 64 MiB by default): rows that big are not worth scanning for a name, and the
// caller can pass the id instead.
const nameScanBodies = 2

// Named is an object found by name: its id, exact name and raw JSON row.
type Named struct {
	ID   int64
	Name string
	Raw  json.RawMessage
}

// findByName pages through a list endpoint looking for the exact name; a unique case-insensitive
// match is accepted too, because people rarely type capitals exactly.
func (c *Client) findByName(ctx context.Context, path, kind, name string) (*Named, error) {
	var names []string
	var folded []*Named
	read := 0
	for offset := 0; offset < maxNameScan; offset += 200 {
		if err := ctx.Err(); err != nil {
			return nil, err // the call's deadline ended: stop paging rather than start another page
		}
		q := url.Values{"limit": {"200"}}
		if offset > 0 {
			q.Set("offset", strconv.Itoa(offset))
		}
		raw, resp, err := c.getList(ctx, path, q)
		if err != nil {
			return nil, err
		}
		if read += len(raw); int64(read) > nameScanBodies*c.maxBody {
			return nil, fmt.Errorf("client: looking up %s %s read %d MiB of GET %s pages without finding it; pass the id instead",
				kind, bound.Quote(name), read>>20, path)
		}
		var rows []json.RawMessage
		if err := json.Unmarshal(raw, &rows); err != nil {
			return nil, fmt.Errorf("client: GET %s: %w", path, err)
		}
		for _, row := range rows {
			var head struct {
				ID   ID     `json:"id"`
				Name string `json:"name"`
			}
			if json.Unmarshal(row, &head) != nil {
				continue
			}
			n := &Named{ID: int64(head.ID), Name: head.Name, Raw: row}
			if head.Name == name {
				return n, nil
			}
			if strings.EqualFold(head.Name, name) {
				folded = append(folded, n)
			}
			names = append(names, head.Name)
		}
		if len(rows) < 200 || (resp.Total >= 0 && offset+len(rows) >= resp.Total) {
			break
		}
	}
	if len(folded) == 1 {
		return folded[0], nil
	}
	return nil, &NameNotFoundError{Kind: kind, Name: name, Names: names}
}

// FindByName returns the flow with this exact name (or the one case-insensitive match); a
// *NameNotFoundError lists the existing names otherwise.
func (s *FlowsService) FindByName(ctx context.Context, name string) (*Named, error) {
	return s.client.findByName(ctx, "v1/flows", "flow", name)
}

// FindByName returns the connection with this exact name (or the one case-insensitive match).
func (s *ConnectionsService) FindByName(ctx context.Context, name string) (*Named, error) {
	return s.client.findByName(ctx, "v1/connections", "connection", name)
}

// FindByName returns the schedule with this exact name (or the one case-insensitive match).
func (s *SchedulesService) FindByName(ctx context.Context, name string) (*Named, error) {
	return s.client.findByName(ctx, "v1/schedules", "schedule", name)
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
