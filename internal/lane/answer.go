package lane

import (
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/readcast/readcast/internal/catalog"
)

// Field is one response header field.
type Field struct{ Name, Value string }

// corsFields let web players on other sites fetch the feed, transcripts and
// chapters, and read the headers a ranged player needs.
var corsFields = []Field{
	{"Access-Control-Allow-Origin", "*"},
	{"Access-Control-Allow-Methods", "GET, HEAD, OPTIONS"},
	{"Access-Control-Allow-Headers", "Range, If-None-Match, If-Range, If-Modified-Since"},
	{"Access-Control-Expose-Headers", "Content-Length, Content-Range, Accept-Ranges, ETag"},
	{"Access-Control-Max-Age", "86400"},
}

// Fixed header sets, by whether the asset is immutable and sent with CORS,
// built once so a request allocates none.
var fixedFields = func() (f [2][2][]Field) {
	for immutable := range 2 {
		for cors := range 2 {
			cc := "public, max-age=60" // the feed: apps poll it and revalidate with its ETag
			if immutable == 1 {
				cc = "public, max-age=31536000, immutable"
			}
			set := []Field{{"X-Content-Type-Options", "nosniff"}, {"Cache-Control", cc}}
			if cors == 1 {
				set = append(set, corsFields...)
			}
			f[immutable][cors] = set
		}
	}
	return f
}()

// CORSFields are the CORS headers of an asset fetched from scripts, also
// for net/http's answer to a preflight OPTIONS.
func CORSFields() []Field { return corsFields }

// Fields returns the headers every answer with one of the show's assets
// carries besides Content-Type and the representation's, whichever path
// answers: the lane, or net/http through web.serveAsset. The slice is
// shared; do not modify it.
func Fields(a *catalog.Asset) []Field {
	return fixedFields[b2i(a.Immutable)][b2i(a.CORS)]
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// answer is how the lane answers one request.
type answer struct {
	status int
	etag   string
	gzip   bool
	// The content: body, or n bytes of file from off. For a HEAD or a 304
	// nothing of it is sent.
	body   []byte
	file   *os.File
	off, n int64
	size   int64 // the whole representation's, for Content-Range
}

// plan decides the answer to r for a, or reports false to leave the
// request to net/http: a range or a precondition the lane does not handle,
// or a file it cannot share. It mirrors http.ServeContent for what it
// handles; internal/web's differential tests hold it to that.
func plan(r *Request, a *catalog.Asset) (answer, bool) {
	ans := answer{status: http.StatusOK, etag: a.ETag}
	switch {
	case a.Gzip != nil && r.acceptGzip:
		ans.gzip, ans.etag, ans.body = true, a.GzipETag(), a.Gzip
		ans.size = int64(len(a.Gzip))
	case a.File != "":
		f, err := a.SharedFile()
		if err != nil {
			return ans, false // net/http opens it itself and says what is wrong
		}
		ans.file, ans.size = f, a.Size
	default:
		ans.body, ans.size = a.Body, int64(len(a.Body))
	}
	if r.ifNoneMatch != "" {
		// Only the exact current ETag, the common revalidation; a list, a
		// weak tag or "*" is net/http's.
		if r.ifNoneMatch != ans.etag {
			return ans, false
		}
		ans.status = http.StatusNotModified
		return ans, true
	}
	ans.n = ans.size
	if r.Range != "" {
		start, n, ok := simpleRange(r.Range, ans.size)
		if !ok {
			return ans, false
		}
		ans.status, ans.off, ans.n = http.StatusPartialContent, start, n
	}
	return ans, true
}

// simpleRange parses a single byte range, "bytes=a-b", "bytes=a-" or
// "bytes=-n", that overlaps a representation of size bytes, as
// http.ServeContent would: an end past the last byte is the last byte, a
// suffix longer than the representation is all of it. Anything else — a
// list, spaces, no overlap (416), a reversed or empty range — is left to
// net/http.
func simpleRange(h string, size int64) (start, n int64, ok bool) {
	spec, found := strings.CutPrefix(h, "bytes=")
	if !found || size <= 0 {
		return 0, 0, false
	}
	i := strings.IndexByte(spec, '-')
	if i < 0 {
		return 0, 0, false
	}
	first, last := spec[:i], spec[i+1:]
	switch {
	case first == "":
		suffix, ok := decimal(last)
		if !ok || suffix == 0 {
			return 0, 0, false
		}
		suffix = min(suffix, size)
		return size - suffix, suffix, true
	default:
		a, ok := decimal(first)
		if !ok || a >= size {
			return 0, 0, false
		}
		if last == "" {
			return a, size - a, true
		}
		b, ok := decimal(last)
		if !ok || b < a {
			return 0, 0, false
		}
		b = min(b, size-1)
		return a, b - a + 1, true
	}
}

// decimal parses 1 to 18 ASCII digits: beyond any file, and no overflow.
func decimal(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 18 {
		return 0, false
	}
	var v int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return v, true
}

// appendHeader appends the status line and headers of ans for a, with
// fields, to b.
func appendHeader(b []byte, a *catalog.Asset, fields []Field, ans *answer, now time.Time) []byte {
	switch ans.status {
	case http.StatusOK:
		b = append(b, "HTTP/1.1 200 OK\r\n"...)
	case http.StatusPartialContent:
		b = append(b, "HTTP/1.1 206 Partial Content\r\n"...)
	case http.StatusNotModified:
		b = append(b, "HTTP/1.1 304 Not Modified\r\n"...)
	}
	for _, f := range fields {
		b = appendField(b, f.Name, f.Value)
	}
	b = appendField(b, "ETag", ans.etag)
	if a.Gzip != nil {
		b = appendField(b, "Vary", "Accept-Encoding")
	}
	// A 304 carries no representation metadata (as http.ServeContent's).
	if ans.status != http.StatusNotModified {
		b = appendField(b, "Content-Type", a.Type)
		b = appendField(b, "Accept-Ranges", "bytes")
		if ans.gzip {
			b = appendField(b, "Content-Encoding", "gzip")
		}
		if !a.ModTime.IsZero() && !a.ModTime.Equal(time.Unix(0, 0)) {
			b = append(b, "Last-Modified: "...)
			b = appendHTTPDate(b, a.ModTime, &lastModified)
			b = append(b, "\r\n"...)
		}
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, ans.n, 10)
		b = append(b, "\r\n"...)
		if ans.status == http.StatusPartialContent {
			b = append(b, "Content-Range: bytes "...)
			b = strconv.AppendInt(b, ans.off, 10)
			b = append(b, '-')
			b = strconv.AppendInt(b, ans.off+ans.n-1, 10)
			b = append(b, '/')
			b = strconv.AppendInt(b, ans.size, 10)
			b = append(b, "\r\n"...)
		}
	}
	b = append(b, "Date: "...)
	b = appendDate(b, now)
	return append(b, "\r\n\r\n"...)
}

func appendField(b []byte, name, value string) []byte {
	b = append(b, name...)
	b = append(b, ": "...)
	b = append(b, value...)
	return append(b, "\r\n"...)
}

// date is an HTTP date formatted once for its second: most answers in a
// second carry the same Date, and most the same Last-Modified.
type date struct {
	sec int64
	b   []byte
}

var lastDate, lastModified atomic.Pointer[date]

func appendDate(b []byte, now time.Time) []byte { return appendHTTPDate(b, now, &lastDate) }

// appendHTTPDate appends t in the HTTP date format, from cache when cache
// holds its second, and leaves t's second in cache.
func appendHTTPDate(b []byte, t time.Time, cache *atomic.Pointer[date]) []byte {
	sec := t.Unix()
	d := cache.Load()
	if d == nil || d.sec != sec {
		d = &date{sec, t.UTC().AppendFormat(nil, http.TimeFormat)}
		cache.Store(d)
	}
	return append(b, d.b...)
}
