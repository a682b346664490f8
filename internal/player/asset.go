package player

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/readcast/readcast/internal/catalog"
)

//go:embed static
var staticFS embed.FS

// StaticPrefix is the URL path the fingerprinted assets are served under.
const StaticPrefix = "/static/"

// staticTypes maps the extensions of the static files to content types.
var staticTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
}

// loadStatic fingerprints every embedded static file. It returns the assets
// by URL path and by file name ("player.js"). They are catalog assets like
// every other file the site serves, immutable: a new version is a new URL
// ("/static/player.3f2a9c81d0e4.js").
func loadStatic() (byPath, byName map[string]*catalog.Asset, err error) {
	byPath, byName = map[string]*catalog.Asset{}, map[string]*catalog.Asset{}
	err = fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := path.Base(p)
		ext := path.Ext(name)
		typ, ok := staticTypes[ext]
		if !ok {
			return fmt.Errorf("player: static file %s has no known content type", p)
		}
		sum := sha256.Sum256(body)
		url := StaticPrefix + strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		a := catalog.NewAsset(url, typ, body, time.Time{}, true, false)
		byPath[url], byName[name] = a, a
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("player: static files: %w", err)
	}
	return byPath, byName, nil
}

// assetURL returns the fingerprinted URL of a static file, for templates.
func (p *Pages) assetURL(name string) (string, error) {
	a, ok := p.staticByName[name]
	if !ok {
		return "", fmt.Errorf("player: no static file %q", name)
	}
	return a.Path, nil
}
