package metrics

import (
	"strings"
	"testing"
	"time"
)

func TestDownloadsCountedTheIABWay(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	r := New(func() time.Time { return now })
	tests := []struct {
		name                      string
		episode, rng, addr, agent string
		status                    int
		want                      bool
	}{
		{"Apple's probe is not a download", "01", "bytes=0-1", "10.0.0.1", "AppleCoreMedia", 206, false},
		{"the first real request is", "01", "bytes=0-", "10.0.0.1", "AppleCoreMedia", 206, true},
		{"the same listener again the same day is not", "01", "bytes=5000-9000", "10.0.0.1", "AppleCoreMedia", 206, false},
		{"another episode is", "02", "", "10.0.0.1", "AppleCoreMedia", 200, true},
		{"another app on the same address is", "01", "", "10.0.0.1", "Overcast", 200, true},
		{"another address is", "01", "", "10.0.0.2", "AppleCoreMedia", 200, true},
		{"a failed request is not", "01", "", "10.0.0.3", "x", 416, false},
	}
	for _, tt := range tests {
		if got := r.Download(tt.episode, tt.rng, tt.status, tt.addr, tt.agent); got != tt.want {
			t.Errorf("%s: counted = %v, want %v", tt.name, got, tt.want)
		}
	}
	now = now.Add(24 * time.Hour)
	if !r.Download("01", "", 200, "10.0.0.1", "AppleCoreMedia") {
		t.Error("the next day the same listener counts again")
	}
	var b strings.Builder
	r.WriteTo(&b)
	if !strings.Contains(b.String(), `readcast_downloads_total{episode="01"} 4`) {
		t.Errorf("exposition:\n%s", b.String())
	}
	if strings.Contains(b.String(), "10.0.0") {
		t.Error("an IP address reached the metrics")
	}
}

func TestExposition(t *testing.T) {
	r := New(nil)
	r.Request("audio", 206, 65536)
	r.Request("audio", 206, 65536)
	r.Request("feed", 500, 10)
	r.Request("weird\"route\n", 200, 1)
	var b strings.Builder
	if _, err := r.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		`readcast_http_requests_total{route="audio",code="206"} 2`,
		`readcast_http_response_bytes_total{route="audio"} 131072`,
		`readcast_http_errors_total{route="feed"} 1`,
		`route="weird\"route\n"`,
		"# TYPE readcast_downloads_total counter",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("exposition lacks %q:\n%s", want, out)
		}
	}
	// Every sample line is "name{labels} value" or "name value".
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		if f := strings.Fields(line); len(f) < 2 {
			t.Errorf("malformed line %q", line)
		}
	}
}
