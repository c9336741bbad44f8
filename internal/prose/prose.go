// Package prose holds the small rules for writing English that more than one package follows, so
// the cron phrases of internal/quartz, the sandbox's run logs and its flow documentation read
// alike. Stdlib only.
package prose

import "strings"

// List joins items as English prose: "", "a", "a and b", "a, b and c". Both the plain-English
// schedule phrases and the generated flow documentation list things this way.
func List(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
