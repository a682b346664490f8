package web

import (
	"net/http"

	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/player"
)

// handleStatic serves the player's stylesheet, script and icon at their
// fingerprinted URLs (/static/player.3f2a9c81d0e4.js): a new version is a new
// URL, so they are cached as immutable, and served like every other asset
// (gzip, ETag, ranges).
func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	a, ok := s.static[r.URL.Path]
	if !ok {
		httpError(w, http.StatusNotFound, "no such file: "+r.URL.Path)
		return
	}
	s.serveAsset(w, r, a, assetFields(a))
}

// staticAssets makes the player's static files assets, once.
func staticAssets(p *player.Pages) map[string]*catalog.Asset {
	m := map[string]*catalog.Asset{}
	for _, a := range p.Assets() {
		m[a.Path] = fromPlayer(a, true)
	}
	return m
}

// fromPlayer makes a player's asset (a static file or a page) an asset
// the server answers with like any other.
func fromPlayer(a *player.Asset, immutable bool) *catalog.Asset {
	return &catalog.Asset{
		Path: a.Path, Type: a.Type, Body: a.Body, Gzip: a.Gzip, Size: int64(len(a.Body)),
		SHA256: a.SHA256, ETag: a.ETag, Immutable: immutable,
	}
}
