package main

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// modulePath is this module's import path; rules below name packages relative to it.
const modulePath = "github.com/etlworks/etlworks-mcp"

// importRule says what one package (or, with a trailing "/...", a package and everything under it)
// may import besides the standard library: module packages relative to the module root and
// third-party modules by path prefix. A pattern ending in "/..." matches a package and its subpackages.
type importRule struct {
	pkg   string
	allow []string
}

// Third-party modules, named once so each rule reads as intent.
const (
	modMcpGo      = "github.com/mark3labs/mcp-go/..."
	modJsonschema = "github.com/invopop/jsonschema/..."
	modGjson      = "github.com/tidwall/gjson/..."
	modPrometheus = "github.com/prometheus/client_golang/..."
	modOtel       = "go.opentelemetry.io/otel/..."
	modSqlite     = "modernc.org/sqlite/..."
	modUdiff      = "github.com/aymanbagabas/go-udiff/..."
	modXsysUnix   = "golang.org/x/sys/unix"
	modTint       = "github.com/lmittmann/tint"
	modIsatty     = "github.com/mattn/go-isatty"
)

// importRules is the one-way import graph of ARCHITECTURE.md as an allow-list: an arrow that is not
// here (transport -> prompts, client -> mcp-go, tools -> sandbox, ...) fails TestImportAllowList.
// Only main and tests may use the sandbox.
func importRules() []importRule {
	return []importRule{
		{".", []string{"client", "config", "prompts", "resources", "tools", "transport", "sandbox",
			"internal/mcpobs", "internal/secrets", "internal/telemetry", modMcpGo, modOtel, modTint, modIsatty}},
		{"config", []string{"internal/hostlist", "internal/lazyre"}},
		{"client", []string{"internal/bound", "internal/lazyre", "internal/secrets", modGjson}},
		{"tools", []string{"client", "internal/bound", "internal/csvtable", "internal/hostlist", "internal/lazyre", "internal/links",
			"internal/quartz", "internal/secrets", "internal/untrusted", modMcpGo, modJsonschema, modGjson, modUdiff, modXsysUnix}},
		{"resources", []string{"client", "internal/bound", "internal/csvtable", "internal/links", "internal/quartz",
			"internal/secrets", "internal/untrusted", modMcpGo, modGjson}},
		{"prompts", []string{"client", "internal/bound", "internal/secrets", "internal/untrusted", modMcpGo, modGjson}},
		{"transport", []string{"internal/telemetry", modMcpGo, modGjson}},
		{"sandbox/...", []string{"sandbox/internal/...", "internal/lazyre", "internal/quartz", "internal/prose", modSqlite}},
		{"internal/telemetry", []string{"internal/lazyre", modPrometheus, modOtel}},
		{"internal/mcpobs", []string{"internal/telemetry", modMcpGo, modPrometheus, modOtel}},
		{"internal/quartz", []string{"internal/bound", "internal/prose"}},
		{"internal/prose", nil},  // standard library only
		{"internal/lazyre", nil}, // standard library only
		{"deploy", nil},          // manifests and the Helm chart; only its test has Go code
		{"scripts/bench/...", []string{modMcpGo, modGjson}}, // benchmark programs: they drive the binary from outside
		{"internal/bound", nil},                             // standard library only
		{"internal/csvtable", []string{"internal/bound"}},
		{"internal/hostlist", nil}, // standard library only
		{"internal/links", nil},    // standard library only
		{"internal/secrets", []string{"internal/lazyre"}},
		{"internal/untrusted", nil}, // standard library only
	}
}

// listedPackage is the part of `go list -json` the architecture test reads.
type listedPackage struct {
	ImportPath string
	Imports    []string
}

// TestImportAllowList enforces the one-way import rule of ARCHITECTURE.md: every import of every
// package of the module (test files aside) must be the standard library or on its package's allow-list,
// and every package must have a rule, so a new package or a new arrow is a deliberate edit here.
func TestImportAllowList(t *testing.T) {
	t.Parallel()
	pkgs := listPackages(t)
	rules := importRules()
	for _, p := range pkgs {
		rel := relPath(p.ImportPath)
		rule, ok := ruleFor(rules, rel)
		if !ok {
			t.Errorf("package %s has no import rule: add it to importRules in arch_test.go", rel)
			continue
		}
		for _, imp := range p.Imports {
			if isStdlib(imp) || allowed(rule.allow, imp) {
				continue
			}
			t.Errorf("%s -> %s is not an allowed import (rule %q allows the standard library and %v)",
				rel, relPath(imp), rule.pkg, rule.allow)
		}
	}
}

// TestImportAllowListRejects checks the matcher on arrows the rules must refuse, so a too-wide
// pattern cannot make the allow-list pass everything.
func TestImportAllowListRejects(t *testing.T) {
	t.Parallel()
	rules := importRules()
	banned := [][2]string{
		{"transport", "prompts"}, {"transport", "tools"}, {"transport", "resources"}, {"transport", "client"},
		{"client", "github.com/mark3labs/mcp-go/mcp"}, {"config", "github.com/mark3labs/mcp-go/server"},
		{"config", "client"}, {"client", "config"}, {"tools", "sandbox"}, {"tools", "sandbox/internal/engine"},
		{"resources", "tools"}, {"prompts", "tools"}, {"prompts", "resources"}, {"client", "sandbox"},
		{"internal/telemetry", "github.com/mark3labs/mcp-go/mcp"}, {"internal/quartz", "client"},
		{"sandbox", "client"}, {"sandbox/internal/engine", "tools"}, {"sandbox", "github.com/mark3labs/mcp-go/mcp"},
	}
	for _, b := range banned {
		rule, ok := ruleFor(rules, b[0])
		if !ok {
			t.Fatalf("no rule for %s", b[0])
		}
		imp := b[1]
		if !strings.Contains(imp, ".") {
			imp = modulePath + "/" + imp
		}
		if allowed(rule.allow, imp) {
			t.Errorf("the allow-list lets %s import %s", b[0], b[1])
		}
	}
	for _, ok := range [][2]string{{"sandbox", "sandbox/internal/engine"}, {"sandbox/internal/demo", "internal/quartz"}} {
		rule, _ := ruleFor(rules, ok[0])
		if !allowed(rule.allow, modulePath+"/"+ok[1]) {
			t.Errorf("the allow-list refuses %s -> %s", ok[0], ok[1])
		}
	}
}

// listPackages runs `go list -json ./...` and decodes its stream of package objects.
func listPackages(t *testing.T) []listedPackage {
	t.Helper()
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var pkgs []listedPackage
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found %d packages; the module has more", len(pkgs))
	}
	return pkgs
}

// relPath names a module package relative to the module root ("." for main); others stay whole.
func relPath(imp string) string {
	if imp == modulePath {
		return "."
	}
	return strings.TrimPrefix(imp, modulePath+"/")
}

// isStdlib reports a standard-library import: its first element has no dot.
func isStdlib(imp string) bool {
	first, _, _ := strings.Cut(imp, "/")
	return !strings.Contains(first, ".")
}

// ruleFor finds the rule of a package given relative to the module: an exact rule first, then the
// longest "/..." pattern that covers it.
func ruleFor(rules []importRule, rel string) (importRule, bool) {
	var best importRule
	found := false
	for _, r := range rules {
		if r.pkg == rel {
			return r, true
		}
		if matches(r.pkg, rel) && (!found || len(r.pkg) > len(best.pkg)) {
			best, found = r, true
		}
	}
	return best, found
}

// allowed reports whether imp (a full import path) is on the list; module entries are relative.
func allowed(list []string, imp string) bool {
	for _, a := range list {
		if !isStdlib(a) { // a third-party module
			if matches(a, imp) {
				return true
			}
			continue
		}
		if strings.HasPrefix(imp, modulePath+"/") && matches(a, relPath(imp)) {
			return true
		}
	}
	return false
}

// matches applies one pattern: exact, or with "/..." the path and everything under it.
func matches(pattern, p string) bool {
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return p == base || strings.HasPrefix(p, base+"/")
	}
	return pattern == p
}
