package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"

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
	if r.Method == http.MethodOptions {
		if a.CORS {
			setFields(w.Header(), corsFields)
			setFields(w.Header(), preflightFields)
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	s.serveAsset(w, r, a, assetFields(a))
}

// serveAsset answers with a's bytes and the header fields through
// http.ServeContent, which does HEAD, single and multiple ranges, 416,
// If-Range, If-None-Match → 304 and If-Modified-Since. Text is sent gzip-encoded when the client accepts it,
// from bytes compressed once at load; audio and images never are.
func (s *Server) serveAsset(w http.ResponseWriter, r *http.Request, a *catalog.Asset, fields []field) {
	h := w.Header()
	h.Set("Content-Type", a.Type)
	setFields(h, fields)
	var content io.ReadSeeker
	etag := a.ETag
	if a.Gzip != nil {
		addField(h, varyEncoding)
		if acceptsGzip(r.Header.Get("Accept-Encoding")) {
			h.Set("Content-Encoding", "gzip")
			etag = a.GzipETag()
			content = bytes.NewReader(a.Gzip)
		}
	}
	h.Set("ETag", etag)
	if content == nil && a.File != "" {
		f, err := a.Open()
		if err != nil {
			// The file went away or changed under a live snapshot: say so
			// plainly rather than send other bytes under this URL, length
			// and ETag, and have a reload pick up the new file.
			s.log.Warn("a file of the show changed since it was loaded; reloading", "path", a.Path, "err", err)
			if s.stale != nil {
				s.stale("a file changed: " + a.File)
			}
			h.Set("Retry-After", "5")
			httpError(w, http.StatusServiceUnavailable, "the file behind "+a.Path+" changed or is unavailable; the show is being reloaded, try again shortly")
			return
		}
		defer f.Close()
		content = &sizedFile{f: f, size: a.Size}
	}
	if content == nil {
		content = bytes.NewReader(a.Body)
	}
	checkRange(r)
	http.ServeContent(w, r, "", a.ModTime, content)
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
