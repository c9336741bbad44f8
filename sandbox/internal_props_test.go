package sandbox

import (
	"fmt"
	"strings"
	"testing"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// TestInternalPropertiesHidden checks that the x-standin-* properties steering the sandbox never
// appear in what the API shows, and survive a client writing the flow back without them.
func TestInternalPropertiesHidden(t *testing.T) {
	h := newHarness(t, Options{})
	id := h.flowID("Legacy FTP order import")
	path := fmt.Sprintf("/rest/v1/flows/%d", id)
	for _, p := range []string{path, "/rest/v1/flows?limit=200", fmt.Sprintf("/rest/v1/flows/%d/documentation", id)} {
		if body := string(h.ok("GET", p, nil, nil).body); strings.Contains(body, model.InternalPrefix) {
			t.Errorf("GET %s shows internal properties: %s", p, body)
		}
	}
	// An edit that sends back what GET showed keeps the configured outcome.
	var f map[string]any
	h.ok("GET", path, nil, &f)
	f["description"] = "edited"
	if body := string(h.ok("PUT", path, f, nil).body); strings.Contains(body, model.InternalPrefix) {
		t.Errorf("PUT answer shows internal properties: %s", body)
	}
	h.ok("POST", path+"/resume", nil, nil)
	run := h.wait(id, h.run(id, "", nil))
	if run.Status != "error" || !strings.Contains(h.logOf(id, run.AuditID), "ftp.acme-legacy.example") {
		t.Errorf("after an edit the flow lost its configured failure: %+v", run)
	}
	// Deleted, the flow's recycle-bin item hides them too.
	var del deleteResponse
	h.ok("DELETE", path, nil, &del)
	item := fmt.Sprintf("/rest/v1/recycle-bin/%d", del.RecycleBinID)
	body := string(h.ok("GET", item, nil, nil).body)
	if strings.Contains(body, model.InternalPrefix) || !strings.Contains(body, "edited") {
		t.Errorf("recycle-bin item shows internal properties, or not the flow: %s", body)
	}
}
