package web

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/testtool"
)

// The tests of the connection bounds talk to a running server over real
// sockets, as a stalled, slow or hostile client would.

// testLimits are limits short enough for tests of seconds.
func testLimits() Limits {
	return Limits{
		ReadHeader: 2 * time.Second, BodyStall: 2 * time.Second, WriteStall: 2 * time.Second,
		Idle: 10 * time.Second, MaxHeaderBytes: 64 << 10, MaxConns: 100,
	}
}

// boundedShow is a served copy of the seed show.
type boundedShow struct {
	addr string
	dir  string
	srv  *Server
	log  *testtool.Buffer
	// reloads counts the reloads the server asked for.
	mu      sync.Mutex
	reloads []string
	// closed counts the connections the server has closed.
	closed atomic.Int32
}

// closeCountingListener counts the connections the server closes, so a
// test can wait for the server to drop a client instead of sleeping.
type closeCountingListener struct {
	net.Listener
	closed *atomic.Int32
}

func (l closeCountingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	// Embedding *net.TCPConn keeps its ReadFrom, and with it sendfile(2).
	return &closeCountingConn{TCPConn: c.(*net.TCPConn), closed: l.closed}, nil
}

type closeCountingConn struct {
	*net.TCPConn
	once   sync.Once
	closed *atomic.Int32
}

func (c *closeCountingConn) Close() error {
	err := c.TCPConn.Close()
	c.once.Do(func() { c.closed.Add(1) })
	return err
}

// newBoundedShow serves a copy of the seed show with lim. With big, the
// first episode's recording is the seed's five recordings one after
// another, over 10 MB.
func newBoundedShow(t *testing.T, lim Limits, big bool) *boundedShow {
	t.Helper()
	dir := t.TempDir()
	copyTree(t, "../../episodes", dir)
	if big {
		var all []byte
		paths, _ := filepath.Glob(filepath.Join(dir, catalog.AudioDir, "*.mp3"))
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		if len(all) < 10<<20 {
			t.Fatalf("the seed's recordings are %d bytes together, not over 10 MB", len(all))
		}
		if err := os.WriteFile(paths[0], all, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	snap, err := catalog.Load(context.Background(), catalog.Config{Dir: dir, BaseURL: "http://" + l.Addr().String()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Episodes[0].Audio == nil {
		t.Fatalf("the first episode has no recording: %v", snap.Problems)
	}
	b := &boundedShow{addr: l.Addr().String(), dir: dir, log: &testtool.Buffer{}}
	b.srv, err = New(Config{Snapshot: snap, Log: slog.New(slog.NewTextHandler(b.log, nil)), Limits: lim, Reload: func(why string) {
		b.mu.Lock()
		b.reloads = append(b.reloads, why)
		b.mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	serveOn(t, b.srv, closeCountingListener{l, &b.closed})
	return b
}

func (b *boundedShow) dial(t *testing.T) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", b.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// drain reads c until it is closed or within passes; it returns the bytes
// read and whether the server closed the connection.
func drain(c net.Conn, within time.Duration) (int64, bool) {
	c.SetReadDeadline(time.Now().Add(within))
	n, err := io.Copy(io.Discard, c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return n, false
	}
	return n, true // EOF or reset: closed
}

// TestBoundWriteStall: a client that asks for a 10 MB range and never
// reads is dropped within the stall time, its file closed.
func TestBoundWriteStall(t *testing.T) {
	t.Parallel()
	lim := testLimits()
	b := newBoundedShow(t, lim, true)
	a := b.srv.Snapshot().Episodes[0].Audio
	c := b.dial(t)
	c.(*net.TCPConn).SetReadBuffer(16 << 10)
	rng := fmt.Sprintf("bytes=0-%d", 10<<20-1)
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\nRange: %s\r\n\r\n", a.Path, rng)
	// The server fills what the sockets buffer, then has the stall time;
	// the margin past it is for a loaded machine: a server that never
	// drops the client never logs the line.
	start := time.Now()
	var line string
	for line == "" && time.Since(start) < lim.WriteStall+30*time.Second {
		time.Sleep(100 * time.Millisecond)
		for l := range strings.Lines(b.log.String()) {
			if strings.Contains(l, "msg=request") && strings.Contains(l, rng) {
				line = l
			}
		}
	}
	if line == "" {
		t.Fatalf("a client that read nothing is still served after %v", time.Since(start))
	}
	if strings.Contains(line, fmt.Sprintf("bytes=%d ", 10<<20)) {
		t.Fatalf("all 10 MB went out to a client that read nothing (the sockets buffered it): %s", line)
	}
	if open := openFiles(t, a.File); open != 0 {
		t.Errorf("%s is still open %d times after the client was dropped", a.File, open)
	}
	// What the kernel already took is still delivered, never the rest.
	if n, _ := drain(c, 5*time.Second); n >= 10<<20 {
		t.Errorf("the client got all %d bytes after all", n)
	}
}

// openFiles counts this process's descriptors open on path.
func openFiles(t *testing.T, path string) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	n := 0
	for _, fd := range fds {
		if target, err := os.Readlink("/proc/self/fd/" + fd.Name()); err == nil && target == path {
			n++
		}
	}
	return n
}

// TestBoundSteadyReader: a listener steady at 64 KB/s gets every byte,
// although each 64 KB takes it half the stall time.
func TestBoundSteadyReader(t *testing.T) {
	t.Parallel()
	lim := testLimits()
	b := newBoundedShow(t, lim, false)
	a := b.srv.Snapshot().Episodes[0].Audio
	const want = 512 << 10
	c := b.dial(t)
	c.(*net.TCPConn).SetReadBuffer(16 << 10)
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\nRange: bytes=0-%d\r\nConnection: close\r\n\r\n", a.Path, want-1)
	br := bufio.NewReaderSize(c, 4<<10)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusPartialContent {
		t.Fatalf("status %d", resp.StatusCode)
	}
	// 4 KB every 62.5 ms: 64 KB/s.
	var got int64
	tick := time.NewTicker(time.Second / 16)
	defer tick.Stop()
	buf := make([]byte, 4<<10)
	for got < want {
		<-tick.C
		c.SetReadDeadline(time.Now().Add(lim.WriteStall + 5*time.Second))
		n, err := io.ReadFull(resp.Body, buf[:min(len(buf), want-int(got))])
		got += int64(n)
		if err != nil {
			t.Fatalf("after %d of %d bytes at 64 KB/s: %v", got, want, err)
		}
	}
	if n, _ := io.Copy(io.Discard, resp.Body); n != 0 {
		t.Errorf("%d bytes past the range", n)
	}
}

// TestBoundPipelinedNeverRead: 3,000 pipelined requests for the feed from
// a client that reads none of the answers: dropped within the stall time.
func TestBoundPipelinedNeverRead(t *testing.T) {
	t.Parallel()
	lim := testLimits()
	b := newBoundedShow(t, lim, false)
	c := b.dial(t)
	c.(*net.TCPConn).SetReadBuffer(16 << 10)
	req := "GET /feed.xml HTTP/1.1\r\nHost: x\r\n\r\n"
	go c.Write([]byte(strings.Repeat(req, 3000))) // blocks once the server stops reading
	// Reading nothing until the server drops the client is the test: a
	// fixed sleep could end before the drop on a loaded machine, and the
	// reads after it would keep the server going.
	start := time.Now()
	for b.closed.Load() == 0 {
		if time.Since(start) > lim.WriteStall+30*time.Second {
			t.Fatalf("3,000 pipelined requests never read: the connection is still open after %v; want it dropped within the stall time", time.Since(start))
		}
		time.Sleep(50 * time.Millisecond)
	}
	n, closed := drain(c, 10*time.Second)
	feed := int64(len(b.srv.Snapshot().Feed.Body))
	if !closed || n >= 3000*feed {
		t.Fatalf("3,000 pipelined requests never read: %d bytes afterwards, closed=%v; want the connection dropped within the stall time", n, closed)
	}
}

// TestBoundUnexpectedBody: a request that declares a body where none is
// expected is answered at once, without waiting for the body, and its
// connection closed.
func TestBoundUnexpectedBody(t *testing.T) {
	t.Parallel()
	// Stall and idle times of a minute: a server that waited for the body,
	// or kept the connection, would take that long, far past the bounds
	// below, which leave a loaded machine room.
	lim := testLimits()
	lim.BodyStall, lim.Idle = time.Minute, time.Minute
	const within = 15 * time.Second
	b := newBoundedShow(t, lim, false)
	for _, method := range []string{"POST", "GET"} {
		c := b.dial(t)
		fmt.Fprintf(c, "%s /feed.xml HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n", method)
		c.SetReadDeadline(time.Now().Add(within))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("%s with a body that never comes: no answer within %v: %v", method, within, err)
		}
		io.Copy(io.Discard, resp.Body)
		want := http.StatusMethodNotAllowed
		if method == "GET" {
			want = http.StatusOK
		}
		if resp.StatusCode != want || !resp.Close {
			t.Errorf("%s: %d, close %v; want %d and the connection closed", method, resp.StatusCode, resp.Close, want)
		}
		if _, closed := drain(c, within); !closed {
			t.Errorf("%s: the connection stays open after the answer", method)
		}
	}
}

// TestBoundBodyStall: an admin upload whose body stops arriving is
// answered or dropped within the body-progress deadline, and nothing is
// kept.
func TestBoundBodyStall(t *testing.T) {
	t.Parallel()
	lim := testLimits()
	a := newAdminShowLimits(t, lim)
	before := a.published(t)
	c, err := net.Dial("tcp", a.ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "PUT /admin/episodes/%s/audio HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: 1000000\r\n\r\n", adminSlug, adminToken)
	c.Write(bytes.Repeat([]byte{0xff}, 1000)) // then nothing
	start := time.Now()
	c.SetReadDeadline(time.Now().Add(lim.BodyStall + 30*time.Second)) // room for a loaded machine
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	took := time.Since(start)
	switch {
	case err == nil:
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusBadRequest || !bytes.Contains(body, []byte("cut off")) {
			t.Errorf("a stalled upload: %d %s; want 400 saying it was cut off", resp.StatusCode, body)
		}
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
	default:
		t.Fatalf("a stalled upload was neither answered nor dropped within %v: %v", lim.BodyStall+30*time.Second, err)
	}
	if took < lim.BodyStall-500*time.Millisecond {
		t.Errorf("the upload was cut off after %v, before the body deadline of %v", took, lim.BodyStall)
	}
	if got := a.published(t); got != before {
		t.Errorf("the published show changed:\n%s\nwant\n%s", got, before)
	}
}

// TestBoundSlowHeader: a header sent a byte a second is dropped within the
// header timeout.
func TestBoundSlowHeader(t *testing.T) {
	t.Parallel()
	lim := testLimits()
	b := newBoundedShow(t, lim, false)
	c := b.dial(t)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for _, ch := range []byte("GET /feed.xml HTTP/1.1\r\nHost: x\r\nUser-Agent: slow\r\n\r\n") {
			select {
			case <-stop:
				return
			case <-time.After(time.Second):
			}
			if _, err := c.Write([]byte{ch}); err != nil {
				return
			}
		}
	}()
	start := time.Now()
	// The header would take its sender a minute: a bound well under that
	// still tells a timeout from none, with room for a loaded machine.
	n, closed := drain(c, lim.ReadHeader+20*time.Second)
	if !closed {
		t.Fatalf("a header sent a byte a second still open after %v", time.Since(start))
	}
	_ = n // net/http may say 408 Request Timeout before it closes
}

// TestBoundConnectionCap: no more connections than the cap are served at
// once, the log says the cap was reached, and a waiting client is served
// as soon as one closes.
func TestBoundConnectionCap(t *testing.T) {
	t.Parallel()
	lim := testLimits()
	lim.MaxConns = 3
	b := newBoundedShow(t, lim, false)
	get := func(c net.Conn, br *bufio.Reader, within time.Duration) error {
		fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		c.SetReadDeadline(time.Now().Add(within))
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	}
	var held []net.Conn
	for i := range lim.MaxConns {
		c := b.dial(t)
		if err := get(c, bufio.NewReader(c), 10*time.Second); err != nil {
			t.Fatalf("connection %d of %d: %v", i+1, lim.MaxConns, err)
		}
		held = append(held, c) // kept alive, idle
	}
	extra := b.dial(t) // the kernel accepts it into the listen queue
	br := bufio.NewReader(extra)
	if err := get(extra, br, time.Second); err == nil {
		t.Fatalf("a connection past the cap of %d was served", lim.MaxConns)
	}
	// The accept loop logs once it finds the cap reached, on its own
	// goroutine: wait for the line rather than assume it ran.
	for start := time.Now(); !strings.Contains(b.log.String(), "connection limit reached"); time.Sleep(20 * time.Millisecond) {
		if time.Since(start) > 20*time.Second {
			t.Fatalf("the log does not say the cap was reached:\n%s", b.log.String())
		}
	}
	held[0].Close()
	// A bound with room for a loaded machine, not a measure.
	extra.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := http.ReadResponse(br, nil) // the answer to the request it already sent
	if err != nil {
		t.Fatalf("the waiting client was not served once a connection closed: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status %d", resp.StatusCode)
	}
}

// TestChangedFileIsNotServed: a recording replaced on disk after its first
// request — in place with the same size, larger or smaller, or by a rename
// — is never sent under the snapshot's URL and ETag, nor cut short under a
// 200 or 206: the answer is a 503 no-store, and a reload is asked for.
func TestChangedFileIsNotServed(t *testing.T) {
	t.Parallel()
	replace := map[string]func(t *testing.T, path string, old []byte){
		"in place, same size": func(t *testing.T, path string, old []byte) {
			writeInPlace(t, path, bytes.Repeat([]byte{0x55}, len(old)))
		},
		"in place, larger": func(t *testing.T, path string, old []byte) {
			writeInPlace(t, path, append(append([]byte(nil), old...), old...))
		},
		"in place, smaller": func(t *testing.T, path string, old []byte) {
			writeInPlace(t, path, old[:len(old)/2])
		},
		"renamed over": func(t *testing.T, path string, old []byte) {
			tmp := path + ".new"
			if err := os.WriteFile(tmp, old, 0o644); err != nil { // the same bytes, even
				t.Fatal(err)
			}
			fi, _ := os.Stat(path)
			os.Chtimes(tmp, fi.ModTime(), fi.ModTime()) // and the same time: only the inode tells
			if err := os.Rename(tmp, path); err != nil {
				t.Fatal(err)
			}
		},
	}
	for name, change := range replace {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := newBoundedShow(t, testLimits(), false)
			a := b.srv.Snapshot().Episodes[1].Audio
			url := "http://" + b.addr + a.Path
			old, err := os.ReadFile(a.File)
			if err != nil {
				t.Fatal(err)
			}
			if resp, body := do(t, "GET", url); resp.StatusCode != 200 || !bytes.Equal(body, old) {
				t.Fatalf("before the change: %d, %d bytes", resp.StatusCode, len(body))
			}
			// A file system's clock ticks coarsely (jiffies, or seconds):
			// let it move past the file's mtime, or a rewrite of the same
			// size would look unchanged to anything.
			testtool.AfterModTime(t, a.File)
			change(t, a.File, old)
			for _, rng := range []string{"", "bytes=0-1", "bytes=1000-", "bytes=-500"} {
				var header []string
				if rng != "" {
					header = []string{"Range", rng}
				}
				resp, body := do(t, http.MethodGet, url, header...)
				if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("ETag") != "" {
					t.Errorf("Range %q: %d, Cache-Control %q, ETag %q, %d bytes; want 503 no-store without an ETag",
						rng, resp.StatusCode, resp.Header.Get("Cache-Control"), resp.Header.Get("ETag"), len(body))
				}
			}
			b.mu.Lock()
			defer b.mu.Unlock()
			if len(b.reloads) == 0 {
				t.Error("no reload was asked for")
			}
		})
	}
}

// writeInPlace rewrites a file keeping its inode, as cp over it does.
func writeInPlace(t *testing.T, path string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// rawExchange sends a request as written and reads the answer.
func rawExchange(t *testing.T, addr, raw string) *http.Response {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("%q: %v", raw, err)
	}
	io.Copy(io.Discard, resp.Body)
	return resp
}

// TestAdminCleanedPath: /admin is matched on the cleaned path, so a path
// that a proxy in front cleans out of /admin never reaches the token
// check, and a redirect never names a host taken from the request.
func TestAdminCleanedPath(t *testing.T) {
	a := newAdminShow(t)
	addr := a.ts.Listener.Addr().String()
	for _, tt := range []struct{ target, location string }{
		{"/admin/../feed.xml", "/feed.xml"},
		{"/admin/jobs/..%2F..%2Fx", "/x"},
		{"/admin/..%2Ffeed.xml?a=b", "/feed.xml?a=b"},
		{"http://evil.example/x/../feed.xml", "/feed.xml"},
		{"http://evil.example//evil.example/feed.xml", "/evil.example/feed.xml"},
		{"//evil.example/../feed.xml", "/feed.xml"},
	} {
		resp := rawExchange(t, addr, "GET "+tt.target+" HTTP/1.1\r\nHost: readcast.test\r\n\r\n")
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != tt.location {
			t.Errorf("GET %s: %d, Location %q; want 301 to %q", tt.target, resp.StatusCode, resp.Header.Get("Location"), tt.location)
		}
	}
	// Still the admin API's once cleaned: its answers, not a redirect.
	for _, target := range []string{"/admin/jobs/x", "/admin/x/../jobs/x", "/admin"} {
		if resp := rawExchange(t, addr, "GET "+target+" HTTP/1.1\r\nHost: readcast.test\r\n\r\n"); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET %s: %d, want the admin API's 401", target, resp.StatusCode)
		}
	}
}

// TestAdminFailedTokensLimited: an address that keeps sending wrong tokens
// gets 429 with Retry-After, even with the right one, for a while.
func TestAdminFailedTokensLimited(t *testing.T) {
	a := newAdminShow(t)
	job := a.ts.URL + "/admin/jobs/0123456789abcdef"
	for i := range maxFailures {
		if resp, _ := do(t, "GET", job, "Authorization", fmt.Sprintf("Bearer guess-%d", i)); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong token %d: %d, want 401", i+1, resp.StatusCode)
		}
	}
	for _, token := range []string{"guess-x", adminToken} {
		resp, _ := do(t, "GET", job, "Authorization", "Bearer "+token)
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
			t.Errorf("after %d wrong tokens: %d, Retry-After %q; want 429 with Retry-After", maxFailures, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
	// The public site is not affected.
	if resp, _ := do(t, "GET", a.ts.URL+"/feed.xml"); resp.StatusCode != http.StatusOK {
		t.Errorf("the feed: %d", resp.StatusCode)
	}
}

// TestFailuresBounded: the failure table stays bounded under many
// addresses.
func TestFailuresBounded(t *testing.T) {
	var f failures
	now := time.Now()
	for i := range 3 * maxFailingAddr {
		f.fail(fmt.Sprint(i), now)
	}
	if len(f.addrs) > maxFailingAddr {
		t.Fatalf("%d addresses remembered, cap %d", len(f.addrs), maxFailingAddr)
	}
	for range maxFailures {
		f.fail("a", now)
	}
	if wait, ok := f.blocked("a", now.Add(time.Second)); !ok || wait <= 0 || wait > failureWindow {
		t.Errorf("blocked = %v, %v", wait, ok)
	}
	if _, ok := f.blocked("a", now.Add(failureWindow)); ok {
		t.Error("still blocked after the window")
	}
}

// TestHTMLTranscriptCSP: the HTML transcript is a page of the site, with
// the pages' Content-Security-Policy.
func TestHTMLTranscriptCSP(t *testing.T) {
	ts, srv := newTestServer(t)
	a := srv.Snapshot().Episodes[0].Transcript("html")
	resp, _ := do(t, "GET", ts.URL+a.Path)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Security-Policy") != pageCSP {
		t.Errorf("%s: %d, Content-Security-Policy %q; want %q", a.Path, resp.StatusCode, resp.Header.Get("Content-Security-Policy"), pageCSP)
	}
}
