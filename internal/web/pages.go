package web

import (
	"net/http"

	"github.com/readcast/readcast/internal/player"
)

// pageCSP is the Content-Security-Policy of the pages: everything they load
// is their own (the player's script and stylesheet, the cover, the audio,
// the captions), and nothing runs inline.
const pageCSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"

func (s *Server) handleShowPage(w http.ResponseWriter, r *http.Request) {
	s.servePage(w, r, player.ShowPath)
}

func (s *Server) handleEpisodePage(w http.ResponseWriter, r *http.Request) {
	s.servePage(w, r, r.URL.Path) // the route's path is the page's: player.EpisodePath
}

// servePage answers with the page at path, rendered when its snapshot was
// swapped in: gzip-encoded when the client accepts it, revalidated with
// its ETag (a new snapshot is a new page).
func (s *Server) servePage(w http.ResponseWriter, r *http.Request, path string) {
	a := s.site().Pages[path]
	if a == nil {
		httpError(w, http.StatusNotFound, "no such page: "+path)
		return
	}
	s.serveAsset(w, r, a, pageFields)
}

// pageFields are the headers of every page besides Content-Type and the
// representation's: pages change with the show, so they are revalidated.
var pageFields = []field{
	newField("X-Content-Type-Options", "nosniff"),
	newField("Content-Security-Policy", pageCSP),
	newField("Referrer-Policy", "same-origin"),
	newField("Cache-Control", "no-cache"),
}
