package web

import (
	"net/http"
	"strings"

	"github.com/readcast/readcast/internal/catalog"
)

// field is one response header field: its canonical name and its value,
// a one-element slice set into a response's header as it is (setFields),
// which spares a request the canonicalization and the allocation of
// http.Header.Set. The slice's capacity is its length, so an Add to the
// header copies it instead of writing into it.
type field struct {
	name  string
	value []string
}

func newField(name, value string) field {
	if name != http.CanonicalHeaderKey(name) {
		panic("web: header name " + name + " is not canonical") // a programming error
	}
	return field{name, []string{value}[:1:1]}
}

// corsFields let web players on other sites fetch the feed, transcripts and
// chapters, and read the headers a ranged player needs. They go on every
// answer with such an asset.
var corsFields = []field{
	newField("Access-Control-Allow-Origin", "*"),
	newField("Access-Control-Expose-Headers", "Content-Length, Content-Range, Accept-Ranges, ETag"),
}

// preflightFields answer a CORS preflight (OPTIONS) only: browsers read
// Allow-Methods, Allow-Headers and Max-Age from a preflight's answer and
// ignore them on a GET's (Fetch standard, "CORS-preflight fetch"), so
// sending them on every feed poll would cost each request and tell nobody
// anything.
var preflightFields = []field{
	newField("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS"),
	newField("Access-Control-Allow-Headers", "Range, If-None-Match, If-Range, If-Modified-Since"),
	newField("Access-Control-Max-Age", "86400"),
}

// assetFieldSets are the header sets of the show's assets, by whether the
// asset is immutable, sent with CORS and HTML, built once so that a
// request allocates none.
var assetFieldSets = func() (f [2][2][2][]field) {
	for immutable := range 2 {
		for cors := range 2 {
			for html := range 2 {
				cc := "public, max-age=60" // the feed: apps poll it and revalidate with its ETag
				if immutable == 1 {
					cc = "public, max-age=31536000, immutable"
				}
				set := []field{newField("X-Content-Type-Options", "nosniff"), newField("Cache-Control", cc)}
				if cors == 1 {
					set = append(set, corsFields...)
				}
				if html == 1 {
					set = append(set, htmlAssetFields...)
				}
				f[immutable][cors][html] = set
			}
		}
	}
	return f
}()

// htmlAssetFields are added to an HTML asset's (the HTML transcript): it
// is a page of the site, and gets the pages' Content-Security-Policy.
var htmlAssetFields = []field{
	newField("Content-Security-Policy", pageCSP),
	newField("Referrer-Policy", "same-origin"),
}

// assetFields returns the headers an answer with one of the show's assets
// carries besides Content-Type and the representation's. The slice is
// shared; do not modify it.
func assetFields(a *catalog.Asset) []field {
	return assetFieldSets[b2i(a.Immutable)][b2i(a.CORS)][b2i(strings.HasPrefix(a.Type, "text/html"))]
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// varyEncoding goes on every answer that has a gzip form.
var varyEncoding = newField("Vary", "Accept-Encoding")

// addField adds f to h, after the values h already has for its name.
func addField(h http.Header, f field) {
	if old, ok := h[f.name]; ok {
		h[f.name] = append(old, f.value...) // f.value's capacity is its length: never written into
		return
	}
	h[f.name] = f.value
}

// setFields sets fields on h.
func setFields(h http.Header, fields []field) {
	for _, f := range fields {
		h[f.name] = f.value
	}
}

// acceptsGzip reports whether an Accept-Encoding value accepts gzip with a
// non-zero quality.
func acceptsGzip(v string) bool {
	for v != "" {
		var part string
		part, v, _ = strings.Cut(v, ",")
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q := strings.ReplaceAll(params, " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}
