package web

import (
	"io"
	"log/slog"
	"net"
	"sync"
	"time"
)

// limitListener caps the connections open at once: Accept waits while the
// cap is reached, leaving further clients in the kernel's listen queue,
// and says so in the log once a minute at most. It hands out the
// listener's own *net.TCPConn inside its conn, so net/http still sends
// files with sendfile(2) (golang.org/x/net/netutil's wrapper would hide
// the connection's ReadFrom).
type limitListener struct {
	net.Listener
	sem    chan struct{}
	done   chan struct{} // closed by Close: a waiting Accept gives up
	once   sync.Once
	log    *slog.Logger
	mu     sync.Mutex
	logged time.Time
}

func newLimitListener(l net.Listener, n int, log *slog.Logger) net.Listener {
	if n <= 0 {
		return l
	}
	return &limitListener{Listener: l, sem: make(chan struct{}, n), done: make(chan struct{}), log: log}
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.sem <- struct{}{}:
	default:
		l.full()
		select {
		case l.sem <- struct{}{}:
		case <-l.done:
			return nil, net.ErrClosed
		}
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	release := func() { <-l.sem }
	if tc, ok := c.(*net.TCPConn); ok {
		return &limitTCPConn{TCPConn: tc, release: sync.OnceFunc(release)}, nil
	}
	return &limitConn{Conn: c, release: sync.OnceFunc(release)}, nil
}

func (l *limitListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// full logs that the cap is reached, at most once a minute.
func (l *limitListener) full() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now := time.Now(); now.Sub(l.logged) >= time.Minute {
		l.logged = now
		l.log.Warn("connection limit reached; new clients wait until one closes (raise -max-conns if this is ordinary load)", "max_conns", cap(l.sem))
	}
}

// limitTCPConn gives its slot back when closed; embedding *net.TCPConn
// keeps ReadFrom, and with it sendfile(2).
type limitTCPConn struct {
	*net.TCPConn
	release func()
}

func (c *limitTCPConn) Close() error {
	err := c.TCPConn.Close()
	c.release()
	return err
}

type limitConn struct {
	net.Conn
	release func()
}

// ReadFrom keeps the TCP connection's sendfile(2) reachable: net/http
// sends a file with it only when the connection it holds is an
// io.ReaderFrom, which the embedded net.Conn interface hides.
func (c *limitConn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(writerOnly{c.Conn}, r)
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.release()
	return err
}
