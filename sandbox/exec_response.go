package sandbox

import "github.com/etlworks/etlworks-mcp/sandbox/internal/model"

// execResponse is the FlowExecutionResponse of run and stop.
type execResponse struct {
	FlowID      int64   `json:"flowId"`
	MessageUUID *string `json:"messageUuid"`
	AuditID     *int64  `json:"auditId"`
	Status      int     `json:"status"`
	Exception   *string `json:"exception"`
}

// FlowExecutionResponse status codes, as Etlworks documents them for a run or a stop.
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
	case model.StatusSuccess, model.StatusWarning:
		return codeSuccess
	case model.StatusError:
		return codeError
	case model.StatusCanceled:
		return codeCanceled
	case model.StatusRunning:
		return 1
	}
	return codeStarted
}
