package check

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// Limits on what the fetcher reads into memory.
const (
	maxFeed      = 32 << 20 // a feed of thousands of episodes is a few MB
	maxText      = 16 << 20 // a transcript or chapters file
	maxImage     = 16 << 20
	maxTag       = 16 << 20 // an ID3 tag, cover art included
	blockSize    = 256 << 10
	cachedBlocks = 4
	userAgent    = "readcast-check/1 (+https://github.com/readcast/readcast)"
	countSlack   = 1 << 20 // bytes a streamed GET may run past the declared length before it stops
)

// fetcher does check's HTTP: every request waits for a free slot, and is
// given up when it makes no progress (no headers, or no more of its body)
// for the timeout, so that a dead server ends the check while a slow but
// live download of a long episode is never cut off.
type fetcher struct {
	client   *http.Client
	own      *http.Transport // the transport fetcher made, closed by close
	timeout  time.Duration
	slots    chan struct{}
	requests atomic.Int64
}

func newFetcher(client *http.Client, timeout time.Duration, concurrency int) *fetcher {
	f := &fetcher{client: client, timeout: timeout, slots: make(chan struct{}, concurrency)}
	if client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		// check must see what the server sends: a gzip-encoded MP3 is an
		// error, not something to decode quietly.
		tr.DisableCompression = true
		tr.MaxIdleConnsPerHost = concurrency
		f.client, f.own = &http.Client{Transport: tr}, tr
	}
	return f
}

// close closes the idle connections of the transport fetcher made.
func (f *fetcher) close() {
	if f.own != nil {
		f.own.CloseIdleConnections()
	}
}

// response is an HTTP response with its body read.
type response struct {
	status int
	header http.Header
	length int64 // Content-Length, or -1 when unknown
	body   []byte
	// truncated is set when the body went on past the limit; body then
	// holds the first limit bytes.
	truncated bool
}

// request is an HTTP request in flight: its response and the watchdog
// that cancels it when it stalls.
type request struct {
	ctx     context.Context
	resp    *http.Response
	watch   *time.Timer
	timeout time.Duration
	cancel  context.CancelCauseFunc
	release func()
}

// start sends a request and returns once its headers have arrived.
func (f *fetcher) start(ctx context.Context, method, target string, header map[string]string) (*request, error) {
	select {
	case f.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	release := func() { <-f.slots }
	ctx, cancel := context.WithCancelCause(ctx)
	stalled := fmt.Errorf("no progress for %v", f.timeout)
	watch := time.AfterFunc(f.timeout, func() { cancel(stalled) })
	req, err := http.NewRequestWithContext(ctx, method, target, nil)
	if err != nil {
		watch.Stop()
		cancel(nil)
		release()
		return nil, err
	}
	req.Header.Set("User-Agent", userAgent)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	f.requests.Add(1)
	resp, err := f.client.Do(req)
	if err != nil {
		watch.Stop()
		if c := context.Cause(ctx); c != nil && c != context.Canceled {
			err = c
		}
		cancel(nil)
		release()
		return nil, fmt.Errorf("%s: %w", method, unwrapURLError(err))
	}
	watch.Reset(f.timeout)
	return &request{ctx: ctx, resp: resp, watch: watch, timeout: f.timeout, cancel: cancel, release: release}, nil
}

// Read reads the body, putting off the watchdog while bytes arrive.
func (r *request) Read(p []byte) (int, error) {
	n, err := r.resp.Body.Read(p)
	if n > 0 {
		r.watch.Reset(r.timeout)
	}
	if err != nil && err != io.EOF {
		if c := context.Cause(r.ctx); c != nil {
			err = c
		}
	}
	return n, err
}

func (r *request) close() {
	r.watch.Stop()
	r.resp.Body.Close()
	r.cancel(nil)
	r.release()
}

// fetch makes a request and reads at most limit bytes of its body.
func (f *fetcher) fetch(ctx context.Context, method, target string, header map[string]string, limit int64) (*response, error) {
	r, err := f.start(ctx, method, target, header)
	if err != nil {
		return nil, err
	}
	defer r.close()
	body, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: reading the body: %w", method, err)
	}
	resp := &response{status: r.resp.StatusCode, header: r.resp.Header, length: r.resp.ContentLength, body: body}
	if int64(len(body)) > limit {
		resp.body, resp.truncated = body[:limit], true
	}
	return resp, nil
}

// count makes a GET and counts its body's bytes without keeping them,
// stopping after limit bytes.
func (f *fetcher) count(ctx context.Context, target string, header map[string]string, limit int64) (*response, int64, error) {
	r, err := f.start(ctx, http.MethodGet, target, header)
	if err != nil {
		return nil, 0, err
	}
	defer r.close()
	n, err := io.Copy(io.Discard, io.LimitReader(r, limit+1))
	if err != nil {
		return nil, n, fmt.Errorf("GET: reading the body after %d bytes: %w", n, err)
	}
	return &response{status: r.resp.StatusCode, header: r.resp.Header, length: r.resp.ContentLength}, n, nil
}

// unwrapURLError drops the *url.Error wrapper, whose text repeats the
// method and URL the caller already gives.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// rangeReader reads a remote file with Range requests in aligned blocks,
// keeping the few most recent, so that probing an MP3 reads its head and
// tail (or scans it block by block) without holding it in memory.
type rangeReader struct {
	ctx  context.Context
	f    *fetcher
	url  string
	size int64
	// blocks are the cached blocks, most recently used last.
	blocks []cachedBlock
}

type cachedBlock struct {
	index int64
	data  []byte
}

func (r *rangeReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		if pos >= r.size {
			return n, io.EOF
		}
		b, err := r.block(pos / blockSize)
		if err != nil {
			return n, err
		}
		n += copy(p[n:], b[pos%blockSize:])
	}
	return n, nil
}

// block returns block i of the file, from the cache or the server.
func (r *rangeReader) block(i int64) ([]byte, error) {
	for k, b := range r.blocks {
		if b.index == i {
			r.blocks = append(append(r.blocks[:k:k], r.blocks[k+1:]...), b)
			return b.data, nil
		}
	}
	from := i * blockSize
	to := min(from+blockSize, r.size) - 1
	data, err := r.f.rangeGet(r.ctx, r.url, from, to, r.size)
	if err != nil {
		return nil, err
	}
	if len(r.blocks) == cachedBlocks {
		r.blocks = r.blocks[1:]
	}
	r.blocks = append(r.blocks, cachedBlock{i, data})
	return data, nil
}

// rangeGet fetches bytes from..to (inclusive) of a file of size bytes and
// insists on a 206 that says so.
func (f *fetcher) rangeGet(ctx context.Context, target string, from, to, size int64) ([]byte, error) {
	want := fmt.Sprintf("bytes %d-%d/%d", from, to, size)
	resp, err := f.fetch(ctx, http.MethodGet, target, map[string]string{"Range": fmt.Sprintf("bytes=%d-%d", from, to)}, to-from+1)
	if err != nil {
		return nil, err
	}
	switch {
	case resp.status == http.StatusPartialContent && resp.truncated:
		return nil, fmt.Errorf("GET with Range: bytes=%d-%d sent more than %d bytes", from, to, to-from+1)
	case resp.status != http.StatusPartialContent:
		return nil, fmt.Errorf("GET with Range: bytes=%d-%d answered %d, not 206", from, to, resp.status)
	}
	if got := resp.header.Get("Content-Range"); got != want {
		return nil, fmt.Errorf("GET with Range: bytes=%d-%d answered Content-Range %q, not %q", from, to, got, want)
	}
	if int64(len(resp.body)) != to-from+1 {
		return nil, fmt.Errorf("GET with Range: bytes=%d-%d sent %d bytes, not %d", from, to, len(resp.body), to-from+1)
	}
	return resp.body, nil
}

// mediaType is the type/subtype of a Content-Type, lower case, without
// parameters.
func mediaType(contentType string) string {
	t, _, _ := strings.Cut(contentType, ";")
	return strings.ToLower(strings.TrimSpace(t))
}
