package tools

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/etlworks/etlworks-mcp/internal/bound"
)

// validator is implemented by inputs with rules that span fields or ranges; bind calls it last.
type validator interface{ validate() error }

// inputError is a problem with the arguments; its text names the field and what is allowed.
type inputError struct{ msg string }

func (e *inputError) Error() string { return e.msg }

// badInput builds an inputError; handlers use it for argument problems found after binding.
// Every string among args is echoed at most bound.EchoBytes long, so a huge argument cannot come
// back as a huge error (errors among args are this server's own words, bounded where they quote).
func badInput(format string, args ...any) error {
	return &inputError{msg: "invalid arguments: " + fmt.Sprintf(format, echoArgs(args)...)}
}

// echoArgs bounds the strings in args as bound.Echo does.
func echoArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if v, ok := a.(string); ok {
			out[i] = bound.Echo(v)
		} else {
			out[i] = a
		}
	}
	return out
}

// bind decodes raw tool arguments into In strictly: unknown fields, wrong types and missing
// required fields are errors that name the field and list what is allowed.
func bind[In any](args any, schema inputSchema) (In, error) {
	var in In
	if args == nil {
		args = map[string]any{}
	}
	obj, ok := args.(map[string]any)
	if !ok {
		return in, badInput("arguments must be a JSON object with the fields %s", allowed(schema))
	}
	for _, name := range schema.required {
		v, present := obj[name]
		if !present || v == nil || v == "" {
			return in, badInput("%q is required (allowed fields: %s)", name, allowed(schema))
		}
	}
	if err := checkKinds(obj, schema); err != nil {
		return in, err
	}
	if err := checkEnums(obj, schema); err != nil {
		return in, err
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return in, badInput("arguments are not valid JSON: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return in, describeBindError(err, schema)
	}
	if v, ok := any(&in).(validator); ok {
		if err := v.validate(); err != nil {
			return in, err
		}
	}
	return in, nil
}

func describeBindError(err error, schema inputSchema) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		field := typeErr.Field
		if i := strings.LastIndexByte(field, '.'); i >= 0 {
			field = field[i+1:] // embedded structs such as page show up as "page.limit"
		}
		want := schema.types[field]
		if want == "" || want == typeErr.Value {
			// The field has the right kind and something inside it does not (a map's value, an
			// array's item): name the kind the inside must have.
			inner := jsonKind(typeErr.Type)
			if want == "" {
				return badInput("%q must be %s, got %s", field, article(inner), article(typeErr.Value))
			}
			return badInput("%q: every value in it must be %s, got %s", field, article(inner), article(typeErr.Value))
		}
		return badInput("%q must be %s, got %s", field, article(want), article(typeErr.Value))
	}
	if msg := err.Error(); strings.HasPrefix(msg, "json: unknown field ") {
		name := strings.Trim(strings.TrimPrefix(msg, "json: unknown field "), `"`)
		return badInput("unknown field %q; allowed fields: %s", name, allowed(schema))
	}
	var fieldErr *fieldError
	if errors.As(err, &fieldErr) {
		return badInput("%s", fieldErr.Error())
	}
	return badInput("%v (allowed fields: %s)", err, allowed(schema))
}

// fieldError is returned by custom UnmarshalJSON methods so bind can report the field cleanly.
type fieldError struct{ msg string }

func (e *fieldError) Error() string { return e.msg }

func allowed(schema inputSchema) string {
	if len(schema.fields) == 0 {
		return "none (call with {})"
	}
	quoted := make([]string, len(schema.fields))
	for i, f := range schema.fields {
		mark := ""
		if slices.Contains(schema.required, f) {
			mark = " (required)"
		}
		quoted[i] = f + mark
	}
	return strings.Join(quoted, ", ")
}

// jsonKind names the JSON kind a Go type decodes from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	}
	return t.String()
}

func article(t string) string {
	switch t {
	case "object", "array", "integer":
		if t == "integer" {
			return "an integer"
		}
		return "an " + t
	case "":
		return "a value"
	}
	return "a " + t
}

// checkKinds catches values of the wrong JSON kind before decoding, so the error names the field
// even where a custom decoder (such as Ref's) would not know it.
func checkKinds(obj map[string]any, schema inputSchema) error {
	for name, v := range obj {
		want := schema.types[name]
		got := kindOf(v)
		ok := true
		switch want {
		case "string":
			ok = got == "string" || got == "number" // ids may come as numbers
		case "integer", "number":
			ok = got == "number"
		case "boolean", "object", "array":
			ok = got == want
		}
		if !ok && v != nil {
			return badInput("%q must be %s, got %s", name, article(want), article(got))
		}
	}
	return nil
}

func kindOf(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64, float32, int, int64, json.Number:
		return "number"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return ""
}
