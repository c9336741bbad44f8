package sandbox

import "github.com/etlworks/etlworks-mcp/sandbox/internal/model"

// The handlers and the store name the shared model (sandbox/internal/model, also used by the run
// engine, the demo seed and the documentation writer) by these short names, as they did before the
// model moved out; the aliases add no type of their own.
type (
	flow           = model.Flow
	flowDefinition = model.FlowDefinition
	connectionRef  = model.ConnectionRef
	transformation = model.Transformation
	source         = model.Source
	destination    = model.Destination
	mapping        = model.Mapping
	nestedFlow     = model.NestedFlow
	connection     = model.Connection
	execution      = model.Execution
)
