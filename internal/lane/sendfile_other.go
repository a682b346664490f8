//go:build !linux

package lane

import "os"

// sendFile writes hdr, then n bytes of f from off, on c. Only Linux has the
// sendfile(2) path.
func sendFile(c *conn, hdr []byte, f *os.File, off, n int64) (int64, error) {
	return copyFile(c, hdr, f, off, n)
}
