package web

import (
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/readcast/readcast/internal/lane"
)

// statusWriter remembers the status and byte count for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
	// route is the name of the route that answered, for the metrics
	// (metrics.go); empty when none matched.
	route string
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
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection underneath.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// accessLog logs one line a request. It logs no client address: a podcast
// host has no need to keep listeners' IP addresses.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		s.logRequest(r.Method, r.URL.Path, r.Header.Get("Range"), sw.status, sw.bytes, time.Since(start))
	})
}

// laneDone logs and counts a request internal/lane answered, as accessLog
// and countRequests do for net/http's.
func (s *Server) laneDone(r *lane.Request, status int, bytes int64, took time.Duration) {
	s.laneAnswered.Add(1)
	// The lane sees no forwarding headers: behind a proxy, its answers
	// count under the proxy's address (issue 12 retires the lane).
	s.count(assetRoute(r.Path), r.Method, r.Path, clientHost(r.RemoteAddr), r.UserAgent, status, bytes, took)
	s.logRequest(r.Method, r.Path, r.Range, status, bytes, took)
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

// ReadFrom lets http.ServeContent's io.CopyN reach net/http's own ReadFrom,
// which sends a file, or a range of one, with sendfile(2). Without it the
// access log's statusWriter hides that path: every 32 KB of audio then costs
// a read and a write system call and two copies, and every request a new
// 32 KB buffer. scripts/bench-serve measured about 110 µs of CPU per random
// 64 KB range without it, 60 µs with it. In-memory bodies (the feed,
// transcripts, chapters) gain nothing from sendfile, and io.Copy would still
// allocate a buffer per request (about 20 KB for the feed, which the GC then
// has to collect), so they are copied through a pooled one: 68 µs of CPU per
// feed request before, 41 µs after. ReadFrom records the implicit 200 and
// counts bytes like Write, so the access log stays right.
func (w *statusWriter) ReadFrom(src io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	var n int64
	var err error
	if isFile(src) {
		n, err = io.Copy(w.ResponseWriter, src)
	} else {
		buf := copyBufs.Get().(*[]byte)
		n, err = io.CopyBuffer(writerOnly{w.ResponseWriter}, src, *buf)
		copyBufs.Put(buf)
	}
	w.bytes += n
	return n, err
}

// isFile reports whether src is a file or a limited reader of one, which
// net/http sends with sendfile(2).
func isFile(src io.Reader) bool {
	if lr, ok := src.(*io.LimitedReader); ok {
		src = lr.R
	}
	_, ok := src.(*os.File)
	return ok
}

// writerOnly hides a writer's ReadFrom from io.CopyBuffer, so it uses the
// buffer it is given.
type writerOnly struct{ io.Writer }

// copyBufs holds the buffers statusWriter.ReadFrom copies through.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}
