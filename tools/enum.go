package tools

import (
	"slices"
	"strings"

	"github.com/invopop/jsonschema"
)

// choices is a set of allowed values, declared once as a method of an empty type so that the
// schema and binding cannot drift apart.
type choices interface{ values() []string }

// choice is a string parameter limited to the values of S: its schema's "enum" is S's values
// (JSONSchemaExtend, read by the one reflector) and bind rejects anything else with the allowed
// list, through the same schema. "" means the parameter was left out.
type choice[S choices] string

// JSONSchemaExtend puts S's values in the parameter's schema.
func (choice[S]) JSONSchemaExtend(s *jsonschema.Schema) {
	var set S
	s.Enum = nil
	for _, v := range set.values() {
		s.Enum = append(s.Enum, v)
	}
}

// checkEnums rejects a string argument outside its property's enum, listing the allowed values.
func checkEnums(obj map[string]any, schema inputSchema) error {
	for _, name := range schema.fields { // sorted, so the first bad value named is always the same
		allowed := schema.enums[name]
		v, ok := obj[name].(string)
		if len(allowed) == 0 || !ok || v == "" || slices.Contains(allowed, v) {
			continue
		}
		return badInput("%q must be one of %s, got %q", name, strings.Join(allowed, ", "), v)
	}
	return nil
}

// runStatuses are the run states list_runs filters by.
type runStatuses struct{}

func (runStatuses) values() []string {
	return []string{"queued", "running", "success", "warning", "error", "canceled"}
}

// runGroupings are list_runs' group_by values: one row per flow.
type runGroupings struct{}

func (runGroupings) values() []string { return []string{"flow"} }

// logLevels are get_run_log's minimum levels.
type logLevels struct{}

func (logLevels) values() []string { return []string{"error", "warning"} }

// auditResults are the outcomes search_audit filters by.
type auditResults struct{}

func (auditResults) values() []string { return []string{"success", "error"} }

// connectorCategories are the categories list_connector_types filters by.
type connectorCategories struct{}

func (connectorCategories) values() []string {
	return []string{"database", "file", "api", "queue", "saas"}
}

// objectTypes are the kinds of object list_objects filters by.
type objectTypes struct{}

func (objectTypes) values() []string { return []string{"table", "view", "endpoint", "file", "dataset"} }

// binTypes are the kinds of object the recycle bin keeps.
type binTypes struct{}

func (binTypes) values() []string {
	return []string{"flow", "connection", "listener", "format", "agent", "schedule"}
}

// webhookMethods are the HTTP methods a webhook may call its URL with.
type webhookMethods struct{}

func (webhookMethods) values() []string { return []string{"POST", "GET"} }
