package secrets

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// MinValueLen is the shortest value a Redactor replaces: shorter ones would garble unrelated text.
const MinValueLen = 4

// maxValues bounds how many values a Redactor learns from masked documents (the values it is given
// with Add are always kept), so a long-running server cannot grow without limit.
const maxValues = 1024

// Redactor redacts credentials by shape (see Redact) and by value: it knows the exact secrets of
// this process (the configured API key and password, each JWT the client obtains, keys a request
// forwards, secrets a model sends in a connection) and replaces them wherever they appear, also
// JSON- or URL-escaped. It is safe for concurrent use; a nil *Redactor redacts by shape only.
type Redactor struct {
	mu      sync.Mutex
	values  []string                 // distinct, each at least MinValueLen long
	learned int                      // how many of values came from masked documents
	set     atomic.Pointer[valueSet] // nil while there are no values
}

// NewRedactor returns a Redactor that already knows values (empty ones are ignored).
func NewRedactor(values ...string) *Redactor {
	r := &Redactor{}
	r.Add(values...)
	return r
}

// Add registers secrets to redact from now on. Values shorter than MinValueLen, and the mask
// itself, are ignored.
func (r *Redactor) Add(values ...string) { r.add(false, values...) }

func (r *Redactor) add(learned bool, values ...string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	changed := false
	for _, v := range values {
		if len(v) < MinValueLen || isPlaceholder(v) || slices.Contains(r.values, v) {
			continue
		}
		if learned {
			if r.learned >= maxValues {
				continue
			}
			r.learned++
		}
		r.values = append(r.values, v)
		changed = true
	}
	if !changed {
		return
	}
	var all []string
	seen := map[string]bool{}
	for _, v := range r.values {
		for _, form := range forms(v) {
			if !seen[form] {
				seen[form] = true
				all = append(all, form)
			}
		}
	}
	// At one position the longest value is tried first, so a secret that contains another is
	// replaced whole.
	slices.SortFunc(all, func(a, b string) int { return len(b) - len(a) })
	r.set.Store(newValueSet(all))
}

// forms are the spellings of a value in text: as is, JSON-escaped, URL-escaped.
func forms(v string) []string {
	out := []string{v}
	if b, err := json.Marshal(v); err == nil {
		out = append(out, string(b[1:len(b)-1]))
	}
	return append(out, url.QueryEscape(v), url.PathEscape(v))
}

// Text redacts free text: credential shapes, then known values. A credential found by its shape
// is learned, so that the same value is redacted where it turns up without context, in this
// text ("PWD={x}" and later "{x}") and in later ones.
func (r *Redactor) Text(s string) string {
	if r == nil {
		return Redact(s)
	}
	var found []string
	s = redact(s, &found)
	if len(found) > 0 {
		slices.Sort(found)
		for _, v := range slices.Compact(found) {
			r.learn(v)
		}
	}
	if set := r.set.Load(); set != nil {
		s = set.replace(s)
	}
	return s
}

// Value returns what may be shown of one property: Mask when its key names a credential (even
// if Etlworks sent it in clear, which teaches the Redactor the value), otherwise the value with
// credentials inside it redacted.
func (r *Redactor) Value(key, value string) string {
	if value == "" || value == Mask {
		return value
	}
	if IsSecretKey(key) {
		r.learn(value)
		return Mask
	}
	return r.Text(value)
}

// learn remembers a secret found in clear in a document or by its shape in a text, so that it is
// redacted wherever else it turns up (a run log that prints it, a documentation page that lists
// it). Only values that cannot be ordinary text are learned: at least 10 bytes, no spaces, with a
// digit or a symbol; "disabled" or "orders.csv" under a key named like a secret must not vanish
// from every later text.
func (r *Redactor) learn(v string) {
	if learnable(v) {
		r.add(true, v)
	}
}

func learnable(v string) bool {
	if len(v) < 10 || strings.ContainsAny(v, " \t\r\n") {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c >= '0' && c <= '9' || strings.IndexByte("+=!#$%^&*~:;?", c) >= 0 {
			return true
		}
	}
	return false
}

// JSON returns doc with every credential masked, at any depth: values under secret-looking keys
// become Mask, credentials inside other strings are redacted. A document that is not JSON is
// redacted as text.
func (r *Redactor) JSON(doc []byte) []byte {
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return []byte(r.Text(string(doc)))
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // "&" stays "&": text redaction after this must see sig= in a URL
	if err := enc.Encode(r.mask(v)); err != nil {
		return []byte(r.Text(string(doc)))
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// mask masks a decoded JSON value (maps, slices, strings) in place and returns it.
func (r *Redactor) mask(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			t[k] = r.member(k, val)
		}
	case []any:
		for i := range t {
			t[i] = r.mask(t[i])
		}
	case string:
		return r.Text(t)
	}
	return v
}

func (r *Redactor) member(key string, val any) any {
	if !IsSecretKey(key) {
		return r.mask(val)
	}
	switch t := val.(type) {
	case nil, bool:
		return t
	case string:
		return r.Value(key, t)
	case float64, json.Number:
		return Mask
	}
	// An object or list under a secret key (credentials: {user, password}) is masked leaf by
	// leaf, so its shape stays readable.
	return r.maskLeaves(val)
}

func (r *Redactor) maskLeaves(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			t[k] = r.maskLeaves(val)
		}
	case []any:
		for i := range t {
			t[i] = r.maskLeaves(t[i])
		}
	case string:
		if t == "" || t == Mask {
			return t
		}
		r.learn(t)
		return Mask
	case float64, json.Number:
		return Mask
	}
	return v
}
