//go:build unix

package tools

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// openUpload opens rel (local, cleaned) inside dir one component at a time with openat and
// O_NOFOLLOW, so no symbolic link is followed anywhere below dir and, since rel has no "..", the
// walk cannot leave dir. The file is checked by lstat before it is opened (a FIFO or device is
// never opened) and by fstat after (the file opened is the one checked); it is opened
// non-blocking all the same, so even a FIFO swapped in between cannot make the call hang.
func openUpload(dir, rel string) (*os.File, error) {
	dfd, err := openatRetry(unix.AT_FDCWD, dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
	if err != nil {
		return nil, errors.New("the upload directory " + dir + " cannot be opened: " + err.Error())
	}
	parts := strings.Split(rel, string(filepath.Separator))
	for _, name := range parts[:len(parts)-1] {
		fd, err := openatRetry(dfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC)
		if err != nil {
			err = componentError(dfd, name, err)
			unix.Close(dfd)
			return nil, err
		}
		unix.Close(dfd)
		dfd = fd
	}
	defer unix.Close(dfd)
	name := parts[len(parts)-1]
	var st unix.Stat_t
	if err := unix.Fstatat(dfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return nil, err
	}
	if err := checkUploadStat(&st); err != nil {
		return nil, err
	}
	fd, err := openatRetry(dfd, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC)
	if err != nil {
		return nil, componentError(dfd, name, err)
	}
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, err
	}
	if err := checkUploadStat(&st); err != nil {
		unix.Close(fd)
		return nil, err
	}
	if err := unix.SetNonblock(fd, false); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return os.NewFile(uintptr(fd), filepath.Join(dir, rel)), nil
}

// checkUploadStat refuses anything but a regular file with a single link.
func checkUploadStat(st *unix.Stat_t) error {
	var mode fs.FileMode
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
	case unix.S_IFDIR:
		mode = fs.ModeDir
	case unix.S_IFLNK:
		mode = fs.ModeSymlink
	case unix.S_IFIFO:
		mode = fs.ModeNamedPipe
	case unix.S_IFSOCK:
		mode = fs.ModeSocket
	case unix.S_IFCHR, unix.S_IFBLK:
		mode = fs.ModeDevice
	default:
		mode = fs.ModeIrregular
	}
	if err := checkUploadMode(mode); err != nil {
		return err
	}
	if uint64(st.Nlink) != 1 {
		return errUploadLinks
	}
	return nil
}

// componentError explains a failed openat: a symbolic link (ELOOP, or ENOTDIR on systems that
// report a link that way), a file where a directory was expected, or the system's own error.
func componentError(dfd int, name string, err error) error {
	if errors.Is(err, unix.ELOOP) || errors.Is(err, unix.ENOTDIR) || errors.Is(err, unix.EMLINK) {
		var st unix.Stat_t
		if unix.Fstatat(dfd, name, &st, unix.AT_SYMLINK_NOFOLLOW) == nil {
			if st.Mode&unix.S_IFMT == unix.S_IFLNK {
				return errUploadLink
			}
			if st.Mode&unix.S_IFMT != unix.S_IFDIR {
				return &uploadRefusal{"names " + name + " as a directory, but it is not one"}
			}
		}
	}
	return err
}

// openatRetry is openat, retried when a signal interrupts it.
func openatRetry(dfd int, name string, flags int) (int, error) {
	for {
		fd, err := unix.Openat(dfd, name, flags, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}
