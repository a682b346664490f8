package lane

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/readcast/readcast/internal/catalog"
)

// testLane is a lane on a loopback port with net/http behind it answering
// "net/http <path>", and two assets: a text in memory and a file.
type testLane struct {
	addr string
	lane *Lane
	mem  *catalog.Asset
	file *catalog.Asset
	data []byte // the file's bytes

	mu   sync.Mutex
	done []string // "<status> <bytes>" of each request the lane answered
}

func newTestLane(tb testing.TB, fileSize int, cfg Config) *testLane {
	tb.Helper()
	dir := tb.TempDir()
	data := make([]byte, fileSize)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	name := filepath.Join(dir, "a.mp3")
	if err := os.WriteFile(name, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	fi, err := os.Stat(name)
	if err != nil {
		tb.Fatal(err)
	}
	tl := &testLane{data: data}
	tl.mem = &catalog.Asset{Path: "/t.vtt", Type: "text/vtt; charset=utf-8", Body: []byte(strings.Repeat("WEBVTT cue\n", 100)),
		Size: 1100, ETag: `"mem"`, ModTime: time.Date(2026, 11, 6, 6, 0, 0, 0, time.UTC), Immutable: true, CORS: true}
	tl.file = &catalog.Asset{Path: "/a.mp3", Type: "audio/mpeg", File: name, Size: fi.Size(), ETag: `"file"`, ModTime: fi.ModTime(), Immutable: true}
	cfg.Find = func(path string) (*catalog.Asset, []Field) {
		switch path {
		case tl.mem.Path:
			return tl.mem, Fields(tl.mem)
		case tl.file.Path:
			return tl.file, Fields(tl.file)
		}
		return nil, nil
	}
	cfg.Done = func(r *Request, status int, n int64, _ time.Duration) {
		tl.mu.Lock()
		tl.done = append(tl.done, fmt.Sprintf("%d %d", status, n))
		tl.mu.Unlock()
	}
	if cfg.ReadHeaderTimeout == 0 {
		cfg.ReadHeaderTimeout = 5 * time.Second
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = time.Minute
	}
	tl.lane = New(cfg)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tl.addr = l.Addr().String()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "net/http "+r.URL.Path)
	})}
	served := make(chan error, 2)
	go func() { served <- tl.lane.Serve(l) }()
	go func() { served <- srv.Serve(tl.lane.Fallback()) }()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		tl.lane.Shutdown(ctx)
		srv.Shutdown(ctx)
		for range 2 {
			if err := <-served; err != nil && err != http.ErrServerClosed {
				tb.Errorf("serve: %v", err)
			}
		}
	})
	return tl
}

func (tl *testLane) dial(tb testing.TB) (net.Conn, *bufio.Reader) {
	tb.Helper()
	c, err := net.Dial("tcp", tl.addr)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(20 * time.Second))
	return c, bufio.NewReader(c)
}

func get(path, extra string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: a\r\n" + extra + "\r\n"
}

func read(tb testing.TB, br *bufio.Reader) (*http.Response, []byte) {
	tb.Helper()
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		tb.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, body
}

// TestLaneSendsFiles sends a file larger than the socket buffers, so
// sendfile(2) must wait for the client, whole and in ranges, and counts
// what it sent: in one piece, and in WriteStall's chunks.
func TestLaneSendsFiles(t *testing.T) {
	for _, cfg := range []Config{{}, {WriteStall: 10 * time.Second}} {
		t.Run(fmt.Sprint("stall ", cfg.WriteStall), func(t *testing.T) { testLaneSendsFiles(t, cfg) })
	}
}

func testLaneSendsFiles(t *testing.T, cfg Config) {
	tl := newTestLane(t, 16<<20, cfg)
	c, br := tl.dial(t)
	size := len(tl.data)
	tests := []struct {
		extra      string
		status     int
		start, end int
	}{
		{"", 200, 0, size},
		{"Range: bytes=0-1\r\n", 206, 0, 2},
		{"Range: bytes=1000000-\r\n", 206, 1000000, size},
		{"Range: bytes=-70000\r\n", 206, size - 70000, size},
		{fmt.Sprintf("Range: bytes=%d-%d\r\n", size-3, size+3), 206, size - 3, size},
	}
	for _, tt := range tests {
		io.WriteString(c, get(tl.file.Path, tt.extra))
		resp, body := read(t, br)
		if resp.StatusCode != tt.status {
			t.Fatalf("%q: status %d, want %d", tt.extra, resp.StatusCode, tt.status)
		}
		if sha256.Sum256(body) != sha256.Sum256(tl.data[tt.start:tt.end]) {
			t.Errorf("%q: %d bytes, not bytes [%d,%d) of the file", tt.extra, len(body), tt.start, tt.end)
		}
		if tt.status == 206 {
			want := fmt.Sprintf("bytes %d-%d/%d", tt.start, tt.end-1, size)
			if got := resp.Header.Get("Content-Range"); got != want {
				t.Errorf("%q: Content-Range %q, want %q", tt.extra, got, want)
			}
		}
	}
	c.Close()
	waitFor(t, "the lane to count 5 requests", func() bool {
		tl.mu.Lock()
		defer tl.mu.Unlock()
		return len(tl.done) == len(tests)
	})
	want := []string{fmt.Sprintf("200 %d", size), "206 2", fmt.Sprintf("206 %d", size-1000000), "206 70000", "206 3"}
	tl.mu.Lock()
	defer tl.mu.Unlock()
	if fmt.Sprint(tl.done) != fmt.Sprint(want) {
		t.Errorf("the lane counted %v, want %v", tl.done, want)
	}
}

// TestLaneHandsOverWhatItDoesNotAnswer checks that net/http gets requests
// the lane does not answer, with their connection, and the bytes the lane
// already read.
func TestLaneHandsOverWhatItDoesNotAnswer(t *testing.T) {
	tl := newTestLane(t, 1000, Config{})
	for _, raw := range []string{
		get("/page", ""),
		get("/t.vtt?x=1", ""),
		get("/t.vtt", "Range: bytes=0-1,5-6\r\n"),
		get("/t.vtt", "Cookie: "+strings.Repeat("c", 2*headBufferSize)+"\r\n"),
		"GET /t.vtt HTTP/1.1\nHost: a\n\n",
		"POST /t.vtt HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc",
	} {
		c, br := tl.dial(t)
		io.WriteString(c, raw+get("/t.vtt", ""))
		resp, body := read(t, br)
		if !strings.HasPrefix(string(body), "net/http ") {
			t.Errorf("%.40q: answered %d %.40q, not by net/http", raw, resp.StatusCode, body)
		}
		// The next request on the connection is net/http's too.
		_, body = read(t, br)
		if string(body) != "net/http /t.vtt" {
			t.Errorf("%.40q: the next request got %.40q", raw, body)
		}
	}
}

// TestLaneDropsAStalledClient checks that a client that stops reading a
// long answer is dropped after WriteStall, while one that reads slowly but
// steadily gets all of it.
func TestLaneDropsAStalledClient(t *testing.T) {
	tl := newTestLane(t, 16<<20, Config{WriteStall: 300 * time.Millisecond})
	stalled, br := tl.dial(t)
	io.WriteString(stalled, get(tl.file.Path, ""))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(resp.Body, make([]byte, 1000)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second) // well past WriteStall, with the socket buffers full
	n, _ := io.Copy(io.Discard, resp.Body)
	if 1000+n >= int64(len(tl.data)) {
		t.Errorf("a client that stopped reading for 2 s still got all %d bytes", len(tl.data))
	}

	steady, br := tl.dial(t)
	io.WriteString(steady, get(tl.file.Path, "Range: bytes=0-2097151\r\n"))
	resp, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []byte
	buf := make([]byte, 64<<10)
	for {
		k, err := resp.Body.Read(buf)
		got = append(got, buf[:k]...)
		if err != nil {
			break
		}
		time.Sleep(10 * time.Millisecond) // about 6 MB/s at most, steadily
	}
	if !bytes.Equal(got, tl.data[:2<<20]) {
		t.Errorf("a steady reader got %d of %d bytes", len(got), 2<<20)
	}
}

// TestLaneChangedFile checks that a file replaced under the snapshot is not
// served under the snapshot's length and ETag: net/http answers.
func TestLaneChangedFile(t *testing.T) {
	tl := newTestLane(t, 1000, Config{})
	if err := os.WriteFile(tl.file.File, []byte("other bytes"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, br := tl.dial(t)
	io.WriteString(c, get(tl.file.Path, ""))
	if _, body := read(t, br); string(body) != "net/http "+tl.file.Path {
		t.Errorf("got %.40q, want net/http's answer", body)
	}
}

// TestLaneTimeouts checks that a connection is closed when its head does
// not come in ReadHeaderTimeout, or no request in IdleTimeout.
func TestLaneTimeouts(t *testing.T) {
	tl := newTestLane(t, 1000, Config{ReadHeaderTimeout: 100 * time.Millisecond, IdleTimeout: 300 * time.Millisecond})
	closed := func(c net.Conn) bool {
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, err := c.Read(make([]byte, 1))
		return err == io.EOF
	}
	silent, _ := tl.dial(t)
	if !closed(silent) {
		t.Error("a connection that sent nothing stayed open")
	}
	slow, _ := tl.dial(t)
	io.WriteString(slow, "GET /t.vtt HTTP/1.1\r\nHo")
	if !closed(slow) {
		t.Error("a connection with half a head stayed open")
	}
	idle, br := tl.dial(t)
	io.WriteString(idle, get("/t.vtt", ""))
	if resp, _ := read(t, br); resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	// Past ReadHeaderTimeout but within IdleTimeout the connection serves.
	time.Sleep(150 * time.Millisecond)
	io.WriteString(idle, get("/t.vtt", ""))
	if resp, _ := read(t, br); resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if !closed(idle) {
		t.Error("an idle connection stayed open")
	}
}

// TestLaneShutdown checks that Shutdown closes idle connections at once,
// lets an answer in flight finish, and refuses new connections.
func TestLaneShutdown(t *testing.T) {
	tl := newTestLane(t, 16<<20, Config{})
	idle, idleBR := tl.dial(t)
	io.WriteString(idle, get(tl.mem.Path, ""))
	read(t, idleBR)
	busy, busyBR := tl.dial(t)
	io.WriteString(busy, get(tl.file.Path, ""))
	resp, err := http.ReadResponse(busyBR, nil)
	if err != nil {
		t.Fatal(err)
	}
	first := make([]byte, 1000) // the answer has started; most of it is unsent
	if _, err := io.ReadFull(resp.Body, first); err != nil {
		t.Fatal(err)
	}
	shut := make(chan error, 1)
	go func() { shut <- tl.lane.Shutdown(context.Background()) }()
	idle.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := idle.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("the idle connection: %v, want EOF", err)
	}
	rest, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(append(first, rest...), tl.data) {
		t.Errorf("the answer in flight ended after %d of %d bytes", len(first)+len(rest), len(tl.data))
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if c, err := net.Dial("tcp", tl.addr); err == nil {
		c.Close()
		t.Error("a new connection was accepted after Shutdown")
	}
}

// TestLaneGoroutinesBounded checks that connections leave nothing running
// behind them.
func TestLaneGoroutinesBounded(t *testing.T) {
	tl := newTestLane(t, 100000, Config{})
	before := runtime.NumGoroutine()
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			c, err := net.Dial("tcp", tl.addr)
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			br := bufio.NewReader(c)
			for _, raw := range []string{get(tl.file.Path, "Range: bytes=0-65535\r\n"), get(tl.mem.Path, ""), get("/page", "")} {
				io.WriteString(c, raw)
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
			}
		})
	}
	wg.Wait()
	waitFor(t, "the connections' goroutines to end", func() bool { return runtime.NumGoroutine() <= before })
}

func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// FuzzLaneConnection sends arbitrary bytes on a connection: whatever they
// are, the lane answers, hands them to net/http or closes the connection,
// within the timeouts, and goes on answering other connections.
func FuzzLaneConnection(f *testing.F) {
	for _, s := range []string{
		get("/t.vtt", ""),
		get("/a.mp3", "Range: bytes=0-1\r\n") + get("/t.vtt", "If-None-Match: \"mem\"\r\n"),
		"GET /t.vtt HTTP/1.1\r\nHost: a\r\nRange: bytes=99999-\r\n\r\n",
		"HEAD /a.mp3 HTTP/1.1\r\nHost: a\r\n\r\nGARBAGE\r\n\r\n",
		"GET /t.vtt HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello" + get("/t.vtt", ""),
		"\x00\xff\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	tl := newTestLane(f, 100000, Config{ReadHeaderTimeout: time.Second, IdleTimeout: time.Second})
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := net.Dial("tcp", tl.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		c.Write(in)
		c.(*net.TCPConn).CloseWrite()
		if _, err := io.Copy(io.Discard, c); err != nil {
			t.Fatalf("%q: the connection was neither answered nor closed: %v", in, err)
		}
		// Another connection is served as ever.
		c2, br := tl.dial(t)
		io.WriteString(c2, get(tl.mem.Path, ""))
		if resp, body := read(t, br); resp.StatusCode != 200 || !bytes.Equal(body, tl.mem.Body) {
			t.Fatalf("after %q: status %d", in, resp.StatusCode)
		}
		c2.Close()
	})
}
