package web

import (
	"net/http"

	"github.com/gorilla/mux"
)

// Route names, for links built with Server.URL.
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
	withOptions := append(get, http.MethodOptions)
	// The most requested first: mux tries the routes in order.
	r.HandleFunc("/audio/{name}", s.handleAsset).Methods(withOptions...).Name(RouteAudio)
	r.HandleFunc("/feed.xml", s.handleAsset).Methods(withOptions...).Name(RouteFeed)
	r.HandleFunc("/transcripts/{name}", s.handleAsset).Methods(withOptions...).Name(RouteTranscript)
	r.HandleFunc("/chapters/{name}", s.handleAsset).Methods(withOptions...).Name(RouteChapters)
	r.HandleFunc("/episodes/{slug}", s.handleEpisodePage).Methods(get...).Name(RouteEpisode)
	r.HandleFunc("/", s.handleShowPage).Methods(get...).Name(RouteShow)
	r.HandleFunc("/static/{name}", s.handleStatic).Methods(get...).Name(RouteStatic)
	r.HandleFunc("/{name:cover\\.[0-9a-f]{12}\\.(?:jpg|png)}", s.handleAsset).Methods(withOptions...).Name(RouteCover)
	r.HandleFunc("/healthz", s.handleHealth).Methods(get...).Name(RouteHealth)
	r.HandleFunc("/readyz", s.handleReady).Methods(get...).Name(RouteReady)
	r.HandleFunc("/metrics", s.handleMetrics).Methods(get...).Name(RouteMetrics)
	// cleanPaths has redirected any path that is not clean.
	r.SkipClean(true)
	r.Use(nameRoute)
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpError(w, http.StatusNotFound, "no such page: "+r.URL.Path)
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpError(w, http.StatusMethodNotAllowed, r.Method+" is not allowed on "+r.URL.Path)
	})
}
