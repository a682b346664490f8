package catalog

import (
	"os"
	"syscall"
	"time"
)

// stampOf is what the open file f (descriptor fd) is now, from one
// fstat(2) into a struct on the stack: os.File.Stat would allocate a
// FileInfo a request. Linux only, where Stat_t's modification time is
// Mtim; other systems name it otherwise (filestamp_other.go).
func stampOf(f *os.File, fd int) (fileStamp, error) {
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return fileStamp{}, &os.PathError{Op: "fstat", Path: f.Name(), Err: err}
	}
	return fileStamp{size: st.Size, mod: time.Unix(st.Mtim.Unix()), id: statID(&st)}, nil
}
