//go:build linux

package web

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"syscall"
	"testing"
)

// corked reports whether TCP_CORK is set on the server's side of a
// connection.
func corked(t *testing.T, c *net.TCPConn) bool {
	t.Helper()
	raw, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	var gerr error
	if err := raw.Control(func(fd uintptr) {
		v, gerr = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_CORK)
	}); err != nil || gerr != nil {
		t.Fatal(err, gerr)
	}
	return v != 0
}

// TestCorkHeldOnlyWhileAnAnswerIsWritten looks at the server's side of a
// connection: corked while a large answer is being sent (its header and
// body leave in full packets), never left corked once an answer, large or
// small, is written, which would hold back the next one.
func TestCorkHeldOnlyWhileAnAnswerIsWritten(t *testing.T) {
	t.Parallel()
	b := newBoundedShow(t, testLimits(), true)
	a := b.srv.Snapshot().Episodes[0].Audio
	c := b.dial(t)
	c.(*net.TCPConn).SetReadBuffer(16 << 10) // the recording (over 10 MB) fills the sockets' buffers
	server := <-b.accepted
	br := bufio.NewReader(c)

	io.WriteString(c, "GET "+a.Path+" HTTP/1.1\r\nHost: x\r\n\r\n")
	waitUntil(t, "the connection to be corked while the recording is sent", func() bool { return corked(t, server) })
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := io.Copy(io.Discard, resp.Body); err != nil || n != a.Size {
		t.Fatalf("the recording: %d bytes, %v; want %d", n, err, a.Size)
	}
	resp.Body.Close()

	for _, req := range []string{
		"GET /feed.xml HTTP/1.1\r\nHost: x\r\n\r\n",                                   // 20 KB, from memory
		"GET " + a.Path + " HTTP/1.1\r\nHost: x\r\nRange: bytes=65536-131071\r\n\r\n", // with sendfile
		"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",                                    // small: never corked
	} {
		io.WriteString(c, req)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			t.Fatalf("%q: %s", req, resp.Status)
		}
		// The answer was read whole; its handler returns right after
		// writing it, and must leave the connection uncorked.
		waitUntil(t, "the connection to be uncorked after "+req, func() bool { return !corked(t, server) })
	}
}
