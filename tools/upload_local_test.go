//go:build unix

package tools

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadUpload is the table of local files upload_file reads or refuses. Each refusal must say
// what was wrong; none may return the content of a file outside the directory, follow a link, or
// block (the FIFO case would hang the test if it did).
func TestReadUpload(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	write := func(p, content string) string {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write(filepath.Join(dir, "good.csv"), "id\n1\n")
	write(filepath.Join(dir, "sub", "deep.csv"), "id\n2\n")
	write(filepath.Join(dir, "empty.csv"), "")
	secret := write(filepath.Join(outside, "secret.txt"), "PRIVATE")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink(secret, filepath.Join(dir, "abs-link")))
	must(os.Symlink("good.csv", filepath.Join(dir, "inner-link")))
	must(os.Symlink(outside, filepath.Join(dir, "dir-link")))
	must(os.Symlink("sub", filepath.Join(dir, "inner-dir-link")))
	must(os.Link(secret, filepath.Join(dir, "hard")))
	must(syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600))
	must(os.WriteFile(filepath.Join(dir, "big.bin"), make([]byte, maxUpload+1), 0o600))
	must(os.WriteFile(filepath.Join(dir, "limit.bin"), make([]byte, maxUpload), 0o600))

	cases := []struct {
		dir, path string
		want      string // content read, when why is ""
		why       []string
	}{
		{dir: dir, path: "good.csv", want: "id\n1\n"},
		{dir: dir, path: "./sub/../good.csv", want: "id\n1\n"},
		{dir: dir, path: filepath.Join(dir, "sub", "deep.csv"), want: "id\n2\n"},
		{dir: dir, path: "sub/deep.csv", want: "id\n2\n"},
		{dir: dir, path: "empty.csv", want: ""},
		{dir: dir, path: "limit.bin", want: string(make([]byte, maxUpload))},
		// Off unless the operator named a directory, whatever the path.
		{dir: "", path: "good.csv", why: []string{"local files are off", "--upload-dir DIR", `"content"`}},
		{dir: "", path: "/proc/self/environ", why: []string{"local files are off"}},
		// Outside the directory.
		{dir: dir, path: "/proc/self/environ", why: []string{"outside the upload directory", dir}},
		{dir: dir, path: secret, why: []string{"outside the upload directory"}},
		{dir: dir, path: "../" + filepath.Base(outside) + "/secret.txt", why: []string{"outside the upload directory"}},
		{dir: dir, path: "sub/../../" + filepath.Base(outside) + "/secret.txt", why: []string{"outside the upload directory"}},
		{dir: dir, path: "..", why: []string{"outside the upload directory"}},
		{dir: "/", path: "proc/self/environ", why: []string{"symbolic link"}},
		// Links, inside or out, and what is not a regular file.
		{dir: dir, path: "abs-link", why: []string{"symbolic link", "follows no links"}},
		{dir: dir, path: "inner-link", why: []string{"symbolic link"}},
		{dir: dir, path: "dir-link/secret.txt", why: []string{"symbolic link"}},
		{dir: dir, path: "inner-dir-link/deep.csv", why: []string{"symbolic link"}},
		{dir: dir, path: "hard", why: []string{"more than one hard link", "copy it there"}},
		{dir: dir, path: "fifo", why: []string{"is a FIFO", "only regular files"}},
		{dir: dir, path: "sub", why: []string{"is a directory"}},
		{dir: dir, path: ".", why: []string{"is a directory"}},
		{dir: dir, path: "good.csv/x", why: []string{"good.csv as a directory"}},
		{dir: dir, path: "missing.csv", why: []string{"does not exist"}},
		{dir: dir, path: "big.bin", why: []string{"10.0 MiB", "upload limit is 10 MiB"}},
		{dir: filepath.Join(outside, "gone"), path: "x.csv", why: []string{"upload directory", "cannot be opened"}},
	}
	for _, c := range cases {
		data, err := readUpload(c.dir, c.path)
		if len(c.why) == 0 {
			if err != nil || string(data) != c.want {
				t.Errorf("%s in %q: %v, read %d bytes, want %d", c.path, c.dir, err, len(data), len(c.want))
			}
			continue
		}
		if err == nil {
			t.Errorf("%s in %q: read %d bytes, want a refusal", c.path, c.dir, len(data))
			continue
		}
		if strings.Contains(err.Error(), "PRIVATE") {
			t.Errorf("%s: the refusal shows the file: %v", c.path, err)
		}
		for _, w := range c.why {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s in %q: %q lacks %q", c.path, c.dir, err, w)
			}
		}
	}
}
