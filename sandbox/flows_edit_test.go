package sandbox

import (
	"net/http"
	"strings"
	"testing"

	"github.com/etlworks/etlworks-mcp/sandbox/internal/model"
)

// TestFlowEditFixesRollup edits the SQL inside "Daily revenue rollup" through PUT: the next run,
// which failed on amount_usd, succeeds.
func TestFlowEditFixesRollup(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	if e := h.wait(2, h.run(2, "", nil)); e.Status != model.StatusError || !strings.Contains(strPtr(e.Exception), "amount_usd") {
		t.Fatalf("the seeded rollup should fail on amount_usd: %+v", e)
	}
	var f flow
	h.ok("GET", "/rest/v1/flows/2", nil, &f)
	f.Transformations[0].Source.SQL = strings.ReplaceAll(f.Transformations[0].Source.SQL, "amount_usd", "amount")
	var updated flow
	h.ok("PUT", "/rest/v1/flows/2", f, &updated)
	if strings.Contains(updated.Transformations[0].Source.SQL, "amount_usd") || updated.CreatedAt != f.CreatedAt {
		t.Fatalf("updated = %+v", updated.Transformations[0].Source)
	}
	e := h.wait(2, h.run(2, "", nil))
	if e.Status != model.StatusSuccess || e.Records == 0 {
		t.Errorf("run after the fix = %+v", e)
	}
	recs := h.auditOf("method=editFlow&object=flow:2&user=alice")
	if len(recs) != 1 || !strings.Contains(string(recs[0].Payload), `"changed":["transformations"]`) {
		t.Errorf("edit audit = %+v", recs)
	}

	// Validation names the field inside the transformation.
	f.Transformations[0].Source.SQL, f.Transformations[0].Source.Object = "", ""
	eb := wantError(t, h.call("PUT", "/rest/v1/flows/2", h.key, f), http.StatusBadRequest, "/rest/v1/flows/2")
	if !strings.Contains(eb.Message, "transformations[0].source.object") {
		t.Errorf("message %q does not name the field", eb.Message)
	}
}
