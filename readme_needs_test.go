package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/tools"
)

// TestREADMENeeds keeps the README's "What needs which Etlworks endpoints" table true to the
// code: every tool is in exactly one row, and a row's "Cannot work without" cell names exactly the
// optional capabilities its tools need (tools.Def.Needs), "—" when they need none.
func TestREADMENeeds(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	const heading = "## What needs which Etlworks endpoints\n"
	text := string(raw)
	start := strings.Index(text, heading)
	if start < 0 {
		t.Fatalf("README.md has no %q section", strings.TrimSpace(heading))
	}
	section := text[start+len(heading):]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	needs := map[string]client.Capability{}
	for _, d := range tools.All(tools.Deps{}) {
		needs[d.Tool.Name] = d.Needs
	}
	code := regexp.MustCompile("`([a-z_-]+)`")
	seen := map[string]int{}
	rows := 0
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if !strings.HasPrefix(line, "| `") || len(cells) != 4 {
			continue
		}
		rows++
		var want []string
		for _, m := range code.FindAllStringSubmatch(cells[0], -1) {
			name := m[1]
			seen[name]++
			cp, ok := needs[name]
			if !ok {
				t.Errorf("row %d names %s, which is not a tool", rows, name)
			}
			if cp != "" && !slices.Contains(want, string(cp)) {
				want = append(want, string(cp))
			}
		}
		var got []string
		for _, m := range code.FindAllStringSubmatch(cells[2], -1) {
			got = append(got, m[1])
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("row %d (%s): the README says it cannot work without %v, the code says %v", rows, strings.TrimSpace(cells[0]), got, want)
		}
		if len(want) == 0 && strings.TrimSpace(cells[2]) != "—" {
			t.Errorf("row %d (%s) needs no optional capability; its cell should be —, not %q", rows, strings.TrimSpace(cells[0]), cells[2])
		}
	}
	for name := range needs {
		if seen[name] != 1 {
			t.Errorf("%s is in %d rows of the table, want 1", name, seen[name])
		}
	}
}
