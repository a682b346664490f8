package web

import (
	"bytes"
	"net"
	"net/http"
	"strings"

	"github.com/gorilla/mux"
)

// Route names the metrics give requests that no route of the router
// answered.
const (
	routeAdmin     = "admin"
	routeUnmatched = "unmatched"
)

// handleMetrics writes the counters in the Prometheus text format.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	var b bytes.Buffer
	if _, err := s.metrics.WriteTo(&b); err != nil {
		s.log.Error("metrics", "err", err)
		httpError(w, http.StatusInternalServerError, "metrics unavailable")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.Write(b.Bytes())
}

// nameRoute records the matched route's name on the statusWriter that
// track put around the request, for the metrics.
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

// count records an answered request by route, status and body bytes, and
// an audio GET as a possible download (the registry applies the IAB rules
// and keeps no address).
func (s *Server) count(route, method, path, rangeHeader, remoteAddr, userAgent string, status int, bytes int64) {
	s.metrics.Request(route, status, bytes)
	if route == RouteAudio && method == http.MethodGet {
		if slug, ok := audioSlug(path); ok {
			s.metrics.Download(slug, rangeHeader, status, clientHost(remoteAddr), userAgent)
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
