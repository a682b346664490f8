package lane

import (
	"bufio"
	"net"
	"sync"
)

// handoff is a net.Listener whose Accept returns the connections the lane
// hands over.
type handoff struct {
	conns     chan net.Conn
	done      chan struct{}
	closeOnce sync.Once
	mu        sync.Mutex
	addr      net.Addr
}

func newHandoff() *handoff {
	return &handoff{conns: make(chan net.Conn), done: make(chan struct{})}
}

// push gives c to Accept; false once the listener is closed.
func (h *handoff) push(c net.Conn) bool {
	select {
	case h.conns <- c:
		return true
	case <-h.done:
		return false
	}
}

func (h *handoff) Accept() (net.Conn, error) {
	select {
	case c := <-h.conns:
		return c, nil
	case <-h.done:
		return nil, net.ErrClosed
	}
}

func (h *handoff) Close() error {
	h.closeOnce.Do(func() { close(h.done) })
	return nil
}

func (h *handoff) setAddr(a net.Addr) {
	h.mu.Lock()
	h.addr = a
	h.mu.Unlock()
}

func (h *handoff) Addr() net.Addr {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.addr == nil {
		return &net.TCPAddr{}
	}
	return h.addr
}

// handedConn returns nc reading first what the lane buffered. A TCP
// connection stays a *net.TCPConn underneath, so net/http still finds its
// ReadFrom and sends files with sendfile(2).
func handedConn(nc net.Conn, br *bufio.Reader) net.Conn {
	if tc, ok := nc.(*net.TCPConn); ok {
		return &handedTCPConn{TCPConn: tc, br: br}
	}
	return &handedOtherConn{Conn: nc, br: br}
}

type handedTCPConn struct {
	*net.TCPConn
	br *bufio.Reader
}

func (c *handedTCPConn) Read(p []byte) (int, error) {
	if c.br != nil {
		if c.br.Buffered() > 0 {
			return c.br.Read(p)
		}
		c.br = nil // drained: read the connection itself
	}
	return c.TCPConn.Read(p)
}

type handedOtherConn struct {
	net.Conn
	br *bufio.Reader
}

func (c *handedOtherConn) Read(p []byte) (int, error) {
	if c.br != nil {
		if c.br.Buffered() > 0 {
			return c.br.Read(p)
		}
		c.br = nil
	}
	return c.Conn.Read(p)
}
