// Package model is the sandbox's shared vocabulary: the JSON shapes it serves (flows, connections,
// executions, as ARCHITECTURE.md "Data shapes the tools rely on" shows them), the execution
// statuses, the connection types and property keys the engine understands, and the internal flow
// properties that steer simulated connectors. The HTTP API, the store, the run engine, the demo
// seed and the documentation writer all speak it, which is why it is a package of its own. Only
// sandbox and its internal packages can import it; the wire format, not these types, is the
// contract with clients.
package model

import "errors"

// ErrNotFound is returned by the sandbox's store lookups that match no row; the engine and the
// seed, which reach the store through interfaces, test for it with errors.Is.
var ErrNotFound = errors.New("not found")

// Flow is the Etlworks flow object (GET /v1/flows/{id}); list rows have the same shape.
type Flow struct {
	ID              int64             `json:"id"`
	Name            string            `json:"name"`
	Description     string            `json:"description"`
	FlowType        string            `json:"flowType"`
	Properties      map[string]string `json:"properties"`
	Tags            []string          `json:"tags"`
	Connections     []ConnectionRef   `json:"connections"`
	Transformations []Transformation  `json:"transformations"`
	Mappings        []Mapping         `json:"mappings"`
	NestedFlows     []NestedFlow      `json:"nestedFlows"`
	Suspended       bool              `json:"suspended"`
	CreatedAt       int64             `json:"createdAt"`
	UpdatedAt       int64             `json:"updatedAt"`
	LastRunStatus   *string           `json:"lastRunStatus"`
	LastRunAt       *int64            `json:"lastRunAt"`
}

// FlowDefinition is the part of a flow kept as one JSON document in the flows table; the columns
// beside it (name, type, tags, suspended) are the ones the list endpoint filters on.
type FlowDefinition struct {
	Properties      map[string]string `json:"properties"`
	Transformations []Transformation  `json:"transformations"`
	Mappings        []Mapping         `json:"mappings"`
	NestedFlows     []NestedFlow      `json:"nestedFlows"`
}

// ConnectionRef names a connection a flow uses; the list is derived from the transformations.
type ConnectionRef struct {
	ID             int64  `json:"id"`
	Name           string `json:"name"`
	ConnectionType string `json:"connectionType"`
}

// Transformation is one source → destination step of a flow.
type Transformation struct {
	Name        string      `json:"name"`
	Source      Source      `json:"source"`
	Destination Destination `json:"destination"`
	Mode        string      `json:"mode"`
	Enabled     bool        `json:"enabled"`
}

// Source says where a transformation reads: a file (object + format), a table (object) or a query (sql).
type Source struct {
	ConnectionID int64  `json:"connectionId"`
	Connection   string `json:"connection"`
	Object       string `json:"object"`
	Format       string `json:"format"`
	SQL          string `json:"sql"`
}

// Destination says where a transformation writes. Format only matters for file destinations.
type Destination struct {
	ConnectionID int64  `json:"connectionId"`
	Connection   string `json:"connection"`
	Object       string `json:"object"`
	Format       string `json:"format,omitempty"`
}

// Mapping renames a source column on its way to the destination of one transformation.
type Mapping struct {
	Transformation string `json:"transformation"`
	Source         string `json:"source"`
	Destination    string `json:"destination"`
}

// NestedFlow is one step of a nested workflow; steps run in ascending order.
type NestedFlow struct {
	FlowID int64  `json:"flowId"`
	Name   string `json:"name"`
	Order  int    `json:"order"`
}

// Connection is a stored connection with its properties, secrets included. It never leaves the
// sandbox unmasked; flows only expose ConnectionRef.
type Connection struct {
	ID             int64             `json:"id"`
	Name           string            `json:"name"`
	Description    string            `json:"description"`
	ConnectionType string            `json:"connectionType"`
	Properties     map[string]string `json:"properties"`
	Tags           []string          `json:"tags"`
	CreatedAt      int64             `json:"createdAt"`
	UpdatedAt      int64             `json:"updatedAt"`
}

// Execution is the FlowAuditRecord of one run (GET /v1/executions/{flowId}).
type Execution struct {
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

// AuditEvent is one entry of the audit trail as the engine and the seeded history produce it;
// the state database adds the id and derives the object it names from Method and Payload.
type AuditEvent struct {
	Method    string // camelCase verb+noun, e.g. runFlow, editFlow
	User      string
	Tenant    string
	OK        bool
	Payload   map[string]any // flow, audit id, status, records, masked parameters, trigger
	Exception string         // "" = none
	HostIP    string
	ClientIP  string
	Duration  int64 // ms
	Started   int64 // epoch ms
}

// Execution status strings of a FlowAuditRecord.
const (
	StatusQueued   = "queued"
	StatusRunning  = "running"
	StatusSuccess  = "success"
	StatusWarning  = "warning"
	StatusError    = "error"
	StatusCanceled = "canceled"
)

// IsTerminal reports whether a run in this status will not change again.
func IsTerminal(status string) bool {
	switch status {
	case StatusSuccess, StatusWarning, StatusError, StatusCanceled:
		return true
	}
	return false
}
