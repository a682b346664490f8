package web

import (
	"net/http"
	"slices"
	"strings"

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

// routes are the site's routes, the most requested first (mux tries them
// in order): the one list of their names, for the router and for the
// metrics (routeNames). A handler takes what it needs from the request's
// path, not from mux.Vars: dispatch calls it without mux's context. A
// path ending in "/" (but "/") is a directory of assets, routed by prefix:
// handleAsset serves only a path the snapshot holds exactly, and a prefix
// spares mux extracting a variable nothing reads (regexp submatches: 0.9
// µs of a 64 KB range's 65 µs CPU).
var routes = []struct {
	name, path string
	methods    []string
	handler    func(*Server, http.ResponseWriter, *http.Request)
}{
	{RouteAudio, "/audio/", withOptions, (*Server).handleAsset},
	{RouteFeed, "/feed.xml", withOptions, (*Server).handleAsset},
	{RouteTranscript, "/transcripts/", withOptions, (*Server).handleAsset},
	{RouteChapters, "/chapters/", withOptions, (*Server).handleAsset},
	{RouteEpisode, "/episodes/{slug}", get, (*Server).handleEpisodePage},
	{RouteShow, "/", get, (*Server).handleShowPage},
	{RouteStatic, "/static/{name}", get, (*Server).handleStatic},
	{RouteCover, "/{name:cover\\.[0-9a-f]{12}\\.(?:jpg|png)}", withOptions, (*Server).handleAsset},
	{RouteHealth, "/healthz", get, (*Server).handleHealth},
	{RouteReady, "/readyz", get, (*Server).handleReady},
	{RouteMetrics, "/metrics", get, (*Server).handleMetrics},
}

var (
	get         = []string{http.MethodGet, http.MethodHead}
	withOptions = []string{http.MethodGet, http.MethodHead, http.MethodOptions}
)

func (s *Server) registerRoutes(r *mux.Router) {
	for _, rt := range routes {
		// A copy: mux upper-cases the methods it is given in place, and
		// every Server registers these same slices (the race detector saw one
		// write them while another matched).
		route := r.NewRoute()
		if rt.path != "/" && strings.HasSuffix(rt.path, "/") {
			route.PathPrefix(rt.path)
		} else {
			route.Path(rt.path)
		}
		route.Handler(s.routeHandler(rt.name, rt.handler)).Name(rt.name).Methods(slices.Clone(rt.methods)...)
	}
	// cleanPaths has redirected any path that is not clean.
	r.SkipClean(true)
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpError(w, http.StatusNotFound, "no such page: "+r.URL.Path)
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpError(w, http.StatusMethodNotAllowed, r.Method+" is not allowed on "+r.URL.Path)
	})
}

// routeHandler is a route's handler, which hands the route's metrics,
// looked up once here, to the statusWriter that track put around the
// request.
func (s *Server) routeHandler(name string, h func(*Server, http.ResponseWriter, *http.Request)) http.Handler {
	m := s.metrics.Route(name)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sw, ok := w.(*statusWriter); ok {
			sw.route = m
		}
		h(s, w, r)
	})
}
