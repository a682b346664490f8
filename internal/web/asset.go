package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"

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
