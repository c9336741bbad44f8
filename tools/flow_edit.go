package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/invopop/jsonschema"

	"github.com/etlworks/etlworks-mcp/internal/bound"
)

// This file holds the definition editing behind create_flow and update_flow: changes by path,
// JSON merge patches, a readable line diff of what changed, and a shape check of the result. A
// definition is handled as generic JSON (decoded with UseNumber), so fields this program does not
// model survive a read-modify-write untouched.

// jsonObject is a free-form JSON object argument. It advertises {"type":"object"} rather than the
// bare `true` schema map[string]any would reflect to.
type jsonObject map[string]any

// JSONSchema advertises a plain object; the field's tags add the description.
func (jsonObject) JSONSchema() *jsonschema.Schema { return &jsonschema.Schema{Type: "object"} }

// readOnlyFlowFields are set by Etlworks, not by an edit.
var readOnlyFlowFields = []string{"id", "createdAt", "updatedAt", "lastRunStatus", "lastRunAt", "suspended", "connections"}

// decodeDefinition decodes JSON keeping numbers exact (ids stay integers).
func decodeDefinition(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// normalizeValue turns a decoded tool argument into the same representation as decodeDefinition
// (json.Number instead of float64), so comparisons and re-encoding are exact.
func normalizeValue(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	out, err := decodeDefinition(b)
	if err != nil {
		return v
	}
	return out
}

// splitPath reads "transformations.0.source.sql" or "transformations[0].source.sql" into segments.
func splitPath(path string) ([]string, error) {
	p := strings.NewReplacer("[", ".", "]", "").Replace(strings.TrimSpace(path))
	segs := strings.Split(strings.Trim(p, "."), ".")
	for _, s := range segs {
		if s == "" {
			return nil, fmt.Errorf("path %s has an empty part; write it like transformations.0.source.sql", bound.Quote(path))
		}
	}
	return segs, nil
}

// fieldChange is one path an edit touched, with the value before and after (nil = absent).
type fieldChange struct {
	Path          string
	Before, After any
	Existed       bool
}

// setPath sets (or with a nil value removes) the value at path inside doc and returns the change.
// Objects along the way must exist; an array index may equal the length to append. The last key
// must exist too unless createKeys is set, so a mistyped key is refused instead of added. Keys of
// the flat "properties" map may contain dots, so there the rest of the path is the key.
func setPath(doc any, path string, value any, createKeys bool) (any, fieldChange, error) {
	segs, err := splitPath(path)
	if err != nil {
		return doc, fieldChange{}, err
	}
	if slices.Contains(readOnlyFlowFields, segs[0]) {
		return doc, fieldChange{}, fmt.Errorf("%q is set by Etlworks and cannot be changed (read-only: %s)", segs[0], strings.Join(readOnlyFlowFields, ", "))
	}
	if segs[0] == "properties" && len(segs) > 2 {
		segs = []string{"properties", strings.Join(segs[1:], ".")}
	}
	ch := fieldChange{Path: displayPath(segs), After: value}
	out, err := setIn(doc, segs, 0, value, createKeys, &ch)
	return out, ch, err
}

func setIn(node any, segs []string, i int, value any, createKeys bool, ch *fieldChange) (any, error) {
	seg, last := segs[i], i == len(segs)-1
	here := displayPath(segs[:i])
	switch n := node.(type) {
	case map[string]any:
		cur, ok := n[seg]
		if last {
			if !ok && value != nil && !createKeys {
				return node, missingKeyError(segs, n)
			}
			ch.Before, ch.Existed = cur, ok
			if value == nil {
				delete(n, seg)
			} else {
				n[seg] = value
			}
			return n, nil
		}
		if !ok {
			return node, fmt.Errorf("no field %s at %s; fields there: %s", bound.Quote(seg), orRoot(here), strings.Join(sortedKeys(n), ", "))
		}
		child, err := setIn(cur, segs, i+1, value, createKeys, ch)
		n[seg] = child
		return n, err
	case []any:
		idx, err := strconv.Atoi(seg)
		if err != nil || idx < 0 || idx > len(n) || (idx == len(n) && !last) {
			return node, fmt.Errorf("%s is a list of %d; use an index from 0 to %d (%d appends)", orRoot(here), len(n), max(len(n)-1, 0), len(n))
		}
		if !last {
			child, err := setIn(n[idx], segs, i+1, value, createKeys, ch)
			n[idx] = child
			return n, err
		}
		if idx == len(n) {
			if value != nil {
				n = append(n, value)
			}
			return n, nil
		}
		ch.Before, ch.Existed = n[idx], true
		if value == nil {
			return slices.Delete(n, idx, idx+1), nil
		}
		n[idx] = value
		return n, nil
	}
	return node, fmt.Errorf("%s is %s, not an object or a list, so it has no %s", orRoot(here), kindName(node), bound.Quote(seg))
}

// displayPath renders segments as transformations[0].source.sql.
func displayPath(segs []string) string {
	var b strings.Builder
	for _, s := range segs {
		if _, err := strconv.Atoi(s); err == nil {
			b.WriteString("[" + s + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	return b.String()
}

func orRoot(p string) string {
	if p == "" {
		return "the top level"
	}
	return p
}

// sortedKeys returns the keys of an object in order, so that walks and answers are stable.
func sortedKeys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }

// kindName names a JSON value's kind for messages.
func kindName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, float64:
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}

// mergePatch applies an RFC 7396 JSON merge patch: objects merge key by key, null removes a key,
// anything else (lists included) replaces.
func mergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
			continue
		}
		t[k] = mergePatch(t[k], v)
	}
	return t
}

// sameJSON reports whether two decoded values are equal as JSON.
func sameJSON(a, b any) bool {
	if reflect.DeepEqual(a, b) {
		return true
	}
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

// Diff bounds: a diff is for reading, so what is shown is cut; the whole of each value is compared.
const (
	maxDiffLine  = 300         // bytes shown per line
	maxDiff      = 8000        // bytes of diff text in one result, beyond each change's first changed place
	maxDiffTotal = 3 * maxDiff // hard cap, which the first change's first place always fits under
)

// renderDiff writes a unified-style diff of each change: "- " lines removed, "+ " added, "  "
// context; text (SQL) and JSON values are compared line by line over their whole length, and
// each change's first changed place is always shown (textdiff.go). Values under secret-looking
// keys are masked.
func renderDiff(changes []fieldChange) string {
	var b strings.Builder
	for _, ch := range changes {
		fmt.Fprintf(&b, "@@ %s\n", ch.Path)
		// Text is redacted whole before it is split, so a secret spanning lines (a PEM key) goes.
		before, after := diffText(redactString(ch.Before), ch.Existed), diffText(redactString(ch.After), ch.After != nil)
		if isSecretKey(lastSegment(ch.Path)) {
			before, after = maskText(before, "old"), maskText(after, "new")
		}
		writeHunks(&b, before, after, maxDiff)
	}
	return clip(b.String(), maxDiffTotal)
}

// redactString redacts v when it is text; other values are redacted line by line once rendered.
func redactString(v any) any {
	if s, ok := v.(string); ok {
		return redact(s)
	}
	return v
}

func lastSegment(path string) string {
	if i := strings.LastIndexAny(path, ".]"); i >= 0 {
		return path[i+1:]
	}
	return path
}

// maskText hides a secret value, keeping whether it was there (and that it changed).
func maskText(text, which string) string {
	if text == "" {
		return ""
	}
	return "******** (" + which + " value hidden)"
}

// flowCheck is the local shape check of a definition: problems stop an apply, warnings do not.
type flowCheck struct {
	Problems []string `json:"problems,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

// checkFlowShape checks what a flow definition needs to be accepted at all, without the server's
// knowledge of connections or names (Etlworks checks those when the change is sent).
func checkFlowShape(def any) flowCheck {
	var c flowCheck
	m, ok := def.(map[string]any)
	if !ok {
		c.Problems = append(c.Problems, "the definition must be a JSON object")
		return c
	}
	if s, ok := m["name"].(string); !ok || strings.TrimSpace(s) == "" {
		c.Problems = append(c.Problems, "name must be a non-empty string")
	}
	if s, ok := m["flowType"].(string); !ok || s == "" {
		c.Problems = append(c.Problems, "flowType must be set (e.g. database-to-database); get_flow shows an existing flow's type")
	}
	for _, list := range []string{"transformations", "mappings", "nestedFlows", "tags"} {
		if v, ok := m[list]; ok && v != nil {
			if _, isList := v.([]any); !isList {
				c.Problems = append(c.Problems, fmt.Sprintf("%s must be a list, got %s", list, kindName(v)))
			}
		}
	}
	if v, ok := m["properties"]; ok && v != nil {
		if _, isObj := v.(map[string]any); !isObj {
			c.Problems = append(c.Problems, fmt.Sprintf("properties must be an object, got %s", kindName(v)))
		}
	}
	steps, _ := m["transformations"].([]any)
	nested, _ := m["nestedFlows"].([]any)
	if len(steps) == 0 && len(nested) == 0 {
		c.Warnings = append(c.Warnings, "no transformations and no nestedFlows: the flow would do nothing")
	}
	for i, s := range steps {
		c.checkStep(i, s)
	}
	return c
}

func (c *flowCheck) checkStep(i int, s any) {
	t, ok := s.(map[string]any)
	if !ok {
		c.Problems = append(c.Problems, fmt.Sprintf("transformations[%d] must be an object, got %s", i, kindName(s)))
		return
	}
	src, _ := t["source"].(map[string]any)
	if src == nil {
		c.Warnings = append(c.Warnings, fmt.Sprintf("transformations[%d] has no source object", i))
		return
	}
	if src["connectionId"] == nil && src["connection"] == nil {
		c.Warnings = append(c.Warnings, fmt.Sprintf("transformations[%d].source names no connection (connectionId or connection)", i))
	}
	if blank(src["object"]) && blank(src["sql"]) {
		c.Warnings = append(c.Warnings, fmt.Sprintf("transformations[%d].source has neither an object nor sql", i))
	}
}

func blank(v any) bool {
	s, ok := v.(string)
	return v == nil || (ok && strings.TrimSpace(s) == "")
}

// kindChanges flags changes that swap a value's kind: a list or object replaced by something
// else is a problem, a scalar of another kind (a boolean sent as a string) a warning.
func (c *flowCheck) kindChanges(changes []fieldChange) {
	for _, ch := range changes {
		if ch.Before == nil || ch.After == nil {
			continue
		}
		kb, ka := kindName(ch.Before), kindName(ch.After)
		if kb == ka {
			continue
		}
		msg := fmt.Sprintf("%s was %s and would become %s", ch.Path, kb, ka)
		if kb == "an object" || kb == "a list" {
			c.Problems = append(c.Problems, msg)
		} else {
			c.Warnings = append(c.Warnings, msg)
		}
	}
}
