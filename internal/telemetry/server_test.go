package telemetry

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

func TestServeMetrics(t *testing.T) {
	t.Parallel()
	m := NewMetrics()
	m.ToolCalls.WithLabelValues("get_flow", OutcomeOK).Inc()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, err := ServeMetrics(ctx, "127.0.0.1:0", m, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + addr.String() + MetricsPath)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `etlworks_mcp_tool_calls_total{outcome="ok",tool="get_flow"} 1`) {
		t.Errorf("%d\n%s", resp.StatusCode, body)
	}
	resp, err = http.Get("http://" + addr.String() + "/mcp")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("/mcp on the metrics port: %d", resp.StatusCode)
	}
	if _, err := ServeMetrics(ctx, addr.String(), m, slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "metrics: listen") {
		t.Errorf("second listener on the same port: %v", err)
	}
}
