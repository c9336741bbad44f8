package tools

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/sandbox"
)

// BenchmarkGetFlowByName measures get_flow by the name of the last flow, through the MCP tool path
// (in-process MCP client, server, tool, client, sandbox over loopback HTTP), with the name index
// warm, at 12 (the demo tenant), 1,000 and 10,000 flows:
//
//	go test -run '^$' -bench 'GetFlowByName|NameIndexCold' -benchtime 2s ./tools
func BenchmarkGetFlowByName(b *testing.B) {
	for _, n := range []int{12, 1000, 10000} {
		b.Run(fmt.Sprintf("flows=%d", n), func(b *testing.B) {
			e := newEnvWithOptions(b, sandbox.Options{RunStep: 10 * time.Millisecond, SeedFlows: n - 12})
			name := lastFlowName(b, e.api, n)
			args := map[string]any{"flow": name}
			if got := e.ok("get_flow", args, nil); gjson.Get(got, "id").Int() != int64(n) {
				b.Fatalf("get_flow %q: %.200s", name, got) // also warms the index
			}
			for b.Loop() {
				if _, isErr := e.call("get_flow", args); isErr {
					b.Fatalf("get_flow %q failed", name)
				}
			}
		})
	}
}

// BenchmarkNameIndexCold measures building one credential's flow name index at 10,000 flows: a
// new client each time, so each iteration pages the whole list (50 pages of 200).
func BenchmarkNameIndexCold(b *testing.B) {
	const n = 10000
	sb, err := sandbox.Start(b.Context(), "", sandbox.Options{RunStep: 10 * time.Millisecond, SeedFlows: n - 12})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = sb.Close() })
	key := sb.Sandbox.Credentials().APIKey
	for b.Loop() {
		api, err := client.New(sb.URL, client.WithAPIKey(key))
		if err != nil {
			b.Fatal(err)
		}
		l, err := api.Names(context.Background(), client.KindFlow)
		if err != nil {
			b.Fatal(err)
		}
		if len(l.Entries) != n {
			b.Fatalf("index of %d entries, want %d", len(l.Entries), n)
		}
	}
}

// lastFlowName returns the name of flow id n (the last one seeded).
func lastFlowName(b *testing.B, api *client.Client, n int) string {
	raw, _, err := api.Flows.Get(b.Context(), int64(n))
	if err != nil {
		b.Fatal(err)
	}
	return gjson.GetBytes(raw, "name").String()
}
