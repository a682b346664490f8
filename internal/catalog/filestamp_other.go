//go:build !linux

package catalog

import "os"

// stampOf is what the open file f is now, from os.File.Stat: outside
// Linux, syscall.Stat_t names its modification time otherwise (Mtimespec
// on macOS and FreeBSD) or there is none (Windows).
func stampOf(f *os.File, _ int) (fileStamp, error) {
	fi, err := f.Stat()
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{size: fi.Size(), mod: fi.ModTime(), id: identity(fi)}, nil
}
