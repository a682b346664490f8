package bucket

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/readcast/readcast/internal/bucket/buckettest"
	"github.com/readcast/readcast/internal/export"
)

func TestParseTarget(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Target
		ok   bool
	}{
		{"s3://b", Target{Bucket: "b"}, true},
		{"s3://b/", Target{Bucket: "b"}, true},
		{"s3://b/show/2026/", Target{Bucket: "b", Prefix: "show/2026"}, true},
		{"b/show", Target{}, false},
		{"https://b/show", Target{}, false},
		{"s3:///show", Target{}, false},
		{"s3://b/show?x=1", Target{}, false},
	} {
		got, err := ParseTarget(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseTarget(%q) = %+v, %v; want %+v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	if k := (Target{Bucket: "b", Prefix: "p"}).key("audio/x.mp3"); k != "p/audio/x.mp3" {
		t.Errorf("key = %q", k)
	}
}

// TestEachStopsAtTheFirstError: an upload that fails stops the others
// from starting and its error is the one returned.
func TestEachStopsAtTheFirstError(t *testing.T) {
	files := make([]export.File, 100)
	boom := errors.New("boom")
	var started atomic.Int32
	err := each(context.Background(), files, 4, func(ctx context.Context, f export.File) error {
		if started.Add(1) == 3 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) {
		t.Errorf("each returned %v, want boom", err)
	}
	if n := started.Load(); n > 10 {
		t.Errorf("%d uploads started after the error", n)
	}
}

// site writes a small export: a feed, a page, two content-addressed files.
func site(t *testing.T, audio string) (string, []export.File) {
	t.Helper()
	dir := t.TempDir()
	imm := "public, max-age=31536000, immutable"
	var files []export.File
	for _, f := range []struct{ name, typ, cc, body string }{
		{"audio/a.1111.mp3", "audio/mpeg", imm, audio},
		{"chapters/a.2222.json", "application/json+chapters", imm, `{"version":"1.2.0","chapters":[]}`},
		{"index.html", "text/html; charset=utf-8", "no-cache", "<a href=audio/a.1111.mp3>a</a>"},
		{"feed.xml", "application/rss+xml; charset=utf-8", "public, max-age=60", "<rss/>"},
	} {
		p := filepath.Join(dir, filepath.FromSlash(f.name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(f.body), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, export.File{Path: "/" + f.name, File: f.name, ContentType: f.typ, CacheControl: f.cc, Size: int64(len(f.body))})
	}
	return dir, files
}

// TestAgainstSeaweedFS runs the tests that need a real store on one.
func TestAgainstSeaweedFS(t *testing.T) {
	srv := buckettest.Start(t)
	srv.Setenv(t)
	t.Run("retries", func(t *testing.T) { testRetriesServerErrors(t, srv) })
	t.Run("streams", func(t *testing.T) { testUploadStreamsFromDisk(t, srv) })
}

// testRetriesServerErrors puts a proxy in front of the real server that
// answers 503 to the first attempt of every upload: the publish still
// completes, each object stored once, and reports the retries.
func testRetriesServerErrors(t *testing.T, srv *buckettest.Server) {
	srv.CreateBucket(t, "retry")
	real, _ := url.Parse(srv.Endpoint)
	proxy := httputil.NewSingleHostReverseProxy(real)
	var mu sync.Mutex
	failed := map[string]bool{}
	var failures atomic.Int32
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			mu.Lock()
			first := !failed[r.URL.Path]
			failed[r.URL.Path] = true
			mu.Unlock()
			if first {
				io.Copy(io.Discard, r.Body)
				failures.Add(1)
				w.Header().Set("Content-Type", "application/xml")
				w.WriteHeader(http.StatusServiceUnavailable)
				fmt.Fprint(w, `<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>injected</Message></Error>`)
				return
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()
	c, err := New(context.Background(), Config{Endpoint: front.URL})
	if err != nil {
		t.Fatal(err)
	}
	dir, files := site(t, "ID3 not really audio")
	var progress bytes.Buffer
	rep, err := c.Publish(context.Background(), Target{Bucket: "retry"}, dir, files, Options{Progress: &progress})
	if err != nil {
		t.Fatalf("publish through 503s: %v\n%s", err, progress.String())
	}
	if int(failures.Load()) != len(files) || len(rep.Uploaded) != len(files) || rep.Requests < int64(2*len(files)+1) {
		t.Errorf("%d injected 503s, %d uploaded, %d requests; want %d, %d, at least %d", failures.Load(), len(rep.Uploaded), rep.Requests, len(files), len(files), 2*len(files)+1)
	}
	for _, f := range files {
		resp, body := buckettest.Get(t, "GET", srv.URL("retry", f.File), nil)
		want, _ := os.ReadFile(filepath.Join(dir, f.File))
		if resp.StatusCode != 200 || !bytes.Equal(body, want) || resp.Header.Get("Cache-Control") != f.CacheControl {
			t.Errorf("%s after retries: %d %q %q", f.File, resp.StatusCode, body, resp.Header.Get("Cache-Control"))
		}
	}
}

// testUploadStreamsFromDisk publishes a 64 MB recording: the bytes this
// process allocates stay a fraction of it (the upload is read from disk as
// it is sent, never held in memory), and the store has every byte.
func testUploadStreamsFromDisk(t *testing.T, srv *buckettest.Server) {
	srv.CreateBucket(t, "big")
	c, err := New(context.Background(), Config{Endpoint: srv.Endpoint})
	if err != nil {
		t.Fatal(err)
	}
	dir, files := site(t, "x")
	const size = 64 << 20
	big := filepath.Join(dir, filepath.FromSlash(files[0].File))
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	// Not zeros only: a pattern with the size's last byte set.
	for i := int64(0); i < size; i += 1 << 20 {
		f.WriteAt([]byte(fmt.Sprintf("block %d", i)), i)
	}
	f.Truncate(size)
	f.Close()
	files[0].Size = size

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := c.Publish(context.Background(), Target{Bucket: "big"}, dir, files, Options{}); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > size/4 {
		t.Errorf("publishing a %d MB file allocated %d MB", size>>20, alloc>>20)
	} else {
		t.Logf("publishing a %d MB file allocated %.1f MB", size>>20, float64(alloc)/(1<<20))
	}
	if got := srv.Objects(t, "big")[files[0].File].Size; got != size {
		t.Errorf("the store has %d bytes of %s, want %d", got, files[0].File, size)
	}
}
