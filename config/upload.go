package config

import (
	"os"
	"path/filepath"
)

// uploadDir reads --upload-dir: an existing directory, made absolute so upload_file can tell
// whether an absolute path lies inside it. The root of a file system is refused, since it would
// let a model upload any file the server can read.
func (r *resolver) uploadDir() string {
	v := r.get(keyUploadDir)
	if v.text == "" {
		if v.from != "" {
			r.fail(&FieldError{Field: v.from, Value: v.text, Reason: "is empty; name a directory, or unset it to turn local files off"})
		}
		return ""
	}
	abs, err := filepath.Abs(v.text)
	if err != nil {
		r.fail(&FieldError{Field: v.from, Value: v.text, Reason: err.Error()})
		return ""
	}
	info, err := os.Stat(abs)
	switch {
	case err != nil:
		r.fail(&FieldError{Field: v.from, Value: v.text, Reason: "cannot be used: " + unwrapPathError(err).Error()})
		return ""
	case !info.IsDir():
		r.fail(&FieldError{Field: v.from, Value: v.text, Reason: "is not a directory"})
		return ""
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil && isFSRoot(real) || isFSRoot(abs) {
		r.fail(&FieldError{Field: v.from, Value: v.text,
			Reason: "is the root of a file system, which would expose every file the server can read; name a directory that holds only files to upload"})
		return ""
	}
	return abs
}

// isFSRoot reports whether the absolute path p is a file system root: / or a volume such as C:\.
func isFSRoot(p string) bool { return filepath.Dir(p) == p }
