package main

import (
	"regexp"
	"strings"
	"testing"

	mcpclient "github.com/mark3labs/mcp-go/client"
)

// TestProgressPrecedesResult checks, over stdio and streamable HTTP against the binary, that when
// run_flow's waited call returns, the client already holds the last progress notification of the
// run (the one reporting the finished status): tools.awaitProgressDelivery holds the result until
// then. Each transport runs the flow several times, since a lost race shows only now and then.
func TestProgressPrecedesResult(t *testing.T) {
	t.Parallel()
	t.Run("stdio", func(t *testing.T) {
		t.Parallel()
		assertProgressFirst(t, stdioSession(t, nil, "--sandbox"))
	})
	t.Run("http", func(t *testing.T) {
		t.Parallel()
		cmd := newCommand(t, "--sandbox", "--http", "127.0.0.1:0")
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		url := waitForLine(t, stderr, regexp.MustCompile(`http://127\.0\.0\.1:\d+/mcp`))
		c, err := mcpclient.NewStreamableHttpClient(url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		assertProgressFirst(t, connectSession(t, c))
	})
}

// assertProgressFirst runs the demo flow with a progress token three times and checks, the moment
// each call returns, that the newest progress notification reports the run's final status.
func assertProgressFirst(t *testing.T, s *session) {
	t.Helper()
	for i := range 3 {
		before := s.progressCount()
		text, isErr := s.call("run_flow", map[string]any{"flow": "Load orders from CSV", "wait": true}, true)
		if isErr || !strings.Contains(text, `"status":"success"`) {
			t.Fatalf("run %d: %s", i, text)
		}
		s.mu.Lock()
		var last string
		n := 0
		for _, note := range s.notes {
			if note.Method == "notifications/progress" {
				n++
				last, _ = note.Params.AdditionalFields["message"].(string)
			}
		}
		s.mu.Unlock()
		if n <= before {
			t.Fatalf("run %d: no progress notification arrived before the result", i)
		}
		if !strings.HasPrefix(last, "success") {
			t.Fatalf("run %d: the result arrived before the final progress; the newest progress is %q", i, last)
		}
	}
}
