package tools

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func mustDecode(t *testing.T, s string) any {
	t.Helper()
	v, err := decodeDefinition([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSetPath(t *testing.T) {
	t.Parallel()
	const def = `{"name":"F","flowType":"database-to-database","properties":{"a.b":"1"},
		"transformations":[{"name":"s","source":{"connectionId":1,"sql":"SELECT 1"},"enabled":true}]}`
	tests := []struct {
		name, path string
		value      any
		want       string // JSON of the document after, or "" when an error is expected
		wantErr    string
		wantPath   string
		create     bool // create_keys
	}{
		{name: "dotted", path: "transformations.0.source.sql", value: "SELECT 2",
			want:     `{"name":"F","flowType":"database-to-database","properties":{"a.b":"1"},"transformations":[{"name":"s","source":{"connectionId":1,"sql":"SELECT 2"},"enabled":true}]}`,
			wantPath: "transformations[0].source.sql"},
		{name: "brackets", path: "transformations[0].enabled", value: false,
			want:     `{"name":"F","flowType":"database-to-database","properties":{"a.b":"1"},"transformations":[{"name":"s","source":{"connectionId":1,"sql":"SELECT 1"},"enabled":false}]}`,
			wantPath: "transformations[0].enabled"},
		{name: "new top-level field", path: "description", value: "d",
			want:     `{"description":"d","name":"F","flowType":"database-to-database","properties":{"a.b":"1"},"transformations":[{"name":"s","source":{"connectionId":1,"sql":"SELECT 1"},"enabled":true}]}`,
			wantPath: "description", create: true},
		{name: "new key refused", path: "transformations.0.source.sqll", value: "x",
			wantErr: `no key "sqll" at transformations[0].source yet; closest existing: transformations[0].source.sql`},
		{name: "new key refused lists keys when none is close", path: "transformations.0.source.table", value: "x",
			wantErr: `keys there: transformations[0].source.connectionId, transformations[0].source.sql. Fix the path (get_flow paths:true lists them) or set create_keys: true`},
		{name: "new property refused", path: "properties.a.c", value: "x", wantErr: `no key "a.c" at properties yet; closest existing: properties.a.b`},
		{name: "new property with create_keys", path: "properties.a.c", value: "x", create: true,
			want:     `{"name":"F","flowType":"database-to-database","properties":{"a.b":"1","a.c":"x"},"transformations":[{"name":"s","source":{"connectionId":1,"sql":"SELECT 1"},"enabled":true}]}`,
			wantPath: "properties.a.c"},
		{name: "property key with dots", path: "properties.a.b", value: "2",
			want:     `{"name":"F","flowType":"database-to-database","properties":{"a.b":"2"},"transformations":[{"name":"s","source":{"connectionId":1,"sql":"SELECT 1"},"enabled":true}]}`,
			wantPath: "properties.a.b"},
		{name: "null removes", path: "properties.a.b", value: nil,
			want:     `{"name":"F","flowType":"database-to-database","properties":{},"transformations":[{"name":"s","source":{"connectionId":1,"sql":"SELECT 1"},"enabled":true}]}`,
			wantPath: "properties.a.b"},
		{name: "append", path: "transformations.1", value: map[string]any{"name": "t"},
			want:     `{"name":"F","flowType":"database-to-database","properties":{"a.b":"1"},"transformations":[{"name":"s","source":{"connectionId":1,"sql":"SELECT 1"},"enabled":true},{"name":"t"}]}`,
			wantPath: "transformations[1]"},
		{name: "null removes a list element", path: "transformations.0", value: nil,
			want:     `{"name":"F","flowType":"database-to-database","properties":{"a.b":"1"},"transformations":[]}`,
			wantPath: "transformations[0]"},
		{name: "unknown field lists the fields", path: "transformations.0.sorce.sql", value: "x", wantErr: `no field "sorce" at transformations[0]; fields there: enabled, name, source`},
		{name: "index out of range", path: "transformations.5.name", value: "x", wantErr: "transformations is a list of 1; use an index from 0 to 0 (1 appends)"},
		{name: "not an index", path: "transformations.first.name", value: "x", wantErr: "transformations is a list of 1"},
		{name: "into a scalar", path: "name.first", value: "x", wantErr: `name is a string, not an object or a list, so it has no "first"`},
		{name: "read-only", path: "id", value: 3, wantErr: `"id" is set by Etlworks and cannot be changed`},
		{name: "read-only nested", path: "connections.0.name", value: "x", wantErr: `"connections" is set by Etlworks`},
		{name: "empty part", path: "transformations..sql", value: "x", wantErr: "has an empty part"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := mustDecode(t, def)
			out, ch, err := setPath(doc, tt.path, normalizeValue(tt.value), tt.create)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !sameJSON(out, mustDecode(t, tt.want)) {
				t.Errorf("got %v\nwant %s", out, tt.want)
			}
			if ch.Path != tt.wantPath {
				t.Errorf("path %q, want %q", ch.Path, tt.wantPath)
			}
		})
	}
}

func TestRenderDiff(t *testing.T) {
	t.Parallel()
	before := "SELECT day,\n  SUM(amount_usd) AS revenue\nFROM orders"
	after := "SELECT day,\n  SUM(amount) AS revenue\nFROM orders\nGROUP BY day"
	got := renderDiff([]fieldChange{{Path: "sql", Before: before, After: after, Existed: true}})
	want := "@@ sql\n  SELECT day,\n-   SUM(amount_usd) AS revenue\n+   SUM(amount) AS revenue\n  FROM orders\n+ GROUP BY day\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	diff := renderDiff([]fieldChange{
		{Path: "enabled", Before: true, After: false, Existed: true},
		{Path: "description", After: "new", Existed: false},
		{Path: "properties.password", Before: "old-secret", After: "new-secret", Existed: true},
		{Path: "transformations[0].destination", Before: map[string]any{"object": "orders", "connection": "Warehouse"},
			After: map[string]any{"object": "orders_v2", "connection": "Warehouse"}, Existed: true},
		{Path: "tags", Existed: false},
	})
	mustContain(t, diff, "@@ enabled\n- true\n+ false\n", "@@ description\n+ new\n",
		"@@ properties.password\n- ******** (old value hidden)\n+ ******** (new value hidden)\n",
		"@@ transformations[0].destination\n  {\n    \"connection\": \"Warehouse\",\n-   \"object\": \"orders\"\n+   \"object\": \"orders_v2\"\n  }\n",
		"@@ tags\n  (absent before and after)\n")
	if strings.Contains(diff, "old-secret") || strings.Contains(diff, "new-secret") {
		t.Errorf("diff shows a secret: %s", diff)
	}
}

// longSQL is a numbered SQL text of n lines.
func longSQL(n int) []string {
	lines := make([]string, n)
	lines[0] = "SELECT"
	for i := 1; i < n; i++ {
		lines[i] = fmt.Sprintf("  , amount_%04d", i+1)
	}
	return lines
}

// TestRenderDiffLongText: the whole text is compared, however long, and the output is shortened
// instead: the changed place always shows, with its line numbers.
func TestRenderDiffLongText(t *testing.T) {
	t.Parallel()
	old := longSQL(5000)
	changed := slices.Clone(old)
	changed[4500] = "DROP TABLE orders"
	diff := renderDiff([]fieldChange{{Path: "sql", Before: strings.Join(old, "\n"), After: strings.Join(changed, "\n"), Existed: true}})
	want := "@@ sql\n@@ -4498,7 +4498,7 @@\n    , amount_4498\n    , amount_4499\n    , amount_4500\n-   , amount_4501\n+ DROP TABLE orders\n    , amount_4502\n    , amount_4503\n    , amount_4504\n"
	if diff != want {
		t.Errorf("got\n%s\nwant\n%s", diff, want)
	}

	// Many changed places: the first always, the rest within the budget, then where the others are.
	many := slices.Clone(old)
	for i := 10; i < 5000; i += 10 {
		many[i] = strings.Repeat("x", 250) + many[i]
	}
	diff = renderDiff([]fieldChange{{Path: "sql", Before: strings.Join(old, "\n"), After: strings.Join(many, "\n"), Existed: true}})
	mustContain(t, diff, "@@ -8,7 +8,7 @@\n", "-   , amount_0011\n", "more changed places not shown (at lines ")
	if len(diff) > maxDiff+2*maxDiffLine {
		t.Errorf("diff of %d bytes, over the %d budget", len(diff), maxDiff)
	}

	// A long run of added lines is cut, a long line is shown around its change.
	grown := append(slices.Clone(old[:20]), longSQL(120)[1:]...)
	diff = renderDiff([]fieldChange{{Path: "sql", Before: strings.Join(old[:20], "\n"), After: strings.Join(grown, "\n"), Existed: true}})
	mustContain(t, diff, "+ … [104 more added lines]\n")
	line := strings.Repeat("a", 2000)
	diff = renderDiff([]fieldChange{{Path: "sql", Before: line + "b" + line, After: line + "DROP" + line, Existed: true}})
	if !regexp.MustCompile(`(?m)^- \[1925 bytes\] …a{75}ba+… \[1778 more bytes\]\n\+ \[1925 bytes\] …a{75}DROPa+…`).MatchString(diff) {
		t.Errorf("long lines are not shown around their change:\n%s", diff)
	}
}

func TestMergePatch(t *testing.T) {
	t.Parallel()
	got := mergePatch(mustDecode(t, `{"a":{"b":1,"c":2},"l":[1,2],"x":1}`), mustDecode(t, `{"a":{"b":null,"d":3},"l":[3],"x":null,"y":"n"}`))
	if want := mustDecode(t, `{"a":{"c":2,"d":3},"l":[3],"y":"n"}`); !sameJSON(got, want) {
		t.Errorf("got %v", got)
	}
}

func TestCheckFlowShape(t *testing.T) {
	t.Parallel()
	c := checkFlowShape(mustDecode(t, `{"name":" ","transformations":"x","properties":[]}`))
	mustContain(t, strings.Join(c.Problems, "\n"), "name must be a non-empty string", "flowType must be set", "transformations must be a list, got a string", "properties must be an object")
	c = checkFlowShape(mustDecode(t, `{"name":"n","flowType":"execute-sql","transformations":[{"source":{}},3]}`))
	mustContain(t, strings.Join(c.Problems, "\n"), "transformations[1] must be an object, got a number")
	mustContain(t, strings.Join(c.Warnings, "\n"), "transformations[0].source names no connection", "transformations[0].source has neither an object nor sql")
	c = flowCheck{}
	c.kindChanges([]fieldChange{{Path: "transformations", Before: []any{}, After: "x"}, {Path: "enabled", Before: true, After: "false"}})
	mustContain(t, strings.Join(c.Problems, "\n"), "transformations was a list and would become a string")
	mustContain(t, strings.Join(c.Warnings, "\n"), "enabled was a boolean and would become a string")
}

func TestUndoArgsHideSecrets(t *testing.T) {
	t.Parallel()
	got := undoArgs(7, []fieldChange{
		{Path: "description", Before: "old", After: "new", Existed: true},
		{Path: "properties.api_key", Before: "k-123", After: "k-456", Existed: true},
	})
	mustContain(t, got, `{"flow":7,"set":{"description":"old"}}`, "set properties.api_key again by hand")
	if strings.Contains(got, "k-123") {
		t.Fatalf("undo shows a secret: %s", got)
	}
	mustContain(t, undoArgs(7, []fieldChange{{Path: "properties.password", Before: "p", After: "q", Existed: true}}), "nothing to undo but secrets")
}
