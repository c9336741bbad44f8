package main

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// TestClosedStdoutStopsCleanly closes the binary's stdout, as a client that goes away does, and
// sends a request: the answer cannot be written, and the server must stop with exit 0 (not die
// of SIGPIPE) and remove its sandbox's temporary directory on the way out.
func TestClosedStdoutStopsCleanly(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	cmd := exec.Command(binary, "--sandbox")
	cmd.Env = []string{"HOME=" + t.TempDir(), "TMPDIR=" + tmp}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = outW
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	outW.Close()
	outR.Close() // nobody reads the server's stdout any more

	dataDir := waitForLine(t, stderr, regexp.MustCompile(`dataDir=\S+`))[len("dataDir="):]
	if filepath.Dir(dataDir) != tmp {
		t.Fatalf("the sandbox keeps its databases in %s, not in TMPDIR %s", dataDir, tmp)
	}
	if _, err := io.WriteString(in, `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"gone","version":"1"}}}`+"\n"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("server ended with %v (%s), want exit 0", err, exit.ProcessState)
		} else if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("server kept running with its stdout closed")
	}
	if _, err := os.Stat(dataDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the sandbox's temporary directory %s was left behind (%v)", dataDir, err)
	}
}
