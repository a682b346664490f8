package web

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"testing"

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
