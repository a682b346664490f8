package player

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed static
var staticFS embed.FS

// StaticPrefix is the URL path the fingerprinted assets are served under.
const StaticPrefix = "/static/"

// Asset is bytes ready to serve: a static file of the player or a rendered
// page.
type Asset struct {
	// Path is the URL path. A static asset's has the hash of its content
	// in it ("/static/player.3f2a9c81d0e4.js"), so it is immutable.
	Path string
	Type string // Content-Type
	Body []byte
	// Gzip is Body compressed once, or nil when compression does not pay.
	Gzip []byte
	// SHA256 is the hex digest of Body; ETag is its quoted prefix.
	SHA256 string
	ETag   string
}

// newAsset makes an asset of body, compressing what is worth it.
func newAsset(path, typ string, body []byte) *Asset {
	sum := sha256.Sum256(body)
	hexSum := hex.EncodeToString(sum[:])
	a := &Asset{Path: path, Type: typ, Body: body, SHA256: hexSum, ETag: `"` + hexSum[:16] + `"`}
	if len(body) > 512 && typ != "image/png" {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(body)
		zw.Close()
		if buf.Len() < len(body)*9/10 {
			a.Gzip = buf.Bytes()
		}
	}
	return a
}

// staticTypes maps the extensions of the static files to content types.
var staticTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
}

// loadStatic fingerprints every embedded static file. It returns the assets
// by URL path and their URL paths by file name ("player.js").
func loadStatic() (byPath, byName map[string]*Asset, err error) {
	byPath, byName = map[string]*Asset{}, map[string]*Asset{}
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
		a := newAsset(url, typ, body)
		byPath[url], byName[name] = a, a
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("player: static files: %w", err)
	}
	return byPath, byName, nil
}

// Asset returns the static asset served at a URL path.
func (p *Pages) Asset(urlPath string) (*Asset, bool) {
	a, ok := p.static[urlPath]
	return a, ok
}

// Assets lists the static assets, by path: what a static export copies.
func (p *Pages) Assets() []*Asset {
	out := make([]*Asset, 0, len(p.static))
	for _, a := range p.static {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// assetURL returns the fingerprinted URL of a static file, for templates.
func (p *Pages) assetURL(name string) (string, error) {
	a, ok := p.staticByName[name]
	if !ok {
		return "", fmt.Errorf("player: no static file %q", name)
	}
	return a.Path, nil
}
