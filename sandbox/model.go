package sandbox

// The JSON shapes the sandbox serves. They follow ARCHITECTURE.md ("Data shapes the tools rely on") and
// the public Etlworks API documentation; the types stay unexported because only the wire format is a
// contract.

// flow is the Etlworks flow object (GET /v1/flows/{id}); list rows have the same shape.
type flow struct {
	ID              int64             `json:"id"`
	Name            string            `json:"name"`
	Description     string            `json:"description"`
	FlowType        string            `json:"flowType"`
	Properties      map[string]string `json:"properties"`
	Tags            []string          `json:"tags"`
	Connections     []connectionRef   `json:"connections"`
	Transformations []transformation  `json:"transformations"`
	Mappings        []mapping         `json:"mappings"`
	NestedFlows     []nestedFlow      `json:"nestedFlows"`
	Suspended       bool              `json:"suspended"`
	CreatedAt       int64             `json:"createdAt"`
	UpdatedAt       int64             `json:"updatedAt"`
	LastRunStatus   *string           `json:"lastRunStatus"`
	LastRunAt       *int64            `json:"lastRunAt"`
}

// flowDefinition is the part of a flow kept as one JSON document in the flows table; the columns
// beside it (name, type, tags, suspended) are the ones the list endpoint filters on.
type flowDefinition struct {
	Properties      map[string]string `json:"properties"`
	Transformations []transformation  `json:"transformations"`
	Mappings        []mapping         `json:"mappings"`
	NestedFlows     []nestedFlow      `json:"nestedFlows"`
}

// connectionRef names a connection a flow uses; the list is derived from the transformations.
type connectionRef struct {
	ID             int64  `json:"id"`
	Name           string `json:"name"`
	ConnectionType string `json:"connectionType"`
}

// transformation is one source → destination step of a flow.
type transformation struct {
	Name        string      `json:"name"`
	Source      source      `json:"source"`
	Destination destination `json:"destination"`
	Mode        string      `json:"mode"`
	Enabled     bool        `json:"enabled"`
}

// source says where a transformation reads: a file (object + format), a table (object) or a query (sql).
type source struct {
	ConnectionID int64  `json:"connectionId"`
	Connection   string `json:"connection"`
	Object       string `json:"object"`
	Format       string `json:"format"`
	SQL          string `json:"sql"`
}

// destination says where a transformation writes. Format only matters for file destinations.
type destination struct {
	ConnectionID int64  `json:"connectionId"`
	Connection   string `json:"connection"`
	Object       string `json:"object"`
	Format       string `json:"format,omitempty"`
}

// mapping renames a source column on its way to the destination of one transformation.
type mapping struct {
	Transformation string `json:"transformation"`
	Source         string `json:"source"`
	Destination    string `json:"destination"`
}

// nestedFlow is one step of a nested workflow; steps run in ascending order.
type nestedFlow struct {
	FlowID int64  `json:"flowId"`
	Name   string `json:"name"`
	Order  int    `json:"order"`
}

// connection is a stored connection with its properties, secrets included. It never leaves the
// sandbox unmasked; flows only expose connectionRef.
type connection struct {
	ID             int64             `json:"id"`
	Name           string            `json:"name"`
	Description    string            `json:"description"`
	ConnectionType string            `json:"connectionType"`
	Properties     map[string]string `json:"properties"`
	Tags           []string          `json:"tags"`
	CreatedAt      int64             `json:"createdAt"`
	UpdatedAt      int64             `json:"updatedAt"`
}

// execution is the FlowAuditRecord of one run (GET /v1/executions/{flowId}).
type execution struct {
	AuditID       int64   `json:"auditId"`
	ParentAuditID *int64  `json:"parentAuditId"`
	Retries       *int64  `json:"retries"`
	FlowID        int64   `json:"flowId"`
	FlowName      string  `json:"flowName"`
	EventID       *int64  `json:"eventId"`
	EventName     *string `json:"eventName"`
	MessageID     *string `json:"messageId"`
	Status        string  `json:"status"`
	Started       int64   `json:"started"`
	Ended         *int64  `json:"ended"`
	User          string  `json:"user"`
	Records       int64   `json:"records"`
	Exception     *string `json:"exception"`
}

// Execution status strings of a FlowAuditRecord.
const (
	statusQueued   = "queued"
	statusRunning  = "running"
	statusSuccess  = "success"
	statusWarning  = "warning"
	statusError    = "error"
	statusCanceled = "canceled"
)

// isTerminal reports whether a run in this status will not change again.
func isTerminal(status string) bool {
	switch status {
	case statusSuccess, statusWarning, statusError, statusCanceled:
		return true
	}
	return false
}

// execResponse is the FlowExecutionResponse of run and stop.
type execResponse struct {
	FlowID      int64   `json:"flowId"`
	MessageUUID *string `json:"messageUuid"`
	AuditID     *int64  `json:"auditId"`
	Status      int     `json:"status"`
	Exception   *string `json:"exception"`
}

// FlowExecutionResponse status codes.
const (
	codeStarted    = 0
	codeCanceled   = 2
	codeNotStarted = 3
	codeSuccess    = 4
	codeError      = 5
)

// responseCode maps a terminal execution status to the int code of a sync run response.
func responseCode(status string) int {
	switch status {
	case statusSuccess, statusWarning:
		return codeSuccess
	case statusError:
		return codeError
	case statusCanceled:
		return codeCanceled
	case statusRunning:
		return 1
	}
	return codeStarted
}

// ptr returns a pointer to v; the JSON shapes use pointers for nullable fields.
func ptr[T any](v T) *T { return &v }
