package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/readcast/readcast/internal/catalog"
)

// testServer is a running server of the seed show.
type testServer struct{ URL string }

// newTestServer serves the seed show from episodes/ on a loopback port,
// with the base URL of that port, as `readcast serve` would.
func newTestServer(tb testing.TB) (*testServer, *Server) {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	base := "http://" + l.Addr().String()
	snap, err := catalog.Load(context.Background(), catalog.Config{Dir: "../../episodes", BaseURL: base}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for _, p := range snap.Problems {
		tb.Errorf("seed show problem: %v", p)
	}
	srv, err := New(Config{Snapshot: snap, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		tb.Fatal(err)
	}
	serveOn(tb, srv, l)
	return &testServer{URL: base}, srv
}

// serveOn runs srv on l as `readcast serve` does until the test ends.
func serveOn(tb testing.TB, srv *Server, l net.Listener) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, l) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("Serve: %v", err)
		}
	})
}

// do makes a request without a body (doBody).
func do(tb testing.TB, method, url string, header ...string) (*http.Response, []byte) {
	tb.Helper()
	return doBody(tb, method, url, nil, header...)
}

// TestRanges is a table of Range requests in the style of net/http's
// fs_test.go, on an episode's audio and on a transcript.
func TestRanges(t *testing.T) {
	ts, srv := newTestServer(t)
	ep := srv.Snapshot().Episodes[0]
	if ep.Audio == nil {
		t.Fatal("the seed's first episode has no audio")
	}
	audioBody, err := os.ReadFile(ep.Audio.File)
	if err != nil {
		t.Fatal(err)
	}
	vtt := ep.Transcript("vtt")
	targets := []struct {
		name string
		path string
		body []byte
	}{
		{"audio", ep.Audio.Path, audioBody},
		{"transcript", vtt.Path, vtt.Body},
	}
	for _, target := range targets {
		size := len(target.body)
		etag := ""
		tests := []struct {
			name    string
			header  []string
			status  int
			ranges  [][2]int // expected byte spans, end exclusive
			multi   bool
			method  string
			noBody  bool
			setEtag bool
		}{
			{name: "no range", status: 200, ranges: [][2]int{{0, size}}},
			{name: "bytes=0-1 (Apple's probe)", header: []string{"Range", "bytes=0-1"}, status: 206, ranges: [][2]int{{0, 2}}},
			{name: "open end", header: []string{"Range", "bytes=0-"}, status: 206, ranges: [][2]int{{0, size}}},
			{name: "middle", header: []string{"Range", "bytes=100-199"}, status: 206, ranges: [][2]int{{100, 200}}},
			{name: "suffix", header: []string{"Range", "bytes=-500"}, status: 206, ranges: [][2]int{{size - 500, size}}},
			{name: "end past the end is clipped", header: []string{"Range", fmt.Sprintf("bytes=%d-%d", size-10, size+1000)}, status: 206, ranges: [][2]int{{size - 10, size}}},
			{name: "start past the end", header: []string{"Range", fmt.Sprintf("bytes=%d-", size)}, status: 416},
			{name: "multi-range", header: []string{"Range", "bytes=0-9,20-29"}, status: 206, ranges: [][2]int{{0, 10}, {20, 30}}, multi: true},
			{name: "malformed is ignored", header: []string{"Range", "bytes=abc"}, status: 200, ranges: [][2]int{{0, size}}},
			{name: "reversed is ignored", header: []string{"Range", "bytes=50-10"}, status: 200, ranges: [][2]int{{0, size}}},
			{name: "other unit is ignored", header: []string{"Range", "items=0-1"}, status: 200, ranges: [][2]int{{0, size}}},
			{name: "too many ranges are ignored", header: []string{"Range", "bytes=" + strings.Repeat("0-1,", 40) + "0-1"}, status: 200, ranges: [][2]int{{0, size}}},
			{name: "stale If-Range sends everything", header: []string{"Range", "bytes=0-1", "If-Range", `"stale"`}, status: 200, ranges: [][2]int{{0, size}}},
			{name: "current If-Range honours the range", header: []string{"Range", "bytes=0-1"}, setEtag: true, status: 206, ranges: [][2]int{{0, 2}}},
			{name: "If-None-Match", setEtag: true, status: 304, noBody: true},
			{name: "HEAD", method: http.MethodHead, status: 200, noBody: true},
			{name: "HEAD with range", method: http.MethodHead, header: []string{"Range", "bytes=0-1"}, status: 206, noBody: true},
		}
		for _, tt := range tests {
			t.Run(target.name+"/"+tt.name, func(t *testing.T) {
				if etag == "" {
					resp, _ := do(t, http.MethodHead, ts.URL+target.path)
					etag = resp.Header.Get("ETag")
				}
				header := tt.header
				if tt.setEtag {
					if tt.status == 304 {
						header = append(header, "If-None-Match", etag)
					} else {
						header = append(header, "If-Range", etag)
					}
				}
				method := tt.method
				if method == "" {
					method = http.MethodGet
				}
				resp, body := do(t, method, ts.URL+target.path, header...)
				if resp.StatusCode != tt.status {
					t.Fatalf("status = %d, want %d", resp.StatusCode, tt.status)
				}
				if tt.status == 416 {
					if got := resp.Header.Get("Content-Range"); got != fmt.Sprintf("bytes */%d", size) {
						t.Errorf("416 Content-Range = %q", got)
					}
					return
				}
				if tt.noBody {
					if len(body) != 0 {
						t.Errorf("got %d body bytes, want none", len(body))
					}
					if method == http.MethodHead && tt.status == 200 && resp.ContentLength != int64(size) {
						t.Errorf("HEAD Content-Length = %d, want %d", resp.ContentLength, size)
					}
					return
				}
				if resp.Header.Get("Accept-Ranges") != "bytes" && tt.status == 200 {
					t.Errorf("Accept-Ranges = %q", resp.Header.Get("Accept-Ranges"))
				}
				if tt.multi {
					checkMultipart(t, resp, body, target.body, tt.ranges)
					return
				}
				want := target.body[tt.ranges[0][0]:tt.ranges[0][1]]
				if !bytes.Equal(body, want) {
					t.Errorf("body is %d bytes, want bytes [%d,%d) (%d bytes)", len(body), tt.ranges[0][0], tt.ranges[0][1], len(want))
				}
				if tt.status == 206 {
					wantCR := fmt.Sprintf("bytes %d-%d/%d", tt.ranges[0][0], tt.ranges[0][1]-1, size)
					if got := resp.Header.Get("Content-Range"); got != wantCR {
						t.Errorf("Content-Range = %q, want %q", got, wantCR)
					}
				}
			})
		}
	}
}

func checkMultipart(t *testing.T, resp *http.Response, body, full []byte, spans [][2]int) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/byteranges" {
		t.Fatalf("Content-Type = %q, want multipart/byteranges", resp.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for i, sp := range spans {
		part, err := mr.NextPart()
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		got, _ := io.ReadAll(part)
		if !bytes.Equal(got, full[sp[0]:sp[1]]) {
			t.Errorf("part %d has the wrong bytes", i)
		}
	}
}

func TestContentTypesAndHeaders(t *testing.T) {
	ts, srv := newTestServer(t)
	snap := srv.Snapshot()
	ep := snap.Episodes[0]
	tests := []struct {
		path, typ       string
		cors, immutable bool
	}{
		{"/feed.xml", "application/rss+xml; charset=utf-8", true, false},
		{"/", "text/html; charset=utf-8", false, false},
		{"/episodes/" + ep.Slug(), "text/html; charset=utf-8", false, false},
		{ep.Audio.Path, "audio/mpeg", false, true},
		{ep.Transcript("vtt").Path, "text/vtt; charset=utf-8", true, true},
		{ep.Transcript("srt").Path, "application/x-subrip; charset=utf-8", true, true},
		{ep.Transcript("json").Path, "application/json", true, true},
		{ep.Transcript("html").Path, "text/html; charset=utf-8", true, true},
		{ep.ChaptersDoc.Path, "application/json+chapters", true, true},
		{snap.Cover.Path, "image/jpeg", true, true},
		{"/healthz", "application/json", false, false},
		{"/readyz", "application/json", false, false},
	}
	for _, tt := range tests {
		resp, body := do(t, http.MethodGet, ts.URL+tt.path)
		if resp.StatusCode != 200 {
			t.Errorf("%s: status %d: %s", tt.path, resp.StatusCode, body)
			continue
		}
		if got := resp.Header.Get("Content-Type"); got != tt.typ {
			t.Errorf("%s: Content-Type = %q, want %q", tt.path, got, tt.typ)
		}
		if got := resp.Header.Get("Access-Control-Allow-Origin") == "*"; got != tt.cors {
			t.Errorf("%s: CORS = %v, want %v", tt.path, got, tt.cors)
		}
		if got := strings.Contains(resp.Header.Get("Cache-Control"), "immutable"); got != tt.immutable {
			t.Errorf("%s: Cache-Control = %q, immutable want %v", tt.path, resp.Header.Get("Cache-Control"), tt.immutable)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", tt.path)
		}
	}
}

// TestCORSPreflight is a browser's preflight of a ranged fetch from a web
// player on another site: the feed, a transcript, the chapters and the
// cover answer OPTIONS with what the preflight reads (methods, the Range
// header, how long to keep it), and their GETs with the origin and the
// headers a ranged player reads, without the preflight-only fields.
func TestCORSPreflight(t *testing.T) {
	ts, srv := newTestServer(t)
	snap := srv.Snapshot()
	ep := snap.Episodes[0]
	preflight := map[string]string{
		"Access-Control-Allow-Origin":  "*",
		"Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
		"Access-Control-Allow-Headers": "Range, If-None-Match, If-Range, If-Modified-Since",
		"Access-Control-Max-Age":       "86400",
	}
	for _, path := range []string{"/feed.xml", ep.Transcript("vtt").Path, ep.ChaptersDoc.Path, snap.Cover.Path} {
		resp, _ := do(t, http.MethodOptions, ts.URL+path, "Origin", "https://player.example",
			"Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "range")
		if resp.StatusCode != http.StatusNoContent {
			t.Errorf("OPTIONS %s: status %d, want 204", path, resp.StatusCode)
		}
		for k, v := range preflight {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("OPTIONS %s: %s = %q, want %q", path, k, got, v)
			}
		}
		resp, _ = do(t, http.MethodGet, ts.URL+path, "Origin", "https://player.example", "Range", "bytes=0-9")
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("GET %s: Access-Control-Allow-Origin = %q", path, got)
		}
		if got := resp.Header.Get("Access-Control-Expose-Headers"); !strings.Contains(got, "Content-Range") {
			t.Errorf("GET %s: Access-Control-Expose-Headers = %q, want Content-Range among them", path, got)
		}
		if got := resp.Header.Get("Access-Control-Allow-Methods"); got != "" {
			t.Errorf("GET %s: a preflight's Access-Control-Allow-Methods %q on a GET", path, got)
		}
	}
}

func TestGzipOnlyForText(t *testing.T) {
	ts, srv := newTestServer(t)
	ep := srv.Snapshot().Episodes[0]
	for _, path := range []string{"/feed.xml", ep.Transcript("vtt").Path, ep.Transcript("json").Path} {
		resp, body := do(t, http.MethodGet, ts.URL+path, "Accept-Encoding", "gzip, br")
		if resp.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s: not gzipped", path)
			continue
		}
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		plain, _ := io.ReadAll(zr)
		a, _ := srv.Snapshot().Asset(path)
		if !bytes.Equal(plain, a.Body) {
			t.Errorf("%s: gunzipped body differs", path)
		}
		if resp.Header.Get("ETag") == a.ETag {
			t.Errorf("%s: the gzip representation shares the identity ETag", path)
		}
	}
	resp, _ := do(t, http.MethodGet, ts.URL+ep.Audio.Path, "Accept-Encoding", "gzip")
	if resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("audio served with Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	resp, _ = do(t, http.MethodGet, ts.URL+"/feed.xml", "Accept-Encoding", "gzip;q=0")
	if resp.Header.Get("Content-Encoding") != "" {
		t.Error("gzip sent although refused with q=0")
	}
}

func TestNotFound(t *testing.T) {
	ts, srv := newTestServer(t)
	audio := srv.Snapshot().Episodes[0].Audio.Path
	for _, path := range []string{"/episodes/no-such-episode", "/audio/nope.mp3", "/transcripts/x.vtt", "/../../etc/passwd", "/audio/..%2F..%2Fshow.json",
		"/audio/", "/chapters/", "/audio/x" + audio[len("/audio"):], "/transcripts/a/b.vtt", audio + "/x"} {
		resp, body := do(t, http.MethodGet, ts.URL+path)
		if resp.StatusCode == http.StatusMovedPermanently {
			// The router cleans dot segments with a redirect; follow it once.
			resp, body = do(t, http.MethodGet, ts.URL+resp.Header.Get("Location"))
		}
		if resp.StatusCode != 404 {
			t.Errorf("%s: status %d, want 404", path, resp.StatusCode)
		}
		if len(body) == 0 {
			t.Errorf("%s: the 404 says nothing", path)
		}
	}
	resp, _ := do(t, http.MethodPost, ts.URL+"/feed.xml")
	if resp.StatusCode != 405 {
		t.Errorf("POST /feed.xml: status %d, want 405", resp.StatusCode)
	}
}

func BenchmarkFeedHandler(b *testing.B) {
	_, srv := newTestServer(b)
	h := srv.Handler()
	req := httptest.NewRequest(http.MethodGet, "/feed.xml", nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}
