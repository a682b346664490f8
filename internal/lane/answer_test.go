package lane

import (
	"net/http"
	"testing"
	"time"

	"github.com/readcast/readcast/internal/catalog"
)

func TestSimpleRange(t *testing.T) {
	const size = 1000
	tests := []struct {
		h        string
		start, n int64
		ok       bool
	}{
		{"bytes=0-1", 0, 2, true},
		{"bytes=0-", 0, 1000, true},
		{"bytes=999-", 999, 1, true},
		{"bytes=-500", 500, 500, true},
		{"bytes=-5000", 0, 1000, true},
		{"bytes=990-2000", 990, 10, true},
		{"bytes=007-010", 7, 4, true},
		{"bytes=5-5", 5, 1, true},
		{"bytes=1000-", 0, 0, false}, // 416: net/http's
		{"bytes=-0", 0, 0, false},
		{"bytes=5-4", 0, 0, false},
		{"bytes=0-1,3-4", 0, 0, false},
		{"bytes= 0-1", 0, 0, false},
		{"bytes=0 -1", 0, 0, false},
		{"bytes=-", 0, 0, false},
		{"bytes=", 0, 0, false},
		{"Bytes=0-1", 0, 0, false},
		{"bytes=+1-2", 0, 0, false},
		{"bytes=1234567890123456789-", 0, 0, false},
	}
	for _, tt := range tests {
		start, n, ok := simpleRange(tt.h, size)
		if ok != tt.ok || ok && (start != tt.start || n != tt.n) {
			t.Errorf("simpleRange(%q) = %d, %d, %v; want %d, %d, %v", tt.h, start, n, ok, tt.start, tt.n, tt.ok)
		}
	}
}

// BenchmarkAnswerFeed is the lane's own work for a feed request, from the
// head's bytes to the headers to write: no rendering; the only
// allocations are the path and user agent strings the access log and the
// metrics keep.
func BenchmarkAnswerFeed(b *testing.B) {
	feed := &catalog.Asset{Path: "/feed.xml", Type: "application/rss+xml; charset=utf-8", Body: make([]byte, 20000),
		Size: 20000, ETag: `"950692a27f8f8d63"`, ModTime: time.Date(2026, 11, 6, 6, 0, 0, 0, time.UTC), CORS: true}
	head := []byte("GET /feed.xml HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: AppleCoreMedia/1.0\r\nAccept: */*\r\n\r\n")
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		end, _ := headEnd(head)
		r, ok := parseHead(head[:end])
		if !ok {
			b.Fatal("not the lane's")
		}
		ans, ok := plan(&r, feed)
		if !ok || ans.status != http.StatusOK {
			b.Fatal("no plan")
		}
		buf = appendHeader(buf[:0], feed, Fields(feed), &ans, time.Now())
	}
}
