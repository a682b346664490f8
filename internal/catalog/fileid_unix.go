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
		return fileID{uint64(st.Dev), uint64(st.Ino)}
	}
	return fileID{}
}
