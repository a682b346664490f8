package web

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
)

// TestGatheredWrites: what a connection holds while gathering goes out
// whole and in order, with the rest or when released, whatever the sizes
// of net/http's writes (its 4 KB buffer's flushes, a larger direct write,
// a last small one).
func TestGatheredWrites(t *testing.T) {
	for _, sizes := range [][]int{{4096, 16510}, {100}, {4096}, {4096, 100, 4096}, {5000}, {4096, 70000, 10}, {}} {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		got := make(chan []byte, 1)
		go func() {
			c, err := l.Accept()
			if err != nil {
				got <- nil
				return
			}
			b, _ := io.ReadAll(c)
			c.Close()
			got <- b
		}()
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		tc := &trackedConn{Conn: c}
		var want []byte
		tc.gather()
		for i, n := range sizes {
			p := bytes.Repeat([]byte{byte('a' + i)}, n)
			want = append(want, p...)
			if m, err := tc.Write(p); m != n || err != nil {
				t.Fatalf("%v: write %d of %d bytes: %d, %v", sizes, i, n, m, err)
			}
		}
		if err := tc.release(); err != nil {
			t.Fatalf("%v: release: %v", sizes, err)
		}
		if tc.held != nil || tc.gathering {
			t.Fatalf("%v: still holding after release", sizes)
		}
		tc.Write([]byte("after")) // written at once again
		want = append(want, "after"...)
		c.Close()
		if b := <-got; !bytes.Equal(b, want) {
			t.Errorf("%v: the peer read %d bytes, want the %d written, in order", sizes, len(b), len(want))
		}
		l.Close()
	}
}

// TestGatheredWriteFails: a write that fails with bytes held reports the
// error, and none of the held bytes as its own.
func TestGatheredWriteFails(t *testing.T) {
	fc := &failingConn{room: 1000}
	tc := &trackedConn{Conn: fc}
	tc.gather()
	if n, err := tc.Write(make([]byte, 4096)); n != 4096 || err != nil {
		t.Fatalf("held write: %d, %v", n, err)
	}
	n, err := tc.Write(make([]byte, 8000))
	if err == nil || n != 0 {
		t.Errorf("write after 1000 of 12096 bytes went out: %d, %v; want 0 and the error", n, err)
	}
	if err := tc.release(); err != nil {
		t.Errorf("release with nothing held: %v", err)
	}
	tc.gather()
	tc.Write(make([]byte, 10))
	if err := tc.release(); err == nil {
		t.Error("release of a held write the connection refused: no error")
	}
}

// failingConn takes room bytes, then fails every write.
type failingConn struct {
	net.Conn
	room int
}

func (c *failingConn) Write(p []byte) (int, error) {
	n := min(len(p), c.room)
	c.room -= n
	if n < len(p) {
		return n, errors.New("connection reset")
	}
	return n, nil
}
