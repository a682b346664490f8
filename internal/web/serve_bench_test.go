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
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/readcast/readcast/internal/catalog"
)

// BenchmarkServeSockets runs Serve as `readcast serve` does (an access log
// buffered to a file) and drives it over 8 kept-alive loopback connections,
// for profiles of the whole path, net/http and the kernel included:
//
//	go test -run XXX -bench ServeSockets -cpuprofile cpu.out ./internal/web
//	go tool pprof -top -cum web.test cpu.out
//
// Its time per request includes the client's, in the same process.
func BenchmarkServeSockets(b *testing.B) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	snap, err := catalog.Load(context.Background(), catalog.Config{Dir: "../../episodes", BaseURL: "http://" + l.Addr().String()}, nil)
	if err != nil {
		b.Fatal(err)
	}
	logFile, err := os.CreateTemp(b.TempDir(), "access")
	if err != nil {
		b.Fatal(err)
	}
	logs := bufio.NewWriterSize(logFile, 64<<10)
	srv, err := New(Config{Snapshot: snap, Log: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		b.Fatal(err)
	}
	serveOn(b, srv, l)
	a := snap.Episodes[0].Audio
	for _, w := range []struct{ name, head string }{
		{"feed", "GET /feed.xml HTTP/1.1\r\nHost: x\r\n\r\n"},
		{"range", fmt.Sprintf("GET %s HTTP/1.1\r\nHost: x\r\nRange: bytes=65536-131071\r\n\r\n", a.Path)},
	} {
		b.Run(w.name, func(b *testing.B) {
			const conns = 8
			var next sync.Mutex // hands out the b.N requests
			n := b.N
			var wg sync.WaitGroup
			for range conns {
				wg.Go(func() {
					c, err := net.Dial("tcp", l.Addr().String())
					if err != nil {
						b.Error(err)
						return
					}
					defer c.Close()
					br := bufio.NewReader(c)
					for {
						next.Lock()
						if n == 0 {
							next.Unlock()
							return
						}
						n--
						next.Unlock()
						io.WriteString(c, w.head)
						resp, err := http.ReadResponse(br, nil)
						if err != nil {
							b.Error(err)
							return
						}
						io.Copy(io.Discard, resp.Body)
						if resp.StatusCode >= 300 {
							b.Errorf("status %d", resp.StatusCode)
							return
						}
					}
				})
			}
			wg.Wait()
		})
	}
}

// BenchmarkHandler measures what readcast's handler costs a request
// besides net/http's connection, against the bare handler of
// scripts/bench/bare (http.ServeContent of the same bytes and file, no
// router, log or metrics) on a writer that discards: the in-process view
// of scripts/bench-serve's ratio, with allocations, and much less noise
// on a shared machine:
//
//	go test -run XXX -bench Handler -benchmem ./internal/web
func BenchmarkHandler(b *testing.B) {
	snap, err := catalog.Load(context.Background(), catalog.Config{Dir: "../../episodes", BaseURL: "http://127.0.0.1"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	logs := bufio.NewWriterSize(io.Discard, 64<<10)
	srv, err := New(Config{Snapshot: snap, Log: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		b.Fatal(err)
	}
	feed, err := snap.Asset("/feed.xml")
	if err != nil {
		b.Fatal(err)
	}
	audio := snap.Episodes[0].Audio
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case feed.Path:
			w.Header().Set("Content-Type", feed.Type)
			w.Header().Set("ETag", feed.ETag)
			http.ServeContent(w, r, "", feed.ModTime, bytes.NewReader(feed.Body))
		case audio.Path:
			f, err := os.Open(audio.File)
			if err != nil {
				b.Error(err)
				return
			}
			defer f.Close()
			w.Header().Set("Content-Type", "audio/mpeg")
			w.Header().Set("ETag", audio.ETag)
			http.ServeContent(w, r, "", audio.ModTime, f)
		}
	})
	for _, w := range []struct{ name, path, rng string }{
		{"feed", "/feed.xml", ""},
		{"range", audio.Path, "bytes=65536-131071"},
	} {
		for _, h := range []struct {
			name string
			h    http.Handler
		}{{"readcast", srv.Handler()}, {"bare", bare}} {
			b.Run(w.name+"/"+h.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					r := httptest.NewRequest(http.MethodGet, w.path, nil)
					r.RemoteAddr = "127.0.0.1:40000"
					r.Header.Set("User-Agent", "wrk")
					if w.rng != "" {
						r.Header.Set("Range", w.rng)
					}
					rw := &discardWriter{h: http.Header{}}
					h.h.ServeHTTP(rw, r)
					if rw.status >= 300 {
						b.Fatalf("status %d", rw.status)
					}
				}
			})
		}
	}
}

// discardWriter is a ResponseWriter that keeps the status and drops the
// body. A file, or a limited reader of one, it skips over as sendfile(2)
// would, without reading it in: the kernel's copy is not readcast's cost.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *discardWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return len(p), nil
}
func (w *discardWriter) ReadFrom(r io.Reader) (int64, error) {
	w.WriteHeader(http.StatusOK)
	if lr, ok := r.(*io.LimitedReader); ok {
		if f, ok := lr.R.(*os.File); ok {
			n := lr.N
			lr.N = 0
			_, err := f.Seek(n, io.SeekCurrent)
			return n, err
		}
	}
	return io.Copy(io.Discard, r)
}
func (w *discardWriter) SetWriteDeadline(time.Time) error { return nil }
