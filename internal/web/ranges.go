package web

import (
	"net/http"
	"strings"
)

// maxRanges bounds the ranges of one request: a long list of tiny ranges
// is a way to make a server do much work for little, and no player needs it.
const maxRanges = 16

// checkRange removes a Range header the server must or may ignore (RFC
// 9110 §14.2): another unit than bytes, or a malformed or reversed range,
// so the client gets the whole representation with 200 instead of an error
// it cannot act on. A well-formed range past the end still gets 416 from
// http.ServeContent.
func checkRange(r *http.Request) {
	h := r.Header.Get("Range")
	if h == "" {
		return
	}
	if !validRange(h) {
		r.Header.Del("Range")
		r.Header.Del("If-Range")
	}
}

// validRange reports whether h is a syntactically valid bytes range set
// ("bytes=0-1", "bytes=-500", "bytes=10-,20-29") with at most maxRanges
// ranges, none reversed.
func validRange(h string) bool {
	spec, ok := strings.CutPrefix(h, "bytes=")
	if !ok || strings.Count(spec, ",") >= maxRanges {
		return false
	}
	for more := true; more; {
		var p string
		p, spec, more = strings.Cut(spec, ",")
		p = strings.TrimSpace(p)
		first, last, ok := strings.Cut(p, "-")
		if !ok || (first == "" && last == "") {
			return false
		}
		if first != "" && !digits(first) || last != "" && !digits(last) {
			return false
		}
		if first != "" && last != "" && less(last, first) {
			return false
		}
	}
	return true
}

func digits(s string) bool {
	if len(s) == 0 || len(s) > 18 { // beyond any file size, and int64 overflow
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// less compares two decimal strings of at most 18 digits as numbers.
func less(a, b string) bool {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}
