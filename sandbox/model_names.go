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

// Execution statuses (model.Status*).
const (
	statusQueued   = model.StatusQueued
	statusRunning  = model.StatusRunning
	statusSuccess  = model.StatusSuccess
	statusWarning  = model.StatusWarning
	statusError    = model.StatusError
	statusCanceled = model.StatusCanceled
)

// Connection types the engine executes, and connection property keys (model.Type*, model.Prop*).
const (
	typeSQLite    = model.TypeSQLite
	typeLocalFile = model.TypeLocalFile

	propDatabase = model.PropDatabase
	propFolder   = model.PropFolder
	propUser     = model.PropUser
	propPassword = model.PropPassword
	propHost     = model.PropHost
	propURL      = model.PropURL
	propBucket   = model.PropBucket
)

// Flow properties that steer simulated connectors (model.Prop*), and the flow types validation quotes.
const (
	propOutcome    = model.PropOutcome
	propRecords    = model.PropRecords
	propError      = model.PropError
	propWarning    = model.PropWarning
	knownFlowTypes = model.KnownFlowTypes
)
