package main

import (
	"context"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// initialized starts c and runs initialize, returning the server's instructions.
func initialized(t *testing.T, c *mcpclient.Client) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatalf("start: %v", err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_LEGACY_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "e2e", Version: "1"}
	res, err := c.Initialize(ctx, init)
	if err != nil {
		t.Fatalf("initialize must complete even without a working configuration: %v", err)
	}
	return res.Instructions
}

// callText calls a tool and returns its text and isError flag.
func callText(t *testing.T, c *mcpclient.Client, name string, args map[string]any) (string, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name, req.Params.Arguments = name, args
	res, err := c.CallTool(ctx, req)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var b strings.Builder
	for _, ct := range res.Content {
		if tc, ok := ct.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String(), res.IsError
}

// TestUnconnectedServesTheConfigurationMessage starts the binary as an MCP client would, over
// stdio and over HTTP, with a missing or invalid Etlworks URL or credentials: initialize completes,
// the instructions carry the configuration message, and every tool call is an error that says
// what is wrong, which variable, and an example.
func TestUnconnectedServesTheConfigurationMessage(t *testing.T) {
	cases := []struct {
		name string
		env  []string
		want []string
	}{
		{"nothing set", nil, []string{"ETLWORKS_URL: not set", "ETLWORKS_API_KEY", "e.g. ETLWORKS_URL=https://app.etlworks.com/rest"}},
		{"url without /rest", []string{"ETLWORKS_URL=https://tenant.example.com", "ETLWORKS_API_KEY=planted-key-123456"},
			[]string{`ETLWORKS_URL "https://tenant.example.com"`, "did you mean https://tenant.example.com/rest?", "restart the server"}},
		{"username without password", []string{"ETLWORKS_URL=https://tenant.example.com/rest", "ETLWORKS_USERNAME=ann"},
			[]string{"ETLWORKS_PASSWORD: not set, but a username is", "ETLWORKS_API_KEY=<"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := mcpclient.NewStdioMCPClientWithOptions(binary, append([]string{"HOME=" + t.TempDir()}, tc.env...), nil,
				transport.WithCommandStderrWriter(&lockedWriter{w: io.Discard}))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			checkUnconnected(t, c, tc.want)
		})
	}

	t.Run("http", func(t *testing.T) {
		cmd := newCommand(t, "--http", "127.0.0.1:0")
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer stopGracefully(cmd)
		url := waitForLine(t, stderr, regexp.MustCompile(`http://127\.0\.0\.1:\d+/mcp`))
		c, err := mcpclient.NewStreamableHttpClient(url)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		checkUnconnected(t, c, []string{"ETLWORKS_URL: not set", "--sandbox"})
	})
}

func checkUnconnected(t *testing.T, c *mcpclient.Client, want []string) {
	t.Helper()
	instructions := initialized(t, c)
	mustHave(t, "instructions", instructions, append([]string{"NOT CONNECTED"}, want...))
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	list, err := c.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil || len(list.Tools) < 20 {
		t.Fatalf("tools/list: %v (%d tools)", err, len(list.Tools))
	}
	for _, name := range []string{"list_flows", "run_flow", "create_schedule"} {
		text, isErr := callText(t, c, name, map[string]any{"flow": "x", "cron": "5m"})
		if !isErr {
			t.Fatalf("%s succeeded without a configuration: %s", name, text)
		}
		mustHave(t, name, text, want)
		if strings.Contains(text, "planted-key") {
			t.Fatalf("%s shows the key: %s", name, text)
		}
	}
}

func mustHave(t *testing.T, what, text string, want []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Fatalf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

// TestRejectedKeyTellsTheChat: with a wrong key, initialize completes and the first tool call is
// the same kind of configuration message: what Etlworks said, the variable, an example.
func TestRejectedKeyTellsTheChat(t *testing.T) {
	sb := startSandbox(t)
	c, err := mcpclient.NewStdioMCPClientWithOptions(binary, []string{"HOME=" + t.TempDir(), "ETLWORKS_URL=" + sb.URL, "ETLWORKS_API_KEY=wrong-key-0987654321"}, nil,
		transport.WithCommandStderrWriter(&lockedWriter{w: io.Discard}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	initialized(t, c)
	text, isErr := callText(t, c, "list_flows", map[string]any{})
	if !isErr || strings.Contains(text, "wrong-key") {
		t.Fatalf("first call: %v %s", isErr, text)
	}
	mustHave(t, "list_flows", text, []string{"rejected the API key (401", "Check ETLWORKS_API_KEY", "e.g. ETLWORKS_API_KEY=<the new key>", "restart the server"})
}

// TestServeWithoutURLStartsAndExitsCleanly: serving over stdio without a URL no longer exits 2;
// it serves (here until stdin ends) and says on stderr why no tool will work.
func TestServeWithoutURLStartsAndExitsCleanly(t *testing.T) {
	code, out, errOut := runMain(t, nil)
	if code != 0 || out != "" || !strings.Contains(errOut, "not connected to Etlworks") || !strings.Contains(errOut, "ETLWORKS_URL") {
		t.Fatalf("exit %d, stdout %q, stderr:\n%s", code, out, errOut)
	}
}
