package lane

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/readcast/readcast/internal/catalog"
)

// Config is what a Lane answers from and how long it waits.
type Config struct {
	// Find returns what is served at a URL path and the header fields
	// every answer with it carries besides Content-Type and those of the
	// representation (ETag, Vary, Last-Modified, Content-*): Fields(a) for
	// the show's assets. A nil asset leaves the request to net/http.
	Find func(path string) (*catalog.Asset, []Field)
	// Done is called after each request the lane answered, for the access
	// log and the metrics; bytes counts the body sent.
	Done func(r *Request, status int, bytes int64, took time.Duration)
	// ReadHeaderTimeout bounds the wait for a new connection's first
	// request and for the rest of a head once its first byte came;
	// IdleTimeout bounds the wait between requests. As net/http's.
	ReadHeaderTimeout time.Duration
	IdleTimeout       time.Duration
	// WriteStall bounds how long a client may take to accept each
	// stallChunk of an answer larger than stallFree: a client that stops
	// reading is dropped (apps resume with a Range request) instead of
	// holding a goroutine and a descriptor for ever. Zero waits for ever.
	// It is not a limit on the whole answer, which would cut a slow
	// listener's download of a long episode.
	WriteStall time.Duration
	Log        *slog.Logger
}

// An answer's body up to stallFree bytes is written without a deadline: it
// fits a socket's send buffer. A larger one is written stallChunk bytes at
// a time, each within Config.WriteStall.
const (
	stallFree  = 32 << 10
	stallChunk = 256 << 10
)

// headBufferSize is the longest head the lane reads; a longer one (many
// cookies, say) is net/http's, which allows more.
const headBufferSize = 4 << 10

// Lane answers requests for assets on the connections it accepts and hands
// everything else to net/http through Fallback.
type Lane struct {
	cfg      Config
	fallback *handoff
	closing  atomic.Bool

	mu    sync.Mutex
	ln    net.Listener
	conns map[*conn]struct{}
	wg    sync.WaitGroup
}

// New returns a lane; Serve starts it.
func New(cfg Config) *Lane {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Lane{cfg: cfg, fallback: newHandoff(), conns: map[*conn]struct{}{}}
}

// Fallback is the listener for net/http: it accepts the connections the
// lane hands over, each at the first request the lane does not answer,
// with that request's bytes still to be read.
func (l *Lane) Fallback() net.Listener { return l.fallback }

// Serve accepts connections on ln until Shutdown, and returns nil then.
func (l *Lane) Serve(ln net.Listener) error {
	l.mu.Lock()
	if l.closing.Load() {
		l.mu.Unlock()
		ln.Close()
		return nil
	}
	l.ln = ln
	l.mu.Unlock()
	l.fallback.setAddr(ln.Addr())
	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if l.closing.Load() {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && !errors.Is(err, net.ErrClosed) {
				// Out of file descriptors, say: wait, as net/http does.
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				l.cfg.Log.Warn("lane: accept", "err", err, "retry_in", backoff)
				time.Sleep(backoff)
				continue
			}
			return fmt.Errorf("lane: accept: %w", err)
		}
		backoff = 0
		c := newConn(nc)
		c.stall = l.cfg.WriteStall
		l.mu.Lock()
		if l.closing.Load() {
			l.mu.Unlock()
			nc.Close()
			return nil
		}
		l.conns[c] = struct{}{}
		l.wg.Add(1)
		l.mu.Unlock()
		go l.serveConn(c)
	}
}

// Shutdown stops accepting, closes idle connections and waits for the
// answers in flight; when ctx is done first it closes the rest. Handed-over
// connections are net/http's to shut down.
func (l *Lane) Shutdown(ctx context.Context) error {
	l.mu.Lock()
	l.closing.Store(true)
	if l.ln != nil {
		l.ln.Close()
	}
	for c := range l.conns {
		// A connection marks itself idle before it sets its deadline and
		// checks closing, so either it sees closing or this deadline
		// comes after its own.
		if c.idle.Load() {
			c.nc.SetReadDeadline(time.Unix(1, 0))
		}
	}
	l.mu.Unlock()
	done := make(chan struct{})
	go func() { l.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		l.mu.Lock()
		for c := range l.conns {
			c.nc.Close()
		}
		l.mu.Unlock()
		<-done
		return fmt.Errorf("lane: shutdown: %w", ctx.Err())
	}
}

// conn is one connection the lane serves.
type conn struct {
	nc     net.Conn
	raw    syscall.RawConn // nil unless TCP: then sendfile(2)
	br     *bufio.Reader
	buf    []byte // the headers being written
	remote string
	stall  time.Duration // Config.WriteStall
	idle   atomic.Bool
}

var readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, headBufferSize) }}

func newConn(nc net.Conn) *conn {
	br := readers.Get().(*bufio.Reader)
	br.Reset(nc)
	c := &conn{nc: nc, br: br, buf: make([]byte, 0, 1024), remote: nc.RemoteAddr().String()}
	if tc, ok := nc.(*net.TCPConn); ok {
		c.raw, _ = tc.SyscallConn()
	}
	return c
}

// errHandOver means the request in the buffer is net/http's.
var errHandOver = errors.New("lane: not a request the lane answers")

func (l *Lane) serveConn(c *conn) {
	handedOver := false
	defer func() {
		if v := recover(); v != nil {
			l.cfg.Log.Error("lane: panic", "panic", v, "stack", string(debug.Stack()))
		}
		l.mu.Lock()
		delete(l.conns, c)
		l.mu.Unlock()
		if !handedOver {
			c.nc.Close()
			c.br.Reset(nil)
			readers.Put(c.br)
		}
		l.wg.Done()
	}()
	// A new connection's first head must come within ReadHeaderTimeout of
	// the accept; a later one within ReadHeaderTimeout of its first byte,
	// after up to IdleTimeout of waiting for it. As net/http.
	waitDeadline := time.Now().Add(l.cfg.ReadHeaderTimeout)
	for first := true; ; first = false {
		c.idle.Store(true)
		c.nc.SetReadDeadline(waitDeadline)
		if l.closing.Load() {
			return
		}
		_, err := c.br.Peek(1)
		c.idle.Store(false)
		if err != nil {
			return // gone, idle too long, or shutting down
		}
		start := time.Now()
		headDeadline := waitDeadline
		if !first {
			headDeadline = start.Add(l.cfg.ReadHeaderTimeout)
		}
		head, err := c.readHead(headDeadline)
		if err != nil {
			if errors.Is(err, errHandOver) {
				handedOver = l.handOver(c)
			}
			return
		}
		req, ok := parseHead(head)
		var a *catalog.Asset
		var fields []Field
		if ok {
			a, fields = l.cfg.Find(req.Path)
			ok = a != nil
		}
		var ans answer
		if ok {
			ans, ok = plan(&req, a)
		}
		if !ok {
			handedOver = l.handOver(c)
			return
		}
		c.br.Discard(len(head))
		req.RemoteAddr = c.remote
		n, err := c.answer(a, fields, &ans, req.Method == http.MethodHead, start)
		end := time.Now()
		if l.cfg.Done != nil {
			l.cfg.Done(&req, ans.status, n, end.Sub(start))
		}
		if err != nil {
			return
		}
		waitDeadline = end.Add(l.cfg.IdleTimeout)
	}
}

// readHead waits until the buffer holds a whole head and returns it,
// unread. A head that is not all CRLF lines, or does not fit the buffer,
// is errHandOver; the rest of a head must come by deadline.
func (c *conn) readHead(deadline time.Time) ([]byte, error) {
	deadlineSet := false
	for {
		b, _ := c.br.Peek(c.br.Buffered())
		switch end, state := headEnd(b); state {
		case headComplete:
			return b[:end], nil
		case headForeign:
			return nil, errHandOver
		}
		if c.br.Buffered() >= c.br.Size() {
			return nil, errHandOver
		}
		if !deadlineSet {
			c.nc.SetReadDeadline(deadline)
			deadlineSet = true
		}
		if _, err := c.br.Peek(c.br.Buffered() + 1); err != nil {
			return nil, err
		}
	}
}

// answer writes the answer: the headers and the body together, in one
// writev(2) for bytes in memory, or the headers held back (MSG_MORE) and the
// file's range sent with sendfile(2). It returns the body bytes sent.
func (c *conn) answer(a *catalog.Asset, fields []Field, ans *answer, head bool, now time.Time) (int64, error) {
	c.buf = appendHeader(c.buf[:0], a, fields, ans, now)
	if head || ans.status == http.StatusNotModified || ans.n == 0 {
		_, err := c.nc.Write(c.buf)
		return 0, err
	}
	if c.stall <= 0 || ans.n <= stallFree {
		return c.send(c.buf, ans, ans.off, ans.n)
	}
	defer c.nc.SetWriteDeadline(time.Time{})
	hdr := c.buf
	var sent int64
	for sent < ans.n {
		c.nc.SetWriteDeadline(time.Now().Add(c.stall))
		n, err := c.send(hdr, ans, ans.off+sent, min(ans.n-sent, stallChunk))
		sent += n
		if err != nil {
			return sent, err
		}
		hdr = nil
	}
	return sent, nil
}

// send writes hdr, then n bytes of the answer's content from off, and
// returns the content bytes sent.
func (c *conn) send(hdr []byte, ans *answer, off, n int64) (int64, error) {
	if ans.file != nil {
		return sendFile(c, hdr, ans.file, off, n)
	}
	bufs := net.Buffers{hdr, ans.body[off : off+n]}
	w, err := bufs.WriteTo(c.nc)
	return max(0, w-int64(len(hdr))), err
}

// handOver gives c, with its unread bytes, to net/http. It reports false
// when net/http no longer accepts (shutting down): the caller closes c.
func (l *Lane) handOver(c *conn) bool {
	c.nc.SetReadDeadline(time.Time{})
	return l.fallback.push(handedConn(c.nc, c.br))
}
