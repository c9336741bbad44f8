package resources

import (
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/etlworks/etlworks-mcp/sandbox"
)

// Completion covers every flow, not the first page of the list: a flow past the first 200 and
// past the former 5,000-row scan limit completes, and an empty prefix gives the best 100 values
// with the number of matches and hasMore.
func TestCompletionCoversEveryFlow(t *testing.T) {
	e := newEnvOn(t, sandbox.Options{RunStep: 10 * time.Millisecond, SeedFlows: 6000})
	complete := func(value string) *mcp.Completion {
		t.Helper()
		res, err := e.c.Complete(t.Context(), mcp.CompleteRequest{Params: mcp.CompleteParams{
			Ref:      mcp.ResourceReference{Type: "ref/resource", URI: "etlworks://flows/{flow}"},
			Argument: mcp.CompleteArgument{Name: "flow", Value: value},
		}})
		if err != nil {
			t.Fatalf("complete %q: %v", value, err)
		}
		return &res.Completion
	}
	for _, n := range []string{"00250", "05999"} { // the 262nd and the 6,011th flow
		got := complete(n)
		if len(got.Values) != 1 || !strings.HasSuffix(got.Values[0], " "+n) || got.Total != 1 || got.HasMore {
			t.Errorf("completion of %q: %+v", n, got)
		}
	}
	all := complete("")
	if len(all.Values) != maxCompletions || all.Total != 6012 || !all.HasMore {
		t.Fatalf("empty prefix: %d values, total %d, hasMore %v", len(all.Values), all.Total, all.HasMore)
	}
	if got := complete("Load orders from CSV"); len(got.Values) == 0 || got.Values[0] != "Load orders from CSV" {
		t.Fatalf("a demo flow among 6,012: %+v", got.Values)
	}
}
