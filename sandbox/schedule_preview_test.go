package sandbox

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestSchedulePreview(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	var out struct {
		Schedule string  `json:"schedule"`
		NextRuns []int64 `json:"nextRuns"`
	}
	h.ok("POST", "/rest/v1/schedules/preview", map[string]string{"schedule": "0 0 9 ? * MON"}, &out)
	if len(out.NextRuns) != 3 {
		t.Fatalf("want 3 fire times, got %v", out.NextRuns)
	}
	prev := time.Now()
	for _, ms := range out.NextRuns {
		at := time.UnixMilli(ms).UTC()
		if at.Weekday() != time.Monday || at.Hour() != 9 || at.Minute() != 0 || !at.After(prev) {
			t.Errorf("fire time %s does not follow \"0 0 9 ? * MON\"", at)
		}
		prev = at
	}
	before := h.ok("GET", "/rest/v1/schedules", nil, nil)
	res := h.call("POST", "/rest/v1/schedules/preview", h.key, map[string]string{"schedule": "0 61 * * * ?"})
	if res.status != http.StatusBadRequest || !strings.Contains(string(res.body), "61") {
		t.Fatalf("invalid expression: %d %s", res.status, res.body)
	}
	if after := h.ok("GET", "/rest/v1/schedules", nil, nil); string(after.body) != string(before.body) {
		t.Fatal("a preview changed the schedules")
	}
}
