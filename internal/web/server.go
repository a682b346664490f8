package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"

	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/lane"
	"github.com/readcast/readcast/internal/metrics"
	"github.com/readcast/readcast/internal/player"
)

// Server serves the current snapshot of a show.
type Server struct {
	snap   atomic.Pointer[catalog.Snapshot]
	log    *slog.Logger
	router *mux.Router
	pages  *player.Pages
	// metrics counts requests and downloads for /metrics (metrics.go).
	metrics        *metrics.Registry
	metricsHandler http.Handler
	// health is what /readyz reports besides the snapshot (health.go).
	health health
	// trusted are the proxies whose forwarding headers name the client
	// (proxy.go).
	trusted atomic.Pointer[[]netip.Prefix]
	// grace is how long a shutdown lets requests in flight finish
	// (shutdown.go).
	grace time.Duration
	// admin serves /admin when EnableAdmin was called (admin.go).
	admin http.Handler
	// access writes the access log when SetAccessLog was called;
	// otherwise it goes through log.
	access *accessLog
	// static are the player's files (static.go); pageTable the pages of
	// the latest snapshot asked for (pages.go).
	static    map[string]*catalog.Asset
	pageTable atomic.Pointer[pageTable]
	renderMu  sync.Mutex // one rendering of a new snapshot's pages at a time
	// laneAnswered counts the requests internal/lane answered, for tests
	// that must know which path answered.
	laneAnswered atomic.Int64
}

// New returns a server of snap that logs to log.
func New(snap *catalog.Snapshot, log *slog.Logger) (*Server, error) {
	pages, err := player.New()
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	s := &Server{log: log, pages: pages, metrics: metrics.New(nil, routeNames), static: staticAssets(pages)}
	s.metricsHandler = s.metrics.Handler()
	s.metrics.SetReadiness(func() bool { return s.Ready().Ready })
	s.health.started = time.Now()
	s.grace = DefaultShutdownGrace
	s.snap.Store(snap)
	s.swapped(snap)
	s.router = mux.NewRouter()
	s.registerRoutes(s.router)
	return s, nil
}

// Snapshot is the snapshot being served.
func (s *Server) Snapshot() *catalog.Snapshot { return s.snap.Load() }

// Swap replaces the snapshot being served; requests in flight finish with
// the one they started with.
// It counts as a successful reload: a failed one or a fallback before it
// stops holding the server not ready.
func (s *Server) Swap(snap *catalog.Snapshot) {
	s.snap.Store(snap)
	s.swapped(snap)
}

// Handler is the whole site with its middleware.
func (s *Server) Handler() http.Handler {
	return s.recoverPanics(s.accessLog(s.countRequests(s.withAdmin(s.router))))
}

// URL returns the path of a named route, for links in pages.
func (s *Server) URL(name string, pairs ...string) string {
	u, err := s.router.Get(name).URL(pairs...)
	if err != nil {
		panic(fmt.Sprintf("web: route %s %v: %v", name, pairs, err)) // a programming error
	}
	return u.Path
}

// Timeouts of the HTTP server. There is deliberately no WriteTimeout: it
// would cut off a slow listener's download of a long episode. Instead the
// lane drops a client that accepts no 256 KB of an answer in
// WriteStallTimeout (lane.Config.WriteStall).
const (
	ReadHeaderTimeout = 5 * time.Second
	IdleTimeout       = 2 * time.Minute
	WriteStallTimeout = 2 * time.Minute
	ShutdownTimeout   = 10 * time.Second
)

// laneFind is what the lane answers with at a URL path: the show's
// assets, the player's files and the pages; everything else is net/http's.
func (s *Server) laneFind(path string) (*catalog.Asset, []lane.Field) {
	snap := s.Snapshot()
	if a := snap.Find(path); a != nil {
		return a, lane.Fields(a)
	}
	if a := s.static[path]; a != nil {
		return a, lane.Fields(a)
	}
	if path == "/" || strings.HasPrefix(path, "/episodes/") {
		// A page that cannot be rendered is net/http's to report.
		if a, err := s.page(snap, path); err == nil && a != nil {
			return a, pageFields
		}
	}
	return nil, nil
}

// Serve accepts connections on l until ctx is done, then shuts down
// gracefully: it stops accepting, lets requests in flight finish (up to
// ShutdownTimeout), and returns. Requests for the snapshot's assets are
// answered by internal/lane on the connection; everything else, and every
// connection from its first request the lane does not answer, by net/http
// with Handler.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	ln := lane.New(lane.Config{
		Find:              s.laneFind,
		Done:              s.laneDone,
		ReadHeaderTimeout: ReadHeaderTimeout,
		IdleTimeout:       IdleTimeout,
		WriteStall:        WriteStallTimeout,
		Log:               s.log,
	})
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: ReadHeaderTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 2)
	go func() { errc <- ln.Serve(l) }()
	go func() { errc <- srv.Serve(ln.Fallback()) }()
	select {
	case err := <-errc:
		ln.Shutdown(context.Background())
		srv.Close()
		return fmt.Errorf("web: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "grace", ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	// The lane first: a connection it is answering may still be handed
	// over to net/http until the lane is done.
	if err := ln.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("web: %w", err)
	}
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("web: shutdown: %w", err)
	}
	for range 2 {
		if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("web: %w", err)
		}
	}
	return nil
}
