package tools

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// Bounds on the before/after an edit event shows: a model needs to see what changed, not the
// whole definition.
const (
	maxAuditChanges = 5  // paths shown per event
	changeContext   = 24 // bytes kept on each side of where two values differ
	maxChangeValue  = 90 // bytes of each side of a change
)

// auditChanges renders the "before" and "after" maps of an edit event's payload (path → value) as
// `path: before → after` lines, each side cut to the part around the difference, secrets masked.
// Events that hold no before/after (the documented record, older events) give none.
func auditChanges(p gjson.Result) []string {
	before, after := p.Get("before"), p.Get("after")
	if !before.IsObject() && !after.IsObject() {
		return nil
	}
	paths := map[string]bool{}
	for _, side := range []gjson.Result{before, after} {
		side.ForEach(func(k, _ gjson.Result) bool { paths[k.String()] = true; return true })
	}
	keys := slices.Sorted(maps.Keys(paths))
	var out []string
	for _, k := range keys {
		if len(out) == maxAuditChanges {
			out = append(out, fmt.Sprintf("… %d more changed paths", len(keys)-maxAuditChanges))
			break
		}
		b, a := changeSide(before, k), changeSide(after, k)
		if last := k[strings.LastIndexAny(k, ".[")+1:]; isSecretKey(last) || isSecretKey(k) {
			b, a = maskedSide(b), maskedSide(a)
		} else {
			b, a = diffWindow(b, a)
		}
		out = append(out, clip(redact(k), 80)+": "+b+" → "+a)
	}
	return out
}

// changeSide is one side of a change as text: JSON for objects and lists, (none) when absent.
func changeSide(side gjson.Result, path string) string {
	v := side.Get(gjson.Escape(path))
	switch {
	case !v.Exists():
		return "(none)"
	case v.Type == gjson.String:
		return v.Str
	}
	return v.Raw
}

func maskedSide(s string) string {
	if s == "(none)" || s == "" {
		return s
	}
	return "[REDACTED]"
}

// diffWindow cuts two values to the part where they differ, with a little context on each side,
// so a one-word edit of a long SQL statement shows the word.
func diffWindow(a, b string) (string, string) {
	if ca, cb := strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "); ca != cb {
		a, b = ca, cb // a change of spacing alone keeps its spacing
	} else {
		a, b = strconv.Quote(a), strconv.Quote(b)
	}
	if len(a) <= maxChangeValue && len(b) <= maxChangeValue {
		return redact(a), redact(b)
	}
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	start := max(0, pre-changeContext)
	cut := func(s string) string {
		end := min(len(s), len(s)-suf+changeContext)
		w := strings.ToValidUTF8(s[start:end], "")
		if start > 0 {
			w = "…" + w
		}
		if end < len(s) {
			w += "…"
		}
		return clip(redact(w), maxChangeValue)
	}
	return cut(a), cut(b)
}
