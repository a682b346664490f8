package web

import (
	"bytes"
	"log/slog"
	"testing"
	"time"
)

// slogLine is the line slog.TextHandler writes for a request.
func slogLine(t time.Time, method, path, rangeHeader string, status int, n int64, took time.Duration) string {
	var buf bytes.Buffer
	logAttrs(slog.New(slog.NewTextHandler(&buf, nil)), t, method, path, rangeHeader, status, n, took)
	return buf.String()
}

func accessLine(t time.Time, method, path, rangeHeader string, status int, n int64, took time.Duration) string {
	var buf bytes.Buffer
	newAccessLog(&buf).log(t, method, path, rangeHeader, status, n, took)
	return buf.String()
}

// TestAccessLineIsSlogs checks the access log's lines are slog's, byte for
// byte, whether formatted by hand or, for values slog quotes, by slog.
func TestAccessLineIsSlogs(t *testing.T) {
	at := time.Date(2026, 11, 25, 22, 19, 20, 155_999_999, time.UTC)
	local := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("X", -7*3600))
	tests := []struct {
		t                    time.Time
		method, path, range_ string
		status               int
		n                    int64
		took                 time.Duration
	}{
		{at, "GET", "/feed.xml", "", 200, 20145, 12300 * time.Nanosecond},
		{at, "HEAD", "/audio/01-a.3f2a9c81d0e4.mp3", "bytes=0-1", 206, 0, time.Millisecond},
		{local, "GET", "/", "", 200, 5, 0},
		{at, "GET", "/a b", "", 404, 10, time.Second},
		{at, "GET", "/x", "bytes=0-1, 5-6", 206, 4, time.Minute},
		{at, "GET", "/q=1", "", 404, 1, 1},
		{at, "GET", "/é", "", 404, 1, 1},
		{at, "GET", `/"\`, "", 404, 1, 1},
		{at, "", "/x", "", 400, 0, 1},
		{at, "GET", "/x", "bytes=\x00", 200, 0, 1},
	}
	for _, tt := range tests {
		got := accessLine(tt.t, tt.method, tt.path, tt.range_, tt.status, tt.n, tt.took)
		want := slogLine(tt.t, tt.method, tt.path, tt.range_, tt.status, tt.n, tt.took)
		if got != want {
			t.Errorf("access log line\n got %q\nwant %q", got, want)
		}
	}
}

func FuzzAccessLine(f *testing.F) {
	f.Add("GET", "/feed.xml", "bytes=0-1", 200, int64(20145), int64(12300), int64(1764109160155999999))
	f.Add("GET", "/a b=c", "", 404, int64(0), int64(-5), int64(0))
	f.Fuzz(func(t *testing.T, method, path, rangeHeader string, status int, n, took, unixNano int64) {
		at := time.Unix(0, unixNano).UTC()
		if at.Year() < 1000 || at.Year() > 9999 {
			return // RFC 3339 has four-digit years
		}
		got := accessLine(at, method, path, rangeHeader, status, n, time.Duration(took))
		want := slogLine(at, method, path, rangeHeader, status, n, time.Duration(took))
		if got != want {
			t.Errorf("access log line\n got %q\nwant %q", got, want)
		}
	})
}

func BenchmarkAccessLine(b *testing.B) {
	var buf bytes.Buffer
	a := newAccessLog(&buf)
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		a.log(now, "GET", "/feed.xml", "", 200, 20145, 12300)
	}
}

func BenchmarkSlogLine(b *testing.B) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		logAttrs(log, now, "GET", "/feed.xml", "", 200, 20145, 12300)
	}
}
