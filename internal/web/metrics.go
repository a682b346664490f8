package web

import (
	"net"
	"net/http"
	"strings"
	"time"

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

// routeNames are the routes the metrics create zero-valued series of:
// the router's, and the admin API and no route at all.
var routeNames = func() []string {
	names := []string{routeAdmin, routeUnmatched}
	for _, rt := range routes {
		names = append(names, rt.name)
	}
	return names
}()

// count records an answered request of a route (nil: none matched), by
// status, body bytes and duration, and the audio bytes a listener (the
// address from clientAddr and the user agent) received, towards a
// download.
func (s *Server) count(route *metrics.Route, r *http.Request, status int, bytes int64, took time.Duration) {
	if route == nil {
		route = s.unmatched
	}
	route.Request(status, bytes, took)
	if route.Name() == RouteAudio && r.Method == http.MethodGet && (status == http.StatusOK || status == http.StatusPartialContent) {
		if slug, ok := audioSlug(r.URL.Path); ok {
			s.metrics.Download(slug, bytes, s.clientAddr(r), r.UserAgent())
		}
	}
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
