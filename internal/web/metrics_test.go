package web

import (
	"fmt"
	"strings"
	"testing"
)

// TestMetrics counts requests by route and status, and downloads the IAB
// way, through the whole handler, and keeps no address.
func TestMetrics(t *testing.T) {
	ts, srv := newTestServer(t)
	ep := srv.Snapshot().Episodes[1]
	audio := ts.URL + ep.Audio.Path
	requests := []struct {
		method, url string
		header      []string
	}{
		{"GET", ts.URL + "/feed.xml", nil},
		{"GET", ts.URL + "/feed.xml", []string{"If-None-Match", srv.Snapshot().Feed.ETag}},
		{"GET", audio, []string{"Range", "bytes=0-1", "User-Agent", "AppleCoreMedia/1.0"}}, // a probe: no download
		{"GET", audio, []string{"Range", "bytes=0-", "User-Agent", "AppleCoreMedia/1.0"}},  // a download
		{"GET", audio, []string{"Range", "bytes=1000-", "User-Agent", "AppleCoreMedia/1.0"}},
		{"GET", audio, []string{"User-Agent", "Overcast/3.0"}},                   // another app: a download
		{"HEAD", audio, []string{"User-Agent", "Pocket Casts"}},                  // no body: no download
		{"GET", ts.URL + "/audio/" + ep.Slug() + ".000000000000.mp3", nil},       // not found
		{"GET", ts.URL + "/no/such/page", nil},                                   // no route
		{"GET", audio, []string{"Range", "bytes=999999999-", "User-Agent", "x"}}, // 416
	}
	for _, r := range requests {
		resp, _ := do(t, r.method, r.url, r.header...)
		if resp.StatusCode >= 500 {
			t.Fatalf("%s %s: %d", r.method, r.url, resp.StatusCode)
		}
	}
	resp, body := do(t, "GET", ts.URL+"/metrics")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := string(body)
	for _, want := range []string{
		`readcast_http_requests_total{route="feed",code="200"} 1`,
		`readcast_http_requests_total{route="feed",code="304"} 1`,
		`readcast_http_requests_total{route="audio",code="206"} 3`,
		`readcast_http_requests_total{route="audio",code="200"} 2`,
		`readcast_http_requests_total{route="audio",code="404"} 1`,
		`readcast_http_requests_total{route="audio",code="416"} 1`,
		`readcast_http_requests_total{route="unmatched",code="404"} 1`,
		fmt.Sprintf(`readcast_downloads_total{episode=%q} 2`, ep.Slug()),
		fmt.Sprintf(`readcast_http_response_bytes_total{route="audio"} %d`, 2+(ep.Audio.Size)+(ep.Audio.Size-1000)+ep.Audio.Size+int64(len("no such file: /audio/"+ep.Slug()+".000000000000.mp3\n"))+int64(len(rangeNotSatisfiable))),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("/metrics lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "127.0.0.1") {
		t.Error("an IP address reached /metrics")
	}
}

// rangeNotSatisfiable is the body http.ServeContent sends with a 416.
const rangeNotSatisfiable = "invalid range: failed to overlap\n"

func TestAudioSlug(t *testing.T) {
	for path, want := range map[string]string{
		"/audio/01-my-youth-in-the-ussr.3f2a9c81d0e4.mp3": "01-my-youth-in-the-ussr",
		"/audio/x.mp3":                            "",
		"/audio/.abc.mp3":                         "",
		"/transcripts/01-a.3f2a9c81d0e4.vtt":      "",
		"/audio/01-a.3f2a9c81d0e4.mp3.part":       "",
		"/audio/05-part-2.000000000000.mp3":       "05-part-2",
		"/audio/weird.name.000000000000.mp3":      "weird.name",
		"/audio/01-a.3f2a9c81d0e4.mp3?x=1":        "",
		"/audio/01-a.3f2a9c81d0e4.mp3/../../x.mp": "",
	} {
		got, ok := audioSlug(path)
		if got != want || ok != (want != "") {
			t.Errorf("audioSlug(%q) = %q, %v; want %q", path, got, ok, want)
		}
	}
}
