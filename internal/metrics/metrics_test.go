package metrics

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// A 128 kbit/s episode: one minute is 960,000 bytes.
var show = []Episode{{Slug: "01", Bitrate: 128000, Size: 30 << 20}, {Slug: "02", Bitrate: 128000, Size: 500}}

func TestDownloadsCountedTheIABWay(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	r := New(func() time.Time { return now }, nil)
	r.Show(show, 0, now)
	const minute = 128000 / 8 * 60
	steps := []struct {
		name              string
		episode, addr, ua string
		n                 int64
		want              bool
	}{
		{"Apple's two-byte probe is not a download", "01", "10.0.0.1", "AppleCoreMedia", 2, false},
		{"nor a one-byte one", "01", "10.0.0.1", "AppleCoreMedia", 1, false},
		{"half a minute is not yet", "01", "10.0.0.1", "AppleCoreMedia", minute / 2, false},
		{"the rest of the minute makes one", "01", "10.0.0.1", "AppleCoreMedia", minute / 2, true},
		{"more of the same listener is not another", "01", "10.0.0.1", "AppleCoreMedia", minute, false},
		{"another app on the same address is", "01", "10.0.0.1", "Overcast", minute, true},
		{"another address is", "01", "10.0.0.2", "AppleCoreMedia", 2 * minute, true},
		{"a recording shorter than a minute counts when all of it arrived", "02", "10.0.0.1", "x", 500, true},
		{"an episode not in the show is not counted", "99", "10.0.0.9", "x", 2 * minute, false},
	}
	for _, s := range steps {
		if got := r.Download(s.episode, s.n, s.addr, s.ua); got != s.want {
			t.Errorf("%s: counted = %v, want %v", s.name, got, s.want)
		}
	}
	now = now.Add(24 * time.Hour)
	if !r.Download("01", minute, "10.0.0.1", "AppleCoreMedia") {
		t.Error("the next day the same listener counts again")
	}
	if got := testutil.ToFloat64(r.dlTotal.WithLabelValues("01")); got != 4 {
		t.Errorf("downloads of 01 = %v, want 4", got)
	}
}

func TestRangesOfOneListenerCountOnce(t *testing.T) {
	r := New(nil, nil)
	r.Show(show, 0, time.Now())
	counted := 0
	for off := int64(0); off < 30<<20; off += 64 << 10 {
		if r.Download("01", 64<<10, "192.0.2.7", "AntennaPod/3") {
			counted++
		}
	}
	if counted != 1 {
		t.Errorf("a listener fetching 64 KB ranges counted %d times, want 1", counted)
	}
}

func TestDaySurvivesARestart(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	var saved []byte
	start := func() *Registry {
		r := New(clock, nil)
		r.Show(show, 0, now)
		if saved != nil {
			if err := r.RestoreDownloads(saved); err != nil {
				t.Fatal(err)
			}
		}
		return r
	}
	r := start()
	if !r.Download("01", 1<<20, "10.0.0.1", "a") {
		t.Fatal("first listener not counted")
	}
	r.Download("01", 100, "10.0.0.2", "b") // a partial listener
	saved = r.DownloadState()
	if r.DownloadState() != nil {
		t.Error("an unchanged state was returned again")
	}
	if bytes.Contains(saved, []byte("10.0.0.")) {
		t.Error("an address reached the saved state")
	}
	r = start()
	if r.Download("01", 1<<20, "10.0.0.1", "a") {
		t.Error("a restart counted the same listener again")
	}
	if !r.Download("01", 960000-100, "10.0.0.2", "b") {
		t.Error("the partial listener's bytes before the restart were forgotten")
	}
	// The next day the saved state is not used.
	now = now.Add(24 * time.Hour)
	r = start()
	if !r.Download("01", 1<<20, "10.0.0.1", "a") {
		t.Error("yesterday's listeners kept counting today")
	}
	if err := r.RestoreDownloads(saved[:len(saved)-3]); err == nil {
		t.Error("a truncated state was taken up")
	}
}

func TestSeriesExistBeforeUse(t *testing.T) {
	r := New(nil, []string{"feed", "audio"})
	r.Show(show, 2, time.Unix(1700000000, 0))
	n, err := testutil.GatherAndCount(r.Gatherer(), "readcast_downloads_total", "readcast_http_errors_total", "readcast_reloads_total")
	if err != nil {
		t.Fatal(err)
	}
	if n != 2+2+2 {
		t.Errorf("%d series, want 2 downloads + 2 errors + 2 reload results", n)
	}
	want := `
# HELP readcast_show_problems Problems of the show being served (an episode without a playable recording or timings).
# TYPE readcast_show_problems gauge
readcast_show_problems 2
`
	if err := testutil.GatherAndCompare(r.Gatherer(), strings.NewReader(want), "readcast_show_problems"); err != nil {
		t.Error(err)
	}
}

// TestRouteRequest counts requests through a route's pre-resolved series,
// as the server does: by status code (new codes as they come, from many
// goroutines at once), body bytes, 5xx errors and duration.
func TestRouteRequest(t *testing.T) {
	r := New(nil, []string{"audio"})
	audio := r.Route("audio")
	if r.Route("audio") != audio {
		t.Error("Route made a second set of series for a route New was given")
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 100 {
				audio.Request(206, 65536, time.Millisecond)
				audio.Request(200+i%2, 0, time.Millisecond)
			}
		})
	}
	wg.Wait()
	r.Route("admin").Request(503, 10, 2*time.Second)
	want := `
# HELP readcast_http_requests_total HTTP requests answered, by route and status code.
# TYPE readcast_http_requests_total counter
readcast_http_requests_total{code="200",route="admin"} 0
readcast_http_requests_total{code="200",route="audio"} 400
readcast_http_requests_total{code="201",route="audio"} 400
readcast_http_requests_total{code="206",route="audio"} 800
readcast_http_requests_total{code="503",route="admin"} 1
# HELP readcast_http_response_bytes_total Body bytes sent, by route.
# TYPE readcast_http_response_bytes_total counter
readcast_http_response_bytes_total{route="admin"} 10
readcast_http_response_bytes_total{route="audio"} 5.24288e+07
# HELP readcast_http_errors_total Requests answered with a 5xx status, by route.
# TYPE readcast_http_errors_total counter
readcast_http_errors_total{route="admin"} 1
readcast_http_errors_total{route="audio"} 0
`
	if err := testutil.GatherAndCompare(r.Gatherer(), strings.NewReader(want), "readcast_http_requests_total", "readcast_http_response_bytes_total", "readcast_http_errors_total"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(r.duration, "readcast_http_request_duration_seconds"); n != 2 {
		t.Errorf("%d duration series, want 2", n)
	}
}
