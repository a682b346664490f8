package lane

import (
	"bufio"
	"bytes"
	"net/http"
	"strings"
	"testing"
)

func TestHeadEnd(t *testing.T) {
	tests := []struct {
		in    string
		end   int
		state headState
	}{
		{"", 0, headPartial},
		{"GET / HTTP/1.1\r\nHost: a\r\n", 0, headPartial},
		{"GET / HTTP/1.1\r\nHost: a\r\n\r", 0, headPartial},
		{"GET / HTTP/1.1\r\nHost: a\r\n\r\n", 27, headComplete},
		{"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /next", 27, headComplete},
		{"GET / HTTP/1.1\nHost: a\n\n", 0, headForeign},
		{"GET / HTTP/1.1\r\nHost: a\n", 0, headForeign},
		{"\r\nGET / HTTP/1.1\r\n\r\n", 0, headForeign},
		{"\n", 0, headForeign},
	}
	for _, tt := range tests {
		end, state := headEnd([]byte(tt.in))
		if end != tt.end || state != tt.state {
			t.Errorf("headEnd(%q) = %d, %v; want %d, %v", tt.in, end, state, tt.end, tt.state)
		}
	}
}

func TestParseHead(t *testing.T) {
	const h = "Host: example.com\r\n"
	tests := []struct {
		name string
		head string
		ok   bool
		want Request
	}{
		{"plain GET", "GET /feed.xml HTTP/1.1\r\n" + h + "\r\n", true, Request{Method: "GET", Path: "/feed.xml"}},
		{"HEAD", "HEAD /a.mp3 HTTP/1.1\r\n" + h + "\r\n", true, Request{Method: "HEAD", Path: "/a.mp3"}},
		{"what a player sends", "GET /audio/x.0123456789ab.mp3 HTTP/1.1\r\nhost: 127.0.0.1:8080\r\nRANGE: bytes=0-1\r\nUser-Agent:  AppleCoreMedia/1.0 \r\nAccept-Encoding: identity\r\nConnection: Keep-Alive\r\nAccept: */*\r\n\r\n",
			true, Request{Method: "GET", Path: "/audio/x.0123456789ab.mp3", Range: "bytes=0-1", UserAgent: "AppleCoreMedia/1.0"}},
		{"gzip accepted", "GET /feed.xml HTTP/1.1\r\n" + h + "Accept-Encoding: gzip, br\r\n\r\n", true, Request{Method: "GET", Path: "/feed.xml", acceptGzip: true}},
		{"gzip refused", "GET /feed.xml HTTP/1.1\r\n" + h + "Accept-Encoding: gzip;q=0\r\n\r\n", true, Request{Method: "GET", Path: "/feed.xml"}},
		{"revalidation", "GET /feed.xml HTTP/1.1\r\n" + h + "If-None-Match: \"abc\"\r\nIf-Modified-Since: Mon, 02 Jan 2006 15:04:05 GMT\r\n\r\n", true, Request{Method: "GET", Path: "/feed.xml", ifNoneMatch: `"abc"`}},

		{"HTTP/1.0", "GET /feed.xml HTTP/1.0\r\n" + h + "\r\n", false, Request{}},
		{"no Host", "GET /feed.xml HTTP/1.1\r\n\r\n", false, Request{}},
		{"two Hosts", "GET /feed.xml HTTP/1.1\r\n" + h + h + "\r\n", false, Request{}},
		{"empty Host", "GET /feed.xml HTTP/1.1\r\nHost:\r\n\r\n", false, Request{}},
		{"POST", "POST /feed.xml HTTP/1.1\r\n" + h + "Content-Length: 0\r\n\r\n", false, Request{}},
		{"OPTIONS", "OPTIONS /feed.xml HTTP/1.1\r\n" + h + "\r\n", false, Request{}},
		{"lowercase method", "get /feed.xml HTTP/1.1\r\n" + h + "\r\n", false, Request{}},
		{"query", "GET /feed.xml?x=1 HTTP/1.1\r\n" + h + "\r\n", false, Request{}},
		{"percent-encoding", "GET /audio/%2e%2e/x HTTP/1.1\r\n" + h + "\r\n", false, Request{}},
		{"absolute form", "GET http://example.com/feed.xml HTTP/1.1\r\n" + h + "\r\n", false, Request{}},
		{"asterisk", "GET * HTTP/1.1\r\n" + h + "\r\n", false, Request{}},
		{"extra space", "GET  /feed.xml HTTP/1.1\r\n" + h + "\r\n", false, Request{}},
		{"body", "GET /feed.xml HTTP/1.1\r\n" + h + "Content-Length: 5\r\n\r\n", false, Request{}},
		{"chunked", "GET /feed.xml HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n", false, Request{}},
		{"Connection: close", "GET /feed.xml HTTP/1.1\r\n" + h + "Connection: close\r\n\r\n", false, Request{}},
		{"Connection: upgrade", "GET /feed.xml HTTP/1.1\r\n" + h + "Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n", false, Request{}},
		{"Expect", "GET /feed.xml HTTP/1.1\r\n" + h + "Expect: 100-continue\r\n\r\n", false, Request{}},
		{"If-Range", "GET /a.mp3 HTTP/1.1\r\n" + h + "Range: bytes=0-1\r\nIf-Range: \"x\"\r\n\r\n", false, Request{}},
		{"If-Modified-Since alone", "GET /feed.xml HTTP/1.1\r\n" + h + "If-Modified-Since: Mon, 02 Jan 2006 15:04:05 GMT\r\n\r\n", false, Request{}},
		{"If-Match", "GET /feed.xml HTTP/1.1\r\n" + h + "If-Match: *\r\n\r\n", false, Request{}},
		{"two Ranges", "GET /a.mp3 HTTP/1.1\r\n" + h + "Range: bytes=0-1\r\nRange: bytes=2-3\r\n\r\n", false, Request{}},
		{"empty If-None-Match", "GET /a.mp3 HTTP/1.1\r\n" + h + "If-None-Match:\r\n\r\n", false, Request{}},
		{"folded line", "GET /feed.xml HTTP/1.1\r\n" + h + "User-Agent: a\r\n b\r\n\r\n", false, Request{}},
		{"space before colon", "GET /feed.xml HTTP/1.1\r\n" + h + "Range : bytes=0-1\r\n\r\n", false, Request{}},
		{"control character", "GET /feed.xml HTTP/1.1\r\n" + h + "User-Agent: a\x01b\r\n\r\n", false, Request{}},
		{"no colon", "GET /feed.xml HTTP/1.1\r\n" + h + "Range\r\n\r\n", false, Request{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseHead([]byte(tt.head))
			if ok != tt.ok {
				t.Fatalf("parseHead ok = %v, want %v", ok, tt.ok)
			}
			if ok && got != tt.want {
				t.Errorf("parseHead = %+v, want %+v", got, tt.want)
			}
			if ok {
				agreesWithNetHTTP(t, []byte(tt.head), got)
			}
		})
	}
}

// agreesWithNetHTTP checks that net/http reads head as a request without
// a body and with the same method, path and headers the lane read.
func agreesWithNetHTTP(t *testing.T, head []byte, got Request) {
	t.Helper()
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(head)))
	if err != nil {
		t.Fatalf("the lane accepts %q, net/http does not: %v", head, err)
	}
	h := req.Header
	switch {
	case req.Method != got.Method, req.URL.Path != got.Path, req.RequestURI != got.Path:
		t.Errorf("net/http reads %s %s (%s), the lane %s %s", req.Method, req.URL.Path, req.RequestURI, got.Method, got.Path)
	case req.ProtoMajor != 1 || req.ProtoMinor != 1 || req.Close:
		t.Errorf("net/http reads %s, close %v", req.Proto, req.Close)
	case req.ContentLength != 0 || len(req.TransferEncoding) != 0:
		t.Errorf("net/http expects a body: length %d, %v", req.ContentLength, req.TransferEncoding)
	case req.Host == "":
		t.Errorf("net/http reads no host")
	case h.Get("Range") != got.Range:
		t.Errorf("Range: net/http %q, the lane %q", h.Get("Range"), got.Range)
	case h.Get("If-None-Match") != got.ifNoneMatch:
		t.Errorf("If-None-Match: net/http %q, the lane %q", h.Get("If-None-Match"), got.ifNoneMatch)
	case h.Get("User-Agent") != got.UserAgent:
		t.Errorf("User-Agent: net/http %q, the lane %q", h.Get("User-Agent"), got.UserAgent)
	case AcceptsGzip(h.Get("Accept-Encoding")) != got.acceptGzip:
		t.Errorf("Accept-Encoding %q: the lane's gzip %v", h.Get("Accept-Encoding"), got.acceptGzip)
	case h.Get("If-Range") != "" || h.Get("If-Match") != "" || h.Get("If-Unmodified-Since") != "" || h.Get("Expect") != "":
		t.Errorf("the lane accepted a precondition or expectation it leaves to net/http: %v", h)
	case h.Get("If-Modified-Since") != "" && h.Get("If-None-Match") == "":
		t.Errorf("the lane accepted If-Modified-Since without If-None-Match")
	}
}

// FuzzParseHead holds the lane's parser to net/http's: whatever head the
// lane accepts, net/http reads the same way; and headEnd never claims more
// than it was given.
func FuzzParseHead(f *testing.F) {
	for _, s := range []string{
		"GET /feed.xml HTTP/1.1\r\nHost: a\r\n\r\n",
		"HEAD /audio/x.mp3 HTTP/1.1\r\nHost: a:80\r\nRange: bytes=0-1\r\nUser-Agent: x\r\n\r\n",
		"GET /x HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip;q=0.5\r\nIf-None-Match: \"a\"\r\n\r\n",
		"GET /x HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n",
		"GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
		"GET /x HTTP/1.1\r\nHost: [::1]:8080\r\nX: \t y \t\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		end, state := headEnd(b)
		if state != headComplete {
			return
		}
		if end > len(b) || !bytes.HasSuffix(b[:end], []byte("\r\n\r\n")) {
			t.Fatalf("headEnd(%q) = %d", b, end)
		}
		head := b[:end]
		got, ok := parseHead(head)
		if !ok {
			return
		}
		if strings.ContainsAny(got.Path, "?%#") {
			t.Fatalf("path %q needs decoding", got.Path)
		}
		agreesWithNetHTTP(t, head, got)
	})
}

func TestAcceptsGzip(t *testing.T) {
	for v, want := range map[string]bool{
		"": false, "gzip": true, "GZIP": true, "gzip, br": true, "br, gzip;q=0.5": true, " br ,  gzip ": true,
		"gzip;q=0": false, "gzip; q=0.000": false, "br": false, "x-gzip": false, "gzip,": true, ",gzip": true,
		"identity": false, "br;q=1, gzip;q=0": false,
	} {
		if got := AcceptsGzip(v); got != want {
			t.Errorf("AcceptsGzip(%q) = %v, want %v", v, got, want)
		}
	}
}
