package web

import (
	"net/http"
)

// handleStatic serves the player's stylesheet, script and icon at their
// fingerprinted URLs (/static/player.3f2a9c81d0e4.js): a new version is a new
// URL, so they are cached as immutable, and served like every other asset
// (gzip, ETag, ranges).
func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	a, ok := s.site().Static[r.URL.Path]
	if !ok {
		httpError(w, http.StatusNotFound, "no such file: "+r.URL.Path)
		return
	}
	s.serveAsset(w, r, a, assetFields(a))
}
