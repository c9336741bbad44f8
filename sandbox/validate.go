package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// maxBody caps request bodies; a flow definition is a few kilobytes.
const maxBody = 1 << 20

// readBody reads a capped request body.
func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, apiErrorf(http.StatusRequestEntityTooLarge, "Request body is larger than %d bytes", maxBody)
	}
	return b, err
}

// decodeJSON decodes a required JSON body into v, with messages that say what was wrong.
func decodeJSON(r *http.Request, v any) error {
	b, err := readBody(r)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return badRequest("Required request body is missing")
	}
	return unmarshalBody(b, v)
}

func unmarshalBody(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	err := dec.Decode(v)
	if err == nil && dec.More() {
		return badRequest("Malformed JSON: unexpected data after the JSON value at offset %d", dec.InputOffset())
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &syn):
		return badRequest("Malformed JSON at offset %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ) && typ.Field != "":
		return badRequest("Malformed JSON: field '%s' must be %s, not %s", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value)
	case errors.As(err, &typ):
		return badRequest("Malformed JSON: the body must be %s, not %s", jsonKind(typ.Type.Kind().String()), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("Malformed JSON: the body ends before the JSON value is complete")
	}
	return badRequest("Malformed JSON: %s", err.Error())
}

// jsonKind names a Go kind the way a JSON author thinks of it.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return "a number"
}

// decodeParams reads the optional run body: a flat JSON object of parameter names to values.
// Numbers and booleans are accepted and turned into strings, since they become flow variables.
func decodeParams(r *http.Request) (map[string]string, error) {
	b, err := readBody(r)
	if err != nil {
		return nil, err
	}
	params := map[string]string{}
	if len(bytes.TrimSpace(b)) == 0 {
		return params, nil
	}
	var raw map[string]json.RawMessage
	if err := unmarshalBody(b, &raw); err != nil {
		return nil, badRequest("The run body must be a flat JSON object of parameter names to string values: %s", err.Error())
	}
	for k, v := range raw {
		var str string
		if json.Unmarshal(v, &str) == nil {
			params[k] = str
			continue
		}
		switch t := strings.TrimSpace(string(v)); {
		case t == "null":
			params[k] = ""
		case t == "true", t == "false", len(t) > 0 && (t[0] == '-' || (t[0] >= '0' && t[0] <= '9')):
			params[k] = t
		default:
			return nil, badRequest("Parameter '%s' must be a string; the run body is a flat map of string values", k)
		}
	}
	return params, nil
}

// normalizeFlow validates a flow from POST or PUT and fills defaults. selfID is the flow being
// replaced (0 on create). Errors are 400s naming the offending field.
func (s *Sandbox) normalizeFlow(ctx context.Context, f *flow, selfID int64) error {
	if err := s.st.checkName(ctx, "flows", "flow", &f.Name, selfID); err != nil {
		return err
	}
	if f.FlowType == "" {
		return badRequest("Field 'flowType' is required; one of %s", model.KnownFlowTypes)
	}
	if _, ok := model.FlowTypeLabel(f.FlowType); !ok {
		return badRequest("Field 'flowType': unknown type '%s'; one of %s", f.FlowType, model.KnownFlowTypes)
	}
	f.Tags = cleanTags(f.Tags)
	if f.Properties == nil {
		f.Properties = map[string]string{}
	}
	defer fillEmpty(f)
	if f.FlowType == "nested-workflow" {
		if len(f.Transformations) > 0 {
			return badRequest("Field 'transformations': a nested workflow has none; list its steps in 'nestedFlows'")
		}
		return s.normalizeNested(ctx, f, selfID)
	}
	if len(f.NestedFlows) > 0 {
		return badRequest("Field 'nestedFlows' is only allowed when flowType is nested-workflow")
	}
	if len(f.Transformations) == 0 {
		return badRequest("Field 'transformations' must list at least one transformation")
	}
	conns, err := s.st.listConnections(ctx)
	if err != nil {
		return err
	}
	for i := range f.Transformations {
		if err := normalizeTransformation(&f.Transformations[i], i, f.FlowType, conns); err != nil {
			return err
		}
	}
	return normalizeMappings(f)
}

func cleanTags(tags []string) []string {
	out := []string{}
	for _, t := range tags {
		if t = strings.TrimSpace(t); t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// normalizeNested validates a workflow's steps: existing flows, not itself; it orders them.
func (s *Sandbox) normalizeNested(ctx context.Context, f *flow, selfID int64) error {
	if len(f.NestedFlows) == 0 {
		return badRequest("Field 'nestedFlows' must list at least one flow")
	}
	names, err := s.st.flowNames(ctx)
	if err != nil {
		return err
	}
	for i := range f.NestedFlows {
		nf := &f.NestedFlows[i]
		field := fmt.Sprintf("nestedFlows[%d].flowId", i)
		name, ok := names[nf.FlowID]
		switch {
		case nf.FlowID == 0:
			return badRequest("Field '%s' is required", field)
		case nf.FlowID == selfID:
			return badRequest("Field '%s': a workflow cannot run itself", field)
		case !ok:
			return badRequest("Field '%s': flow %d not found", field, nf.FlowID)
		}
		nf.Name = name
		if nf.Order == 0 {
			nf.Order = i + 1
		}
	}
	slices.SortStableFunc(f.NestedFlows, func(a, b nestedFlow) int { return a.Order - b.Order })
	return nil
}

func findConnection(conns []connection, id int64, name string) (connection, bool) {
	for _, c := range conns {
		if (id != 0 && c.ID == id) || (id == 0 && strings.EqualFold(c.Name, name)) {
			return c, true
		}
	}
	return connection{}, false
}

// resolveConnection checks that one end of a transformation (field names it in the 400) names a
// connection, by *id or *name, that exists, and fills in both from it.
func resolveConnection(conns []connection, field string, id *int64, name *string) error {
	if *id == 0 && *name == "" {
		return badRequest("Field '%s' is required", field)
	}
	c, ok := findConnection(conns, *id, *name)
	if !ok {
		return badRequest("Field '%s': connection %s not found", field, connLabel(*id, *name))
	}
	*id, *name = c.ID, c.Name
	return nil
}

// normalizeTransformation validates one transformation, resolving connection names to ids.
func normalizeTransformation(tr *transformation, i int, flowType string, conns []connection) error {
	field := func(name string) string { return fmt.Sprintf("transformations[%d].%s", i, name) }
	if err := resolveConnection(conns, field("source.connectionId"), &tr.Source.ConnectionID, &tr.Source.Connection); err != nil {
		return err
	}
	if strings.TrimSpace(tr.Source.Object) == "" && strings.TrimSpace(tr.Source.SQL) == "" {
		return badRequest("Field '%s' or '%s' is required", field("source.object"), field("source.sql"))
	}
	tr.Source.Format = strings.ToUpper(tr.Source.Format)
	tr.Destination.Format = strings.ToUpper(tr.Destination.Format)
	for _, f := range []struct{ name, v string }{{"source.format", tr.Source.Format}, {"destination.format", tr.Destination.Format}} {
		if f.v != "" && f.v != "CSV" && f.v != "JSON" {
			return badRequest("Field '%s': unsupported format '%s'; use CSV or JSON", field(f.name), f.v)
		}
	}
	if flowType == "execute-sql" {
		if strings.TrimSpace(tr.Source.SQL) == "" {
			return badRequest("Field '%s' is required for an execute-sql flow", field("source.sql"))
		}
		if tr.Destination.ConnectionID != 0 || tr.Destination.Connection != "" {
			return badRequest("Field '%s' must be empty for an execute-sql flow", field("destination"))
		}
		tr.Mode = ""
	} else {
		err := resolveConnection(conns, field("destination.connectionId"), &tr.Destination.ConnectionID, &tr.Destination.Connection)
		if err != nil {
			return err
		}
		if strings.TrimSpace(tr.Destination.Object) == "" {
			return badRequest("Field '%s' is required", field("destination.object"))
		}
		switch tr.Mode {
		case "":
			tr.Mode = "append"
		case "replace", "append":
		default:
			return badRequest("Field '%s': unknown mode '%s'; use replace or append", field("mode"), tr.Mode)
		}
	}
	if strings.TrimSpace(tr.Name) == "" {
		tr.Name = defaultTransformationName(tr)
	}
	return nil
}

func connLabel(id int64, name string) string {
	if id != 0 {
		return fmt.Sprint(id)
	}
	return "'" + name + "'"
}

func defaultTransformationName(tr *transformation) string {
	from := tr.Source.Object
	if from == "" {
		from = "SQL"
	}
	if tr.Destination.Object == "" {
		return from
	}
	return from + " -> " + tr.Destination.Object
}

func normalizeMappings(f *flow) error {
	if f.Mappings == nil {
		f.Mappings = []mapping{}
	}
	for i, m := range f.Mappings {
		if !slices.ContainsFunc(f.Transformations, func(t transformation) bool { return t.Name == m.Transformation }) {
			return badRequest("Field 'mappings[%d].transformation': no transformation named '%s'", i, m.Transformation)
		}
		if m.Source == "" || m.Destination == "" {
			return badRequest("Field 'mappings[%d]': 'source' and 'destination' column names are required", i)
		}
	}
	return nil
}
