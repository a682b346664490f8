package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/readcast/readcast/internal/catalog"
)

// TestPages checks the HTTP side of the pages: 200 with HTML, a CSP, an ETag
// that revalidates, gzip, HEAD, and 404 for an unknown episode.
func TestPages(t *testing.T) {
	ts, srv := newTestServer(t)
	paths := []string{"/"}
	for _, e := range srv.Snapshot().Episodes {
		paths = append(paths, "/episodes/"+e.Slug())
	}
	for _, p := range paths {
		resp, body := do(t, http.MethodGet, ts.URL+p)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", p, resp.StatusCode, body)
		}
		h := resp.Header
		for k, want := range map[string]string{
			"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache",
			"X-Content-Type-Options": "nosniff", "Content-Security-Policy": pageCSP,
		} {
			if got := h.Get(k); got != want {
				t.Errorf("%s: %s = %q, want %q", p, k, got, want)
			}
		}
		if !bytes.HasPrefix(body, []byte("<!doctype html>")) || !bytes.HasSuffix(bytes.TrimSpace(body), []byte("</html>")) {
			t.Errorf("%s: not a whole HTML document", p)
		}
		etag := h.Get("ETag")
		if resp, _ := do(t, http.MethodGet, ts.URL+p, "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
			t.Errorf("%s: If-None-Match %s: %d, want 304", p, etag, resp.StatusCode)
		}
		resp, zbody := do(t, http.MethodGet, ts.URL+p, "Accept-Encoding", "gzip")
		if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("ETag") == etag {
			t.Errorf("%s: gzip answer has Content-Encoding %q and ETag %q", p, resp.Header.Get("Content-Encoding"), resp.Header.Get("ETag"))
		} else if got := gunzip(t, zbody); !bytes.Equal(got, body) {
			t.Errorf("%s: the gzip body differs from the plain one", p)
		}
		if resp, b := do(t, http.MethodHead, ts.URL+p); resp.StatusCode != http.StatusOK || len(b) != 0 {
			t.Errorf("%s: HEAD: %d with %d bytes", p, resp.StatusCode, len(b))
		}
	}
	if resp, _ := do(t, http.MethodGet, ts.URL+"/episodes/no-such-episode"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown episode: %d, want 404", resp.StatusCode)
	}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPagesCached checks that pages are rendered once per snapshot: the
// same bytes are served until the snapshot is swapped, and a swap renders
// the new snapshot's pages.
func TestPagesCached(t *testing.T) {
	ts, srv := newTestServer(t)
	a, err := srv.page(srv.Snapshot(), "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := srv.page(srv.Snapshot(), "/")
	if a != b {
		t.Error("the same snapshot was rendered twice")
	}
	next, err := catalog.Load(t.Context(), catalog.Config{Dir: "../../episodes", BaseURL: "https://example.org/show"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv.Swap(next)
	_, body := do(t, http.MethodGet, ts.URL+"/")
	if !bytes.Contains(body, []byte("https://example.org/show/feed.xml")) {
		t.Error("after a swap the show page still names the old feed URL")
	}
	if c, _ := srv.page(next, "/"); c == a {
		t.Error("after a swap the old site is served")
	}
}

// TestStatic checks that the stylesheet, script and icon the pages link to
// are served from fingerprinted URLs as immutable, and that a stale
// fingerprint is a 404.
func TestStatic(t *testing.T) {
	ts, _ := newTestServer(t)
	_, page := do(t, http.MethodGet, ts.URL+"/")
	urls := regexp.MustCompile(`"(/static/[^"]+)"`).FindAllSubmatch(page, -1)
	if len(urls) != 3 {
		t.Fatalf("the show page links %d static files, want 3 (style, script, icon)", len(urls))
	}
	types := map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}
	for _, m := range urls {
		u := string(m[1])
		if !regexp.MustCompile(`^/static/[a-z]+\.[0-9a-f]{12}\.[a-z]+$`).MatchString(u) {
			t.Errorf("%s is not fingerprinted", u)
		}
		resp, body := do(t, http.MethodGet, ts.URL+u)
		if resp.StatusCode != http.StatusOK || len(body) == 0 {
			t.Errorf("%s: %d", u, resp.StatusCode)
			continue
		}
		if got := resp.Header.Get("Cache-Control"); !strings.Contains(got, "immutable") {
			t.Errorf("%s: Cache-Control %q", u, got)
		}
		if got, want := resp.Header.Get("Content-Type"), types[u[strings.LastIndex(u, "."):]]; got != want {
			t.Errorf("%s: Content-Type %q, want %q", u, got, want)
		}
		stale := regexp.MustCompile(`\.[0-9a-f]{12}\.`).ReplaceAllString(u, ".000000000000.")
		if resp, _ := do(t, http.MethodGet, ts.URL+stale); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", stale, resp.StatusCode)
		}
	}
}

// TestEpisodePageMarkup checks what the episode page holds without its
// script: the audio with its captions track, every sentence and written word
// with its times, chapter and paragraph links into the MP3 (media
// fragments), and the previous and next episodes.
func TestEpisodePageMarkup(t *testing.T) {
	ts, srv := newTestServer(t)
	snap := srv.Snapshot()
	for i, e := range snap.Episodes {
		_, body := do(t, http.MethodGet, ts.URL+"/episodes/"+e.Slug())
		page := string(body)
		mustContain := func(what, s string) {
			t.Helper()
			if !strings.Contains(page, s) {
				t.Errorf("%s: no %s (%s)", e.Slug(), what, s)
			}
		}
		mustContain("audio", `<audio id="audio" controls preload="metadata" src="`+e.Audio.Path+`">`)
		mustContain("captions", `<track kind="captions" srclang="en" label="Transcript" src="`+e.Transcript("vtt").Path+`" default>`)
		mustContain("synthetic narration notice", "Synthesized narration")
		for _, c := range e.Chapters[1:] {
			mustContain("chapter link", `href="`+e.Audio.Path+`#t=`+seconds(c.Start)+`" data-b="`+seconds(c.Start)+`"`)
		}
		words := 0
		for _, s := range e.Timing.Sentences {
			mustContain("sentence", `<span class="s" id="`+s.ID+`" data-b="`+seconds(s.Start)+`" data-e="`+seconds(s.End)+`">`)
			words += len(strings.Fields(s.Text))
		}
		if got := len(regexp.MustCompile(`<span data-b="[0-9.]+"( data-e="[0-9.]+")?>[^<]+</span>`).FindAllString(page, -1)); got != words {
			t.Errorf("%s: %d word spans, the text has %d words", e.Slug(), got, words)
		}
		if n := strings.Count(page, `<a class="t" href="`+e.Audio.Path+`#t=`); n < len(e.Chapters) {
			t.Errorf("%s: %d time links into the MP3", e.Slug(), n)
		}
		if i > 0 {
			mustContain("previous episode", `href="/episodes/`+snap.Episodes[i-1].Slug()+`" rel="prev"`)
		}
		if i+1 < len(snap.Episodes) {
			mustContain("next episode", `href="/episodes/`+snap.Episodes[i+1].Slug()+`" rel="next"`)
		}
	}
}

// seconds formats a time as the pages write it: to the millisecond, without
// trailing zeros.
func seconds(sec float64) string {
	return strconv.FormatFloat(math.Round(sec*1000)/1000, 'f', -1, 64)
}

// TestShowPageMarkup checks the show page without script: every episode
// with its duration and chapters, the subscribe links and the feed URL.
func TestShowPageMarkup(t *testing.T) {
	ts, srv := newTestServer(t)
	snap := srv.Snapshot()
	_, body := do(t, http.MethodGet, ts.URL+"/")
	page := string(body)
	feed := snap.BaseURL + catalog.FeedPath
	bare := strings.TrimPrefix(feed, "http://")
	for _, want := range []string{
		`value="` + feed + `"`,
		`href="podcasts://` + bare + `"`,
		`href="pktc://subscribe/` + bare + `"`,
		`href="https://antennapod.org/deeplink/subscribe?title=`,
		`href="overcast://x-callback-url/add?url=http%3A%2F%2F`,
		`href="podcast://` + bare + `"`,
		`<img class="cover" src="` + snap.Cover.Path + `"`,
		"Synthesized narration",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the show page lacks %s", want)
		}
	}
	for _, e := range snap.Episodes {
		if !strings.Contains(page, `href="/episodes/`+e.Slug()+`"`) {
			t.Errorf("the show page does not link episode %s", e.Slug())
		}
	}
	if n := strings.Count(page, `class="episode-meta"><time datetime="PT`); n != len(snap.Episodes) {
		t.Errorf("%d episodes with a duration, want %d", n, len(snap.Episodes))
	}
}

// TestPageBudget: an episode page's HTML, CSS and JS, without its
// transcript, stay under 100 KB; the transcript's markup (a span a word, with
// its times) adds at most 45 bytes a word.
func TestPageBudget(t *testing.T) {
	const budget, perWord = 100 << 10, 45
	ts, srv := newTestServer(t)
	tags := regexp.MustCompile(`<[^>]*>`)
	for _, e := range srv.Snapshot().Episodes {
		_, page := do(t, http.MethodGet, ts.URL+"/episodes/"+e.Slug())
		i := bytes.Index(page, []byte(`<article id="transcript"`))
		j := bytes.Index(page, []byte(`</article>`))
		if i < 0 || j < i {
			t.Fatalf("%s: no transcript article", e.Slug())
		}
		article := page[i:j]
		size := len(page) - len(article)
		for _, m := range regexp.MustCompile(`"(/static/player\.[0-9a-f]+\.(?:css|js))"`).FindAllSubmatch(page, -1) {
			_, b := do(t, http.MethodGet, ts.URL+string(m[1]))
			size += len(b)
		}
		text, words := 0, 0
		for _, chunk := range tags.Split(string(article), -1) {
			text += len(chunk)
		}
		for _, s := range e.Timing.Sentences {
			words += len(strings.Fields(s.Text))
		}
		markup := len(article) - text
		t.Logf("%s: %d KB of HTML, CSS and JS besides the transcript; the transcript's markup %d KB, %d bytes a word",
			e.Slug(), size>>10, markup>>10, markup/words)
		if size > budget {
			t.Errorf("%s: %d bytes of HTML, CSS and JS besides the transcript, over the budget of %d", e.Slug(), size, budget)
		}
		if markup > perWord*words {
			t.Errorf("%s: the transcript's markup is %d bytes for %d words, over %d a word", e.Slug(), markup, words, perWord)
		}
	}
}

// TestPagesIncompleteShow serves a show with an episode recorded but not
// timed and one not recorded at all: both pages still show their text.
func TestPagesIncompleteShow(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, "../../episodes", dir)
	snap0, err := catalog.Load(t.Context(), catalog.Config{Dir: dir, BaseURL: "http://127.0.0.1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	untimed, unrecorded := snap0.Episodes[1], snap0.Episodes[2]
	for _, f := range []string{
		filepath.Join(dir, catalog.AudioDir, untimed.Slug()+catalog.TimingExt),
		filepath.Join(dir, catalog.AudioDir, unrecorded.Slug()+".mp3"),
		filepath.Join(dir, catalog.AudioDir, unrecorded.Slug()+catalog.TimingExt),
	} {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := catalog.Load(t.Context(), catalog.Config{Dir: dir, BaseURL: "http://127.0.0.1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(snap, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	_, body := do(t, http.MethodGet, ts.URL+"/episodes/"+untimed.Slug())
	page := string(body)
	for _, want := range []string{"<audio", "not synchronized with this recording yet", untimed.Outline.Chapters[0].Paragraphs[0].Sentences[0].ID} {
		if !strings.Contains(page, want) {
			t.Errorf("the untimed episode's page lacks %q", want)
		}
	}
	if strings.Contains(page, `<span class="s" id="`+untimed.Outline.Chapters[0].Paragraphs[0].Sentences[0].ID+`" data-b`) {
		t.Error("the untimed episode's sentences have times")
	}
	_, body = do(t, http.MethodGet, ts.URL+"/episodes/"+unrecorded.Slug())
	page = string(body)
	if strings.Contains(page, "<audio") || !strings.Contains(page, "not recorded yet") || !strings.Contains(page, unrecorded.Outline.Chapters[0].Paragraphs[0].Sentences[0].ID) {
		t.Error("the unrecorded episode's page should say so and show its text, without a player")
	}
	_, body = do(t, http.MethodGet, ts.URL+"/")
	if !strings.Contains(string(body), "Not recorded yet") {
		t.Error("the show page does not say which episode is not recorded yet")
	}
}
