package main

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/etlworks/etlworks-mcp/config"
	"github.com/etlworks/etlworks-mcp/tools"
)

// updateREADME rewrites the generated parts of README.md instead of comparing them; `go generate`
// (see usage.go) runs this test with it.
var updateREADME = flag.Bool("update-readme", false, "rewrite the generated sections of README.md")

// generatedBlock matches one generated section: an opening marker naming what it holds, the
// generated text, and the closing marker.
var generatedBlock = regexp.MustCompile(`(?s)(<!-- generated: ([a-z:]+) -->\n)(.*?)(<!-- end generated -->)`)

// TestREADMEIsGenerated fails when the README's tool tables or configuration table differ from
// what the tool registry and config.Settings() produce, so the docs cannot drift from the code.
func TestREADMEIsGenerated(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	sections := generatedSections()
	seen := map[string]bool{}
	var unknown []string
	out := generatedBlock.ReplaceAllStringFunc(string(raw), func(m string) string {
		g := generatedBlock.FindStringSubmatch(m)
		body, ok := sections[g[2]]
		if !ok {
			unknown = append(unknown, g[2])
			return m
		}
		seen[g[2]] = true
		return g[1] + body + g[4]
	})
	if len(unknown) > 0 {
		t.Fatalf("README.md has generated sections nothing generates: %v", unknown)
	}
	for name := range sections {
		if !seen[name] {
			t.Errorf("README.md lacks the section <!-- generated: %s --> … <!-- end generated -->", name)
		}
	}
	if *updateREADME {
		if err := os.WriteFile("README.md", []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if out != string(raw) {
		t.Fatal("README.md's generated sections are out of date: run `go generate` (or `go test -run TestREADMEIsGenerated -update-readme .`)")
	}
}

// generatedSections renders every generated README section by name: one tool table per toolset
// and the configuration table.
func generatedSections() map[string]string {
	defs := tools.All(tools.Deps{})
	out := map[string]string{"config": configTable(config.Settings())}
	for _, ts := range tools.Toolsets {
		var b strings.Builder
		b.WriteString("| Tool | What it does | Changes anything |\n| --- | --- | --- |\n")
		for _, d := range defs {
			if d.Toolset != ts {
				continue
			}
			changes := "yes"
			if d.ReadOnly {
				changes = "no"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", d.Tool.Name, cell(firstSentence(d.Tool.Description)), changes)
		}
		out["tools:"+ts] = b.String()
	}
	return out
}

// configTable renders config.Settings() as the README's configuration table.
func configTable(settings []config.Setting) string {
	var b strings.Builder
	b.WriteString("| Flag | Environment | Default | Meaning |\n| --- | --- | --- | --- |\n")
	for _, s := range settings {
		flagName, env := "", ""
		if s.Flag != "" {
			flagName = "`" + s.Flag + "`"
		}
		if s.Env != "" {
			env = "`" + s.Env + "`"
			if s.EnvFile != "" {
				env += " (or `" + s.EnvFile + "`)"
			}
		}
		def := s.Default
		if s.Kind == "bool" && def == "false" {
			def = "off"
		}
		meaning := s.Description
		if len(s.Allowed) > 0 {
			meaning += " One of: " + strings.Join(s.Allowed, ", ") + "."
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", flagName, env, cell(def), cell(meaning))
	}
	return b.String()
}

// firstSentence is what a tool table shows of a description: up to the first full stop that ends
// a sentence (not the one of an abbreviation such as "e.g.").
func firstSentence(s string) string {
	for i := 0; i+1 < len(s); i++ {
		if s[i] != '.' || (s[i+1] != ' ' && s[i+1] != '\n') {
			continue
		}
		word := s[strings.LastIndexAny(s[:i], " \n(")+1 : i]
		if strings.Contains(word, ".") {
			continue // e.g. / i.e.
		}
		return s[:i+1]
	}
	return s
}

// cell makes text safe inside a Markdown table cell.
func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}
