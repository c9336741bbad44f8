package tools

import (
	"context"
	"fmt"
	"time"

	"github.com/etlworks/etlworks-mcp/client"
)

// nextRunAfter says how the flow's next run after run went, from run history: the next scheduled
// run when there is one, else the next run at all. healed is true when it succeeded, false when it
// failed, nil when there is none yet or the history could not be read.
func nextRunAfter(ctx context.Context, c *client.Client, run *client.Execution) (string, *bool) {
	if run.Started == 0 {
		return "", nil
	}
	h, err := c.Executions.History(ctx, client.HistoryOptions{FlowID: int64(run.FlowID), Since: run.Started.Time().Add(time.Millisecond), Limit: 50})
	if err != nil {
		return "the runs after it could not be read: " + describeError(err), nil
	}
	var next, nextScheduled *client.Execution
	for i := range h.Runs { // newest first
		r := &h.Runs[i]
		if r.AuditID == run.AuditID || r.Started <= run.Started {
			continue
		}
		next = r
		if r.EventID != 0 {
			nextScheduled = r
		}
	}
	which := "the next scheduled"
	if nextScheduled != nil {
		next = nextScheduled
	} else {
		which = "the next"
	}
	if next == nil {
		return "no run has started since this one", nil
	}
	head := fmt.Sprintf("%s run %d (%s)", which, int64(next.AuditID), next.Started.Time().UTC().Format(time.RFC3339))
	ok, failed := true, false
	switch next.Status {
	case client.StatusSuccess:
		return fmt.Sprintf("%s succeeded with %d records", head, next.Records), &ok
	case client.StatusWarning:
		return head + " succeeded with warnings", &ok
	case client.StatusError:
		return head + " failed too: " + clip(redact(firstLine(next.Exception)), 160), &failed
	}
	return fmt.Sprintf("%s is %s", head, next.Status), nil
}

// transientStep is the advice for a transient failure, given how the next run went.
func transientStep(flowID int64, healed *bool) string {
	retry := fmt.Sprintf(`{"tool":"run_flow","arguments":{"flow":%d,"wait":true}}`, flowID)
	switch {
	case healed != nil && *healed:
		return "nothing to fix: the next run succeeded. If it recurs, spread the schedules that use the same service or lower their parallelism"
	case healed != nil:
		return "it failed again, so it is not passing: check the service's limits and status, lower the flow's request rate, then retry with " + retry
	}
	return "retry with " + retry + "; if it recurs, spread the schedules that use the same service"
}
