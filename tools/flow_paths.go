package tools

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/internal/bound"
)

// This file lists a definition's settable paths (get_flow paths:true) and finds the existing
// paths closest to one that does not exist (update_flow and create_flow refuse a new key unless
// create_keys is set, so a typo never silently adds a field).

// Path listing bounds: get_flow paths:true is for finding the path to edit, not a dump.
const (
	maxPathLines = 300   // paths listed
	maxPathValue = 120   // bytes of one value shown
	maxPathBytes = 16000 // bytes of all lines, about 4,000 tokens
)

// flowPaths is get_flow's answer with paths:true.
type flowPaths struct {
	ID    int64    `json:"id"`
	Name  string   `json:"name"`
	Paths []string `json:"paths"` // `transformations[0].source.sql = "SELECT …"`
	More  string   `json:"more,omitempty"`
	Next  string   `json:"next"`
}

// definitionPaths renders every settable leaf of a definition as "path = value" in document order
// (keys sorted at each level), read-only fields left out, values under secret-looking keys
// masked, text redacted and clipped.
func definitionPaths(doc any) (lines []string, total int) {
	size := 0
	var walk func(segs []string, v any)
	walk = func(segs []string, v any) {
		switch n := v.(type) {
		case map[string]any:
			if len(n) > 0 {
				for _, k := range sortedKeys(n) {
					if len(segs) == 0 && slices.Contains(readOnlyFlowFields, k) {
						continue
					}
					walk(append(slices.Clip(segs), k), n[k])
				}
				return
			}
		case []any:
			if len(n) > 0 {
				for i, e := range n {
					walk(append(slices.Clip(segs), strconv.Itoa(i)), e)
				}
				return
			}
		}
		total++
		if len(lines) < maxPathLines && size < maxPathBytes {
			line := displayPath(segs) + " = " + pathValue(segs, v)
			lines = append(lines, line)
			size += len(line)
		}
	}
	walk(nil, doc)
	return lines, total
}

// pathsNext is the update_flow call that changes a listed path (the last one, often a step's SQL),
// as a valid JSON tool call; the value is a placeholder.
func pathsNext(id int64, lines []string) string {
	path := "description"
	if len(lines) > 0 {
		path, _, _ = strings.Cut(lines[len(lines)-1], " = ")
	}
	return hint("update_flow", "", "flow", id, "set", map[string]any{path: "new value"}, "dry_run", true).String() + " previews a change"
}

// pathValue renders one leaf for definitionPaths: masked under a secret key, else compact JSON, redacted
// and clipped to one line.
func pathValue(segs []string, v any) string {
	if len(segs) > 0 && isSecretKey(segs[len(segs)-1]) && v != nil && v != "" {
		return client.MaskedSecret
	}
	if s, ok := v.(string); ok {
		v = redact(s)
	}
	return clip(plainJSON(v), maxPathValue)
}

// missingKeyError refuses a new key at the end of a path, naming the closest existing paths
// (by edit distance), or the keys that are there when none is close.
func missingKeyError(segs []string, parent map[string]any) error {
	key := segs[len(segs)-1]
	here := segs[:len(segs)-1]
	keys := sortedKeys(parent)
	label, near := "closest existing", client.Closest(key, keys, 3)
	if len(near) == 0 {
		label, near = "keys there", keys[:min(len(keys), 8)]
	}
	paths := make([]string, len(near))
	for i, k := range near {
		paths[i] = displayPath(append(slices.Clip(here), k))
	}
	msg := fmt.Sprintf("no key %s at %s yet", bound.Quote(key), orRoot(displayPath(here)))
	if len(paths) > 0 {
		msg += "; " + label + ": " + strings.Join(paths, ", ")
	}
	return fmt.Errorf("%s. Fix the path (get_flow paths:true lists them) or set create_keys: true to add it (create_flow: add it in definition)", msg)
}
