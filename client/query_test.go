package client

import (
	"testing"
	"time"
)

func TestQueryOfSendsOnlySetFilters(t *testing.T) {
	on := false
	got := queryOf(&AuditListOptions{Method: "runFlow", From: time.UnixMilli(1700000000000), Exception: true,
		ListOptions: ListOptions{Limit: 50}}).Encode()
	if want := "exception=true&from=1700000000000&limit=50&method=runFlow"; got != want {
		t.Errorf("audit query = %q, want %q", got, want)
	}
	if got := queryOf(&ScheduleListOptions{FlowID: 7, Enabled: &on}).Encode(); got != "enabled=false&flowId=7" {
		t.Errorf("schedule query = %q", got)
	}
	if got := filtersOf(&FlowListOptions{Tag: "x", ListOptions: ListOptions{Limit: 10, Offset: 20}}).Encode(); got != "tag=x" {
		t.Errorf("filters = %q, want paging dropped", got)
	}
	var none *RecycleBinListOptions
	if got := queryOf(none).Encode(); got != "" {
		t.Errorf("nil options sent %q", got)
	}
	if got := queryOf(&ExecutionListOptions{FlowID: -1, To: time.Time{}}).Encode(); got != "" {
		t.Errorf("unset values sent %q", got)
	}
}
