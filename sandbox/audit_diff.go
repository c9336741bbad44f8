package sandbox

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"unicode/utf8"
)

// An edit's audit payload carries "before" and "after": the changed leaves of the object, keyed by path
// ("transformations.0.source.sql", "properties.field.connection.template.host"), so the trail shows
// what an edit did and not only which fields it touched (our design, tag [I]: not in Etlworks' public
// documentation). Both are bounded, and secret values are masked on both sides.

// Bounds on an edit's before/after.
const (
	maxDiffPaths = 10  // changed paths recorded; the count of the rest goes in "moreChanges"
	maxDiffValue = 500 // bytes of each recorded value
)

// editDiff is the before/after part of an edit's audit payload.
type editDiff struct {
	before, after map[string]any
	more          int
}

// add merges the diff into an audit payload; nothing when no leaf changed.
func (d editDiff) add(payload map[string]any) map[string]any {
	if len(d.before)+len(d.after) == 0 {
		return payload
	}
	payload["before"], payload["after"] = d.before, d.after
	if d.more > 0 {
		payload["moreChanges"] = d.more
	}
	return payload
}

// diffFields compares two views of an object (field name → value) leaf by leaf; secret says which
// paths hold secrets, whose values are recorded masked.
func diffFields(old, updated map[string]any, secret func(path string) bool) editDiff {
	a, b := normalizeJSON(old), normalizeJSON(updated)
	d := editDiff{before: map[string]any{}, after: map[string]any{}}
	var walk func(path string, x, y any, hasX, hasY bool)
	walk = func(path string, x, y any, hasX, hasY bool) {
		mx, okx := x.(map[string]any)
		my, oky := y.(map[string]any)
		if okx && oky {
			keys := slices.Sorted(maps.Keys(mx))
			for k := range my {
				if _, ok := mx[k]; !ok {
					keys = append(keys, k)
				}
			}
			slices.Sort(keys)
			for _, k := range keys {
				vx, inX := mx[k]
				vy, inY := my[k]
				walk(join(path, k), vx, vy, inX, inY)
			}
			return
		}
		lx, okx := x.([]any)
		ly, oky := y.([]any)
		if okx && oky {
			for i := range max(len(lx), len(ly)) {
				var vx, vy any
				if i < len(lx) {
					vx = lx[i]
				}
				if i < len(ly) {
					vy = ly[i]
				}
				walk(join(path, fmt.Sprint(i)), vx, vy, i < len(lx), i < len(ly))
			}
			return
		}
		bx, _ := json.Marshal(x)
		by, _ := json.Marshal(y)
		if hasX == hasY && string(bx) == string(by) {
			return
		}
		if len(d.before)+len(d.after) > 0 && countPaths(d) >= maxDiffPaths {
			d.more++
			return
		}
		if hasX {
			d.before[path] = diffValue(x, secret(path))
		}
		if hasY {
			d.after[path] = diffValue(y, secret(path))
		}
	}
	walk("", a, b, true, true)
	return d
}

func countPaths(d editDiff) int {
	n := len(d.after)
	for k := range d.before {
		if _, ok := d.after[k]; !ok {
			n++
		}
	}
	return n
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// normalizeJSON turns a value into plain JSON types (maps, lists, strings, numbers).
func normalizeJSON(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

// diffValue is one recorded side: secrets masked, long text cut, lists and objects as JSON text.
func diffValue(v any, secret bool) any {
	if secret {
		if s, ok := v.(string); ok && s == "" {
			return ""
		}
		return maskedSecret
	}
	switch v.(type) {
	case map[string]any, []any:
		b, _ := json.Marshal(v)
		return cutText(string(b), maxDiffValue)
	case string:
		return cutText(v.(string), maxDiffValue)
	}
	return v
}

func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// flowAuditView is the part of a flow an edit can change, as the API shows it.
func flowAuditView(f *flow) map[string]any {
	p := f.Public()
	return map[string]any{"name": p.Name, "description": p.Description, "flowType": p.FlowType, "properties": p.Properties,
		"tags": p.Tags, "transformations": p.Transformations, "mappings": p.Mappings, "nestedFlows": p.NestedFlows}
}

// connectionAuditView is the part of a connection an edit can change.
func connectionAuditView(c connection) map[string]any {
	return map[string]any{"name": c.Name, "description": c.Description, "connectionType": c.ConnectionType,
		"tags": c.Tags, "properties": c.Properties}
}
