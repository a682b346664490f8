package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/readcast/readcast/internal/catalog"
)

// handleAsset serves anything the snapshot holds at the request's path: the
// feed, audio, transcripts, chapters and the cover.
func (s *Server) handleAsset(w http.ResponseWriter, r *http.Request) {
	a, err := s.Snapshot().Asset(r.URL.Path)
	if errors.Is(err, catalog.ErrNotFound) {
		httpError(w, http.StatusNotFound, "no such file: "+r.URL.Path)
		return
	}
	if a.CORS {
		setCORS(w.Header())
	}
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	serveAsset(w, r, a)
}

// setCORS lets web players on other sites fetch the feed, transcripts and
// chapters, and read the headers a ranged player needs.
func setCORS(h http.Header) {
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Range, If-None-Match, If-Range, If-Modified-Since")
	h.Set("Access-Control-Expose-Headers", "Content-Length, Content-Range, Accept-Ranges, ETag")
	h.Set("Access-Control-Max-Age", "86400")
}

// serveAsset answers with a's bytes through http.ServeContent, which does
// HEAD, single and multiple ranges, 416, If-Range, If-None-Match → 304 and
// If-Modified-Since. Text is sent gzip-encoded when the client accepts it,
// from bytes compressed once at load; audio and images never are.
func serveAsset(w http.ResponseWriter, r *http.Request, a *catalog.Asset) {
	h := w.Header()
	h.Set("Content-Type", a.Type)
	h.Set("X-Content-Type-Options", "nosniff")
	if a.Immutable {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		// The feed: apps poll it, and revalidate cheaply with its ETag.
		h.Set("Cache-Control", "public, max-age=60")
	}
	var content io.ReadSeeker
	etag := a.ETag
	if a.Gzip != nil {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			h.Set("Content-Encoding", "gzip")
			etag = a.GzipETag()
			content = bytes.NewReader(a.Gzip)
		}
	}
	h.Set("ETag", etag)
	if content == nil && a.File != "" {
		f, err := os.Open(a.File)
		if err != nil {
			// The file went away under a live snapshot: say so plainly.
			httpError(w, http.StatusServiceUnavailable, "the file behind "+a.Path+" is unavailable; try again shortly")
			return
		}
		defer f.Close()
		content = f
	}
	if content == nil {
		content = bytes.NewReader(a.Body)
	}
	checkRange(r)
	http.ServeContent(w, r, "", a.ModTime, content)
}

// acceptsGzip reports whether the request accepts gzip with a non-zero
// quality.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q := strings.ReplaceAll(params, " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

// httpError writes a plain-text error that says what went wrong.
func httpError(w http.ResponseWriter, status int, msg string) {
	h := w.Header()
	h.Del("Content-Encoding")
	h.Del("ETag")
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	io.WriteString(w, msg+"\n")
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
// counts bytes like statusWriter.Write (middleware.go), so the access log
// stays right.
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
