package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestRunStatisticsEndToEnd: through the real binary over stdio, on both sandbox profiles, a
// week's run statistics fit in 2 KB and name the failing flows' top errors, and a warning run's
// first warning is in its list_runs row and in get_run_log level warning.
func TestRunStatisticsEndToEnd(t *testing.T) {
	for _, profile := range []string{"documented", "extended"} {
		t.Run(profile, func(t *testing.T) {
			s := stdioSession(t, nil, "--sandbox", "--sandbox-profile", profile)
			text, isErr := s.call("list_runs", map[string]any{"group_by": "flow", "since": "7d"}, false)
			if isErr || len(text) >= 2048 || !strings.Contains(text, `"flow":"Sync CRM customers"`) || !strings.Contains(text, "Authentication failed") {
				t.Fatalf("list_runs group_by flow (%d bytes): %s", len(text), text)
			}
			text, isErr = s.call("list_runs", map[string]any{"flow": "Import Shopify orders", "status": "warning", "limit": 1}, false)
			var page struct {
				Items []struct {
					ID      int64  `json:"id"`
					Warning string `json:"warning"`
				} `json:"items"`
			}
			if err := json.Unmarshal([]byte(text), &page); isErr || err != nil || len(page.Items) != 1 || page.Items[0].Warning == "" {
				t.Fatalf("a warning run's row carries its first warning: %s", text)
			}
			text, isErr = s.call("get_run_log", map[string]any{"flow": "Import Shopify orders", "run_id": page.Items[0].ID, "level": "warning"}, false)
			if isErr || !strings.Contains(text, "orders were skipped") {
				t.Fatalf("get_run_log level warning: %s", text)
			}
		})
	}
}
