package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// outsideReferences are names of reference files that live outside this repository. The strings are
// split so that this file does not match itself.
var outsideReferences = []string{"etlworks-api" + ".md", ".." + "/shared"}

// TestCommentsStandAlone fails when a Go file or a top-level Markdown file of the repository points at
// reference material outside it: a reader of the repository cannot open that file, so a comment must
// say what the contract is (what Etlworks documents) instead, and docs may point at upstream URLs.
func TestCommentsStandAlone(t *testing.T) {
	t.Parallel()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		top := !strings.Contains(path, string(filepath.Separator))
		if d.IsDir() || !(strings.HasSuffix(path, ".go") || top && strings.HasSuffix(path, ".md")) {
			return nil
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(raw), "\n") {
			for _, ref := range outsideReferences {
				if strings.Contains(line, ref) {
					t.Errorf("%s:%d points at %s, outside the repository: say what it documents instead", path, i+1, ref)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
