//go:build linux

package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
)

// uploadSession starts the binary in working directory dir, as some MCP clients start servers
// (often in /), with a planted variable in its environment, and connects over stdio.
func uploadSession(t *testing.T, dir string, args ...string) *session {
	t.Helper()
	home := t.TempDir()
	start := func(ctx context.Context, command string, env, args []string) (*exec.Cmd, error) {
		cmd := exec.CommandContext(ctx, command, args...)
		cmd.Env = append([]string{"HOME=" + home, "PLANTED_SECRET=upload-e2e-planted-value"}, env...)
		cmd.Dir = dir
		return cmd, nil
	}
	c, err := mcpclient.NewStdioMCPClientWithOptions(binary, nil, append([]string{"--sandbox"}, args...),
		transport.WithCommandFunc(start), transport.WithCommandStderrWriter(&lockedWriter{w: io.Discard}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return connectSession(t, c)
}

// TestUploadFileEndToEnd reproduces the exfiltration of issue 8 through the binary: started in /,
// upload_file must not read /proc/self/environ (which holds the server's API key), and with an
// upload directory it must refuse links, hard links and FIFOs (a FIFO used to hang the call and
// the process) while still uploading a plain file.
func TestUploadFileEndToEnd(t *testing.T) {
	const planted = "upload-e2e-planted-value"
	upload := func(s *session, path string) (string, bool) {
		return s.call("upload_file", map[string]any{"connection": "Staging files", "path": path, "name": "out.txt"}, false)
	}
	refused := func(s *session, path string, why ...string) {
		t.Helper()
		text, isErr := upload(s, path)
		if !isErr {
			t.Errorf("upload_file %s succeeded: %s", path, text)
		}
		if strings.Contains(text, planted) {
			t.Errorf("upload_file %s shows the server's environment: %s", path, text)
		}
		for _, w := range why {
			if !strings.Contains(text, w) {
				t.Errorf("upload_file %s: %q lacks %q", path, text, w)
			}
		}
	}

	root := uploadSession(t, "/")
	for _, p := range []string{"/proc/self/environ", "proc/self/environ", "etc/passwd"} {
		refused(root, p, "local files are off", "--upload-dir DIR", `"content"`)
	}
	text, isErr := root.call("upload_file", map[string]any{"connection": "Staging files", "content": "id\n1\n", "name": "c.csv"}, false)
	if isErr || !strings.Contains(text, `"uploaded":"c.csv"`) {
		t.Errorf("content upload with local files off: %s", text)
	}

	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "outside.txt")
	for p, content := range map[string]string{filepath.Join(dir, "good.csv"): "id,name\n1,Ann\n", outside: planted} {
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, err := range []error{
		os.Symlink("/proc/self/environ", filepath.Join(dir, "environ")),
		os.Link(outside, filepath.Join(dir, "hard.txt")),
		syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	s := uploadSession(t, "/", "--upload-dir", dir)
	refused(s, "/proc/self/environ", "outside the upload directory")
	refused(s, "../../proc/self/environ", "outside the upload directory")
	refused(s, "environ", "symbolic link")
	refused(s, "hard.txt", "more than one hard link")
	refused(s, "fifo", "FIFO")
	refused(s, filepath.Join(dir, "fifo"), "FIFO")
	text, isErr = upload(s, "good.csv")
	if isErr || !strings.Contains(text, `"bytes":14`) {
		t.Fatalf("upload of a plain file: %s", text)
	}
	text, isErr = s.call("preview_data", map[string]any{"connection": "Staging files", "object": "out.txt"}, false)
	if isErr || !strings.Contains(text, "1,Ann") {
		t.Errorf("preview of the uploaded file: %s", text)
	}
}
