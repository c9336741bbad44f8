package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// runMain drives the program in process with an injected environment.
func runMain(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code := run(context.Background(), args, getenv, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestUsageAndConfigErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		env      map[string]string
		args     []string
		code     int
		contains string
	}{
		{"version", nil, []string{"--version"}, 0, "etlworks-mcp "},
		{"help", nil, []string{"--help"}, 0, "etlworks-mcp call TOOL"},
		{"call without url", nil, []string{"call", "list_flows"}, 2, "ETLWORKS_URL"},
		{"doctor without url", nil, []string{"doctor"}, 1, "ETLWORKS_URL"},
		{"bad flag without url", nil, []string{"--log-level", "loud"}, 2, "--log-level"},
		{"remote without auth", map[string]string{"ETLWORKS_URL": "https://x/rest", "ETLWORKS_API_KEY": "k"}, []string{"--http", "0.0.0.0:8931"}, 2, "--http"},
		{"bad log level", map[string]string{"ETLWORKS_URL": "https://x/rest", "ETLWORKS_API_KEY": "k"}, []string{"--log-level", "loud"}, 2, "--log-level"},
		{"secret flag refused", nil, []string{"--api-key", "abc"}, 2, "ETLWORKS_API_KEY"},
		{"stray argument", map[string]string{"ETLWORKS_URL": "https://x/rest", "ETLWORKS_API_KEY": "k"}, []string{"--read-only", "serve"}, 2, "unexpected argument \"serve\"; a subcommand (call, doctor, help, sandbox, version) comes before any flag"},
		{"version subcommand", nil, []string{"version"}, 0, "etlworks-mcp " + version},
		{"version takes no argument", nil, []string{"version", "now"}, 2, "version takes no arguments"},
		{"help subcommand", nil, []string{"help"}, 0, "etlworks-mcp call TOOL"},
		{"unknown subcommand", nil, []string{"foo", "--sandbox"}, 2, `unknown subcommand "foo"; subcommands: call, doctor, help, sandbox, version`},
		{"unknown subcommand with credentials", map[string]string{"ETLWORKS_URL": "https://x/rest", "ETLWORKS_API_KEY": "k"}, []string{"serve"}, 2, `unknown subcommand "serve"`},
		{"call without tool", nil, []string{"call", "--sandbox"}, 2, "call needs a tool name"},
		{"call bad json", nil, []string{"call", "list_flows", "{oops", "--sandbox"}, 2, "must be one JSON object"},
		{"sandbox bad addr", nil, []string{"sandbox", "--addr", "nope"}, 2, "host:port"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runMain(t, tc.env, tc.args...)
			if code != tc.code || !strings.Contains(out+errOut, tc.contains) {
				t.Fatalf("exit %d (want %d); output lacks %q:\n%s%s", code, tc.code, tc.contains, out, errOut)
			}
			if tc.code == 2 && strings.Contains(tc.contains, "subcommand") && strings.Contains(out+errOut, "ETLWORKS_URL") {
				t.Errorf("a subcommand mistake is reported as missing configuration:\n%s", errOut)
			}
			if strings.Contains(out+errOut, "abc") && tc.name == "secret flag refused" {
				t.Fatal("the secret passed on the command line was echoed")
			}
		})
	}
}

func TestCallCommand(t *testing.T) {
	t.Parallel()
	code, out, errOut := runMain(t, nil, "call", "list_flows", `{"limit":2}`, "--sandbox")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var page struct {
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal([]byte(out), &page); err != nil || len(page.Items) != 2 {
		t.Fatalf("call output is not a page of 2 flows: %v\n%s", err, out)
	}
	code, _, errOut = runMain(t, nil, "call", "no_such_tool", "--sandbox")
	if code != 2 || !strings.Contains(errOut, "list_flows") {
		t.Fatalf("unknown tool: exit %d, %s", code, errOut)
	}
	code, out, _ = runMain(t, nil, "call", "get_flow", `{"flow":"nope nope"}`, "--sandbox")
	if code != 1 || !strings.Contains(out, "not found") {
		t.Fatalf("failing tool: exit %d, %s", code, out)
	}
	code, _, _ = runMain(t, nil, "call", "run_flow", `{"flow":"Load orders from CSV"}`, "--sandbox", "--read-only")
	if code != 2 {
		t.Fatalf("run_flow must not exist in read-only mode, exit %d", code)
	}
}

func TestCallWaitsWithProgress(t *testing.T) {
	t.Parallel()
	code, out, errOut := runMain(t, nil, "call", "run_flow", `{"flow":"Load orders from CSV","wait":true}`, "--sandbox")
	if code != 0 || !strings.Contains(out, `"status": "success"`) {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "records after") {
		t.Fatalf("no progress on stderr: %s", errOut)
	}
}
