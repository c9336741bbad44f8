package prompts

import (
	"context"
	"strings"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/etlworks/etlworks-mcp/client"
	"github.com/etlworks/etlworks-mcp/sandbox"
)

func newClient(t *testing.T) *mcpclient.Client {
	t.Helper()
	sb, err := sandbox.Start(t.Context(), "", sandbox.Options{RunStep: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	api, err := client.New(sb.URL, client.WithAPIKey(sb.Sandbox.Credentials().APIKey))
	if err != nil {
		t.Fatal(err)
	}
	diagnose := func(ctx context.Context, flow string, run int64) (string, error) {
		return `{"verdict":"run ended with status error","cause":{"category":"SQL"}}`, nil
	}
	srv := server.NewMCPServer("test", "1", server.WithPromptCapabilities(true))
	Register(srv, All(Deps{Client: api, Diagnose: diagnose}))
	c, err := mcpclient.NewInProcessClient(srv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_LEGACY_PROTOCOL_VERSION
	if _, err := c.Initialize(t.Context(), init); err != nil {
		t.Fatal(err)
	}
	return c
}

func get(t *testing.T, c *mcpclient.Client, name string, args map[string]string) (string, error) {
	t.Helper()
	res, err := c.GetPrompt(t.Context(), mcp.GetPromptRequest{Params: mcp.GetPromptParams{Name: name, Arguments: args}})
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, m := range res.Messages {
		switch content := m.Content.(type) {
		case mcp.TextContent:
			b.WriteString(content.Text)
		case mcp.EmbeddedResource:
			if r, ok := content.Resource.(mcp.TextResourceContents); ok {
				b.WriteString(r.Text)
			}
		}
		b.WriteString("\n")
	}
	return b.String(), nil
}

func TestPrompts(t *testing.T) {
	c := newClient(t)
	cases := []struct {
		name  string
		args  map[string]string
		wants []string
	}{
		{"diagnose_failed_run", map[string]string{"flow": "Daily revenue rollup"}, []string{"Root cause", `"category":"SQL"`, "Daily revenue rollup"}},
		{"diagnose_failed_run", map[string]string{"flow": "2", "run": "latest"}, []string{"Evidence"}},
		{"explain_flow", map[string]string{"flow": "Load orders from CSV"}, []string{"never seen it", "orders.csv", "run "}},
		{"fix_pipeline", map[string]string{"flow": "Sync CRM customers"}, []string{"diagnose_run", "dry_run", "run_flow", "Verify"}},
		{"daily_health_check", nil, []string{"## Failed runs", "Daily revenue rollup", "## Paused schedules", "## Changes"}},
		{"daily_health_check", map[string]string{"since": "7d"}, []string{"## Slow runs"}},
		{"review_schedules", nil, []string{"Overlaps", "Never firing", "|"}},
	}
	for _, tc := range cases {
		text, err := get(t, c, tc.name, tc.args)
		if err != nil {
			t.Errorf("%s %v: %v", tc.name, tc.args, err)
			continue
		}
		for _, w := range tc.wants {
			if !strings.Contains(text, w) {
				t.Errorf("%s %v lacks %q:\n%.800s", tc.name, tc.args, w, text)
			}
		}
	}
}

func TestPromptErrors(t *testing.T) {
	c := newClient(t)
	for _, tc := range []struct {
		name string
		args map[string]string
		want string
	}{
		{"diagnose_failed_run", nil, `argument "flow" is required`},
		{"explain_flow", map[string]string{"flow": "Load ordrs from CSV"}, `flow "Load ordrs from CSV" not found; closest: "Load orders from CSV"`},
		{"diagnose_failed_run", map[string]string{"flow": "1", "run": "yesterday"}, `"run" must be a run id`},
		{"daily_health_check", map[string]string{"since": "a while"}, `"since" must be`},
		{"fix_pipeline", map[string]string{"flow": "424242"}, `flow "424242" not found`},
	} {
		_, err := get(t, c, tc.name, tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %v: error %v, want %q", tc.name, tc.args, err, tc.want)
		}
	}
}
