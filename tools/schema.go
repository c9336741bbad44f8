package tools

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"

	"github.com/invopop/jsonschema"
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

// mustSchema reflects In once. A tool whose schema cannot be produced is a programming error, so
// it panics at start-up rather than registering a tool with an empty schema.
func mustSchema[In any]() inputSchema {
	var zero In
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
	out := inputSchema{raw: raw, required: append([]string(nil), s.Required...), types: map[string]string{}, enums: map[string][]string{}}
	for p := s.Properties.Oldest(); p != nil; p = p.Next() {
		out.fields = append(out.fields, p.Key)
		out.types[p.Key] = p.Value.Type
		for _, v := range p.Value.Enum {
			out.enums[p.Key] = append(out.enums[p.Key], fmt.Sprint(v))
		}
	}
	sort.Strings(out.fields)
	if reflect.TypeOf(zero).Kind() != reflect.Struct {
		panic(fmt.Sprintf("tools: input %T must be a struct", zero))
	}
	return out
}
