package lane

import (
	"bytes"
	"strings"
)

// Request is what the lane read of a request it answers: what the access
// log and the metrics need.
type Request struct {
	Method     string // GET or HEAD
	Path       string
	Range      string // the Range header; empty when none
	UserAgent  string
	RemoteAddr string

	acceptGzip  bool
	ifNoneMatch string
}

// headState is what headEnd found in the bytes received so far.
type headState int

const (
	headPartial  headState = iota // no blank line yet: read more
	headComplete                  // the head ends at the returned offset
	headForeign                   // a line ends in a bare LF: net/http's
)

// headEnd finds the end of a request head, the byte after its blank line.
// The lane reads only heads whose lines all end in CRLF; a bare LF, which
// net/http also accepts, hands the request over, so the lane never waits
// for a CRLF that will not come.
func headEnd(b []byte) (int, headState) {
	start := 0
	for {
		i := bytes.IndexByte(b[start:], '\n')
		if i < 0 {
			return 0, headPartial
		}
		nl := start + i
		if nl == start || b[nl-1] != '\r' {
			return 0, headForeign
		}
		if nl == start+1 { // "\r\n": the blank line
			if start == 0 {
				return 0, headForeign // no request line
			}
			return nl + 1, headComplete
		}
		start = nl + 1
	}
}

// parseHead reads a complete head (through its blank line) and reports
// whether the lane may answer it. It accepts only what it understands
// exactly; everything else, malformed or merely unusual, is net/http's to
// parse and answer.
func parseHead(b []byte) (Request, bool) {
	var r Request
	line, rest, _ := bytes.Cut(b, []byte("\r\n"))
	method, line, ok1 := bytes.Cut(line, []byte(" "))
	target, proto, ok2 := bytes.Cut(line, []byte(" "))
	if !ok1 || !ok2 || string(proto) != "HTTP/1.1" || !plainPath(target) {
		return r, false
	}
	switch string(method) {
	case "GET":
		r.Method = "GET"
	case "HEAD":
		r.Method = "HEAD"
	default:
		return r, false
	}
	r.Path = string(target)

	var host, rng, acceptEncoding, ifNoneMatch, userAgent int // times seen
	var ifModifiedSince bool
	for {
		line, rest, _ = bytes.Cut(rest, []byte("\r\n"))
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || !token(name) || !fieldValue(value) {
			return r, false
		}
		value = trimOWS(value)
		switch {
		case eq(name, "host"):
			host++
			if !plainHost(value) {
				return r, false
			}
		case eq(name, "range"):
			rng++
			r.Range = string(value)
		case eq(name, "accept-encoding"):
			acceptEncoding++
			r.acceptGzip = AcceptsGzip(string(value))
		case eq(name, "if-none-match"):
			ifNoneMatch++
			r.ifNoneMatch = string(value)
		case eq(name, "user-agent"):
			userAgent++
			r.UserAgent = string(value)
		case eq(name, "connection"):
			if !eq(value, "keep-alive") {
				return r, false // close, upgrade: net/http's
			}
		case eq(name, "if-modified-since"):
			ifModifiedSince = true
		case eq(name, "content-length"), eq(name, "transfer-encoding"), eq(name, "expect"),
			eq(name, "upgrade"), eq(name, "if-range"), eq(name, "if-match"),
			eq(name, "if-unmodified-since"), eq(name, "trailer"), eq(name, "te"):
			return r, false
		}
	}
	// One of each: net/http's answer to a repeated header is its own.
	// If-Modified-Since counts only without If-None-Match (RFC 9110
	// §13.1.3), and the lane leaves it to net/http.
	if host != 1 || rng > 1 || acceptEncoding > 1 || ifNoneMatch > 1 || userAgent > 1 ||
		(ifModifiedSince && ifNoneMatch == 0) || (ifNoneMatch == 1 && r.ifNoneMatch == "") {
		return r, false
	}
	return r, true
}

// plainPath reports whether target is an origin-form path of characters
// that need no decoding: no query, no percent-encoding.
func plainPath(target []byte) bool {
	return len(target) > 0 && target[0] == '/' && only(target, &pathChars)
}

// plainHost reports whether a Host value is a name or an address with an
// optional port, of characters net/http accepts too.
func plainHost(v []byte) bool { return len(v) > 0 && only(v, &hostChars) }

var (
	pathChars  = charSet("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/.-_~")
	hostChars  = charSet("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]")
	tokenChars = charSet("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~")
)

func charSet(chars string) (set [256]bool) {
	for i := 0; i < len(chars); i++ {
		set[chars[i]] = true
	}
	return set
}

// only reports whether every byte of b is in set.
func only(b []byte, set *[256]bool) bool {
	for _, c := range b {
		if !set[c] {
			return false
		}
	}
	return true
}

// token reports whether b is a header field name (RFC 9110 §5.6.2).
func token(b []byte) bool { return len(b) > 0 && only(b, &tokenChars) }

// fieldValue reports whether b has no control characters but tab, as
// net/http requires, and does not start a folded line.
func fieldValue(b []byte) bool {
	for _, c := range b {
		if c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

func trimOWS(b []byte) []byte { return bytes.Trim(b, " \t") }

// eq compares an ASCII header name or value with a lowercase word.
func eq(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// AcceptsGzip reports whether an Accept-Encoding value accepts gzip with a
// non-zero quality. It is the one rule both the lane and net/http's
// handlers use.
func AcceptsGzip(v string) bool {
	for v != "" {
		var part string
		part, v, _ = strings.Cut(v, ",")
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q := strings.ReplaceAll(params, " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}
