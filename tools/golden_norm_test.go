package tools

import (
	"net/url"
	"regexp"
	"strings"
)

// normaliser is the one place golden outputs lose what changes from run to run: times, dates and
// durations (the demo history is laid out relative to now), run and audit ids (how many seeded runs
// precede ours depends on the time of day), confirmation tokens, and the sandbox's port and the
// test's temporary upload directory.
type normaliser struct {
	literal *strings.Replacer
	rules   []normRule
}

type normRule struct {
	re   *regexp.Regexp
	with string
}

func newNormaliser(e *env) *normaliser {
	host := strings.TrimSuffix(strings.TrimPrefix(e.sb.URL, "http://"), "/rest")
	n := &normaliser{literal: strings.NewReplacer(e.uploadDir, "<upload-dir>", host, "127.0.0.1:<port>",
		url.QueryEscape(host), url.QueryEscape("127.0.0.1:<port>"))}
	for _, r := range [][2]string{
		{`("confirm_token": ?")[^"]+"`, `${1}<token>"`},
		{`\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?`, `<time>`},
		{`\d{4}-\d{2}-\d{2}`, `<date>`},
		{`\b1\d{12}\b`, `<epoch-ms>`},
		{`data-[0-9a-f]{12}`, `data-<fence>`},
		{`((?:run_id|auditId|parentAuditId)"?[:=] ?)\d+`, `${1}<run>`},
		{`([?&]state=)[\w-]+`, `${1}<state>`}, // an OAuth sign-in link's state
		{`\b(run|run_id|runs/\d+/)( ?)\d+\b`, `${1}${2}<run>`},
		{`(?m)^\d+( \S+ (?:queued|running|success|warning|error|canceled) \S+ )[\d.]+ `, `<run>${1}<n> `}, // a list_runs row
		{`("id": ?)\d+(,\s*"(?:records|start|status|dur_s)")`, `${1}<run>${2}`},                           // a list_runs item
		{`("audit_id": ?)\d+`, `${1}<audit>`},
		{`("id": ?)\d+(,\s*"at")`, `${1}<audit>${2}`}, // a search_audit row
		{`\baudit \d+`, `audit <audit>`},
		{`("(?:duration_s|dur_s|duration_ms|latency|avg_latency)": ?)[\d.]+`, `${1}<n>`},
		{`\b(duration_s )[\d.]+`, `${1}<n>`},
		{`\b\d+(\.\d+)? ?(ms|s)\b`, `<n> ${2}`},
	} {
		n.rules = append(n.rules, normRule{regexp.MustCompile(r[0]), r[1]})
	}
	return n
}

// apply normalises one piece of output.
func (n *normaliser) apply(s string) string {
	s = n.literal.Replace(s)
	for _, r := range n.rules {
		s = r.re.ReplaceAllString(s, r.with)
	}
	return s
}
