package player

import (
	"bytes"
	"time"

	"github.com/readcast/readcast/internal/catalog"
)

// ShowPath is the URL path of the show page under the site's base;
// EpisodePath that of an episode's page.
const ShowPath = "/"

// EpisodePath is the URL path of the page of the episode with slug.
func EpisodePath(slug string) string { return "/episodes/" + slug }

// Site is every page of one snapshot of a show, rendered, and the
// player's static files: what internal/web serves besides the snapshot's
// own files.
type Site struct {
	// Pages are the show page (ShowPath) and every episode page
	// (EpisodePath), by URL path.
	Pages map[string]*catalog.Asset
	// Static are the player's stylesheet, script and icon by URL path,
	// the same for every snapshot.
	Static map[string]*catalog.Asset
}

// Site renders every page of snap, each once. internal/web calls it when a
// snapshot is made, before the snapshot is served, so that a request only
// picks bytes and a page that cannot be rendered keeps the previous
// snapshot serving.
func (p *Pages) Site(snap *catalog.Snapshot) (*Site, error) {
	show := showData(snap)
	s := &Site{Pages: make(map[string]*catalog.Asset, len(snap.Episodes)+1), Static: p.static}
	var buf bytes.Buffer
	if err := p.RenderShow(&buf, show); err != nil {
		return nil, err
	}
	s.Pages[ShowPath] = newPage(ShowPath, buf.Bytes())
	for i, e := range snap.Episodes {
		buf.Reset()
		if err := p.RenderEpisode(&buf, episodeData(snap, show, i)); err != nil {
			return nil, err
		}
		path := EpisodePath(e.Slug())
		s.Pages[path] = newPage(path, buf.Bytes())
	}
	return s, nil
}

// newPage makes a rendered page an asset: not immutable (a page changes
// with the show at the same URL), and no CORS (only the site shows it).
func newPage(path string, body []byte) *catalog.Asset {
	return catalog.NewAsset(path, typeHTML, bytes.Clone(body), time.Time{}, false, false)
}

const typeHTML = "text/html; charset=utf-8"
