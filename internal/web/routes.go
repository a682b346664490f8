package web

import (
	"net/http"

	"github.com/gorilla/mux"
)

// Route names, as the metrics label requests.
const (
	RouteFeed       = "feed"
	RouteShow       = "show"
	RouteEpisode    = "episode"
	RouteAudio      = "audio"
	RouteTranscript = "transcript"
	RouteChapters   = "chapters"
	RouteCover      = "cover"
	RouteHealth     = "healthz"
	RouteReady      = "readyz"
	RouteStatic     = "static"
	RouteMetrics    = "metrics"
)

func (s *Server) registerRoutes(r *mux.Router) {
	get := []string{http.MethodGet, http.MethodHead}
	// handle registers a named route whose handler records its name for
	// the metrics (nameRoute).
	handle := func(path, name string, h http.HandlerFunc) *mux.Route {
		return r.Handle(path, nameRoute(name, h)).Name(name)
	}
	withOptions := append(get, http.MethodOptions)
	// The most requested first: mux tries the routes in order.
	handle("/audio/{name}", RouteAudio, s.handleAsset).Methods(withOptions...)
	handle("/feed.xml", RouteFeed, s.handleAsset).Methods(withOptions...)
	handle("/transcripts/{name}", RouteTranscript, s.handleAsset).Methods(withOptions...)
	handle("/chapters/{name}", RouteChapters, s.handleAsset).Methods(withOptions...)
	handle("/episodes/{slug}", RouteEpisode, s.handleEpisodePage).Methods(get...)
	handle("/", RouteShow, s.handleShowPage).Methods(get...)
	handle("/static/{name}", RouteStatic, s.handleStatic).Methods(get...)
	handle("/{name:cover\\.[0-9a-f]{12}\\.(?:jpg|png)}", RouteCover, s.handleAsset).Methods(withOptions...)
	handle("/healthz", RouteHealth, s.handleHealth).Methods(get...)
	handle("/readyz", RouteReady, s.handleReady).Methods(get...)
	handle("/metrics", RouteMetrics, s.handleMetrics).Methods(get...)
	// cleanPaths has redirected any path that is not clean.
	r.SkipClean(true)
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpError(w, http.StatusNotFound, "no such page: "+r.URL.Path)
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpError(w, http.StatusMethodNotAllowed, r.Method+" is not allowed on "+r.URL.Path)
	})
}
