package web

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/readcast/readcast/internal/catalog"
)

// diffServers serves one snapshot twice: through Serve, where internal/lane
// answers assets, and through Handler alone, net/http's answers.
type diffServers struct {
	srv         *Server
	lane, plain string // host:port
}

func newDiffServers(tb testing.TB) *diffServers {
	tb.Helper()
	ts, srv := newServer(tb, "serve")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	serveOn(tb, srv, "handler", l)
	return &diffServers{srv: srv, lane: strings.TrimPrefix(ts.URL, "http://"), plain: l.Addr().String()}
}

// exchange sends raw on a new connection to addr and reads one response
// to a request of method.
func exchange(tb testing.TB, addr, raw, method string) (*http.Response, []byte) {
	tb.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		tb.Fatal(err)
	}
	resp, body, err := readResponse(bufio.NewReader(c), method)
	if err != nil {
		tb.Fatalf("%q: %v", raw, err)
	}
	return resp, body
}

func readResponse(br *bufio.Reader, method string) (*http.Response, []byte, error) {
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

// sameAnswer reports how the lane's answer differs from net/http's: in
// status, body, or any header but Date and the framing (net/http sends a
// gzip body chunked, the lane with its length).
func sameAnswer(lane, plain *http.Response, laneBody, plainBody []byte) error {
	laneBody, plainBody = sameBoundary(lane, laneBody), sameBoundary(plain, plainBody)
	if lane.StatusCode != plain.StatusCode {
		return fmt.Errorf("status %d, net/http %d", lane.StatusCode, plain.StatusCode)
	}
	if !bytes.Equal(laneBody, plainBody) {
		return fmt.Errorf("body of %d bytes, net/http %d", len(laneBody), len(plainBody))
	}
	if cl := lane.Header.Get("Content-Length"); cl != "" && plain.Header.Get("Content-Length") != "" && cl != plain.Header.Get("Content-Length") {
		return fmt.Errorf("Content-Length %s, net/http %s", cl, plain.Header.Get("Content-Length"))
	}
	skip := []string{"Date", "Content-Length", "Transfer-Encoding", "Connection"}
	keys := map[string]bool{}
	for k := range lane.Header {
		keys[k] = true
	}
	for k := range plain.Header {
		keys[k] = true
	}
	for k := range keys {
		if slices.Contains(skip, k) {
			continue
		}
		a, b := slices.Sorted(slices.Values(lane.Header[k])), slices.Sorted(slices.Values(plain.Header[k]))
		if !slices.Equal(a, b) {
			return fmt.Errorf("%s: %q, net/http %q", k, a, b)
		}
	}
	return nil
}

// sameBoundary replaces a multipart answer's random boundary with a fixed
// one, so two answers with the same parts compare equal.
func sameBoundary(resp *http.Response, body []byte) []byte {
	ct := resp.Header.Get("Content-Type")
	_, boundary, ok := strings.Cut(ct, "boundary=")
	if !strings.HasPrefix(ct, "multipart/byteranges") || !ok {
		return body
	}
	resp.Header.Set("Content-Type", strings.ReplaceAll(ct, boundary, "BOUNDARY"))
	return bytes.ReplaceAll(body, []byte(boundary), []byte("BOUNDARY"))
}

// TestLaneMatchesNetHTTP sends the same requests, byte for byte, to the
// lane and to net/http alone over one snapshot and compares the answers.
// Where the table says the lane answers, it must have (it is no test of
// the lane if net/http answered both); where it says net/http does, the
// lane must have handed the request over.
func TestLaneMatchesNetHTTP(t *testing.T) {
	d := newDiffServers(t)
	snap := d.srv.Snapshot()
	ep := snap.Episodes[0]
	assets := []*catalog.Asset{snap.Feed, ep.Audio, ep.Transcript("vtt"), ep.Transcript("json"), ep.ChaptersDoc, snap.Cover}
	for _, path := range []string{"/", "/episodes/" + ep.Slug()} {
		a, err := d.srv.page(snap, path)
		if err != nil {
			t.Fatal(err)
		}
		assets = append(assets, a)
	}
	for _, a := range d.srv.static {
		assets = append(assets, a)
	}
	for _, a := range assets {
		if a == nil {
			t.Fatal("the seed show lacks an asset the test needs")
		}
	}
	const lane, netHTTP = true, false
	for _, a := range assets {
		size := a.Size
		gzETag := a.GzipETag()
		variants := []struct {
			header string
			lane   bool
		}{
			{"", lane},
			{"Range: bytes=0-1", lane},
			{"Range: bytes=0-", lane},
			{"Range: bytes=-500", lane},
			{"Range: bytes=100-199", lane},
			{"Range: bytes=007-010", lane},
			{"Range: bytes=0-0", lane},
			{fmt.Sprintf("Range: bytes=%d-%d", size-10, size+1000), lane},
			{fmt.Sprintf("Range: bytes=-%d", size+5), lane},
			{fmt.Sprintf("Range: bytes=%d-", size-1), lane},
			{fmt.Sprintf("Range: bytes=%d-", size), netHTTP},
			{"Range: bytes=-0", netHTTP},
			{"Range: bytes=0-9,20-29", netHTTP},
			{"Range: bytes=abc", netHTTP},
			{"Range: bytes=50-10", netHTTP},
			{"Range: items=0-1", netHTTP},
			{"Range: bytes= 0-1", netHTTP},
			{"Range: bytes=0-1\r\nIf-Range: " + a.ETag, netHTTP},
			{"If-None-Match: " + a.ETag, lane},
			{"If-None-Match: " + a.ETag + "\r\nIf-Modified-Since: Mon, 02 Jan 2006 15:04:05 GMT", lane},
			{"If-None-Match: " + a.ETag + "\r\nRange: bytes=0-1", lane},
			{"If-None-Match: \"stale\"", netHTTP},
			{"If-None-Match: *", netHTTP},
			{"If-None-Match: W/" + a.ETag, netHTTP},
			{"If-None-Match: \"stale\", " + a.ETag, netHTTP},
			{"If-Modified-Since: Mon, 02 Jan 2106 15:04:05 GMT", netHTTP},
			{"Accept-Encoding: gzip", lane},
			{"Accept-Encoding: gzip;q=0", lane},
			{"Accept-Encoding: br, gzip;q=0.5", lane},
			{"Accept-Encoding: gzip\r\nRange: bytes=0-9", lane},
			{"Accept-Encoding: gzip\r\nIf-None-Match: " + gzETag, a.Gzip != nil},
			{"Connection: keep-alive\r\nUser-Agent: AppleCoreMedia/1.0", lane},
			{"Connection: close", netHTTP},
			{"Cookie: " + strings.Repeat("x", 5000), netHTTP}, // longer than the lane reads
		}
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			for _, v := range variants {
				raw := method + " " + a.Path + " HTTP/1.1\r\nHost: example.com\r\n"
				if v.header != "" {
					raw += v.header + "\r\n"
				}
				raw += "\r\n"
				name := method + " " + a.Path + " " + strings.ReplaceAll(v.header, "\r\n", " | ")
				compareLane(t, d, name, raw, method, v.lane)
			}
		}
	}
	others := []struct{ name, raw, method string }{
		{"unknown episode page", "GET /episodes/nope HTTP/1.1\r\nHost: a\r\n\r\n", "GET"},
		{"health", "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n", "GET"},
		{"query", "GET /feed.xml?x=1 HTTP/1.1\r\nHost: a\r\n\r\n", "GET"},
		{"unknown asset", "GET /audio/nope.000000000000.mp3 HTTP/1.1\r\nHost: a\r\n\r\n", "GET"},
		{"dot segments", "GET /audio/../feed.xml HTTP/1.1\r\nHost: a\r\n\r\n", "GET"},
		{"double slash", "GET //feed.xml HTTP/1.1\r\nHost: a\r\n\r\n", "GET"},
		{"OPTIONS", "OPTIONS /feed.xml HTTP/1.1\r\nHost: a\r\nOrigin: https://x\r\nAccess-Control-Request-Method: GET\r\n\r\n", "OPTIONS"},
		{"POST", "POST /feed.xml HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi", "POST"},
		{"HTTP/1.0", "GET /feed.xml HTTP/1.0\r\n\r\n", "GET"},
		{"no Host", "GET /feed.xml HTTP/1.1\r\n\r\n", "GET"},
		{"two Hosts", "GET /feed.xml HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "GET"},
		{"bare LF", "GET /feed.xml HTTP/1.1\nHost: a\n\n", "GET"},
		{"bad header", "GET /feed.xml HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n", "GET"},
		{"absolute form", "GET http://a/feed.xml HTTP/1.1\r\nHost: a\r\n\r\n", "GET"},
	}
	for _, o := range others {
		compareLane(t, d, o.name, o.raw, o.method, netHTTP)
	}
}

// compareLane sends raw both ways, compares the answers, and checks which
// path answered it.
func compareLane(t *testing.T, d *diffServers, name, raw, method string, wantLane bool) {
	t.Helper()
	before := d.srv.laneAnswered.Load()
	laneResp, laneBody := exchange(t, d.lane, raw, method)
	answered := laneAnswered(d.srv, before, wantLane)
	plainResp, plainBody := exchange(t, d.plain, raw, method)
	if err := sameAnswer(laneResp, plainResp, laneBody, plainBody); err != nil {
		t.Errorf("%s: %v", name, err)
	}
	if answered != wantLane {
		t.Errorf("%s: answered by the lane %v, want %v", name, answered, wantLane)
	}
	if answered && laneResp.ContentLength >= 0 && method != http.MethodHead && laneResp.ContentLength != int64(len(laneBody)) {
		t.Errorf("%s: Content-Length %d for a body of %d bytes", name, laneResp.ContentLength, len(laneBody))
	}
}

// laneAnswered reports whether the lane answered a request since its count
// was before. The lane counts a request after sending the answer, so the
// client may read it first: when the lane should have answered, it waits
// for the count. Each test waits so for every request the lane answers,
// so no late count from one request is taken for the next one's.
func laneAnswered(srv *Server, before int64, wait bool) bool {
	deadline := time.Now().Add(5 * time.Second)
	for {
		if srv.laneAnswered.Load() > before {
			return true
		}
		if !wait || time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
}

// TestLaneHandsOverMidConnection sends requests one after another, and
// pipelined, on one connection: assets the lane answers, then the health
// check it hands to net/http with the connection, then assets net/http
// answers.
// Every answer must be the right one, in order.
func TestLaneHandsOverMidConnection(t *testing.T) {
	d := newDiffServers(t)
	snap := d.srv.Snapshot()
	ep := snap.Episodes[0]
	get := func(path, extra string) string {
		return "GET " + path + " HTTP/1.1\r\nHost: a\r\n" + extra + "\r\n"
	}
	steps := []struct {
		raw    string
		status int
		body   func([]byte) bool
	}{
		{get("/feed.xml", ""), 200, func(b []byte) bool { return bytes.Equal(b, snap.Feed.Body) }},
		{get(ep.Audio.Path, "Range: bytes=0-1\r\n"), 206, func(b []byte) bool { return len(b) == 2 }},
		{get("/healthz", ""), 200, func(b []byte) bool { return bytes.Contains(b, []byte(`"status": "ok"`)) }},
		{get("/feed.xml", ""), 200, func(b []byte) bool { return bytes.Equal(b, snap.Feed.Body) }},
		{get(ep.ChaptersDoc.Path, ""), 200, func(b []byte) bool { return bytes.Equal(b, ep.ChaptersDoc.Body) }},
	}
	for _, pipelined := range []bool{false, true} {
		c, err := net.Dial("tcp", d.lane)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		br := bufio.NewReader(c)
		before := d.srv.laneAnswered.Load()
		if pipelined {
			var all strings.Builder
			for _, s := range steps {
				all.WriteString(s.raw)
			}
			io.WriteString(c, all.String())
		}
		for i, s := range steps {
			if !pipelined {
				io.WriteString(c, s.raw)
			}
			resp, body, err := readResponse(br, "GET")
			if err != nil {
				t.Fatalf("pipelined %v, step %d: %v", pipelined, i, err)
			}
			if resp.StatusCode != s.status || !s.body(body) {
				t.Errorf("pipelined %v, step %d: status %d, %d body bytes", pipelined, i, resp.StatusCode, len(body))
			}
		}
		c.Close()
		laneAnswered(d.srv, before+1, true)
		if got := d.srv.laneAnswered.Load() - before; got != 2 {
			t.Errorf("pipelined %v: the lane answered %d requests, want the 2 before /healthz", pipelined, got)
		}
	}
}

// FuzzLaneMatchesNetHTTP sends a request with fuzzed Range, If-None-Match
// and Accept-Encoding values to the lane and to net/http alone and
// compares the answers.
func FuzzLaneMatchesNetHTTP(f *testing.F) {
	for _, s := range [][3]string{
		{"bytes=0-1", "", ""}, {"bytes=-500", "", "gzip"}, {"bytes=100-", `"x"`, ""},
		{"bytes=0-9,5-6", "", ""}, {"bytes=99999999-", "", ""}, {"", "*", "gzip;q=0"},
		{"bytes=007-0010", "", "br, gzip"}, {"bytes=-0", "", ""}, {"bytes=1-0", "", "GZIP"},
	} {
		f.Add(s[0], s[1], s[2], false)
	}
	d := newDiffServers(f)
	snap := d.srv.Snapshot()
	paths := []string{snap.Feed.Path, snap.Episodes[0].Audio.Path, snap.Episodes[0].Transcript("vtt").Path}
	f.Fuzz(func(t *testing.T, rangeValue, ifNoneMatch, acceptEncoding string, head bool) {
		if strings.ContainsAny(rangeValue+ifNoneMatch+acceptEncoding, "\r\n") {
			return // another header, or a malformed head: not what this fuzzes
		}
		method := http.MethodGet
		if head {
			method = http.MethodHead
		}
		for _, path := range paths {
			raw := method + " " + path + " HTTP/1.1\r\nHost: a\r\n"
			for _, h := range [][2]string{{"Range", rangeValue}, {"If-None-Match", ifNoneMatch}, {"Accept-Encoding", acceptEncoding}} {
				if h[1] != "" {
					raw += h[0] + ": " + h[1] + "\r\n"
				}
			}
			raw += "\r\n"
			laneResp, laneBody := exchange(t, d.lane, raw, method)
			plainResp, plainBody := exchange(t, d.plain, raw, method)
			if err := sameAnswer(laneResp, plainResp, laneBody, plainBody); err != nil {
				t.Errorf("%q: %v", raw, err)
			}
		}
	})
}

// TestChangedFileIsNotServed: a recording replaced on disk under a live
// snapshot is not sent under the snapshot's URL, length and ETag, by
// either path, until a reload picks it up.
func TestChangedFileIsNotServed(t *testing.T) {
	for _, kind := range serverKinds {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			copyTree(t, "../../episodes", dir)
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			snap, err := catalog.Load(context.Background(), catalog.Config{Dir: dir, BaseURL: "http://" + l.Addr().String()}, nil)
			if err != nil {
				t.Fatal(err)
			}
			srv, err := New(snap, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			serveOn(t, srv, kind, l)
			a := snap.Episodes[0].Audio
			if err := os.WriteFile(a.File, []byte("not the recording the feed describes"), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, rng := range []string{"", "bytes=0-1"} {
				var header []string
				if rng != "" {
					header = []string{"Range", rng}
				}
				resp, body := do(t, http.MethodGet, "http://"+l.Addr().String()+a.Path, header...)
				if resp.StatusCode != http.StatusServiceUnavailable {
					t.Errorf("Range %q: status %d, %d bytes; want 503", rng, resp.StatusCode, len(body))
				}
			}
		})
	}
}
