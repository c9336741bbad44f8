package tools

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"

	"github.com/invopop/jsonschema"
	"github.com/tidwall/gjson"
)

// inputSchema is a reflected tool input schema with what binding needs to know about it.
type inputSchema struct {
	raw      json.RawMessage
	fields   []string // property names, sorted, for "allowed" lists in errors
	required []string
	types    map[string]string   // property -> JSON type name, for type errors
	enums    map[string][]string // property -> its allowed values (choice parameters)
}

// newReflector returns the project's one schema generator: invopop with inline definitions,
// required fields from `jsonschema:"required"` tags, and additionalProperties:false everywhere.
func newReflector() *jsonschema.Reflector {
	return &jsonschema.Reflector{
		DoNotReference:             true,
		Anonymous:                  true,
		ExpandedStruct:             true,
		RequiredFromJSONSchemaTags: true,
	}
}

// reflectInput reflects In's input schema. A tool whose schema cannot be produced is a programming
// error, so it panics (in TestSchemaCache, or at start-up for a tool not yet in the cache) rather
// than registering a tool with an empty schema.
func reflectInput[In any]() json.RawMessage {
	var zero In
	if reflect.TypeOf(zero).Kind() != reflect.Struct {
		panic(fmt.Sprintf("tools: input %T must be a struct", zero))
	}
	s := newReflector().Reflect(&zero)
	s.Version = ""
	s.ID = ""
	if s.Type != "object" {
		panic(fmt.Sprintf("tools: input %T must reflect to an object schema, got %q", zero, s.Type))
	}
	if s.Properties == nil || s.Properties.Len() == 0 {
		s.Properties = jsonschema.NewProperties() // an explicit empty object for argument-less tools
	}
	raw, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("tools: marshal schema of %T: %v", zero, err))
	}
	return raw
}

// inputSchemaOf reads what binding needs from an input schema: its property names, required
// ones, types and allowed values. Cached and freshly reflected schemas go through it alike.
func inputSchemaOf(raw json.RawMessage) inputSchema {
	s := gjson.ParseBytes(raw)
	out := inputSchema{raw: raw, types: map[string]string{}, enums: map[string][]string{}}
	for _, r := range s.Get("required").Array() {
		out.required = append(out.required, r.String())
	}
	s.Get("properties").ForEach(func(k, p gjson.Result) bool {
		name := k.String()
		out.fields = append(out.fields, name)
		out.types[name] = p.Get("type").String()
		for _, v := range p.Get("enum").Array() {
			out.enums[name] = append(out.enums[name], v.String())
		}
		return true
	})
	sort.Strings(out.fields)
	return out
}

// outputSchema reflects the types a tool answers with into its outputSchema: one type's schema or,
// for several (list_runs: runs, or statistics per flow), an object schema that is any of them. The
// result types carry no descriptions, so the schema stays lean: every tools/list carries it.
func outputSchema(results ...any) json.RawMessage {
	schemas := make([]*jsonschema.Schema, len(results))
	r := newReflector()
	r.AllowAdditionalProperties = true // a result may grow a field; "false" everywhere would cost tokens too
	for i, v := range results {
		s := r.Reflect(v)
		s.Version, s.ID = "", ""
		if s.Type != "object" {
			panic(fmt.Sprintf("tools: result %T must reflect to an object schema, got %q", v, s.Type))
		}
		schemas[i] = s
	}
	out := schemas[0]
	if len(schemas) > 1 {
		out = &jsonschema.Schema{Type: "object", AnyOf: schemas}
	}
	raw, err := json.Marshal(out)
	if err != nil {
		panic(fmt.Sprintf("tools: marshal output schema: %v", err))
	}
	var tree any
	if err := json.Unmarshal(raw, &tree); err != nil {
		panic(fmt.Sprintf("tools: read back output schema: %v", err))
	}
	raw, err = json.Marshal(collapseTypeChoices(tree))
	if err != nil {
		panic(fmt.Sprintf("tools: marshal output schema: %v", err))
	}
	return raw
}

// collapseTypeChoices rewrites every {"oneOf":[{"type":A},{"type":B},…]} (what a oneof_type tag
// reflects to) as the equivalent, shorter {"type":[A,B,…]}: every tools/list carries the schema.
func collapseTypeChoices(node any) any {
	switch n := node.(type) {
	case []any:
		for i := range n {
			n[i] = collapseTypeChoices(n[i])
		}
	case map[string]any:
		for k, v := range n {
			n[k] = collapseTypeChoices(v)
		}
		alts, ok := n["oneOf"].([]any)
		if !ok || len(n) != 1 {
			return n
		}
		types := make([]any, 0, len(alts))
		for _, a := range alts {
			m, _ := a.(map[string]any)
			t, isText := m["type"].(string)
			if len(m) != 1 || !isText {
				return n
			}
			types = append(types, t)
		}
		return map[string]any{"type": types}
	}
	return node
}
