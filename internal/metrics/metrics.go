package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/readcast/readcast/internal/buildinfo"
)

// Results of reloads, publishes and alignments.
const (
	ResultOK    = "ok"
	ResultError = "error"
)

// Registry holds readcast's metrics. It is safe for concurrent use.
type Registry struct {
	reg *prometheus.Registry

	requests   *prometheus.CounterVec
	respBytes  *prometheus.CounterVec
	errors     *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	reloads    *prometheus.CounterVec
	publishes  *prometheus.CounterVec
	alignments *prometheus.CounterVec
	lastReload prometheus.Gauge
	problems   prometheus.Gauge
	readyFn    atomic.Pointer[func() bool]
	episodes   prometheus.Gauge
	dlTotal    *prometheus.CounterVec

	// routes are the request series of each route (Route).
	routesMu sync.Mutex
	routes   map[string]*Route

	dl *downloads
	// minute is one minute of audio in bytes, by episode slug, of the show
	// being served.
	minuteMu sync.RWMutex
	minute   map[string]int64
}

// New returns a registry with the Go and process collectors, build info,
// and a zero-valued request and error series for every route named, so
// that rate() and increase() work from the first scrape. now reads the
// clock for the download day (time.Now when nil).
func New(now func() time.Time, routes []string) *Registry {
	if now == nil {
		now = time.Now
	}
	r := &Registry{reg: prometheus.NewRegistry(), dl: newDownloads(now), minute: map[string]int64{}, routes: map[string]*Route{}}
	f := func(c prometheus.Collector) { r.reg.MustRegister(c) }
	f(collectors.NewGoCollector())
	f(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	bi := buildinfo.Read()
	f(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "readcast_build_info", Help: "Always 1; the labels say which readcast is running.",
		ConstLabels: prometheus.Labels{"version": bi.Version, "commit": bi.Commit, "goversion": bi.GoVersion},
	}, func() float64 { return 1 }))
	r.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "readcast_http_requests_total", Help: "HTTP requests answered, by route and status code.",
	}, []string{"route", "code"})
	r.respBytes = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "readcast_http_response_bytes_total", Help: "Body bytes sent, by route.",
	}, []string{"route"})
	r.errors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "readcast_http_errors_total", Help: "Requests answered with a 5xx status, by route.",
	}, []string{"route"})
	r.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "readcast_http_request_duration_seconds",
		Help: "Time from a request's headers to the end of its answer, by route. Audio answers last as long as the listener takes to download them.",
		// From a cached feed on loopback to a long download.
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10, 60, 300},
	}, []string{"route"})
	r.reloads = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "readcast_reloads_total", Help: "Loads of the show (at start, on a change, SIGHUP, publish), by result.",
	}, []string{"result"})
	r.publishes = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "readcast_publishes_total", Help: "Publish jobs of the admin API that ended, by result.",
	}, []string{"result"})
	r.alignments = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "readcast_alignments_total", Help: "Background alignments of recordings without timings, by result.",
	}, []string{"result"})
	r.lastReload = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "readcast_last_reload_success_timestamp_seconds", Help: "When the show last loaded successfully, in Unix seconds.",
	})
	r.problems = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "readcast_show_problems", Help: "Problems of the show being served (an episode without a playable recording or timings).",
	})
	f(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "readcast_ready", Help: "1 when /readyz would answer 200, 0 when not (checked at each scrape).",
	}, func() float64 {
		if fn := r.readyFn.Load(); fn != nil && !(*fn)() {
			return 0
		}
		return 1
	}))
	r.episodes = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "readcast_episodes", Help: "Episodes of the show being served.",
	})
	r.dlTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "readcast_downloads_total",
		Help: "Episode downloads counted the IAB way: a listener (address and user agent) counts once a day, once about a minute of audio reached them.",
	}, []string{"episode"})
	for _, c := range []prometheus.Collector{r.requests, r.respBytes, r.errors, r.duration, r.reloads, r.publishes, r.alignments, r.lastReload, r.problems, r.episodes, r.dlTotal} {
		f(c)
	}
	f(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "readcast_listeners_today", Help: "Distinct listener-episode pairs seen today.",
	}, func() float64 { return float64(r.dl.listeners()) }))
	f(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "readcast_listeners_overflow_total", Help: "Downloads counted without deduplication because the day's listener set was full.",
	}, func() float64 { r.dl.mu.Lock(); defer r.dl.mu.Unlock(); return float64(r.dl.overflow) }))
	for _, res := range []string{ResultOK, ResultError} {
		r.reloads.WithLabelValues(res)
		r.publishes.WithLabelValues(res)
		r.alignments.WithLabelValues(res)
	}
	for _, route := range routes {
		r.routes[route] = newRoute(r, route)
	}
	return r
}

// Handler serves the registry in the Prometheus exposition formats.
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// Gatherer is the registry, for tests and other exporters.
func (r *Registry) Gatherer() prometheus.Gatherer { return r.reg }

// Route is one route's request series, resolved when the registry is
// made: counting a request through it hashes no label values and looks
// up no series but, the first time, its status code's. Get it with
// Registry.Route.
type Route struct {
	name     string
	requests *prometheus.CounterVec
	bytes    prometheus.Counter
	errors   prometheus.Counter
	duration prometheus.Observer
	// codes are the route's request counters of the status codes seen
	// so far, a handful: copied on write, read without a lock.
	codes   atomic.Pointer[[]codeCounter]
	codesMu sync.Mutex
}

type codeCounter struct {
	code int
	c    prometheus.Counter
}

func newRoute(r *Registry, name string) *Route {
	rt := &Route{name: name, requests: r.requests,
		bytes: r.respBytes.WithLabelValues(name), errors: r.errors.WithLabelValues(name),
		duration: r.duration.WithLabelValues(name)}
	rt.codes.Store(&[]codeCounter{})
	rt.counter(http.StatusOK) // the zero-valued series of a route
	return rt
}

// Route returns the series of a named route: those of a route New was
// given, or new ones.
func (r *Registry) Route(name string) *Route {
	r.routesMu.Lock()
	defer r.routesMu.Unlock()
	rt := r.routes[name]
	if rt == nil {
		rt = newRoute(r, name)
		r.routes[name] = rt
	}
	return rt
}

// Name is the route's name, its label value.
func (rt *Route) Name() string { return rt.name }

// Request counts one answered request of the route: its status, body
// bytes and duration.
func (rt *Route) Request(status int, n int64, took time.Duration) {
	rt.counter(status).Inc()
	if n > 0 {
		rt.bytes.Add(float64(n))
	}
	if status >= 500 {
		rt.errors.Inc()
	}
	rt.duration.Observe(took.Seconds())
}

// counter returns the route's request counter of a status code.
func (rt *Route) counter(status int) prometheus.Counter {
	for _, c := range *rt.codes.Load() {
		if c.code == status {
			return c.c
		}
	}
	rt.codesMu.Lock()
	defer rt.codesMu.Unlock()
	codes := *rt.codes.Load()
	for _, c := range codes {
		if c.code == status {
			return c.c
		}
	}
	c := rt.requests.WithLabelValues(rt.name, strconv.Itoa(status))
	next := append(codes[:len(codes):len(codes)], codeCounter{status, c})
	rt.codes.Store(&next)
	return c
}

// Episode is what the download count needs to know of an episode.
type Episode struct {
	Slug string
	// Bitrate is the recording's average bits per second; 0 when it has
	// no recording.
	Bitrate int
	// Size is the recording's size in bytes: a download of a recording
	// shorter than a minute counts once it is all received.
	Size int64
}

// Show records the state of a newly loaded show: its episodes (each gets a
// download series at 0, so increase() across a restart is right), its
// problems, and the time of this successful load.
func (r *Registry) Show(episodes []Episode, problems int, at time.Time) {
	minute := make(map[string]int64, len(episodes))
	for _, e := range episodes {
		r.dlTotal.WithLabelValues(e.Slug)
		m := int64(MinuteFallback)
		if e.Bitrate > 0 {
			m = int64(e.Bitrate) / 8 * 60
		}
		if e.Size > 0 && e.Size < m {
			m = e.Size
		}
		minute[e.Slug] = m
	}
	r.minuteMu.Lock()
	r.minute = minute
	r.minuteMu.Unlock()
	r.episodes.Set(float64(len(episodes)))
	r.problems.Set(float64(problems))
	r.lastReload.Set(float64(at.UnixNano()) / 1e9)
	r.reloads.WithLabelValues(ResultOK).Inc()
}

// ReloadFailed counts a load of the show that failed.
func (r *Registry) ReloadFailed() { r.reloads.WithLabelValues(ResultError).Inc() }

// Publish counts a publish job that ended, by result.
func (r *Registry) Publish(result string) { r.publishes.WithLabelValues(result).Inc() }

// Alignment counts a background alignment that ended, by result.
func (r *Registry) Alignment(result string) { r.alignments.WithLabelValues(result).Inc() }

// SetReadiness gives readcast_ready the check it reports at each scrape.
func (r *Registry) SetReadiness(ready func() bool) { r.readyFn.Store(&ready) }

// Download records n body bytes of an episode's audio sent to a listener,
// told apart by client address and user agent (hashed, never kept), and
// reports whether that made a download. Episodes not in the show being
// served are not counted.
func (r *Registry) Download(episode string, n int64, addr, userAgent string) bool {
	r.minuteMu.RLock()
	threshold, ok := r.minute[episode]
	r.minuteMu.RUnlock()
	if !ok || !r.dl.add(episode, addr, userAgent, n, threshold) {
		return false
	}
	r.dlTotal.WithLabelValues(episode).Inc()
	return true
}

// DownloadState is the day's listener state (salted hashes and byte
// counts, no address) when it changed since the last call, nil otherwise:
// what a process saves so that its successor does not count the day's
// listeners again.
func (r *Registry) DownloadState() []byte { return r.dl.state() }

// RestoreDownloads takes up the state an earlier process saved today; a
// state of another day is ignored.
func (r *Registry) RestoreDownloads(data []byte) error { return r.dl.restore(data) }
