package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// ID is a numeric Etlworks identifier. Etlworks documents ids as numbers but shows some (auditId)
// as strings, so ID decodes a JSON number, a numeric string or null (as 0).
type ID int64

// UnmarshalJSON accepts 42, "42" and null.
func (id *ID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) || len(b) == 0 {
		*id = 0
		return nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s == "" {
			*id = 0
			return nil
		}
		b = []byte(s)
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("id %s is not a whole number", b)
	}
	*id = ID(n)
	return nil
}

// Millis is an Etlworks timestamp: epoch milliseconds, 0 when absent.
type Millis int64

// Time converts the timestamp; the zero time when absent.
func (m Millis) Time() time.Time {
	if m == 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(m)).UTC()
}

// UnmarshalJSON accepts a number, a numeric string or null.
func (m *Millis) UnmarshalJSON(b []byte) error {
	var id ID
	if err := id.UnmarshalJSON(b); err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	*m = Millis(id)
	return nil
}

// RunCode is the integer status of a run request (FlowExecutionResponse.status). It is a different
// type from ExecutionStatus on purpose: Etlworks uses ints on run answers and strings on records.
type RunCode int

// Run codes documented by Etlworks; unknown codes are kept as they are.
const (
	RunStarted    RunCode = 0 // the run was queued or started
	RunRunning    RunCode = 1 // the flow is still running
	RunCanceled   RunCode = 2 // the run was canceled
	RunNotStarted RunCode = 3 // nothing ran: already running (without parallel), suspended, or not running when stopping
	RunSucceeded  RunCode = 4 // finished successfully
	RunFailed     RunCode = 5 // finished with an error
)

// String names the code as the Etlworks docs do.
func (c RunCode) String() string {
	switch c {
	case RunStarted:
		return "started"
	case RunRunning:
		return "running"
	case RunCanceled:
		return "canceled"
	case RunNotStarted:
		return "not started"
	case RunSucceeded:
		return "success"
	case RunFailed:
		return "error"
	}
	return "status " + strconv.Itoa(int(c))
}

// FlowExecution is Etlworks' FlowExecutionResponse, the answer to run and stop requests.
type FlowExecution struct {
	FlowID      ID      `json:"flowId"`
	MessageUUID string  `json:"messageUuid"`
	AuditID     ID      `json:"auditId"` // the run's id: poll Executions.Get with it
	Status      RunCode `json:"status"`
	Exception   string  `json:"exception"`
}

// ExecutionStatus is the status string of a run record (FlowAuditRecord.status).
type ExecutionStatus string

// Execution statuses documented by Etlworks.
const (
	StatusQueued   ExecutionStatus = "queued"
	StatusRunning  ExecutionStatus = "running"
	StatusSuccess  ExecutionStatus = "success"
	StatusWarning  ExecutionStatus = "warning"
	StatusError    ExecutionStatus = "error"
	StatusCanceled ExecutionStatus = "canceled"
)

// Terminal reports whether a run in this status will not change any more.
func (s ExecutionStatus) Terminal() bool {
	switch s {
	case StatusSuccess, StatusWarning, StatusError, StatusCanceled:
		return true
	}
	return false
}

// Execution is one run of a flow (Etlworks' FlowAuditRecord).
type Execution struct {
	AuditID       ID              `json:"auditId"`
	ParentAuditID ID              `json:"parentAuditId"`
	Retries       int             `json:"retries"`
	FlowID        ID              `json:"flowId"`
	FlowName      string          `json:"flowName"`
	EventID       ID              `json:"eventId"`
	EventName     string          `json:"eventName"`
	MessageID     string          `json:"messageId"`
	Status        ExecutionStatus `json:"status"`
	Started       Millis          `json:"started"`
	Ended         Millis          `json:"ended"`
	User          string          `json:"user"`
	Records       int64           `json:"records"`
	Exception     string          `json:"exception"`
}

// Duration is how long the run took, or has been running when it has not ended yet (measured
// against now).
func (e *Execution) Duration(now time.Time) time.Duration {
	if e.Started == 0 {
		return 0
	}
	end := now
	if e.Ended != 0 {
		end = e.Ended.Time()
	}
	if d := end.Sub(e.Started.Time()); d > 0 {
		return d
	}
	return 0
}

// FlowDocumentation is the platform's plain-English description of a flow.
type FlowDocumentation struct {
	Documentation string `json:"documentation"` // Markdown
	Diagram       string `json:"diagram"`       // HTML
}

// ListOptions pages a list endpoint. Zero values send nothing, leaving the server's defaults.
type ListOptions struct {
	Limit  int `query:"limit"` // at most 200 on Etlworks
	Offset int `query:"offset"`
}
