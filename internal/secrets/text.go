package secrets

import (
	"slices"
	"strings"

	"github.com/etlworks/etlworks-mcp/internal/lazyre"
)

// A textRule finds one shape of credential in free text. Its triggers are lower-case literals
// found in one pass over the text (see scan); the expression is tried only where one occurs, so
// most log lines, which hold none, cost that pass alone.
type textRule struct {
	triggers []string
	// start maps a trigger at p to where a match would begin (a URL's scheme before "://"), or
	// rejects it; nil = at the trigger.
	start   func(s string, p int) (int, bool)
	fwd     int                            // how far after its start a match may end; 0 = 1 KiB
	re      *lazyre.Regexp                 // anchored with ^: it is tried only at the start
	replace func(s string, m []int) string // m is the submatch index slice of one match
	secret  func(s string, m []int) string // the credential in a match, for a Redactor to learn; nil = none
}

// group returns submatch n of m in s, or "".
func group(s string, m []int, n int) string {
	if 2*n+1 >= len(m) || m[2*n] < 0 {
		return ""
	}
	return s[m[2*n]:m[2*n+1]]
}

func wholeMatch(s string, m []int) string { return s[m[0]:m[1]] }

func group2(s string, m []int) string { return group(s, m, 2) }

// value is a credential after "=" or ":": quoted (also with JSON-escaped quotes, as in a log
// line inside a JSON result), braced (ODBC's PWD={…}) or bare up to a separator.
const value = `(\\"(?:[^"\\]|\\[^"])*\\"|"(?:[^"\\]|\\.)*"|'[^']*'|` + "`[^`]*`" + `|\[REDACTED\]|\{[^}]*\}|\$\{[^}]*\}|[^\s,;&"'<>\\)\]}]+)`

// sep is what joins a key to its value in text: key=value, key: value, "key":"value", \"key\": \"value\".
const sep = `\\?["'` + "`" + `]?[ \t]*[=:][ \t]*`

var textRules = []textRule{
	{ // PEM private keys, whole or cut off (then up to the end of the base64 body)
		triggers: []string{"-----begin"},
		fwd:      8 << 10, // a 4096-bit RSA key is about 3.3 KiB
		re:       lazyre.New(`^-----BEGIN ([A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----(?:(?s:.*?)-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|(?:[A-Za-z0-9+/=:, \t\r\n-]|\\[nrt])*)`),
		replace: func(s string, m []int) string {
			return "-----BEGIN " + s[m[2]:m[3]] + "-----" + Redacted + "-----END " + s[m[2]:m[3]] + "-----"
		},
	},
	{ // JSON Web Tokens
		triggers: []string{"eyj"},
		fwd:      8 << 10,
		re:       lazyre.New(`^eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`),
		replace:  func(string, []int) string { return Redacted },
		secret:   wholeMatch,
	},
	{ // Authorization / Proxy-Authorization headers, with or without a scheme
		triggers: []string{"authorization"},
		re:       lazyre.New(`(?i)^(authorization` + sep + `\\?["']?[ \t]*(?:(?:basic|bearer|digest|token|negotiate|ntlm|sharedkey|sharedaccesssignature|aws4-hmac-sha256|hmac|apikey|otp)[ \t]+)?)([^\s"'\\,;]+)`),
		replace:  keepGroup1,
		secret:   group2,
	},
	{ // Bearer and Basic credentials anywhere ("curl -H 'Bearer abc…'"), when token-like
		triggers: []string{"bearer", "basic"},
		start:    wordStart,
		re:       lazyre.New(`(?i)^((?:bearer|basic)[ \t]+)([A-Za-z0-9._~+/-]{8,}=*)`),
		replace: func(s string, m []int) string {
			if !tokenLike(s[m[4]:m[5]]) {
				return s[m[0]:m[1]]
			}
			return keepGroup1(s, m)
		},
		secret: group2,
	},
	{ // URL userinfo: scheme://user:password@host (and a token as the whole userinfo)
		triggers: []string{"://"},
		start:    schemeStart,
		re:       lazyre.New(`^([A-Za-z][A-Za-z0-9+.-]*://)([^\s/?#@"'\\:]*)(:[^\s/?#@"'\\]+)?@`),
		replace: func(s string, m []int) string {
			scheme, user := s[m[2]:m[3]], s[m[4]:m[5]]
			if m[6] >= 0 {
				return scheme + user + ":" + Redacted + "@"
			}
			if len(user) >= 16 && tokenLike(user) {
				return scheme + Redacted + "@"
			}
			return s[m[0]:m[1]]
		},
		secret: func(s string, m []int) string {
			if pw := group(s, m, 3); pw != "" {
				return pw[1:]
			}
			return group(s, m, 2)
		},
	},
	{ // Oracle-style user/password@host (sqlplus, jdbc:oracle:thin:user/pw@host)
		triggers: []string{"@"},
		start:    oracleStart,
		re:       lazyre.New(`^([A-Za-z][A-Za-z0-9_$#.]*)/([^\s/@"'\\]+)@(?:/{0,2})[A-Za-z0-9\[(]`),
		replace: func(s string, m []int) string {
			return s[m[0]:m[3]] + "/" + Redacted + s[m[5]:m[1]]
		},
		secret: func(s string, m []int) string { return group(s, m, 2) },
	},
	{ // cloud and SaaS keys recognisable by their prefix
		triggers: []string{"akia", "asia", "abia", "acca", "aiza", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xox", "sk_", "rk_", "sk-", "glpat-", "npm_"},
		start:    wordStart,
		fwd:      256,
		re:       lazyre.New(`^(?:(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}|AIza[0-9A-Za-z_-]{35}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,}|xox[abprs]-[A-Za-z0-9-]{10,}|[sr]k_(?:live|test)_[0-9A-Za-z]{16,}|sk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}|glpat-[A-Za-z0-9_-]{20,}|npm_[A-Za-z0-9]{36})\b`),
		replace:  func(string, []int) string { return Redacted },
		secret:   wholeMatch,
	},
}

// wordStart accepts a trigger that begins a word.
func wordStart(s string, p int) (int, bool) {
	return p, p == 0 || !(isAlnum(s[p-1]) || s[p-1] == '_')
}

// schemeStart finds the scheme before "://" at p.
func schemeStart(s string, p int) (int, bool) {
	q := p
	for q > 0 && p-q < 32 && (isAlnum(s[q-1]) || s[q-1] == '+' || s[q-1] == '.' || s[q-1] == '-') {
		q--
	}
	for q < p && !(s[q] >= 'a' && s[q] <= 'z' || s[q] >= 'A' && s[q] <= 'Z') {
		q++ // a scheme starts with a letter
	}
	return q, q < p
}

// oracleStart finds user/password before the "@" at p: the password back to a "/", the user back
// to a character that cannot be part of it, which must be a boundary (start, space, quote, = ( , ; :).
func oracleStart(s string, p int) (int, bool) {
	slash := -1
	for q := p - 1; q >= 0 && p-q <= 256; q-- {
		c := s[q]
		if c == '/' {
			slash = q
			break
		}
		if c <= ' ' || c == '@' || c == '"' || c == '\'' || c == '\\' {
			return 0, false
		}
	}
	if slash <= 0 || slash == p-1 {
		return 0, false
	}
	q := slash
	for q > 0 && slash-q < 128 && (isAlnum(s[q-1]) || strings.IndexByte("_$#.", s[q-1]) >= 0) {
		q--
	}
	if q == slash {
		return 0, false
	}
	if q > 0 && strings.IndexByte(" \t\r\n\"'=(,;:", s[q-1]) < 0 && !(q > 1 && s[q-1] == '"' && s[q-2] == '\\') {
		return 0, false
	}
	return q, true
}

// keepGroup1 keeps the first group (the key and separator) and redacts the rest of the match.
func keepGroup1(s string, m []int) string { return s[m[2]:m[3]] + Redacted }

// isPlaceholder reports values this server or Etlworks writes in place of a secret, or that hold
// none: empty, a mask (********), "[REDACTED]", "set (secret)", a ${variable} reference.
func isPlaceholder(v string) bool {
	v = strings.TrimSpace(v)
	return v == "" || strings.Trim(v, "*") == "" || v == Redacted || strings.HasSuffix(v, "(secret)") ||
		(strings.HasPrefix(v, "${") && strings.HasSuffix(v, "}") && !strings.Contains(v[2:], "${"))
}

// tokenLike tells a credential from a word: it has a digit, a symbol, or a capital after the
// first letter ("dXNlcjpwYXNz" is one, "Authentication" is not).
func tokenLike(s string) bool {
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9', strings.ContainsRune("+/=_-.~", r):
			return true
		case i > 0 && r >= 'A' && r <= 'Z':
			return true
		}
	}
	return false
}

// Redact hides credentials in free text by their shape: PEM private keys, JWTs, Authorization
// headers, Bearer/Basic credentials, URL userinfo, Oracle user/password@host, key=value pairs
// whose key names a credential (password=, PWD=, AccountKey=, aws_secret_access_key=, sig=, …)
// and cloud keys (AWS AKIA…, Google AIza…, GitHub, Slack, Stripe, OpenAI). It knows no values;
// a Redactor adds those.
func Redact(s string) string { return redact(s, nil) }

// edit replaces s[from:to] with text.
type edit struct {
	from, to int
	text     string
}

// redact is Redact that also collects the credentials it found, when found is not nil. Every rule
// matches the original text, only where its triggers are, and the edits are applied together.
func redact(s string, found *[]string) string {
	sc := scan(s)
	if sc.empty() {
		return s
	}
	edits := pairEdits(s, sc.pairs, nil, found)
	for i := range textRules {
		if len(sc.pos[i]) > 0 {
			edits = ruleEdits(&textRules[i], s, sc.pos[i], edits, found)
		}
	}
	return apply(s, edits)
}

// ruleEdits tries one rule's anchored regexp at the start each trigger position gives, on at
// most fwd bytes: a 32 MiB log costs one scan and a few short matches, never a regexp over it.
func ruleEdits(r *textRule, s string, pos []int, edits []edit, found *[]string) []edit {
	fwd := r.fwd
	if fwd == 0 {
		fwd = 1024
	}
	lastEnd := -1
	for _, p := range pos {
		start, ok := p, true
		if r.start != nil {
			start, ok = r.start(s, p)
		}
		if !ok || start < lastEnd {
			continue
		}
		m := r.re.FindStringSubmatchIndex(s[start:min(len(s), start+fwd)])
		if m == nil {
			continue
		}
		for i := range m {
			if m[i] >= 0 {
				m[i] += start
			}
		}
		rep := r.replace(s, m)
		if rep == s[m[0]:m[1]] {
			continue
		}
		lastEnd = m[1]
		edits = append(edits, edit{from: m[0], to: m[1], text: rep})
		if found != nil && r.secret != nil {
			*found = append(*found, r.secret(s, m))
		}
	}
	return edits
}

// apply performs edits on s: in order of position; an edit overlapping an earlier one is dropped
// when inside it, or extends it (the overlap redacted) when it reaches further.
func apply(s string, edits []edit) string {
	if len(edits) == 0 {
		return s
	}
	slices.SortStableFunc(edits, func(a, b edit) int { return a.from - b.from })
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for i := 0; i < len(edits); i++ {
		e := edits[i]
		for i+1 < len(edits) && edits[i+1].from < e.to {
			if n := edits[i+1]; n.to > e.to {
				e.text += Redacted
				e.to = n.to
			}
			i++
		}
		b.WriteString(s[last:e.from])
		b.WriteString(e.text)
		last = e.to
	}
	b.WriteString(s[last:])
	return b.String()
}
