package secrets

import (
	"regexp"
	"strings"
)

// A textRule finds one shape of credential in free text. Its triggers are lower-case literals of
// which at least one must occur for the expression to be worth running: most log lines hold none,
// so redacting them costs a few substring searches.
type textRule struct {
	triggers []string
	re       *regexp.Regexp
	replace  func(s string, m []int) string // m is the submatch index slice of one match
	secret   func(s string, m []int) string // the credential in a match, for a Redactor to learn; nil = none
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
		re:       regexp.MustCompile(`-----BEGIN ([A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----(?:(?s:.*?)-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|(?:[A-Za-z0-9+/=:, \t\r\n-]|\\[nrt])*)`),
		replace: func(s string, m []int) string {
			return "-----BEGIN " + s[m[2]:m[3]] + "-----" + Redacted + "-----END " + s[m[2]:m[3]] + "-----"
		},
	},
	{ // JSON Web Tokens
		triggers: []string{"eyj"},
		re:       regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`),
		replace:  func(string, []int) string { return Redacted },
		secret:   wholeMatch,
	},
	{ // Authorization / Proxy-Authorization headers, with or without a scheme
		triggers: []string{"authorization"},
		re:       regexp.MustCompile(`(?i)(authorization` + sep + `\\?["']?[ \t]*(?:(?:basic|bearer|digest|token|negotiate|ntlm|sharedkey|sharedaccesssignature|aws4-hmac-sha256|hmac|apikey|otp)[ \t]+)?)([^\s"'\\,;]+)`),
		replace:  keepGroup1,
	},
	{ // Bearer and Basic credentials anywhere ("curl -H 'Bearer abc…'"), when token-like
		triggers: []string{"bearer", "basic"},
		re:       regexp.MustCompile(`(?i)\b((?:bearer|basic)[ \t]+)([A-Za-z0-9._~+/-]{8,}=*)`),
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
		re:       regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)([^\s/?#@"'\\:]*)(:[^\s/?#@"'\\]+)?@`),
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
		re:       regexp.MustCompile(`(^|[\s"'=(,;:]|\\")([A-Za-z][A-Za-z0-9_$#.]*)/([^\s/@"'\\]+)@(?:/{0,2})[A-Za-z0-9\[(]`),
		replace: func(s string, m []int) string {
			return s[m[0]:m[5]] + "/" + Redacted + s[m[7]:m[1]]
		},
		secret: func(s string, m []int) string { return group(s, m, 3) },
	},
	{ // cloud and SaaS keys recognisable by their prefix
		triggers: []string{"akia", "asia", "abia", "acca", "aiza", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xox", "sk_", "rk_", "sk-", "glpat-", "npm_"},
		re:       regexp.MustCompile(`\b(?:(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}|AIza[0-9A-Za-z_-]{35}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,}|xox[abprs]-[A-Za-z0-9-]{10,}|[sr]k_(?:live|test)_[0-9A-Za-z]{16,}|sk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}|glpat-[A-Za-z0-9_-]{20,}|npm_[A-Za-z0-9]{36})\b`),
		replace:  func(string, []int) string { return Redacted },
	},
}

// keepGroup1 keeps the first group (the key and separator) and redacts the rest of the match.
func keepGroup1(s string, m []int) string { return s[m[2]:m[3]] + Redacted }

// replaceValue keeps group 1 (key and separator) and redacts the value in the last group,
// keeping its quotes or braces; a value that is already a placeholder is left alone.
func replaceValue(s string, m []int) string {
	v := s[m[len(m)-2]:m[len(m)-1]]
	open, inner, end := "", v, ""
	switch {
	case strings.HasPrefix(v, `\"`) && len(v) >= 4:
		open, inner, end = `\"`, v[2:len(v)-2], `\"`
	case len(v) >= 2 && (v[0] == '"' || v[0] == '\'' || v[0] == '{' || v[0] == '`'):
		open, inner, end = v[:1], v[1:len(v)-1], v[len(v)-1:]
	}
	if isPlaceholder(inner) {
		return s[m[0]:m[1]]
	}
	return s[m[0]:m[len(m)-2]] + open + Redacted + end + s[m[len(m)-1]:m[1]]
}

// isPlaceholder reports values this server or Etlworks writes in place of a secret, or that hold
// none: empty, the mask, "[REDACTED]", "set (secret)", a ${variable} reference.
func isPlaceholder(v string) bool {
	v = strings.TrimSpace(v)
	return v == "" || v == Mask || v == Redacted || strings.HasSuffix(v, "(secret)") ||
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

// redact is Redact that also collects the credentials it found, when found is not nil.
func redact(s string, found *[]string) string {
	sc := scan(s)
	if sc.rules == 0 && len(sc.pairs) == 0 {
		return s
	}
	out := redactPairs(s, sc.pairs, found) // first: the regexps below then see "[REDACTED]", a placeholder
	for i := range textRules {
		if sc.rules&(1<<i) != 0 {
			out = replaceAll(&textRules[i], out, found)
		}
	}
	return out
}

// replaceAll applies one rule to every match in s.
func replaceAll(r *textRule, s string, found *[]string) string {
	ms := r.re.FindAllStringSubmatchIndex(s, -1)
	if ms == nil {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, m := range ms {
		b.WriteString(s[last:m[0]])
		rep := r.replace(s, m)
		if found != nil && r.secret != nil && rep != s[m[0]:m[1]] {
			*found = append(*found, r.secret(s, m))
		}
		b.WriteString(rep)
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}
