package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUploadDir covers --upload-dir / ETLWORKS_MCP_UPLOAD_DIR: off by default, an existing
// directory made absolute, and clear errors for anything else.
func TestUploadDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "f.csv")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	rootLink := filepath.Join(dir, "rootlink")
	if err := os.Symlink(string(filepath.Separator), rootLink); err != nil {
		t.Fatal(err)
	}
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	relSub, err := filepath.Rel(cwd, sub)
	if err != nil {
		t.Fatal(err)
	}
	ok := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"off by default", nil, base(nil), ""},
		{"flag", []string{"--upload-dir", dir}, base(nil), dir},
		{"env", nil, base(map[string]string{"ETLWORKS_MCP_UPLOAD_DIR": dir}), dir},
		{"flag over env", []string{"--upload-dir", sub}, base(map[string]string{"ETLWORKS_MCP_UPLOAD_DIR": dir}), sub},
		{"relative made absolute", []string{"--upload-dir", relSub}, base(nil), sub},
		{"with sandbox", []string{"--sandbox", "--upload-dir", dir}, nil, dir},
	}
	for _, tt := range ok {
		cfg, err := Load(tt.args, env(tt.env))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if cfg.UploadDir != tt.want {
			t.Errorf("%s: UploadDir = %q, want %q", tt.name, cfg.UploadDir, tt.want)
		}
		if tt.want != "" && !strings.Contains(cfg.Describe(), "upload_dir="+tt.want) {
			t.Errorf("%s: Describe lacks the upload directory: %s", tt.name, cfg.Describe())
		}
		if tt.want == "" && strings.Contains(cfg.Describe(), "upload_dir") {
			t.Errorf("%s: Describe names an upload directory: %s", tt.name, cfg.Describe())
		}
	}
	bad := []struct {
		name, field string
		args        []string
		env         map[string]string
		contains    string
	}{
		{"missing", "--upload-dir", []string{"--upload-dir", filepath.Join(dir, "nope")}, base(nil), "cannot be used"},
		{"a file", "ETLWORKS_MCP_UPLOAD_DIR", nil, base(map[string]string{"ETLWORKS_MCP_UPLOAD_DIR": file}), "is not a directory"},
		{"empty flag", "--upload-dir", []string{"--upload-dir="}, base(nil), "is empty"},
		{"file system root", "--upload-dir", []string{"--upload-dir", string(filepath.Separator)}, base(nil), "root of a file system"},
		{"link to the root", "--upload-dir", []string{"--upload-dir", rootLink}, base(nil), "root of a file system"},
	}
	for _, tt := range bad {
		_, err := Load(tt.args, env(tt.env))
		var fe *FieldError
		if !errors.As(err, &fe) {
			t.Errorf("%s: error %v, want a *FieldError", tt.name, err)
			continue
		}
		if fe.Field != tt.field || !strings.Contains(err.Error(), tt.contains) {
			t.Errorf("%s: %v, want field %s and %q", tt.name, err, tt.field, tt.contains)
		}
	}
	if !strings.Contains(Usage(), "--upload-dir DIR  (env ETLWORKS_MCP_UPLOAD_DIR)") {
		t.Errorf("Usage lacks --upload-dir DIR:\n%s", Usage())
	}
}
