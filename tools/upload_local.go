package tools

import (
	"errors"
	"io"
	"io/fs"
	"path/filepath"
)

// Local files for upload_file. A model can be talked into uploading anything the server can read
// (keys, configuration, /proc/self/environ with the server's own API key), so local files are off
// unless the operator names one directory (--upload-dir), and inside it only plain files are read:
// no symbolic link is followed on any component, a file with a second hard link (which may be a
// file from elsewhere) is refused, and a FIFO or device is never read, so a call cannot hang. The
// platform files (upload_open_*.go) open the file; this one checks the path and reads it.

// uploadOff is the answer when the operator has not named an upload directory.
var uploadOff = &inputError{msg: `local files are off on this server: the operator must start it with --upload-dir DIR ` +
	`(or ETLWORKS_MCP_UPLOAD_DIR) to allow files from DIR; or pass the text itself as "content" with a "name"`}

// uploadRefusal is why a platform opener refused a file, worded to follow the path in a message.
type uploadRefusal struct{ msg string }

func (e *uploadRefusal) Error() string { return e.msg }

var (
	errUploadLink = &uploadRefusal{"is or goes through a symbolic link or junction; upload_file follows no links: " +
		"name the file itself, inside the upload directory"}
	errUploadLinks = &uploadRefusal{"has more than one hard link, so it may be a file from outside the upload directory; copy it there instead"}
)

// checkUploadMode refuses anything but a regular file; the openers call it before and after opening.
func checkUploadMode(mode fs.FileMode) error {
	kind := ""
	switch {
	case mode&fs.ModeSymlink != 0:
		return errUploadLink
	case mode.IsRegular():
		return nil
	case mode.IsDir():
		kind = "a directory"
	case mode&fs.ModeNamedPipe != 0:
		kind = "a FIFO (named pipe)"
	case mode&fs.ModeSocket != 0:
		kind = "a socket"
	case mode&fs.ModeDevice != 0:
		kind = "a device"
	default:
		kind = "not a regular file"
	}
	return &uploadRefusal{"is " + kind + "; upload_file reads only regular files"}
}

// readUpload reads the local file p for upload_file: a regular file with a single link, of at most
// maxUpload bytes, inside dir (absolute, as main passes it), reached without following links. p is
// relative to dir or absolute under it.
func readUpload(dir, p string) ([]byte, error) {
	if dir == "" {
		return nil, uploadOff
	}
	outside := badInput(`"path" %q is outside the upload directory %s: only files inside it can be uploaded; copy the file there or pass its text as "content"`, clip(p, 200), dir)
	rel := filepath.Clean(p)
	if filepath.IsAbs(p) {
		r, err := filepath.Rel(dir, rel)
		if err != nil {
			return nil, outside
		}
		rel = r
	}
	if !filepath.IsLocal(rel) {
		return nil, outside
	}
	f, err := openUpload(dir, rel)
	if err != nil {
		return nil, uploadError(p, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, uploadError(p, err)
	}
	if info.Size() > maxUpload {
		return nil, badInput(`"path" %q is %s; the upload limit is %d MiB`, clip(p, 200), byteSize(info.Size()), maxUpload>>20)
	}
	// Read exactly the size the file had when it was opened: a file that grows meanwhile cannot
	// push the read past the limit, and one that reports no size (a kernel pseudo-file) has nothing.
	data := make([]byte, info.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, badInput(`"path" %q changed while it was read (%v); try again once it is complete`, clip(p, 200), err)
	}
	return data, nil
}

// uploadError names the path and what was wrong with it.
func uploadError(p string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	if errors.Is(err, fs.ErrNotExist) {
		return badInput(`"path" %q does not exist in the upload directory; give a path relative to it`, clip(p, 200))
	}
	var refusal *uploadRefusal
	if errors.As(err, &refusal) {
		return badInput(`"path" %q %s`, clip(p, 200), refusal.msg)
	}
	return badInput(`"path" %q cannot be read: %v`, clip(p, 200), err)
}
