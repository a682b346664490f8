package metrics

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MaxListenersPerDay bounds the memory of the daily listener set (16 bytes
// each). Past it, downloads are still counted but no longer deduplicated,
// and listeners_overflow_total says so.
const MaxListenersPerDay = 1 << 20

// Registry holds the counters. It is safe for concurrent use.
type Registry struct {
	now func() time.Time

	mu        sync.Mutex
	requests  map[reqKey]uint64
	bytes     map[string]uint64
	downloads map[string]uint64
	overflow  uint64
	day       string
	salt      [32]byte
	seen      map[[16]byte]struct{}
}

type reqKey struct {
	route string
	code  int
}

// New returns an empty registry that reads the clock with now (time.Now
// when nil).
func New(now func() time.Time) *Registry {
	if now == nil {
		now = time.Now
	}
	return &Registry{
		now: now, requests: map[reqKey]uint64{}, bytes: map[string]uint64{},
		downloads: map[string]uint64{}, seen: map[[16]byte]struct{}{},
	}
}

// Request counts one answered request of a named route.
func (r *Registry) Request(route string, status int, n int64) {
	r.mu.Lock()
	r.requests[reqKey{route, status}]++
	if n > 0 {
		r.bytes[route] += uint64(n)
	}
	r.mu.Unlock()
}

// Download considers an audio request of an episode. It counts a download
// when the request asked for more than Apple's two-byte probe, succeeded,
// and this listener (address and user agent, hashed with today's salt) has
// not downloaded the episode today.
func (r *Registry) Download(episode, rangeHeader string, status int, addr, userAgent string) bool {
	if status != 200 && status != 206 {
		return false
	}
	if strings.ReplaceAll(rangeHeader, " ", "") == "bytes=0-1" {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	day := r.now().UTC().Format(time.DateOnly)
	if day != r.day {
		// A new day: forget every listener and draw a new salt, so that
		// nothing links today's listeners to yesterday's.
		r.day = day
		clear(r.seen)
		if _, err := rand.Read(r.salt[:]); err != nil {
			panic(err) // crypto/rand never fails on supported platforms
		}
	}
	h := sha256.New()
	h.Write(r.salt[:])
	io.WriteString(h, addr+"\x00"+userAgent+"\x00"+episode)
	var k [16]byte
	copy(k[:], h.Sum(nil))
	if _, ok := r.seen[k]; ok {
		return false
	}
	if len(r.seen) < MaxListenersPerDay {
		r.seen[k] = struct{}{}
	} else {
		r.overflow++
	}
	r.downloads[episode]++
	return true
}

// WriteTo writes every counter in the Prometheus text exposition format,
// sorted, so the output is stable.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	r.mu.Lock()
	reqs := make([]reqKey, 0, len(r.requests))
	for k := range r.requests {
		reqs = append(reqs, k)
	}
	sort.Slice(reqs, func(i, j int) bool {
		if reqs[i].route != reqs[j].route {
			return reqs[i].route < reqs[j].route
		}
		return reqs[i].code < reqs[j].code
	})
	var b strings.Builder
	b.WriteString("# HELP readcast_http_requests_total HTTP requests answered, by route and status code.\n# TYPE readcast_http_requests_total counter\n")
	errors := map[string]uint64{}
	for _, k := range reqs {
		fmt.Fprintf(&b, "readcast_http_requests_total{route=%s,code=\"%d\"} %d\n", quote(k.route), k.code, r.requests[k])
		if k.code >= 500 {
			errors[k.route] += r.requests[k]
		}
	}
	b.WriteString("# HELP readcast_http_response_bytes_total Body bytes sent, by route.\n# TYPE readcast_http_response_bytes_total counter\n")
	for _, route := range sortedKeys(r.bytes) {
		fmt.Fprintf(&b, "readcast_http_response_bytes_total{route=%s} %d\n", quote(route), r.bytes[route])
	}
	b.WriteString("# HELP readcast_http_errors_total Requests answered with a 5xx status, by route.\n# TYPE readcast_http_errors_total counter\n")
	for _, route := range sortedKeys(errors) {
		fmt.Fprintf(&b, "readcast_http_errors_total{route=%s} %d\n", quote(route), errors[route])
	}
	b.WriteString("# HELP readcast_downloads_total Episode downloads counted the IAB way: no 0-1 probes, one a listener a day.\n# TYPE readcast_downloads_total counter\n")
	for _, ep := range sortedKeys(r.downloads) {
		fmt.Fprintf(&b, "readcast_downloads_total{episode=%s} %d\n", quote(ep), r.downloads[ep])
	}
	b.WriteString("# HELP readcast_listeners_today Distinct listener-episode pairs seen today.\n# TYPE readcast_listeners_today gauge\n")
	fmt.Fprintf(&b, "readcast_listeners_today %d\n", len(r.seen))
	b.WriteString("# HELP readcast_listeners_overflow_total Downloads counted without deduplication because the daily set was full.\n# TYPE readcast_listeners_overflow_total counter\n")
	fmt.Fprintf(&b, "readcast_listeners_overflow_total %d\n", r.overflow)
	r.mu.Unlock()
	bw := bufio.NewWriter(w)
	n, err := bw.WriteString(b.String())
	if err == nil {
		err = bw.Flush()
	}
	return int64(n), err
}

func sortedKeys(m map[string]uint64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// quote writes a label value as the exposition format wants: in double
// quotes, with backslash, quote and newline escaped.
func quote(s string) string {
	return strconv.Quote(strings.ToValidUTF8(s, "\uFFFD"))
}
