package web

import (
	"bytes"
	"compress/gzip"
	"errors"
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
	"sync"
	"testing"

	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/player"
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

// seedAndPlayer loads the seed show and makes the player's pages.
func seedAndPlayer(t *testing.T) (*catalog.Snapshot, *player.Pages) {
	t.Helper()
	snap, err := catalog.Load(t.Context(), catalog.Config{Dir: "../../episodes", BaseURL: "http://127.0.0.1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := player.New()
	if err != nil {
		t.Fatal(err)
	}
	return snap, p
}

// countingPages counts the snapshots whose pages are rendered.
type countingPages struct {
	pages *player.Pages
	mu    sync.Mutex
	snaps map[*catalog.Snapshot]int
}

func (c *countingPages) Site(snap *catalog.Snapshot) (*player.Site, error) {
	c.mu.Lock()
	c.snaps[snap]++
	c.mu.Unlock()
	return c.pages.Site(snap)
}

func (c *countingPages) renders(snap *catalog.Snapshot) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.snaps[snap]
}

// TestPagesRenderedOncePerSnapshot checks that the pages of a snapshot are
// rendered once, when it is swapped in, before any request, and never by
// a request: many requests at once for every page of it render nothing,
// and a swap renders the new snapshot's pages, once.
func TestPagesRenderedOncePerSnapshot(t *testing.T) {
	snap, p := seedAndPlayer(t)
	count := &countingPages{pages: p, snaps: map[*catalog.Snapshot]int{}}
	srv, err := New(Config{Snapshot: snap, Pages: count})
	if err != nil {
		t.Fatal(err)
	}
	if n := count.renders(snap); n != 1 {
		t.Fatalf("New rendered the snapshot's pages %d times, want 1", n)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	paths := []string{"/"}
	for _, e := range snap.Episodes {
		paths = append(paths, "/episodes/"+e.Slug())
	}
	getAll := func() map[string][]byte {
		bodies := make([][]byte, 4*len(paths))
		var wg sync.WaitGroup
		for i := range bodies {
			wg.Go(func() { _, bodies[i] = do(t, http.MethodGet, ts.URL+paths[i%len(paths)]) })
		}
		wg.Wait()
		out := map[string][]byte{}
		for i, b := range bodies {
			out[paths[i%len(paths)]] = b
		}
		return out
	}
	before := getAll()
	if n := count.renders(snap); n != 1 {
		t.Errorf("%d requests rendered the pages: %d renders of the snapshot, want 1", 4*len(paths), n)
	}

	next, err := catalog.Load(t.Context(), catalog.Config{Dir: "../../episodes", BaseURL: "https://example.org/show"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Swap(next); err != nil {
		t.Fatal(err)
	}
	if n := count.renders(next); n != 1 {
		t.Errorf("Swap rendered the new snapshot's pages %d times, want 1", n)
	}
	after := getAll()
	if n, m := count.renders(snap), count.renders(next); n != 1 || m != 1 {
		t.Errorf("after a swap and %d requests: %d and %d renders of the two snapshots, want 1 each", 4*len(paths), n, m)
	}
	if !bytes.Contains(after["/"], []byte("https://example.org/show/feed.xml")) || bytes.Equal(before["/"], after["/"]) {
		t.Error("after a swap the show page is not the new snapshot's")
	}
}

// TestSwapKeepsServingWhenPagesFail checks that a snapshot whose pages
// cannot be rendered is not swapped in: the previous one keeps serving.
func TestSwapKeepsServingWhenPagesFail(t *testing.T) {
	snap, p := seedAndPlayer(t)
	pages := &failingPages{pages: p}
	srv, err := New(Config{Snapshot: snap, Pages: pages})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	_, before := do(t, http.MethodGet, ts.URL+"/")
	next, err := catalog.Load(t.Context(), catalog.Config{Dir: "../../episodes", BaseURL: "https://example.org/show"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pages.fail = true
	if err := srv.Swap(next); err == nil {
		t.Fatal("Swap served a snapshot whose pages could not be rendered")
	}
	if srv.Snapshot() != snap {
		t.Error("after a failed swap the new snapshot is served")
	}
	if _, after := do(t, http.MethodGet, ts.URL+"/"); !bytes.Equal(before, after) {
		t.Error("after a failed swap the show page changed")
	}
}

// failingPages renders like the player until fail is set.
type failingPages struct {
	pages *player.Pages
	fail  bool
}

func (f *failingPages) Site(snap *catalog.Snapshot) (*player.Site, error) {
	if f.fail {
		return nil, errors.New("the template broke")
	}
	return f.pages.Site(snap)
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
	if n := strings.Count(page, `class="episode-meta" lang="en"><time datetime="PT`); n != len(snap.Episodes) {
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
	srv, err := New(Config{Snapshot: snap, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
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
