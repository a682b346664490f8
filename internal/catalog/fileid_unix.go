//go:build unix

package catalog

import (
	"os"
	"syscall"
)

// fileID is what tells one file from another at the same path.
type fileID struct{ dev, ino uint64 }

func identity(fi os.FileInfo) fileID {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return statID(st)
	}
	return fileID{}
}

// statID is the identity of the file st describes.
func statID(st *syscall.Stat_t) fileID { return fileID{uint64(st.Dev), uint64(st.Ino)} }

// openFile opens path for reading without registering it with Go's network
// poller: a regular file is never pollable, and os.Open would still try, at
// four fcntl(2) calls and a failing epoll_ctl(2) an open, on every request
// for a recording. The file reads, seeks and is sent with sendfile(2) as
// any other. It returns what the file is now (stampOf).
func openFile(path string) (*os.File, fileStamp, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, fileStamp{}, &os.PathError{Op: "open", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(fd), path)
	stamp, err := stampOf(f, fd)
	if err != nil {
		f.Close()
		return nil, fileStamp{}, err
	}
	return f, stamp, nil
}
