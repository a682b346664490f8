package lane

import (
	"io"
	"os"
	"runtime"
	"syscall"
)

// sendFile writes hdr, then n bytes of f from off, on c. The headers go
// with MSG_MORE, so the kernel sends them in the same segment as the
// file's first bytes (nginx's tcp_nopush), and the file with sendfile(2)
// at an explicit offset, so requests share one open file without seeking
// it. It returns the file bytes sent.
func sendFile(c *conn, hdr []byte, f *os.File, off, n int64) (int64, error) {
	if c.raw == nil {
		return copyFile(c, hdr, f, off, n)
	}
	src := int(f.Fd())
	var sent int64
	var werr error
	err := c.raw.Write(func(fd uintptr) bool {
		for len(hdr) > 0 {
			m, err := syscall.SendmsgN(int(fd), hdr, nil, nil, syscall.MSG_MORE)
			switch {
			case err == syscall.EINTR:
				continue
			case err == syscall.EAGAIN:
				return false // wait until writable
			case err != nil:
				werr = err
				return true
			}
			hdr = hdr[m:]
		}
		for sent < n {
			m, err := syscall.Sendfile(int(fd), src, &off, int(min(n-sent, 1<<30)))
			if m > 0 {
				sent += int64(m)
			}
			switch {
			case err == syscall.EINTR:
				continue
			case err == syscall.EAGAIN:
				return false
			case err != nil:
				werr = err
				return true
			case m == 0:
				werr = io.ErrUnexpectedEOF // the file is shorter than the snapshot says
				return true
			}
		}
		return true
	})
	runtime.KeepAlive(f) // src is f's descriptor: f must not be closed before here
	if err == nil {
		err = werr
	}
	return sent, err
}
