package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// RunningTask is one task of a running flow, as the running-tasks API (GET
// /etl/rest/v1/tasks/{auditId}/, under the server root, not /rest) shows it: live records processed and
// latency, which CDC and streaming flows report while they run. The documented record is cut after
// recordsProcessed; later fields are ignored.
type RunningTask struct {
	RequestID        string `json:"requestId"`
	Owner            string `json:"owner"`
	Name             string `json:"name"`
	Started          Millis `json:"started"`
	Duration         int64  `json:"duration"`
	Code             string `json:"code"`
	Type             string `json:"type"`
	Latency          int64  `json:"latency"`
	MaxLatency       int64  `json:"maxLatency"`
	MinLatency       int64  `json:"minLatency"`
	AvgLatency       int64  `json:"avgLatency"`
	RecordsProcessed int64  `json:"recordsProcessed"`
}

// TaskTypes are the documented values of the running-tasks API's type parameter.
var TaskTypes = []string{"stream", "extract", "load", "task", "hwm"}

// RunningTasks returns the tasks of type taskType of a running run: (root)
// GET /etl/rest/v1/tasks/{auditId}/?type=… (documented; Administrator).
func (s *ExecutionsService) RunningTasks(ctx context.Context, auditID int64, taskType string) ([]RunningTask, *Response, error) {
	r := &request{method: http.MethodGet, path: "etl/rest/v1/tasks/" + itoa(auditID) + "/", atRoot: true,
		query: url.Values{"type": {taskType}}}
	raw, resp, err := s.client.doRaw(ctx, r)
	if err != nil {
		return nil, resp, err
	}
	rows, _, err := normalizeList(raw)
	if err != nil {
		return nil, resp, fmt.Errorf("client: GET etl/rest/v1/tasks: %w", err)
	}
	out := []RunningTask{}
	if err := json.Unmarshal(rows, &out); err != nil {
		return nil, resp, fmt.Errorf("client: GET etl/rest/v1/tasks: %w", err)
	}
	return out, resp, nil
}
