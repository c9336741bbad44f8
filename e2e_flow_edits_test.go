package main

import (
	"strings"
	"testing"

	"github.com/etlworks/etlworks-mcp/sandbox"
)

// TestFlowTriggersAndSafeEditsBothProfiles runs issue 11's "what starts this flow" and "safe edits
// by path" through the binary over stdio, as a third-party MCP client would, on both sandbox
// profiles: triggers (listeners unchecked where the instance cannot list them), the settable paths,
// a mistyped key refused with the existing one named, and suspension with run_flow's answer.
func TestFlowTriggersAndSafeEditsBothProfiles(t *testing.T) {
	for _, profile := range []string{sandbox.ProfileExtended, sandbox.ProfileDocumented} {
		t.Run(profile, func(t *testing.T) {
			s := stdioSession(t, nil, "--sandbox", "--sandbox-profile", profile)
			s.t = t
			text := s.ok("get_flow", map[string]any{"flow": "Load orders from CSV"})
			if !strings.Contains(text, `"started_by":{`) || !strings.Contains(text, `Nightly warehouse refresh`) {
				t.Errorf("get_flow names no workflow that runs it: %s", text)
			}
			if documented := profile == sandbox.ProfileDocumented; documented != strings.Contains(text, "listeners: could not be checked") {
				t.Errorf("listeners unchecked only where the instance cannot list them (%s): %s", profile, text)
			}
			text = s.ok("explain_flow", map[string]any{"flow": "Nightly warehouse refresh"})
			if !strings.Contains(text, "- Scheduled: ") || !strings.Contains(text, "; next 20") {
				t.Errorf("explain_flow names no schedule with its next fire time: %s", text)
			}

			text = s.ok("get_flow", map[string]any{"flow": "Load orders from CSV", "paths": true})
			if !strings.Contains(text, `transformations[0].destination.object = \"orders\"`) {
				t.Errorf("paths: %s", text)
			}
			msg := s.fails("update_flow", map[string]any{"flow": "Load orders from CSV", "dry_run": true,
				"set": map[string]any{"transformations.0.destination.table": "orders_v2"}})
			if !strings.Contains(msg, `no key "table"`) || !strings.Contains(msg, "transformations[0].destination.object") {
				t.Errorf("a mistyped key must be refused with the existing one named: %s", msg)
			}

			s.ok("update_flow", map[string]any{"flow": "Export revenue report", "suspended": true})
			msg = s.fails("run_flow", map[string]any{"flow": "Export revenue report"})
			if !strings.Contains(msg, "is suspended") || !strings.Contains(msg, `"suspended":false`) {
				t.Errorf("run_flow on a suspended flow: %s", msg)
			}
			s.ok("update_flow", map[string]any{"flow": "Export revenue report", "suspended": false})
		})
	}
}
