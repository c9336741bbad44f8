package tools

import (
	_ "embed"
	"encoding/json"
	"reflect"

	"github.com/tidwall/gjson"
)

// schemasJSON holds every tool's input and output schema as the reflector produced them (one
// line per tool and input type), so that start-up reads bytes instead of reflecting each input
// type and marshalling its schema, which was most of the cost of building the tools.
// TestSchemaCache reflects them all again and fails when this file differs;
// UPDATE_TOOLSNAPS=true go test ./tools regenerates it with the tool snapshots.
//
//go:embed schemas.json
var schemasJSON []byte

// cachedSchemas are one tool's schemas: input always, output for tools that declare one.
type cachedSchemas struct {
	input, output json.RawMessage
}

// schemaCache maps a schemaKey to its generated schemas.
type schemaCache map[string]cachedSchemas

// loadSchemaCache reads schemasJSON in one pass. The schemas are kept as the compact bytes the
// reflector wrote, so tools/list answers exactly what reflection would.
func loadSchemaCache() schemaCache {
	c := schemaCache{}
	gjson.ParseBytes(schemasJSON).ForEach(func(name, v gjson.Result) bool {
		var s cachedSchemas
		if in := v.Get("input"); in.IsObject() {
			s.input = json.RawMessage(in.Raw)
		}
		if out := v.Get("output"); out.IsObject() {
			s.output = json.RawMessage(out.Raw)
		}
		c[name.String()] = s
		return true
	})
	return c
}

// schemaKey names a tool's entry: the tool and its input type, since a tool may take another
// input type in another configuration (run_sql with --allow-sql-writes).
func schemaKey[In any](tool string) string { return tool + "/" + reflect.TypeFor[In]().Name() }

// toolSchemas returns a tool's input schema and, when it declares results, its output schema:
// from the cache, or reflected for a tool the cache does not hold yet (TestSchemaCache then says
// to regenerate it).
func toolSchemas[In any](c schemaCache, tool string, results []any) (json.RawMessage, json.RawMessage) {
	cached := c[schemaKey[In](tool)]
	in, out := cached.input, cached.output
	if in == nil {
		in = reflectInput[In]()
	}
	if out == nil || len(results) == 0 {
		out = outputOf(results)
	}
	return in, out
}
