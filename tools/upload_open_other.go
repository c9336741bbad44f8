//go:build !unix && !windows

package tools

import "os"

// openUpload refuses every local file on systems where the guarantees of the unix and windows
// openers (no link followed, a single hard link, never a blocking read) cannot be given.
func openUpload(dir, rel string) (*os.File, error) {
	return nil, &uploadRefusal{`cannot be read: local files are not supported on this operating system; pass the text as "content"`}
}
