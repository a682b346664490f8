package web

import (
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/readcast/readcast/internal/metrics"
)

// Route names the metrics give requests that no route of the router
// answered.
const (
	routeAdmin     = "admin"
	routeUnmatched = "unmatched"
)

// handleMetrics serves the registry (client_golang's handler, which
// negotiates the exposition format with the scraper).
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	s.metricsHandler.ServeHTTP(w, r)
}

// Metrics is the server's registry: serve records reloads, publishes and
// alignments in it.
func (s *Server) Metrics() *metrics.Registry { return s.metrics }

// routeNames are the routes the metrics create zero-valued series of.
var routeNames = []string{RouteFeed, RouteShow, RouteEpisode, RouteAudio, RouteTranscript, RouteChapters,
	RouteCover, RouteHealth, RouteReady, RouteStatic, RouteMetrics, routeAdmin, routeUnmatched}

// nameRoute records the matched route's name on the statusWriter that
// accessLog put around the request, for countRequests.
func nameRoute(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sw, ok := w.(*statusWriter); ok {
			if route := mux.CurrentRoute(r); route != nil {
				sw.route = route.GetName()
			}
		}
		next.ServeHTTP(w, r)
	})
}

// countRequests counts every answered request by route, status and body
// bytes, and every audio request as a possible download (the registry
// applies the IAB rules and keeps no address). It uses accessLog's
// statusWriter rather than a writer of its own, so audio keeps reaching
// sendfile(2) through statusWriter.ReadFrom.
func (s *Server) countRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw, ok := w.(*statusWriter)
		if !ok {
			sw = &statusWriter{ResponseWriter: w}
		}
		start := time.Now()
		next.ServeHTTP(sw, r)
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		route := sw.route
		if route == "" {
			route = routeUnmatched
		}
		s.count(route, r.Method, r.URL.Path, s.clientAddr(r), r.UserAgent(), status, sw.bytes, time.Since(start))
	})
}

// count records an answered request, by net/http or by the lane: by route,
// status, body bytes and duration, and the audio bytes a listener (client,
// the address from clientAddr) received, towards a download.
func (s *Server) count(route, method, path, client, userAgent string, status int, bytes int64, took time.Duration) {
	s.metrics.Request(route, status, bytes, took)
	if route == RouteAudio && method == http.MethodGet && (status == http.StatusOK || status == http.StatusPartialContent) {
		if slug, ok := audioSlug(path); ok {
			s.metrics.Download(slug, bytes, client, userAgent)
		}
	}
}

// assetRoute names the route of a path the lane answers (laneFind)
// without matching the router's patterns (TestAssetRoute holds the two to
// agree).
func assetRoute(path string) string {
	switch {
	case path == "/feed.xml":
		return RouteFeed
	case strings.HasPrefix(path, "/audio/"):
		return RouteAudio
	case strings.HasPrefix(path, "/transcripts/"):
		return RouteTranscript
	case strings.HasPrefix(path, "/chapters/"):
		return RouteChapters
	case strings.HasPrefix(path, "/cover."):
		return RouteCover
	case path == "/":
		return RouteShow
	case strings.HasPrefix(path, "/episodes/"):
		return RouteEpisode
	case strings.HasPrefix(path, "/static/"):
		return RouteStatic
	}
	return routeUnmatched
}

// audioSlug returns the episode slug of a content-addressed audio path,
// "/audio/<slug>.<hash12>.mp3".
func audioSlug(path string) (string, bool) {
	name, ok := strings.CutPrefix(path, "/audio/")
	if !ok {
		return "", false
	}
	name, ok = strings.CutSuffix(name, ".mp3")
	if !ok {
		return "", false
	}
	i := strings.LastIndexByte(name, '.')
	if i <= 0 {
		return "", false
	}
	return name[:i], true
}

// clientHost is the address part of a remote address: one listener's
// connections come from many ports.
func clientHost(remoteAddr string) string {
	if host, _, err := net.SplitHostPort(remoteAddr); err == nil {
		return host
	}
	return remoteAddr
}
