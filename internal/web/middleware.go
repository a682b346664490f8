package web

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path"
	"strconv"
	"sync"
	"time"

	"github.com/readcast/readcast/internal/metrics"
)

// statusWriter remembers the status and byte count for the access log and
// the metrics, and keeps the write-progress deadline: before a write it
// moves the connection's write deadline to Limits.WriteStall from now, so a
// client that accepts nothing for that long is dropped while a slow, steady
// one gets every byte. It moves it only once a tenth of the stall time has
// gone by since it last did: a client that stops taking bytes is dropped
// between 0.9 and 1 stall time later, and an answer that goes out at once
// (the feed, a 64 KB range) costs no timer update besides the one made
// when its request was read (Serve's ConnState).
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
	// route is the metrics of the route that answered (metrics.go); nil
	// when none matched.
	route *metrics.Route
	stall time.Duration
	// conn sets the connection's write deadline (net/http's response
	// does); nil where the writer underneath cannot.
	conn writeDeadliner
	// until is the write deadline last set, or, before the first write,
	// a bound on the one Serve set when the request was read.
	until time.Time
	// id holds the request's X-Request-Id header value.
	id [1]string
	// err is the first write error: the client went away or stalled.
	err error
	// chunk is the reader of a file's next chunk (sendFile), kept here
	// so that sending a file allocates nothing.
	chunk io.LimitedReader
	// tc is the request's connection, nil outside a server's (tests).
	tc *trackedConn
}

type writeDeadliner interface{ SetWriteDeadline(time.Time) error }

// newStatusWriter wraps w for a request whose handling began at start,
// after Serve set the connection's write deadline to the stall time from
// then.
func newStatusWriter(w http.ResponseWriter, stall time.Duration, start time.Time) *statusWriter {
	sw := &statusWriter{ResponseWriter: w, stall: stall, until: start.Add(stall)}
	if d, ok := w.(writeDeadliner); ok && stall > 0 {
		sw.conn = d
	}
	return sw
}

// progress moves the write deadline to the stall time from now, unless it
// was moved less than a tenth of the stall time ago.
func (w *statusWriter) progress() {
	if w.conn == nil {
		return
	}
	now := time.Now()
	if w.until.Sub(now) > w.stall-w.stall/10 {
		return
	}
	w.until = now.Add(w.stall)
	w.conn.SetWriteDeadline(w.until)
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.progress()
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	if err != nil && w.err == nil {
		w.err = err
	}
	return n, err
}

// Unwrap lets http.ResponseController reach the connection underneath.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// sendChunk is how much of a file goes out between two moves of the write
// deadline: a client must take 64 KB within the stall time (1 KB/s for the
// default minute) to keep its connection.
const sendChunk = 64 << 10

// ReadFrom lets http.ServeContent's io.CopyN reach net/http's own ReadFrom,
// which sends a file, or a range of one, with sendfile(2), a chunk at a
// time with the write deadline moved between chunks. Without it the
// statusWriter would hide that path: every 32 KB of audio would then cost
// a read and a write system call and two copies. An in-memory body sent
// whole (the feed, a transcript, chapters) is written from its own bytes,
// header and body in one system call (writeWhole); anything else, such as
// a range of one, is copied through a pooled buffer (io.Copy would
// allocate one per request).
func (w *statusWriter) ReadFrom(src io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if f, remain, ok := fileOf(src); ok {
		if err := f.sync(); err != nil {
			return 0, err
		}
		n, err := w.sendFile(src, f.f, remain)
		f.sent(n)
		return n, err
	}
	if lr, ok := src.(*io.LimitedReader); ok {
		if br, ok := lr.R.(*bytes.Reader); ok && lr.N >= int64(br.Len()) {
			n, err := w.writeWhole(br)
			lr.N -= n
			return n, err
		}
	}
	buf := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(buf)
	return io.CopyBuffer(statusWriterOnly{w}, src, *buf) // Write counts and moves the deadline
}

// writeWhole writes the rest of br in one Write, from its own bytes (no
// copy of the feed's 20 KB into a buffer first), and has the connection
// gather what net/http writes meanwhile, so that the header and the whole
// body leave in one system call (trackedConn.gather). The feed's CPU a
// request, scripts/bench-serve's workload, pinned, three alternating 5 s
// runs each: 40.7 → 39.6 µs for the one Write, 37.6 → 31.5 µs for the one
// system call (bare net/http: 29.3).
func (w *statusWriter) writeWhole(br *bytes.Reader) (n int64, err error) {
	if w.tc == nil {
		return br.WriteTo(statusWriterOnly{w})
	}
	w.tc.gather()
	defer func() {
		if rerr := w.tc.release(); rerr != nil {
			if err == nil {
				err = rerr
			}
			if w.err == nil {
				w.err = rerr
			}
		}
	}()
	return br.WriteTo(statusWriterOnly{w})
}

// sendFile sends remain bytes of f (all of it when remain is negative) in
// chunks, each with sendfile(2), and advances src, a reader of f, past
// what it sent.
func (w *statusWriter) sendFile(src io.Reader, f *os.File, remain int64) (int64, error) {
	var sent int64
	chunk := &w.chunk
	chunk.R = f
	for remain != 0 {
		chunk.N = sendChunk
		if remain > 0 && remain < sendChunk {
			chunk.N = remain
		}
		want := chunk.N
		w.progress()
		n, err := io.Copy(w.ResponseWriter, chunk)
		sent += n
		w.bytes += n
		if remain > 0 {
			remain -= n
		}
		if err != nil {
			if w.err == nil {
				w.err = err
			}
			return w.settle(src, sent, err)
		}
		if n < want { // the end of the file
			break
		}
	}
	return w.settle(src, sent, nil)
}

// settle leaves a limited reader of the file as if it had been read from.
func (w *statusWriter) settle(src io.Reader, sent int64, err error) (int64, error) {
	if lr, ok := src.(*io.LimitedReader); ok {
		lr.N -= sent
	}
	return sent, err
}

// fileOf returns the file src reads and how much of it (-1: to its end),
// when src is a file (serveAsset's sizedFile) or a limited reader of one,
// which net/http sends with sendfile(2).
func fileOf(src io.Reader) (*sizedFile, int64, bool) {
	remain := int64(-1)
	if lr, ok := src.(*io.LimitedReader); ok {
		src, remain = lr.R, lr.N
	}
	f, ok := src.(*sizedFile)
	return f, remain, ok
}

// writerOnly hides a writer's ReadFrom from io.CopyBuffer, so it uses the
// buffer it is given.
type writerOnly struct{ io.Writer }

// statusWriterOnly is writerOnly of a statusWriter: a pointer underneath,
// so that making an io.Writer of it allocates nothing on each request.
type statusWriterOnly struct{ w *statusWriter }

func (o statusWriterOnly) Write(p []byte) (int, error) { return o.w.Write(p) }

// copyBufs holds the buffers statusWriter.ReadFrom copies through.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// track puts a statusWriter around every request, keeps the body rules
// (bodyRules), and then logs and counts the request.
func (s *Server) track(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		tc := s.conns.begin(r.Context())
		defer s.conns.end(tc)
		sw := newStatusWriter(w, s.limits.WriteStall, start)
		sw.tc = tc
		id := requestID(r)
		sw.id[0] = id
		w.Header()["X-Request-Id"] = sw.id[:] // the header's value slice lives in sw: no allocation of its own
		rangeHeader := r.Header.Get("Range")  // the handler may drop an invalid one
		s.bodyRules(sw, r)
		next.ServeHTTP(sw, r)
		end := time.Now()
		took := end.Sub(start)
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		s.count(sw.route, r, status, sw.bytes, took)
		s.logRequest(r, id, rangeHeader, status, sw.bytes, end, took, sw.completed(r))
	})
}

// completed reports whether the whole answer reached the connection: all
// the bytes its Content-Length declared, or, without one, no write failed
// and the client was still there.
func (w *statusWriter) completed(r *http.Request) bool {
	if w.err != nil {
		return false
	}
	if cl := w.Header().Get("Content-Length"); cl != "" && r.Method != http.MethodHead && w.status != http.StatusNotModified {
		n, err := strconv.ParseInt(cl, 10, 64)
		return err == nil && n == w.bytes
	}
	return r.Context().Err() == nil
}

// bodyRules bounds request bodies. Only an admin upload or action may
// carry one, and it must keep arriving: each read of it may wait at most
// Limits.BodyStall. Any other request that declares a body is answered at
// once without reading it, and its connection closed: net/http would
// otherwise read up to 256 KB of it after the answer, with no deadline.
func (s *Server) bodyRules(w *statusWriter, r *http.Request) {
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
		return
	}
	rc := http.NewResponseController(w)
	if s.admin != nil && isAdmin(path.Clean(r.URL.Path)) && (r.Method == http.MethodPut || r.Method == http.MethodPost) {
		if s.limits.BodyStall > 0 {
			r.Body = &progressBody{ReadCloser: r.Body, rc: rc, stall: s.limits.BodyStall}
		}
		return
	}
	w.Header().Set("Connection", "close")
	rc.SetReadDeadline(time.Now()) // what net/http would read of the body fails at once
}

// progressBody moves the connection's read deadline before every read of
// a request body: an upload may take long, but may not stall.
type progressBody struct {
	io.ReadCloser
	rc    *http.ResponseController
	stall time.Duration
}

func (b *progressBody) Read(p []byte) (int, error) {
	b.rc.SetReadDeadline(time.Now().Add(b.stall))
	return b.ReadCloser.Read(p)
}

// cleanPaths redirects a request whose path is not clean ("//x", "/a/../b",
// "/x/.") to the clean path: a relative Location of the path and query
// alone, never a host the request named. gorilla/mux would redirect to
// the request URL's host (an absolute-form request's).
func cleanPaths(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		clean := cleanPath(p)
		if clean == p || isAdmin(clean) && isAdmin(p) {
			// The admin API sees its path as sent and says what is wrong
			// with it (enableAdmin).
			next.ServeHTTP(w, r)
			return
		}
		loc := clean
		if r.URL.RawQuery != "" {
			loc += "?" + r.URL.RawQuery
		}
		h := w.Header()
		h.Set("Location", loc)
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusMovedPermanently)
	})
}

// cleanPath is path.Clean keeping a trailing slash, rooted.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	np := path.Clean(p)
	if p[len(p)-1] == '/' && np != "/" {
		np += "/"
	}
	return np
}

// recoverPanics turns a handler panic into a 500 and a log line instead of
// a dropped connection.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "path", r.URL.Path, "panic", v)
				httpError(w, http.StatusInternalServerError, "internal error")
			}
		}()
		next.ServeHTTP(w, r)
	})
}
