package web

import (
	"bytes"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TestMetrics counts requests by route and status, and downloads the IAB
// way, through the whole handler, and keeps no address. The scrape is read
// with client_golang's own text parser.
func TestMetrics(t *testing.T) {
	ts, srv := newTestServer(t)
	ep := srv.Snapshot().Episodes[1]
	audio := ts.URL + ep.Audio.Path
	requests := []struct {
		method, url string
		header      []string
	}{
		{"GET", ts.URL + "/feed.xml", nil},
		{"GET", ts.URL + "/feed.xml", []string{"If-None-Match", srv.Snapshot().Feed.ETag}},
		{"GET", audio, []string{"Range", "bytes=0-1", "User-Agent", "AppleCoreMedia/1.0"}}, // a probe: no download
		{"GET", audio, []string{"Range", "bytes=0-", "User-Agent", "AppleCoreMedia/1.0"}},  // a download
		{"GET", audio, []string{"Range", "bytes=1000-", "User-Agent", "AppleCoreMedia/1.0"}},
		{"GET", audio, []string{"User-Agent", "Overcast/3.0"}},                   // another app: a download
		{"HEAD", audio, []string{"User-Agent", "Pocket Casts"}},                  // no body: no download
		{"GET", ts.URL + "/audio/" + ep.Slug() + ".000000000000.mp3", nil},       // not found
		{"GET", ts.URL + "/no/such/page", nil},                                   // no route
		{"GET", audio, []string{"Range", "bytes=999999999-", "User-Agent", "x"}}, // 416
	}
	for _, r := range requests {
		resp, _ := do(t, r.method, r.url, r.header...)
		if resp.StatusCode >= 500 {
			t.Fatalf("%s %s: %d", r.method, r.url, resp.StatusCode)
		}
	}
	resp, body := do(t, "GET", ts.URL+"/metrics")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	fams := parseMetrics(t, body)
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"readcast_http_requests_total", []string{"route", "feed", "code", "200"}, 1},
		{"readcast_http_requests_total", []string{"route", "feed", "code", "304"}, 1},
		{"readcast_http_requests_total", []string{"route", "audio", "code", "206"}, 3},
		{"readcast_http_requests_total", []string{"route", "audio", "code", "200"}, 2},
		{"readcast_http_requests_total", []string{"route", "audio", "code", "404"}, 1},
		{"readcast_http_requests_total", []string{"route", "audio", "code", "416"}, 1},
		{"readcast_http_requests_total", []string{"route", "unmatched", "code", "404"}, 1},
		{"readcast_http_errors_total", []string{"route", "feed"}, 0},
		{"readcast_downloads_total", []string{"episode", ep.Slug()}, 2},
		{"readcast_downloads_total", []string{"episode", srv.Snapshot().Episodes[0].Slug()}, 0},
		{"readcast_http_response_bytes_total", []string{"route", "audio"}, float64(2 + (ep.Audio.Size) + (ep.Audio.Size - 1000) + ep.Audio.Size + int64(len("no such file: /audio/"+ep.Slug()+".000000000000.mp3\n")) + int64(len(rangeNotSatisfiable)))},
	} {
		if got, ok := metricValue(fams, c.name, c.labels...); !ok || got != c.want {
			t.Errorf("%s%v = %v (found %v), want %v", c.name, c.labels, got, ok, c.want)
		}
	}
	if h, ok := fams["readcast_http_request_duration_seconds"]; !ok || h.GetType() != dto.MetricType_HISTOGRAM {
		t.Error("no request duration histogram")
	} else if n, _ := histogramCount(fams, "readcast_http_request_duration_seconds", "route", "audio"); n != 7 {
		t.Errorf("the audio duration histogram counted %d requests, want 7", n)
	}
	if strings.Contains(string(body), "127.0.0.1") {
		t.Error("an IP address reached /metrics")
	}
}

// parseMetrics reads an exposition with client_golang's text parser.
func parseMetrics(tb testing.TB, body []byte) map[string]*dto.MetricFamily {
	tb.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		tb.Fatalf("parse /metrics: %v\n%s", err, body)
	}
	return fams
}

// findMetric returns the series of a family with the given label pairs.
func findMetric(fams map[string]*dto.MetricFamily, name string, labels ...string) *dto.Metric {
	f, ok := fams[name]
	if !ok {
		return nil
	}
next:
	for _, m := range f.GetMetric() {
		for i := 0; i+1 < len(labels); i += 2 {
			found := false
			for _, lp := range m.GetLabel() {
				if lp.GetName() == labels[i] && lp.GetValue() == labels[i+1] {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		return m
	}
	return nil
}

// metricValue is the value of a counter or gauge series.
func metricValue(fams map[string]*dto.MetricFamily, name string, labels ...string) (float64, bool) {
	m := findMetric(fams, name, labels...)
	switch {
	case m == nil:
		return 0, false
	case m.Counter != nil:
		return m.Counter.GetValue(), true
	case m.Gauge != nil:
		return m.Gauge.GetValue(), true
	case m.Untyped != nil:
		return m.Untyped.GetValue(), true
	}
	return 0, false
}

func histogramCount(fams map[string]*dto.MetricFamily, name string, labels ...string) (uint64, bool) {
	m := findMetric(fams, name, labels...)
	if m == nil || m.Histogram == nil {
		return 0, false
	}
	return m.Histogram.GetSampleCount(), true
}

// rangeNotSatisfiable is the body http.ServeContent sends with a 416.
const rangeNotSatisfiable = "invalid range: failed to overlap\n"

func TestAudioSlug(t *testing.T) {
	for path, want := range map[string]string{
		"/audio/01-my-youth-in-the-ussr.3f2a9c81d0e4.mp3": "01-my-youth-in-the-ussr",
		"/audio/x.mp3":                            "",
		"/audio/.abc.mp3":                         "",
		"/transcripts/01-a.3f2a9c81d0e4.vtt":      "",
		"/audio/01-a.3f2a9c81d0e4.mp3.part":       "",
		"/audio/05-part-2.000000000000.mp3":       "05-part-2",
		"/audio/weird.name.000000000000.mp3":      "weird.name",
		"/audio/01-a.3f2a9c81d0e4.mp3?x=1":        "",
		"/audio/01-a.3f2a9c81d0e4.mp3/../../x.mp": "",
	} {
		got, ok := audioSlug(path)
		if got != want || ok != (want != "") {
			t.Errorf("audioSlug(%q) = %q, %v; want %q", path, got, ok, want)
		}
	}
}
