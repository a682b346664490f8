package web

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// conns follows the server's connections for what no handler sees: the
// answers net/http writes on its own (400 for a malformed request, 431 for
// a header too large), requests a client never finished (the header
// timeout, a client that gave up), and how many requests are in flight
// when a shutdown's grace is over. Each of the first two gets an access
// log line like a handler's request.
type conns struct {
	s *Server
	// busy counts the requests in a handler.
	busy atomic.Int64
}

// trackedConn is a connection as conns sees it.
type trackedConn struct {
	net.Conn
	c *conns

	mu sync.Mutex
	// inHandler is set while a handler answers one of its requests.
	inHandler bool
	// pending counts the bytes read since the last request was handed to
	// a handler, and first when the first of them arrived: a request in
	// the making.
	pending int64
	first   time.Time

	// gathering is set while statusWriter writes a whole answer from
	// memory; held is what net/http flushed meanwhile (its header and
	// the first bytes of the body, one bufio buffer), to go out with the
	// rest in one writev(2). Only the connection's own goroutine writes.
	gathering bool
	held      *[]byte
}

// holdMax is the most a gathered write holds: net/http flushes its 4 KB
// write buffer at a time, and writes anything larger straight through.
const holdMax = 4 << 10

// holdBufs holds the buffers of gathered writes.
var holdBufs = sync.Pool{New: func() any { b := make([]byte, 0, holdMax); return &b }}

// gather starts holding the next write, so that an answer written whole
// from memory (the feed, a transcript) leaves in one system call, header
// and body together, rather than two: a 4 KB flush of net/http's buffer,
// then the rest. Each write is also a wake-up of the client reading it.
func (tc *trackedConn) gather() { tc.gathering = true }

// release stops gathering and sends what is still held.
func (tc *trackedConn) release() error {
	tc.gathering = false
	if tc.held == nil {
		return nil
	}
	b := tc.held
	tc.held = nil
	_, err := tc.Conn.Write(*b)
	holdBufs.Put(b)
	return err
}

// writeGathered holds p, or sends what is held and p together.
func (tc *trackedConn) writeGathered(p []byte) (int, error) {
	if tc.held == nil {
		if len(p) > holdMax {
			return tc.Conn.Write(p)
		}
		b := holdBufs.Get().(*[]byte)
		*b = append((*b)[:0], p...)
		tc.held = b
		return len(p), nil
	}
	b := tc.held
	tc.held = nil
	held := len(*b)
	bufs := net.Buffers{*b, p}
	n, err := bufs.WriteTo(tc.Conn)
	holdBufs.Put(b)
	return max(0, int(n)-held), err
}

type connKey struct{}

func newConns(s *Server) *conns { return &conns{s: s} }

// listen wraps l so that its connections are tracked, and sets up hs to
// tell conns about them.
func (c *conns) listen(hs *http.Server, l net.Listener) net.Listener {
	prevCtx, prevState := hs.ConnContext, hs.ConnState
	hs.ConnContext = func(ctx context.Context, nc net.Conn) context.Context {
		if prevCtx != nil {
			ctx = prevCtx(ctx, nc)
		}
		if tc, ok := nc.(*trackedConn); ok {
			ctx = context.WithValue(ctx, connKey{}, tc)
		}
		return ctx
	}
	hs.ConnState = func(nc net.Conn, st http.ConnState) {
		if prevState != nil {
			prevState(nc, st)
		}
		if tc, ok := nc.(*trackedConn); ok && (st == http.StateClosed || st == http.StateHijacked) {
			tc.closed()
		}
	}
	return trackingListener{l, c}
}

type trackingListener struct {
	net.Listener
	c *conns
}

func (l trackingListener) Accept() (net.Conn, error) {
	nc, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &trackedConn{Conn: nc, c: l.c}, nil
}

// begin and end bracket a handler's request on the connection of ctx.
func (c *conns) begin(ctx context.Context) *trackedConn {
	tc, _ := ctx.Value(connKey{}).(*trackedConn)
	if tc == nil {
		return nil
	}
	tc.mu.Lock()
	tc.inHandler, tc.pending = true, 0
	tc.mu.Unlock()
	c.busy.Add(1)
	return tc
}

func (c *conns) end(tc *trackedConn) {
	if tc == nil {
		return
	}
	tc.mu.Lock()
	tc.inHandler, tc.pending = false, 0
	tc.mu.Unlock()
	c.busy.Add(-1)
}

// inFlight is how many requests handlers are answering.
func (c *conns) inFlight() int { return int(c.busy.Load()) }

func (tc *trackedConn) Read(p []byte) (int, error) {
	n, err := tc.Conn.Read(p)
	if n > 0 {
		tc.mu.Lock()
		if !tc.inHandler {
			if tc.pending == 0 {
				tc.first = time.Now()
			}
			tc.pending += int64(n)
		}
		tc.mu.Unlock()
	}
	return n, err
}

// ReadFrom keeps the connection's sendfile(2) (net/http sends files with
// it when the connection can) reachable through the wrapper.
func (tc *trackedConn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := tc.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(writerOnly{tc.Conn}, r)
}

// Write logs an answer net/http wrote on its own: its 400 and 431 are
// one write, straight to the connection, of a status line and
// errorHeaders ("Connection: close"), for a request no handler was given.
func (tc *trackedConn) Write(p []byte) (int, error) {
	if tc.gathering {
		return tc.writeGathered(p)
	}
	n, err := tc.Conn.Write(p)
	if !bytes.HasPrefix(p, []byte("HTTP/1.1 4")) && !bytes.HasPrefix(p, []byte("HTTP/1.1 5")) {
		return n, err
	}
	head := p[:min(len(p), 256)]
	if !bytes.Contains(head, []byte("\r\nConnection: close\r\n\r\n")) || !bytes.Contains(head, []byte("\r\nContent-Type: text/plain; charset=utf-8\r\n")) {
		return n, err
	}
	tc.mu.Lock()
	own := !tc.inHandler
	since := tc.first
	if own {
		tc.pending = 0
	}
	tc.mu.Unlock()
	if own {
		status, _ := strconv.Atoi(string(p[9:12]))
		tc.c.s.logServerAnswer(status, int64(n), since, err == nil, "net/http answered before any handler saw the request: malformed, its header too large, or not sent within the header timeout")
	}
	return n, err
}

// closed logs a request the client started and never finished.
func (tc *trackedConn) closed() {
	tc.mu.Lock()
	pending, first, in := tc.pending, tc.first, tc.inHandler
	tc.pending = 0
	tc.mu.Unlock()
	if pending > 0 && !in {
		tc.c.s.logServerAnswer(http.StatusRequestTimeout, 0, first, false, "the connection closed before its request header was complete (the header timeout, or the client gave up)")
	}
}

// logServerAnswer writes the access log line of an answer no handler gave.
func (s *Server) logServerAnswer(status int, n int64, since time.Time, completed bool, why string) {
	took := 0.0
	if !since.IsZero() {
		took = time.Since(since).Seconds()
	}
	s.log.LogAttrs(context.Background(), slog.LevelWarn, "request",
		slog.Int("status", status), slog.Int64("bytes", n), slog.Float64("duration", took),
		slog.String("request_id", newRequestID()), slog.Bool("completed", completed), slog.String("error", why))
}

// newRequestID is a request's id when the client (or the proxy) sent none
// usable: 16 hex digits. An id tells log lines apart and guards nothing,
// so it comes from math/rand/v2's generator (ChaCha8, seeded at random
// for each process), which costs a request no system call and one
// allocation.
func newRequestID() string {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], rand.Uint64())
	var id [16]byte
	hex.Encode(id[:], b[:])
	return string(id[:])
}

// requestID is the id of a request: the X-Request-Id a proxy gave it, when
// it is short and plain, or a new one.
func requestID(r *http.Request) string {
	id := r.Header.Get("X-Request-Id")
	if id == "" || len(id) > 64 {
		return newRequestID()
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_' || c == '.') {
			return newRequestID()
		}
	}
	return id
}
