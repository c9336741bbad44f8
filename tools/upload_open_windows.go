//go:build windows

package tools

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// openUpload opens rel (local, cleaned) inside dir through os.Root, which refuses any path that
// leaves dir. Windows has no O_NOFOLLOW, so every component is checked with Lstat first and a
// symbolic link, junction or other reparse point refuses the path; the file opened is then
// compared with the one checked, and its link count is read from the open handle.
func openUpload(dir, rel string) (*os.File, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	parts := strings.Split(rel, string(filepath.Separator))
	for i := range parts {
		info, err := root.Lstat(filepath.Join(parts[:i+1]...))
		if err != nil {
			return nil, err
		}
		mode := info.Mode()
		if mode&(fs.ModeSymlink|fs.ModeIrregular) != 0 {
			return nil, errUploadLink
		}
		if i < len(parts)-1 && !mode.IsDir() {
			return nil, &uploadRefusal{"names " + parts[i] + " as a directory, but it is not one"}
		}
	}
	checked, err := root.Lstat(rel)
	if err != nil {
		return nil, err
	}
	if err := checkUploadMode(checked.Mode()); err != nil {
		return nil, err
	}
	f, err := root.OpenFile(rel, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	opened, err := f.Stat()
	if err == nil && !os.SameFile(checked, opened) {
		err = errUploadLink // a component was swapped for a link between the check and the open
	}
	if err == nil {
		err = checkUploadMode(opened.Mode())
	}
	if err == nil {
		var info syscall.ByHandleFileInformation
		if err = syscall.GetFileInformationByHandle(syscall.Handle(f.Fd()), &info); err == nil && info.NumberOfLinks != 1 {
			err = errUploadLinks
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
