package main

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/etlworks/etlworks-mcp/sandbox"
)

// TestCallFailedRunExitsOne is the README's promise: exit 1 when the run a call waited for failed,
// with the first error as the last line on stderr.
func TestCallFailedRunExitsOne(t *testing.T) {
	t.Parallel()
	code, out, errOut := runMain(t, nil, "call", "run_flow", `{"flow":"Daily revenue rollup","wait":true}`, "--sandbox")
	if code != exitFailure || !strings.Contains(out, `"status": "error"`) {
		t.Fatalf("exit %d (want 1)\n%s\n%s", code, out, errOut)
	}
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	last := lines[len(lines)-1]
	if !strings.Contains(last, `of "Daily revenue rollup" ended with status error`) || !strings.Contains(last, "no such column: amount_usd") {
		t.Errorf("the last line does not give the first error: %q", last)
	}
}

// TestCallProgressOnAPipe checks the plain form: on a pipe every update is a line of its own,
// with no terminal control characters.
func TestCallProgressOnAPipe(t *testing.T) {
	t.Parallel()
	code, _, errOut := runMain(t, nil, "call", "run_flow", `{"flow":"Load orders from CSV","wait":true}`, "--sandbox")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	progress := regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d  (queued|running|success): \d+ records after \d+s`)
	if n := len(progress.FindAllString(errOut, -1)); n < 2 {
		t.Errorf("%d progress lines, want one per update (at least 2):\n%s", n, errOut)
	}
	if strings.ContainsAny(errOut, "\r\x1b") {
		t.Errorf("terminal control characters on a pipe: %q", errOut)
	}
}

// cancelOn is a stderr that cancels the command's context once a line containing trigger was
// written, as Ctrl-C does while a call waits.
type cancelOn struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	trigger string
	cancel  context.CancelFunc
}

func (w *cancelOn) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.trigger) {
		w.cancel()
	}
	return len(p), nil
}

func (w *cancelOn) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// interruptCall runs a waiting call and cancels it at its first progress update.
func interruptCall(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	errOut := &cancelOn{trigger: "records after", cancel: cancel}
	var out bytes.Buffer
	code := run(ctx, args, func(k string) string { return env[k] }, strings.NewReader(""), &out, errOut)
	return code, out.String(), errOut.String()
}

// TestCallInterrupted is Ctrl-C while waiting on a real instance (a sandbox served on its own,
// with runs slow enough to outlast the wait): exit 130, no "internal error", a note that the run
// goes on, and the exact stop_flow command, which then stops it.
func TestCallInterrupted(t *testing.T) {
	t.Parallel()
	sb, err := sandbox.Start(t.Context(), "", sandbox.Options{RunStep: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	env := map[string]string{"ETLWORKS_URL": sb.URL, "ETLWORKS_API_KEY": sb.Sandbox.Credentials().APIKey}
	code, out, errOut := interruptCall(t, env, "call", "run_flow", `{"flow":"Load orders from CSV","wait":true}`, "--log-level", "warn")
	if code != exitInterrupted {
		t.Fatalf("exit %d, want 130\n%s\n%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, "internal error") || strings.Contains(out+errOut, "context canceled") {
		t.Errorf("the interruption is reported as an error:\n%s\n%s", out, errOut)
	}
	stop := regexp.MustCompile(`(?m)^  etlworks-mcp call stop_flow '(\{"flow":\d+,"run_id":\d+\})' --log-level warn$`).FindStringSubmatch(errOut)
	if !strings.Contains(errOut, "the run continues in Etlworks") || stop == nil {
		t.Fatalf("no note that the run goes on, or no exact stop_flow command:\n%s", errOut)
	}
	code, out, errOut = runMain(t, env, "call", "stop_flow", stop[1], "--log-level", "warn")
	if code != 0 || !strings.Contains(out, `"run_id"`) {
		t.Fatalf("the printed command did not stop the run: exit %d\n%s\n%s", code, out, errOut)
	}
	var stopped struct {
		Status string `json:"status"`
	}
	if err := json.Unmarshal([]byte(out), &stopped); err != nil || stopped.Status == "not running" {
		t.Errorf("stop_flow found no running run: %v\n%s", err, out)
	}
}

// TestCallInterruptedInSandbox: with --sandbox the run lives in this process, so the note says it
// ends with the command instead of offering a stop command that would reach a new sandbox.
func TestCallInterruptedInSandbox(t *testing.T) {
	t.Parallel()
	code, _, errOut := interruptCall(t, nil, "call", "run_flow", `{"flow":"Load orders from CSV","wait":true}`, "--sandbox")
	if code != exitInterrupted || !strings.Contains(errOut, "the run was in the embedded sandbox, which stops with this command") {
		t.Fatalf("exit %d (want 130)\n%s", code, errOut)
	}
	if strings.Contains(errOut, "stop_flow") {
		t.Errorf("a stop command is offered for a run that no longer exists:\n%s", errOut)
	}
}

func progressNote(msg string) mcp.JSONRPCNotification {
	n := mcp.JSONRPCNotification{}
	n.Method = string(mcp.MethodNotificationProgress)
	n.Params.AdditionalFields = map[string]any{"progressToken": "call", "progress": 1.0, "message": msg}
	return n
}

// TestProgressPrinterOnATerminal checks the in-place form: one line rewritten with \r and
// cleared to its end, clipped to the terminal's width, ended by a newline when the call ends,
// with escape sequences from the message neutralised; nothing is written after close.
func TestProgressPrinterOnATerminal(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	p := &progressPrinter{w: &buf, tty: true, width: terminalWidth(func(string) string { return "60" }),
		now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }}
	p.notify(progressNote("running: 10 records after 1s | Extracting orders.csv"))
	p.notify(progressNote("running: 20 records after 2s | \x1b[2Jwiped " + strings.Repeat("x", 80)))
	p.notify(mcp.JSONRPCNotification{Notification: mcp.Notification{Method: "notifications/message"}})
	p.say("etlworks-mcp: run 1 ended")
	p.close()
	p.notify(progressNote("late: after the command ended"))
	want := "\r\x1b[K03:04:05  running: 10 records after 1s | Extracting orders…" +
		"\r\x1b[K03:04:05  running: 20 records after 2s |  [2Jwiped xxxxxxx…" +
		"\netlworks-mcp: run 1 ended\n"
	if got := buf.String(); got != want {
		t.Errorf("terminal output\n%q\nwant\n%q", got, want)
	}
}

func TestShellJoin(t *testing.T) {
	t.Parallel()
	got := shellJoin([]string{"etlworks-mcp", "call", "stop_flow", `{"flow":1,"run_id":2}`, "--url", "https://x.example/rest", "--toolsets", "flows,explorer", "it's"})
	want := `etlworks-mcp call stop_flow '{"flow":1,"run_id":2}' --url https://x.example/rest --toolsets flows,explorer 'it'\''s'`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
