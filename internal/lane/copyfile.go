package lane

import (
	"io"
	"os"
)

// copyFile writes hdr, then n bytes of f from off, on a connection the lane
// cannot sendfile(2) to. It returns the file bytes sent.
func copyFile(c *conn, hdr []byte, f *os.File, off, n int64) (int64, error) {
	if _, err := c.nc.Write(hdr); err != nil {
		return 0, err
	}
	return io.Copy(c.nc, io.NewSectionReader(f, off, n))
}
