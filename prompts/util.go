package prompts

import (
	"strings"

	"github.com/tidwall/gjson"

	"github.com/etlworks/etlworks-mcp/client"
)

func jsonString(raw []byte, path string) string { return gjson.GetBytes(raw, path).String() }

// suggest names up to three existing names closest to the asked-for one, as a hint after
// "not found".
func suggest(ref string, names []string) string {
	hits := client.Closest(ref, names, 3)
	if len(hits) == 0 {
		return ""
	}
	for i, h := range hits {
		hits[i] = `"` + h + `"`
	}
	return "; did you mean " + strings.Join(hits, " or ") + "?"
}
