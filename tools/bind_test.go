package tools

import (
	"strings"
	"testing"
)

func TestBind(t *testing.T) {
	schema := inputSchemaOf(reflectInput[GetRunLogInput]())
	cases := []struct {
		name string
		args any
		want string // substring of the error, "" for success
	}{
		{"ok with string flow", map[string]any{"flow": "x"}, ""},
		{"number accepted as flow id", map[string]any{"flow": float64(12)}, ""},
		{"missing required", map[string]any{}, `"flow" is required`},
		{"empty required", map[string]any{"flow": ""}, `"flow" is required`},
		{"unknown field lists allowed", map[string]any{"flow": "x", "lines": 3}, `unknown field "lines"; allowed fields: errors_only, flow (required), grep, level, run_id, tail`},
		{"wrong type", map[string]any{"flow": "x", "tail": "many"}, `"tail" must be an integer, got a string`},
		{"fraction for integer", map[string]any{"flow": "x", "tail": 1.5}, `"tail" must be an integer`},
		{"range", map[string]any{"flow": "x", "tail": 5000}, `"tail" must be between 1 and 2000`},
		{"bad regex", map[string]any{"flow": "x", "grep": "[a-"}, "not a valid RE2"},
		{"bool as flow", map[string]any{"flow": true}, `"flow" must be a string, got a boolean`},
		{"not an object", []any{1}, "must be a JSON object"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in, err := bind[GetRunLogInput](tc.args, schema)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if in.Flow == "" {
					t.Fatal("flow not bound")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	for in, leak := range map[string]string{
		"Authorization: Bearer abcdefghijklmnop":                       "abcdefghijklmnop",
		"jdbc:postgresql://db?user=x&password=hunter22":                "hunter22",
		"token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl": "eyJhbGciOiJIUzI1NiJ9",
		`{"api_key": "k-123456789"}`:                                   "k-123456789",
	} {
		if out := redact(in); strings.Contains(out, leak) {
			t.Errorf("redact(%q) = %q still holds %q", in, out, leak)
		}
	}
	if got := redact("no secrets here: 42 rows"); got != "no secrets here: 42 rows" {
		t.Errorf("redact changed harmless text: %q", got)
	}
}

func TestCursorRoundTrip(t *testing.T) {
	c := nextCursor(25, 25, 100)
	off, err := page{Cursor: c}.offset()
	if err != nil || off != 50 {
		t.Fatalf("cursor %q -> %d, %v", c, off, err)
	}
	if nextCursor(75, 25, 100) != "" {
		t.Fatal("last page must have no cursor")
	}
}
