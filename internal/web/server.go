package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"

	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/metrics"
	"github.com/readcast/readcast/internal/player"
	"github.com/readcast/readcast/internal/publish"
)

// Server serves the current snapshot of a show.
type Server struct {
	// live is the snapshot being served with its rendered pages.
	live   atomic.Pointer[live]
	log    *slog.Logger
	router *mux.Router
	pages  Renderer
	limits Limits
	// metrics counts requests and downloads for /metrics (metrics.go).
	metrics *metrics.Registry
	// unmatched counts the requests no route answered (a redirect to a
	// clean path, a 404, a 405), resolved once like the routes' series.
	unmatched      *metrics.Route
	metricsHandler http.Handler
	// health is what /readyz reports besides the snapshot (health.go).
	health health
	// trusted are the proxies whose forwarding headers name the client
	// (proxy.go).
	trusted []netip.Prefix
	// grace is how long a shutdown lets requests in flight finish
	// (shutdown.go).
	grace time.Duration
	// conns follows the connections Serve accepts (conns.go).
	conns *conns
	// admin serves /admin when the Config has an admin token (admin.go).
	admin http.Handler
	// stale, when set, is told that a file of the snapshot changed on disk
	// (Config.Reload).
	stale func(why string)
}

// live is a snapshot and its pages, rendered when it was swapped in.
type live struct {
	snap *catalog.Snapshot
	site *player.Site
}

// Renderer renders the pages of a snapshot: *player.Pages, which owns
// them; tests wrap it to count renders.
type Renderer interface {
	Site(snap *catalog.Snapshot) (*player.Site, error)
}

// Config is everything a Server is made with. Only Snapshot is required.
type Config struct {
	// Snapshot is the show to serve first; Swap replaces it.
	Snapshot *catalog.Snapshot
	// Log receives the access log and the server's events; nil discards
	// them.
	Log *slog.Logger
	// Limits bound every connection; the zero value means DefaultLimits.
	Limits Limits
	// ShutdownGrace is how long Serve lets requests in flight finish once
	// its context is done; 0 means DefaultShutdownGrace.
	ShutdownGrace time.Duration
	// TrustedProxies are the proxies whose Forwarded or X-Forwarded-For
	// header names the client, for download counting. With none the
	// headers are ignored: anyone can send them.
	TrustedProxies []netip.Prefix
	// Reload, when set, is asked for a new snapshot when a file of the one
	// being served is found changed on disk.
	Reload func(why string)
	// AdminToken, when set, serves the admin API under /admin to requests
	// that carry "Authorization: Bearer <token>", publishing through
	// Publisher. Without it /admin does not exist.
	AdminToken string
	Publisher  *publish.Publisher
	// Pages renders the pages of each snapshot; nil means the player's
	// (player.New).
	Pages Renderer
}

// Limits bound every connection, so that no client, slow or hostile,
// holds a connection, a goroutine or an open file for long without making
// progress.
type Limits struct {
	// ReadHeader is how long a client has to send a request's header,
	// from its first byte.
	ReadHeader time.Duration
	// BodyStall is how long a request body (an admin upload) may stop
	// arriving: each read of it waits at most this long.
	BodyStall time.Duration
	// WriteStall is how long a client may accept none of an answer: the
	// write deadline moves this far ahead before every write and every
	// 64 KB of a file, so a slow, steady listener gets every byte.
	WriteStall time.Duration
	// Idle is how long a kept-alive connection may wait for its next
	// request.
	Idle time.Duration
	// MaxHeaderBytes bounds a request's header.
	MaxHeaderBytes int
	// MaxConns caps the connections open at once; further clients wait
	// in the listen queue until one closes. 0 means no cap.
	MaxConns int
}

// DefaultLimits are the limits of `readcast serve` without flags: nginx's
// 60 s to send or accept, a few seconds for a header.
func DefaultLimits() Limits {
	return Limits{
		ReadHeader:     10 * time.Second,
		BodyStall:      60 * time.Second,
		WriteStall:     60 * time.Second,
		Idle:           2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
		MaxConns:       1000,
	}
}

// New returns a server of cfg.Snapshot, its pages rendered.
func New(cfg Config) (*Server, error) {
	if cfg.Snapshot == nil {
		return nil, errors.New("web: no snapshot to serve")
	}
	s := &Server{log: cfg.Log, pages: cfg.Pages, limits: cfg.Limits, trusted: cfg.TrustedProxies, grace: cfg.ShutdownGrace, stale: cfg.Reload}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.limits == (Limits{}) {
		s.limits = DefaultLimits()
	}
	if s.grace <= 0 {
		s.grace = DefaultShutdownGrace
	}
	if s.pages == nil {
		p, err := player.New()
		if err != nil {
			return nil, fmt.Errorf("web: %w", err)
		}
		s.pages = p
	}
	s.metrics = metrics.New(nil, routeNames)
	s.unmatched = s.metrics.Route(routeUnmatched)
	s.metricsHandler = s.metrics.Handler()
	s.metrics.SetReadiness(func() bool { return s.Ready().Ready })
	s.health.started = time.Now()
	s.conns = newConns(s)
	if err := s.Swap(cfg.Snapshot); err != nil {
		return nil, err
	}
	if cfg.AdminToken != "" || cfg.Publisher != nil {
		if err := s.enableAdmin(cfg.AdminToken, cfg.Publisher); err != nil {
			return nil, err
		}
	}
	s.router = mux.NewRouter()
	s.registerRoutes(s.router)
	return s, nil
}

// Snapshot is the snapshot being served.
func (s *Server) Snapshot() *catalog.Snapshot { return s.live.Load().snap }

// site is the pages of the snapshot being served.
func (s *Server) site() *player.Site { return s.live.Load().site }

// Swap renders the pages of snap and then serves it; requests in flight
// finish with the snapshot they started with. snap keeps answering for the
// earlier URLs of the recordings it still serves, while their bytes are on
// disk (catalog.Snapshot.Retain): a feed read a moment ago stays good. It
// counts as a successful reload: a failed one or a fallback before it
// stops holding the server not ready. When the pages cannot be rendered,
// the snapshot being served stays.
func (s *Server) Swap(snap *catalog.Snapshot) error {
	if l := s.live.Load(); l != nil {
		snap.Retain(l.snap)
	}
	site, err := s.pages.Site(snap)
	if err != nil {
		return fmt.Errorf("web: the pages: %w", err)
	}
	s.live.Store(&live{snap: snap, site: site})
	s.swapped(snap)
	return nil
}

// Handler is the whole site with its middleware.
func (s *Server) Handler() http.Handler {
	return s.recoverPanics(s.track(cleanPaths(s.withAdmin(http.HandlerFunc(s.dispatch)))))
}

// dispatch calls the handler of the route gorilla/mux matches, with the
// request as it came. The router's own ServeHTTP would first copy the
// request twice, to put the route and its variables in the request's
// context: two copies of an http.Request and two contexts on every
// request, which nothing here reads (each handler takes what it needs
// from the path; routes). Without them the feed makes 35 allocations a
// request instead of 39 (go test -run XXX -bench 'Handler/feed'
// -benchmem ./internal/web). registerRoutes sets NotFoundHandler and
// MethodNotAllowedHandler, so Match always finds a handler.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	var m mux.RouteMatch
	s.router.Match(r, &m)
	m.Handler.ServeHTTP(w, r)
}

// Serve accepts connections on l until ctx is done, then shuts down
// gracefully: it stops accepting, lets requests in flight finish within
// the shutdown grace (Config.ShutdownGrace), cuts those still going, and
// returns. Every request goes through net/http and
// Handler, on connections bounded by the server's Limits. There is
// deliberately no WriteTimeout: it would cut off a slow listener's
// download of a long episode; the write-progress deadline of statusWriter
// drops only a client that stops accepting.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	lim := s.limits
	ll := newLimitListener(l, lim.MaxConns, s.log)
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: lim.ReadHeader,
		IdleTimeout:       lim.Idle,
		MaxHeaderBytes:    lim.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		ConnState: func(c net.Conn, st http.ConnState) {
			// A request's header has been read (net/http moves a
			// connection to StateActive then, before the handler runs,
			// or before it writes an answer of its own: 400, 431):
			// the client now has a stall's worth of time to take the
			// answer. statusWriter moves this deadline as bytes go out,
			// and counts on it being set here (track).
			if st == http.StateActive && lim.WriteStall > 0 {
				c.SetWriteDeadline(time.Now().Add(lim.WriteStall))
			}
		},
	}
	tl := s.conns.listen(srv, ll)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(tl) }()
	select {
	case err := <-errc:
		return fmt.Errorf("web: %w", err)
	case <-ctx.Done():
	}
	if err := s.shutdown(srv, s.conns); err != nil {
		srv.Close()
		return fmt.Errorf("web: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("web: %w", err)
	}
	return nil
}

// logRequest writes the access log line of a request through the server's
// logger. It logs no client address: a podcast host has no need to keep
// listeners' IP addresses.
func (s *Server) logRequest(r *http.Request, id, rangeHeader string, status int, bytes int64, end time.Time, took time.Duration, completed bool) {
	ctx := r.Context()
	if !s.log.Enabled(ctx, slog.LevelInfo) {
		return
	}
	attrs := [10]slog.Attr{
		slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("proto", r.Proto),
		slog.Int("status", status), slog.Int64("bytes", bytes),
		slog.Float64("duration", took.Seconds()), slog.Bool("completed", completed),
		slog.String("user_agent", r.UserAgent()), slog.String("request_id", id),
	}
	n := 9
	if rangeHeader != "" {
		attrs[9] = slog.String("range", rangeHeader)
		n = 10
	}
	// The record is made here, as slog's documentation shows for
	// wrappers, rather than by Logger.LogAttrs, which would look up the
	// caller's program counter (runtime.Callers) for a source the access
	// log does not show, on every request.
	rec := slog.NewRecord(end, slog.LevelInfo, "request", 0)
	rec.AddAttrs(attrs[:n]...)
	s.log.Handler().Handle(ctx, rec)
}
