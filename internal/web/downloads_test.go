package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/readcast/readcast/internal/catalog"
)

// TestDownloadsCountedTheIABWay is issue 13's acceptance 3 through the
// handler on a real socket: five listeners behind a trusted proxy count
// five, probes count none, one listener fetching an episode in 64 KB ranges
// counts once, and a restart in between does not count anyone again.
func TestDownloadsCountedTheIABWay(t *testing.T) {
	var state []byte // what serve saves in its state directory
	start := func() (string, *Server, func()) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		base := "http://" + l.Addr().String()
		snap, err := catalog.Load(context.Background(), catalog.Config{Dir: "../../episodes", BaseURL: base}, nil)
		if err != nil {
			t.Fatal(err)
		}
		trusted, err := ParseTrustedProxies("127.0.0.1/32, ::1")
		if err != nil {
			t.Fatal(err)
		}
		srv, err := New(Config{Snapshot: snap, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), TrustedProxies: trusted})
		if err != nil {
			t.Fatal(err)
		}
		if state != nil {
			if err := srv.Metrics().RestoreDownloads(state); err != nil {
				t.Fatal(err)
			}
		}
		ts := &httptest.Server{Listener: l, Config: &http.Server{Handler: srv.Handler()}}
		ts.Start()
		return base, srv, func() { ts.Close(); state = srv.Metrics().DownloadState() }
	}
	base, srv, stop := start()
	ep := srv.Snapshot().Episodes[1]
	fetch := func(base, forwardedFor, userAgent, rng string) {
		t.Helper()
		h := []string{"X-Forwarded-For", forwardedFor, "User-Agent", userAgent}
		if rng != "" {
			h = append(h, "Range", rng)
		}
		resp, _ := do(t, "GET", base+ep.Audio.Path, h...)
		if resp.StatusCode != 200 && resp.StatusCode != 206 {
			t.Fatalf("GET %s (%s): %d", ep.Audio.Path, rng, resp.StatusCode)
		}
	}
	downloads := func(base string) float64 {
		t.Helper()
		_, body := do(t, "GET", base+"/metrics")
		v, ok := metricValue(parseMetrics(t, body), "readcast_downloads_total", "episode", ep.Slug())
		if !ok {
			t.Fatal("no download series of the episode")
		}
		return v
	}
	listeners := func(base string) {
		for i := 1; i <= 5; i++ {
			// What the client sent, then the address nginx appended.
			fetch(base, fmt.Sprintf("10.9.9.9, 198.51.100.%d", i), "AppleCoreMedia/1.0", "")
		}
	}
	ranged := func(base string) {
		for off := int64(0); off < ep.Audio.Size; off += 64 << 10 {
			fetch(base, "203.0.113.9", "AntennaPod/3.4", fmt.Sprintf("bytes=%d-%d", off, off+64<<10-1))
		}
	}

	listeners(base)
	if got := downloads(base); got != 5 {
		t.Errorf("five listeners behind the proxy counted %v", got)
	}
	for i := 1; i <= 10; i++ {
		addr := fmt.Sprintf("192.0.2.%d", i)
		fetch(base, addr, "AppleCoreMedia/1.0", "bytes=0-1")
		fetch(base, addr, "AppleCoreMedia/1.0", "bytes=0-0")
	}
	if got := downloads(base); got != 5 {
		t.Errorf("probes of 0-1 and 0-0 from ten addresses made %v downloads, want still 5", got)
	}
	ranged(base)
	if got := downloads(base); got != 6 {
		t.Errorf("one listener fetching in 64 KB ranges: %v downloads, want 6", got)
	}

	stop()
	base, _, stop = start()
	defer stop()
	if got := downloads(base); got != 0 {
		t.Errorf("a new process starts its counter at %v", got)
	}
	listeners(base)
	ranged(base)
	if got := downloads(base); got != 0 {
		t.Errorf("after a restart the same listeners counted %v more", got)
	}
	fetch(base, "198.51.100.77", "Overcast/2026", "")
	if got := downloads(base); got != 1 {
		t.Errorf("a new listener after the restart counted %v, want 1", got)
	}
}
