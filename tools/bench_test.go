package tools

import (
	"testing"
)

// BenchmarkResultSizes reports the bytes of typical results (what a model reads per call):
//
//	go test -run '^$' -bench ResultSizes ./tools
func BenchmarkResultSizes(b *testing.B) {
	e := newEnv(b)
	cases := []struct {
		name string
		tool string
		args map[string]any
	}{
		{"list_flows-default-page", "list_flows", map[string]any{}},
		{"get_run_log-default", "get_run_log", map[string]any{"flow": "Daily revenue rollup"}},
		{"get_run_log-errors-only", "get_run_log", map[string]any{"flow": "Daily revenue rollup", "errors_only": true}},
		{"list_runs-default-page", "list_runs", map[string]any{}},
		{"list_runs-limit-100", "list_runs", map[string]any{"limit": 100}},
		{"list_runs-group-by-flow", "list_runs", map[string]any{"group_by": "flow"}},
		{"get_run_log-level-warning", "get_run_log", map[string]any{"flow": "Import Shopify orders", "level": "warning"}},
		{"get_flow", "get_flow", map[string]any{"flow": "Daily revenue rollup"}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			size := 0
			for b.Loop() {
				size = len(e.ok(c.tool, c.args, nil))
			}
			b.ReportMetric(float64(size), "bytes/result")
		})
	}
}

// BenchmarkBuildTools times building every tool as start-up does: schemas read from the generated
// tools/schemas.json, against reflecting them all (what start-up did before the cache):
//
//	go test -run '^$' -bench BuildTools -benchmem ./tools
func BenchmarkBuildTools(b *testing.B) {
	b.Run("cached-schemas", func(b *testing.B) {
		for b.Loop() {
			All(Deps{})
		}
	})
	b.Run("reflected-schemas", func(b *testing.B) {
		for b.Loop() {
			All(Deps{schemas: schemaCache{}})
		}
	})
}
