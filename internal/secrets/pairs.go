package secrets

import (
	"strings"
	"sync"

	"github.com/etlworks/etlworks-mcp/internal/lazyre"
)

// Key=value pairs are found from their key names with one pass over the text rather than with a
// regular expression per name: Go's regexps would cost tens of microseconds per log line.

// pairName is a key name that introduces a credential in text. Its parts may be joined by "_",
// "-" or nothing (api_key, api-key, apiKey). Wherever one is found, the whole key around it must
// pass IsSecretKey (pass= and db_pass= do, bypass= does not). A short name (wordStart) counts
// only before "=" (query and connection strings), not ":" (pass: 3 of 5).
type pairName struct {
	parts     []string
	wordStart bool
	query     bool // only after ? or & in a URL (code=)
}

var pairNames = []pairName{
	{parts: []string{"password"}}, {parts: []string{"passwd"}}, {parts: []string{"passphrase"}}, {parts: []string{"pwd"}},
	{parts: []string{"secret"}}, {parts: []string{"secret", "key"}}, {parts: []string{"token"}},
	{parts: []string{"api", "key"}}, {parts: []string{"access", "key"}}, {parts: []string{"private", "key"}},
	{parts: []string{"account", "key"}}, {parts: []string{"shared", "access", "key"}}, {parts: []string{"sharedaccesssignature"}},
	{parts: []string{"credential"}}, {parts: []string{"credentials"}}, {parts: []string{"cookie"}}, {parts: []string{"signature"}},
	{parts: []string{"session", "id"}}, {parts: []string{"subscription", "key"}}, {parts: []string{"encryption", "key"}},
	{parts: []string{"signing", "key"}}, {parts: []string{"master", "key"}}, {parts: []string{"auth", "key"}},
	{parts: []string{"client", "key"}}, {parts: []string{"connection", "string"}}, {parts: []string{"conn", "string"}},
	{parts: []string{"connstr"}}, {parts: []string{"jwt"}, wordStart: true}, {parts: []string{"hmac"}, wordStart: true},
	{parts: []string{"pass"}, wordStart: true}, {parts: []string{"pw"}, wordStart: true}, {parts: []string{"sig"}, wordStart: true},
	{parts: []string{"sas"}, wordStart: true}, {parts: []string{"key"}, wordStart: true},
	{parts: []string{"code"}, wordStart: true, query: true}, {parts: []string{"auth"}, wordStart: true},
}

// afterName matches what follows a credential's name: the separator and the value.
var (
	afterName   = lazyre.New(`^` + sep + value)
	afterEquals = lazyre.New(`^\\?["'` + "`" + `]?[ \t]*=[ \t]*` + value)
)

// needle is something scan looks for: a pair name, or a trigger of a text rule.
type needle struct {
	name *pairName // or
	text string
	rule int // index in textRules
}

// needleIndex holds what scan compares, grouped by their first two lower-case bytes: bigrams maps
// a pair of bytes to its group in groups (0 for none), so most positions of a text cost one table
// read; seen is the same pairs as a small bitset that stays in cache.
type needleIndex struct {
	groups  [][]needle
	bigrams *[256][256]uint8
	seen    *bigramSet
}

// needles returns the needle index, built on first use so start-up does not pay for its 72 KiB.
var needles = sync.OnceValue(buildNeedles)

func buildNeedles() *needleIndex {
	var groups [][]needle
	t := new([256][256]uint8)
	seen := new(bigramSet)
	add := func(key string, n needle) {
		g := t[key[0]][key[1]]
		if g == 0 {
			groups = append(groups, nil)
			g = uint8(len(groups))
			for _, c := range []byte{key[0], upperByte(key[0])} {
				for _, d := range []byte{key[1], upperByte(key[1])} {
					t[c][d] = g
					seen.add(c, d)
				}
			}
		}
		groups[g-1] = append(groups[g-1], n)
	}
	for i := range pairNames {
		n := &pairNames[i]
		key := n.parts[0]
		if len(key) < 2 {
			panic("secrets: pair name shorter than 2 bytes")
		}
		add(key, needle{name: n})
	}
	for r, rule := range textRules {
		for _, trig := range rule.triggers {
			if len(trig) >= 2 {
				add(trig, needle{text: trig, rule: r})
			}
		}
	}
	return &needleIndex{groups: groups, bigrams: t, seen: seen}
}

// singleByte is a one-byte trigger ("@") of a text rule, found with IndexByte.
type singleByte struct {
	c    byte
	rule int
}

// singleBytes returns the one-byte triggers, listed on first use so start-up does not pay for it.
var singleBytes = sync.OnceValue(func() []singleByte {
	var out []singleByte
	for r, rule := range textRules {
		for _, trig := range rule.triggers {
			if len(trig) == 1 {
				out = append(out, singleByte{trig[0], r})
			}
		}
	}
	return out
})

// pairHit is a credential name found in a text: its start and the end of the name.
type pairHit struct {
	start, end int
	name       *pairName
}

// scanResult is what one pass over a text found: where each text rule's triggers occur, and the
// credential names.
type scanResult struct {
	pos   [][]int // by rule index
	pairs []pairHit
}

func (r *scanResult) empty() bool {
	if len(r.pairs) > 0 {
		return false
	}
	for _, p := range r.pos {
		if len(p) > 0 {
			return false
		}
	}
	return true
}

// scan passes once over s, ASCII case-insensitively.
func scan(s string) scanResult {
	res := scanResult{pos: make([][]int, len(textRules))}
	for _, sb := range singleBytes() {
		for i := 0; i < len(s); {
			j := strings.IndexByte(s[i:], sb.c)
			if j < 0 {
				break
			}
			res.pos[sb.rule] = append(res.pos[sb.rule], i+j)
			i += j + 1
		}
	}
	idx := needles()
	for i := 0; i+1 < len(s); i++ {
		if !idx.seen.has(s[i], s[i+1]) {
			continue
		}
		g := idx.bigrams[s[i]][s[i+1]]
		for _, n := range idx.groups[g-1] {
			if n.name == nil {
				if hasPrefixFold(s[i:], n.text) {
					res.pos[n.rule] = append(res.pos[n.rule], i)
				}
				continue
			}
			if end, ok := matchName(s, i, n.name); ok {
				res.pairs = append(res.pairs, pairHit{start: i, end: end, name: n.name})
			}
		}
	}
	return res
}

// matchName matches a name's parts at s[i:], joined by nothing, "_" or "-".
func matchName(s string, i int, n *pairName) (int, bool) {
	j := i
	for k, p := range n.parts {
		if k > 0 && j < len(s) && (s[j] == '_' || s[j] == '-') {
			j++
		}
		if !hasPrefixFold(s[j:], p) {
			return 0, false
		}
		j += len(p)
	}
	return j, true
}

// pairEdits returns an edit redacting the value after each credential name found in s.
func pairEdits(s string, hits []pairHit, edits []edit, found *[]string) []edit {
	for _, h := range hits {
		if !startsWord(s, h) {
			continue
		}
		re := afterName
		if h.name.wordStart {
			re = afterEquals
		}
		m := re.FindStringSubmatchIndex(s[h.end:min(len(s), h.end+maxValue)])
		if m == nil {
			continue
		}
		from, to, ok := valueSpan(s[h.end+m[2] : h.end+m[3]])
		if !ok {
			continue
		}
		from, to = h.end+m[2]+from, h.end+m[2]+to
		edits = append(edits, edit{from: from, to: to, text: Redacted})
		if found != nil {
			*found = append(*found, s[from:to])
		}
	}
	return edits
}

// maxValue bounds how far after a name a value is looked for.
const maxValue = 4096

// startsWord checks a name found in text against the key rule: the whole key around it (back to
// a character that cannot be part of a key) must be one IsSecretKey accepts, so "bypass=" and
// "sort_key=" are left alone while "dbPassword=" and "aws_secret_access_key=" are not. Query-only
// names must follow ? or &.
func startsWord(s string, h pairHit) bool {
	if h.name.query {
		return h.start > 0 && (s[h.start-1] == '?' || s[h.start-1] == '&')
	}
	k := h.start
	for k > 0 && (isAlnum(s[k-1]) || s[k-1] == '_' || s[k-1] == '-' || s[k-1] == '.') {
		k--
	}
	// In JSON-escaped text a key may follow an escape: \nsig=, \u0026sig= (an escaped "&").
	if k > 0 && s[k-1] == '\\' {
		switch {
		case strings.HasPrefix(s[k:], "u00") && h.start-k >= 5:
			k += 5
		case strings.IndexByte("ntrbf", s[k]) >= 0:
			k++
		}
	}
	if k >= h.start {
		k = h.start
	}
	return IsSecretKey(s[k:h.end])
}

// valueSpan returns the part of a value to redact (inside its quotes or braces), or false when
// the value is a placeholder.
func valueSpan(v string) (int, int, bool) {
	from, to := 0, len(v)
	switch {
	case strings.HasPrefix(v, `\"`) && len(v) >= 4:
		from, to = 2, len(v)-2
	case len(v) >= 2 && (v[0] == '"' || v[0] == '\'' || v[0] == '{' || v[0] == '`'):
		from, to = 1, len(v)-1
	}
	if isPlaceholder(v[from:to]) {
		return 0, 0, false
	}
	return from, to, true
}

func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// hasPrefixFold reports whether s starts with the lower-case ASCII prefix p, ignoring case.
func hasPrefixFold(s, p string) bool {
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if lowerByte(s[i]) != p[i] {
			return false
		}
	}
	return true
}

func upperByte(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
