package web

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/testtool"
)

// TestShutdownGrace is issue 13's acceptance 4 on a recording too long to
// fit in the socket buffers (over 10 MB), so that its download is in
// flight: a slow, steady listener finishes within the grace; one that
// stops reading is cut when the grace is over, with one log line, and
// Serve returns no error either way.
func TestShutdownGrace(t *testing.T) {
	for _, c := range []struct {
		name  string
		grace time.Duration
		read  bool
	}{
		{"completes within the grace", time.Minute, true},
		{"cut past the grace", time.Second, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			big := newBoundedShow(t, testLimits(), true) // for its show directory
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			snap, err := catalog.Load(context.Background(), catalog.Config{Dir: big.dir, BaseURL: "http://" + l.Addr().String()}, nil)
			if err != nil {
				t.Fatal(err)
			}
			log := &testtool.Buffer{}
			lim := testLimits()
			lim.WriteStall = time.Minute // the stopped reader is the grace's to cut
			srv, err := New(Config{Snapshot: snap, Log: slog.New(slog.NewTextHandler(log, nil)), Limits: lim, ShutdownGrace: c.grace})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- srv.Serve(ctx, l) }()
			defer cancel()

			conn, err := net.Dial("tcp", l.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			io.WriteString(conn, "GET "+snap.Episodes[0].Audio.Path+" HTTP/1.1\r\nHost: a\r\n\r\n")
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.CopyN(io.Discard, resp.Body, 64<<10)
			waitUntil(t, "the download to be in flight", func() bool { return srv.conns.inFlight() == 1 })

			cancel() // SIGTERM
			start := time.Now()
			if c.read {
				for {
					n, err := io.CopyN(io.Discard, resp.Body, 1<<20)
					got += n
					if err != nil {
						break
					}
					time.Sleep(20 * time.Millisecond) // about 50 MB/s: slow and steady
				}
			}
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Serve after the shutdown: %v", err)
				}
			case <-time.After(c.grace + 20*time.Second):
				t.Fatal("Serve did not return after the grace")
			}
			took := time.Since(start)
			cut := strings.Count(log.String(), "cut=1")
			if c.read {
				if got != resp.ContentLength {
					t.Errorf("the listener got %d of %d bytes", got, resp.ContentLength)
				}
				if cut != 0 {
					t.Errorf("a download finished within the grace was reported cut:\n%s", log)
				}
			} else {
				rest, _ := io.Copy(io.Discard, resp.Body)
				if got+rest >= resp.ContentLength {
					t.Error("the download past the grace was not cut")
				}
				if cut != 1 {
					t.Errorf("%d log lines saying one download was cut, want 1:\n%s", cut, log)
				}
				if took < c.grace {
					t.Errorf("cut after %v, before the grace of %v", took, c.grace)
				}
			}
			t.Logf("shutdown took %v; the listener got %d of %d bytes", took.Round(time.Millisecond), got, resp.ContentLength)
		})
	}
}
