package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
)

// runCall runs one tool in process, through the MCP protocol, and prints its result: for people
// and scripts. Runs that wait print their progress on stderr.
//
//	etlworks-mcp call TOOL ['{"json":"args"}'] [flags]
//
// Ctrl-C at any point ends it with interruptedError (exit 130), never as a tool error.
func runCall(ctx context.Context, args []string, getenv func(string) string, std streams) (err error) {
	defer func() {
		if err != nil && ctx.Err() != nil && !errors.Is(err, interruptedError{}) {
			fmt.Fprintln(std.err, "etlworks-mcp: interrupted")
			err = interruptedError{}
		}
	}()
	var positional []string
	for len(args) > 0 && len(positional) < 2 && !strings.HasPrefix(args[0], "-") {
		positional, args = append(positional, args[0]), args[1:]
	}
	cfg, err := loadConfig(args, getenv)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(std.out, usage())
		return nil
	}
	if err != nil {
		return err
	}
	positional = append(positional, cfg.Args...)
	if len(positional) == 0 || len(positional) > 2 {
		return &usageError{errors.New(`call needs a tool name and at most one JSON object of arguments, e.g. call get_flow '{"flow":"Load orders from CSV"}'`)}
	}
	name := positional[0]
	arguments := map[string]any{}
	if len(positional) == 2 {
		if err := json.Unmarshal([]byte(positional[1]), &arguments); err != nil {
			return &usageError{fmt.Errorf("arguments of %s must be one JSON object, e.g. '{\"flow\":\"Load orders from CSV\"}': %v", name, err)}
		}
	}
	app, srv, _, err := start(ctx, cfg, std, nil)
	if err != nil {
		return err
	}
	defer app.close()
	if _, ok := srv.ListTools()[name]; !ok {
		names := make([]string, 0)
		for n := range srv.ListTools() {
			names = append(names, n)
		}
		return &usageError{fmt.Errorf("no tool %q; tools: %s", name, strings.Join(sortedCopy(names), ", "))}
	}
	c, err := mcpclient.NewInProcessClient(srv)
	if err != nil {
		return err
	}
	defer c.Close()
	progress := newProgressPrinter(std.err, getenv)
	defer progress.close() // before run returns: nothing may write to stderr after it
	c.OnNotification(progress.notify)
	if err := c.Start(ctx); err != nil {
		return err
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_LEGACY_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "etlworks-mcp call", Version: version}
	if _, err := c.Initialize(ctx, init); err != nil {
		return err
	}
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = arguments
	req.Params.Meta = &mcp.Meta{ProgressToken: "call"}
	res, err := c.CallTool(ctx, req)
	if ctx.Err() != nil { // Ctrl-C: whatever the tool answered, it answered to the cancellation
		progress.close()
		return interrupted(c, app, name, arguments, args[:len(args)-len(cfg.Args)], progress)
	}
	progress.close()
	if err != nil {
		return err
	}
	if data, ok := structuredJSON(res); ok { // what a script reads; the text beside it says the same
		fmt.Fprintln(std.out, prettyJSON(data))
	} else {
		for _, content := range res.Content {
			if t, ok := content.(mcp.TextContent); ok {
				fmt.Fprintln(std.out, prettyJSON(t.Text))
			}
		}
	}
	if res.IsError {
		return toolFailedError{}
	}
	if run, failed := failedRun(name, res); failed {
		progress.say("etlworks-mcp: run %d of %q ended with status %s: %s", run.RunID, run.Flow, run.Status, run.firstError())
		return toolFailedError{}
	}
	return nil
}

// runResult is the part of a run_flow result that says how the run ended.
type runResult struct {
	RunID       int64    `json:"run_id"`
	FlowID      int64    `json:"flow_id"`
	Flow        string   `json:"flow"`
	Status      string   `json:"status"`
	Error       string   `json:"error"`
	FirstErrors []string `json:"first_errors"`
}

// failedRun reports whether a run_flow result is a run that ended in error or was canceled: the
// tool worked, but a script asking for the run wants to know it did not succeed.
func failedRun(tool string, res *mcp.CallToolResult) (runResult, bool) {
	var run runResult
	if tool != "run_flow" {
		return run, false
	}
	data, ok := structuredJSON(res)
	if !ok || json.Unmarshal([]byte(data), &run) != nil {
		return run, false
	}
	return run, run.Status == "error" || run.Status == "canceled"
}

// structuredJSON returns a successful result's structuredContent as JSON, if it has one.
func structuredJSON(res *mcp.CallToolResult) (string, bool) {
	if res.IsError || res.StructuredContent == nil {
		return "", false
	}
	b, err := json.Marshal(res.StructuredContent)
	return string(b), err == nil
}

// firstError is the run's first error, as short as it is known.
func (r runResult) firstError() string {
	switch {
	case r.Error != "":
		return r.Error
	case len(r.FirstErrors) > 0:
		return r.FirstErrors[0]
	}
	return "no error message; get_run_log shows the log"
}

// interrupted explains a Ctrl-C. A run that was being waited for goes on in Etlworks, so it
// says so and prints the exact command that stops it; in the embedded sandbox the run ends with
// this process. It returns interruptedError (exit 130).
func interrupted(c *mcpclient.Client, a *app, tool string, arguments map[string]any, flags []string, progress *progressPrinter) error {
	wait, _ := arguments["wait"].(bool)
	if tool != "run_flow" || !wait {
		progress.say("etlworks-mcp: interrupted")
		return interruptedError{}
	}
	if a.sandbox != nil {
		progress.say("etlworks-mcp: stopped waiting; the run was in the embedded sandbox, which stops with this command.")
		return interruptedError{}
	}
	stop := map[string]any{"flow": arguments["flow"]}
	if run, ok := latestRun(c, arguments["flow"]); ok {
		if run.Status != "queued" && run.Status != "running" {
			progress.say("etlworks-mcp: stopped waiting; run %d of %q already ended with status %s.", run.RunID, run.Flow, run.Status)
			return interruptedError{}
		}
		stop = map[string]any{"flow": run.FlowID, "run_id": run.RunID}
	}
	b, _ := json.Marshal(stop)
	progress.say("etlworks-mcp: stopped waiting; the run continues in Etlworks. To stop it:\n  %s",
		shellJoin(append([]string{"etlworks-mcp", "call", "stop_flow", string(b)}, flags...)))
	return interruptedError{}
}

// latestRun finds the flow's newest run (get_run's default), which is the one this call started:
// a flow runs once at a time unless it allows parallel runs, and even then another run would have
// to start in the seconds since. The call's own context is cancelled, so the lookup gets a short one.
func latestRun(c *mcpclient.Client, flow any) (runResult, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name = "get_run"
	req.Params.Arguments = map[string]any{"flow": flow}
	res, err := c.CallTool(ctx, req)
	if err != nil {
		return runResult{}, false
	}
	data, ok := structuredJSON(res)
	var run runResult
	if !ok || json.Unmarshal([]byte(data), &run) != nil || run.RunID == 0 || run.FlowID == 0 {
		return runResult{}, false
	}
	return run, true
}

// shellJoin quotes words for a POSIX shell, so a printed command can be pasted as it is.
func shellJoin(words []string) string {
	out := make([]string, len(words))
	for i, w := range words {
		if w != "" && strings.Trim(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,@%+") == "" {
			out[i] = w
			continue
		}
		out[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}

// prettyJSON indents JSON results for people; anything else is printed as it is.
func prettyJSON(s string) string {
	var v any
	if json.Unmarshal([]byte(s), &v) != nil {
		return s
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return s
	}
	return string(b)
}
