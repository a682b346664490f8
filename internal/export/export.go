package export

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/readcast/readcast/internal/atomicfile"
)

// File is one exported file.
type File struct {
	Path        string // URL path, e.g. "/feed.xml"
	File        string // path inside the output directory
	ContentType string
	// CacheControl is the header the server sent, which a store serving
	// the file must send too (immutable for content-addressed files).
	CacheControl string
	Size         int64
}

// Start lists the URL paths a crawl begins from: everything else is found
// by following links.
var Start = []string{"/", "/feed.xml"}

// links finds URLs in HTML, XML, CSS, JS and JSON: attribute values, url(),
// and JSON string values that look like paths or URLs.
var links = regexp.MustCompile(`(?:href|src|url)\s*=\s*"([^"]+)"|url\(\s*['"]?([^'")\s]+)|"(?:url|img|href|src)"\s*:\s*"([^"]+)"|import\s+[^"']*["']([^"']+)["']`)

// Export crawls h as the site at baseURL and writes every same-site file it
// links to under out. It writes into a temporary sibling directory and
// renames it into place only when the crawl is complete, so a failed export
// leaves the previous one untouched.
func Export(ctx context.Context, h http.Handler, baseURL, out string) ([]File, error) {
	base, err := url.Parse(strings.TrimRight(baseURL, "/") + "/")
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, fmt.Errorf("export: base URL %q must be absolute", baseURL)
	}
	out = filepath.Clean(out)
	tmp, err := atomicfile.MkdirTemp(out)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	prefix := strings.TrimSuffix(base.Path, "/")
	seen := map[string]bool{}
	queue := append([]string(nil), Start...)
	var files []File
	for len(queue) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		f, err := fetch(ctx, h, p, tmp)
		if err != nil {
			return nil, err
		}
		files = append(files, f.File)
		for _, l := range findLinks(f.text, base, prefix, p) {
			if !seen[l] {
				queue = append(queue, l)
			}
		}
	}
	if err := atomicfile.ReplaceDir(tmp, out); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	done = true
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}

type fetched struct {
	File
	text []byte // the body, kept only for text types to find links in
}

// fetch GETs p from h and streams the body into its file under dir; audio
// goes straight to disk and is never held in memory.
func fetch(ctx context.Context, h http.Handler, p, dir string) (fetched, error) {
	req := httptest.NewRequest(http.MethodGet, (&url.URL{Path: p}).String(), nil).WithContext(ctx)
	w := &fileWriter{header: http.Header{}, dir: dir, path: p}
	h.ServeHTTP(w, req)
	if w.err != nil {
		return fetched{}, w.err
	}
	if w.status != http.StatusOK {
		return fetched{}, fmt.Errorf("export: GET %s: status %d: %s", p, w.status, strings.TrimSpace(string(w.text)))
	}
	if w.f == nil { // an empty body
		if err := w.open(); err != nil {
			return fetched{}, err
		}
	}
	// Synced before ReplaceDir renames the directory into place: the rename
	// is durable once it returns, and must never show files a crash emptied.
	err := w.f.Sync()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fetched{}, fmt.Errorf("export: %w", err)
	}
	return fetched{File: File{Path: p, File: w.name, ContentType: w.header.Get("Content-Type"), CacheControl: w.header.Get("Cache-Control"), Size: w.size}, text: w.text}, nil
}

// fileWriter is an http.ResponseWriter that writes the body to a file.
type fileWriter struct {
	header    http.Header
	status    int
	dir, path string
	name      string
	f         *os.File
	size      int64
	text      []byte
	err       error
}

func (w *fileWriter) Header() http.Header { return w.header }

func (w *fileWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *fileWriter) open() error {
	w.name = fileName(w.path, w.header.Get("Content-Type"))
	dst := filepath.Join(w.dir, filepath.FromSlash(w.name))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("export: %s: %w", w.path, err)
	}
	w.f = f
	return nil
}

func (w *fileWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.status != http.StatusOK || isText(w.header.Get("Content-Type")) {
		w.text = append(w.text, b...)
	}
	if w.status != http.StatusOK || w.err != nil {
		return len(b), nil
	}
	if w.f == nil {
		if w.err = w.open(); w.err != nil {
			return 0, w.err
		}
	}
	n, err := w.f.Write(b)
	w.size += int64(n)
	if err != nil {
		w.err = fmt.Errorf("export: %s: %w", w.path, err)
	}
	return n, err
}

// fileName maps a URL path to a file: "/" is index.html, and a page
// without an extension ("/episodes/01-x") becomes "episodes/01-x/index.html",
// which every static host serves for the bare path.
func fileName(p, typ string) string {
	name := strings.TrimPrefix(p, "/")
	if name == "" || strings.HasSuffix(name, "/") {
		return name + "index.html"
	}
	if path.Ext(name) == "" && strings.HasPrefix(typ, "text/html") {
		return name + "/index.html"
	}
	return name
}

func isText(typ string) bool {
	for _, t := range []string{"text/", "application/rss+xml", "application/xml", "application/json", "application/javascript", "image/svg+xml"} {
		if strings.HasPrefix(typ, t) {
			return true
		}
	}
	return false
}

// findLinks returns the same-site paths body links to, relative to the
// site root (the base URL's path is taken off).
func findLinks(body []byte, base *url.URL, prefix, from string) []string {
	var out []string
	for _, m := range links.FindAllSubmatch(body, -1) {
		var raw string
		for _, g := range m[1:] {
			if len(g) > 0 {
				raw = string(g)
				break
			}
		}
		raw = strings.ReplaceAll(raw, "&amp;", "&")
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https") {
			continue
		}
		ref := base.ResolveReference(&url.URL{Path: from}).ResolveReference(u)
		if ref.Host != base.Host || !strings.HasPrefix(ref.Path, prefix+"/") {
			continue
		}
		p := strings.TrimPrefix(ref.Path, prefix)
		if p == "" || strings.Contains(p, "..") {
			continue
		}
		out = append(out, p)
	}
	return out
}
