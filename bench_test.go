package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/sandbox"
)

// Benchmarks for the figures the README and issue notes report. Run them with
//
//	go test -run '^$' -bench . -benchtime 20x .
//
// They measure; they assert nothing about speed (machines are noisy).

// BenchmarkColdStart measures spawning the binary until its initialize response, against a remote
// Etlworks URL (never contacted at start-up) and with the embedded sandbox (which seeds a tenant).
func BenchmarkColdStart(b *testing.B) {
	for _, mode := range []struct {
		name string
		args []string
		env  []string
	}{
		{"remote", nil, []string{"ETLWORKS_URL=http://127.0.0.1:9/rest", "ETLWORKS_API_KEY=bench"}},
		{"sandbox", []string{"--sandbox"}, nil},
	} {
		b.Run(mode.name, func(b *testing.B) {
			var samples []time.Duration
			for b.Loop() {
				samples = append(samples, coldStart(b, mode.args, mode.env))
			}
			reportPercentiles(b, samples)
		})
	}
}

func coldStart(b *testing.B, args, env []string) time.Duration {
	cmd := exec.Command(binary, args...)
	cmd.Env = append([]string{"HOME=" + b.TempDir()}, env...)
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	io.WriteString(in, `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}`+"\n")
	line, err := bufio.NewReader(out).ReadString('\n')
	elapsed := time.Since(start)
	if err != nil || !strings.Contains(line, `"serverInfo"`) {
		b.Fatalf("no initialize response: %v %q", err, line)
	}
	in.Close()
	cmd.Wait()
	return elapsed
}

// BenchmarkGetFlow compares get_flow through the whole stack (MCP over stdio to the binary, the
// client, the sandbox) with a direct GET of the same flow from the client. The two alternate, one
// of each per iteration, so both see the machine in the same state (a call spaced from the last,
// as an assistant's are, rather than a tight loop of GETs alone); it reports each p50 and p95 and
// the p50 overhead, what MCP adds to the REST work.
func BenchmarkGetFlow(b *testing.B) {
	c, err := mcpclient.NewStdioMCPClient(binary, []string{"HOME=" + b.TempDir()}, "--sandbox")
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.Start(ctx); err != nil {
		b.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_LEGACY_PROTOCOL_VERSION
	if _, err := c.Initialize(ctx, init); err != nil {
		b.Fatal(err)
	}
	api := sandboxClient(b)
	req := mcp.CallToolRequest{}
	req.Params.Name = "get_flow"
	req.Params.Arguments = map[string]any{"flow": "Load orders from CSV"}
	var overMCP, direct []time.Duration
	for b.Loop() {
		start := time.Now()
		res, err := c.CallTool(ctx, req)
		overMCP = append(overMCP, time.Since(start))
		if err != nil || res.IsError {
			b.Fatalf("get_flow: %v %+v", err, res)
		}
		start = time.Now()
		if _, _, err := api.Flows.Get(ctx, 1); err != nil {
			b.Fatal(err)
		}
		direct = append(direct, time.Since(start))
	}
	m, d := median(overMCP), median(direct)
	b.ReportMetric(ms(m), "mcp-p50-ms")
	b.ReportMetric(ms(percentile(overMCP, 0.95)), "mcp-p95-ms")
	b.ReportMetric(ms(d), "get-p50-ms")
	b.ReportMetric(ms(percentile(direct, 0.95)), "get-p95-ms")
	b.ReportMetric(ms(m-d), "overhead-p50-ms")
}

// BenchmarkGetFlowRESTWork times, from the client, the REST requests one warm get_flow by name
// makes (the name from the credential's index, confirmed by the flow's GET, then the schedules and
// the listeners that say what starts it; the workflows nesting it come from the flow index), one
// after another: the Etlworks work under the tool, without MCP.
func BenchmarkGetFlowRESTWork(b *testing.B) {
	api := sandboxClient(b)
	ctx := context.Background()
	keep := func(json.RawMessage) bool { return true }
	var samples []time.Duration
	for b.Loop() {
		start := time.Now()
		n, err := api.Resolve(ctx, client.KindFlow, "Load orders from CSV")
		if err == nil && !n.Full {
			_, _, err = api.Flows.Get(ctx, n.ID)
		}
		if err == nil {
			_, err = api.Schedules.Scan(ctx, &client.ScheduleListOptions{FlowID: n.ID}, keep)
		}
		if err == nil {
			_, err = api.Listeners.Scan(ctx, &client.ListenerListOptions{FlowID: n.ID}, keep)
		}
		if err != nil {
			b.Fatal(err)
		}
		samples = append(samples, time.Since(start))
	}
	reportPercentiles(b, samples)
}

// sandboxClient starts an in-process sandbox for the benchmark and returns a client of it with the
// demo key; the sandbox stops when the benchmark ends.
func sandboxClient(b *testing.B) *client.Client {
	b.Helper()
	sb, err := sandbox.Start(context.Background(), "", sandbox.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sb.Close() })
	api, err := client.New(sb.URL, client.WithAPIKey(sb.Sandbox.Credentials().APIKey))
	if err != nil {
		b.Fatal(err)
	}
	return api
}

// reportPercentiles adds p50 and p95 (milliseconds) to the benchmark output.
func reportPercentiles(b *testing.B, samples []time.Duration) {
	if len(samples) == 0 {
		return
	}
	b.ReportMetric(ms(percentile(samples, 0.50)), "p50-ms")
	b.ReportMetric(ms(percentile(samples, 0.95)), "p95-ms")
}

// percentile is the sample at fraction p (0 to 1) of the sorted samples.
func percentile(samples []time.Duration, p float64) time.Duration {
	s := slices.Clone(samples)
	slices.Sort(s)
	return s[int(p*float64(len(s)-1))]
}
