package player

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/transcript"
)

func TestClock(t *testing.T) {
	for _, tt := range []struct {
		sec  float64
		want string
	}{
		{0, "0:00"}, {-3, "0:00"}, {0.999, "0:00"}, {59.9, "0:59"}, {60, "1:00"}, {65.2, "1:05"},
		{450, "7:30"}, {3599.5, "59:59"}, {3600, "1:00:00"}, {3725, "1:02:05"},
	} {
		if got := Clock(tt.sec); got != tt.want {
			t.Errorf("Clock(%v) = %q, want %q", tt.sec, got, tt.want)
		}
	}
}

func TestSeconds(t *testing.T) {
	for _, tt := range []struct {
		sec  float64
		want string
	}{{0, "0"}, {-1, "0"}, {5.5, "5.5"}, {83.4500001, "83.45"}, {177.059, "177.059"}, {1e-7, "0"}} {
		if got := seconds(tt.sec); got != tt.want {
			t.Errorf("seconds(%v) = %q, want %q", tt.sec, got, tt.want)
		}
	}
}

func TestISODuration(t *testing.T) {
	for _, tt := range []struct {
		sec  float64
		want string
	}{{0, "PT0S"}, {40.644, "PT40.644S"}, {177.059, "PT2M57.059S"}, {3725, "PT1H2M5S"}, {120, "PT2M0S"}} {
		if got := isoDuration(tt.sec); got != tt.want {
			t.Errorf("isoDuration(%v) = %q, want %q", tt.sec, got, tt.want)
		}
	}
}

func TestMinutes(t *testing.T) {
	for _, tt := range []struct {
		sec  float64
		want string
	}{{10, "1 min"}, {1123, "19 min"}, {3900, "1 h 05 min"}} {
		if got := minutes(tt.sec); got != tt.want {
			t.Errorf("minutes(%v) = %q, want %q", tt.sec, got, tt.want)
		}
	}
}

func TestSubscribeLinks(t *testing.T) {
	got := SubscribeLinks("https://example.org/show/feed.xml", "Tea & Toast")
	want := []AppLink{
		{"Apple Podcasts", "podcasts://example.org/show/feed.xml"},
		{"Pocket Casts", "pktc://subscribe/example.org/show/feed.xml"},
		{"AntennaPod", "https://antennapod.org/deeplink/subscribe?title=Tea+%26+Toast&url=https%3A%2F%2Fexample.org%2Fshow%2Ffeed.xml"},
		{"Overcast", "overcast://x-callback-url/add?url=https%3A%2F%2Fexample.org%2Fshow%2Ffeed.xml"},
		{"Other apps", "podcast://example.org/show/feed.xml"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d links, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("link %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestWordViews(t *testing.T) {
	s := Sentence{Start: 1, End: 3, Words: []Word{
		{Text: "One", Start: 1, End: 1.4}, {Text: "two,", Start: 1.4, End: 1.8}, {Text: "three.", Start: 2.1, End: 3},
	}}
	want := []wordView{{"One", "1", ""}, {"two,", "1.4", "1.8"}, {"three.", "2.1", ""}}
	got := wordViews(s)
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("word %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestAssets checks that every static file is served at a URL with the hash
// of its content, with its type, compressed when that pays.
func TestAssets(t *testing.T) {
	p, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if len(p.static) != 3 || len(p.staticByName) != 3 {
		t.Fatalf("%d static assets by path and %d by name, want 3", len(p.static), len(p.staticByName))
	}
	for _, a := range p.staticByName {
		sum := sha256.Sum256(a.Body)
		if !strings.Contains(a.Path, "."+hex.EncodeToString(sum[:6])+".") {
			t.Errorf("%s does not name the hash of its content", a.Path)
		}
		if got, ok := p.static[a.Path]; !ok || got != a {
			t.Errorf("%s is not served at its path", a.Path)
		}
		if a.Type == "" || a.ETag == "" {
			t.Errorf("%s: type %q, ETag %q", a.Path, a.Type, a.ETag)
		}
		if strings.HasSuffix(a.Path, ".js") && a.Gzip == nil {
			t.Errorf("%s is not compressed", a.Path)
		}
	}
	if _, ok := p.static["/static/player.js"]; ok {
		t.Error("an asset is served without its fingerprint")
	}
}

func sampleShow() Show {
	return Show{
		Title: "A Show", Subtitle: "Its subtitle", Description: "What it is.", Author: "Someone",
		Language: "en", CoverURL: "/cover.000000000000.jpg", FeedURL: "https://example.org/feed.xml",
		Synthetic: true, Narrator: "festival",
		Episodes: []EpisodeLink{{Number: 1, Title: "First <one>", URL: "/episodes/01-first", Duration: 65, Chapters: 2}},
	}
}

func sampleEpisode() Episode {
	show := sampleShow()
	return Episode{
		Show: show, Slug: "01-first", Number: 1, Title: "First <one>", AudioURL: "/audio/01-first.000000000000.mp3",
		Duration: 65, VTTURL: "/transcripts/01-first.000000000000.vtt", Timed: true,
		Chapters: []Chapter{{Title: "Opening", Start: 0, End: 30}, {Title: "Later", Start: 30, End: 65}},
		Sections: []Section{
			{Number: 1, Title: "Opening", Start: 0, Paragraphs: []Paragraph{{Kind: "text", Start: 0.5, Sentences: []Sentence{
				{ID: "s-00000001", Start: 0.5, End: 2, Text: "Hello, world.", Words: []Word{{Text: "Hello,", Start: 0.5, End: 1}, {Text: "world.", Start: 1.2, End: 2}}},
			}}}},
			{Number: 2, Title: "Later", Start: 30,
				Heading: &Sentence{ID: "s-00000002", Start: 30, End: 31, Text: "Later", Words: []Word{{Text: "Later", Start: 30, End: 31}}},
				Paragraphs: []Paragraph{{Kind: "quote", Start: 32, Sentences: []Sentence{
					{ID: "s-00000003", Start: 32, End: 34, Text: "A <quoted> line.", Words: []Word{{Text: "A", Start: 32, End: 32.2}, {Text: "<quoted>", Start: 32.2, End: 33}, {Text: "line.", Start: 33, End: 34}}},
				}}}},
		},
	}
}

// TestRenderEpisode checks the episode page's markup: times on sentences
// and words, escaping, media-fragment links, a chapter heading that is a
// spoken sentence, and the script and stylesheet by their fingerprinted URLs.
func TestRenderEpisode(t *testing.T) {
	p, err := New()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := p.RenderEpisode(&buf, sampleEpisode()); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{
		`<title>First &lt;one&gt; · A Show</title>`,
		`<span class="s" id="s-00000001" data-b="0.5" data-e="2"><span data-b="0.5" data-e="1">Hello,</span> <span data-b="1.2">world.</span></span>`,
		`<h3 id="chapter-2-title" class="chapter-heading"><a class="t" href="/audio/01-first.000000000000.mp3#t=30" aria-label="Play from 0:30" lang="en"><time datetime="PT30S">0:30</time></a><span class="s" id="s-00000002"`,
		`<blockquote class="k-quote"><p><a class="t" href="/audio/01-first.000000000000.mp3#t=32"`,
		`&lt;quoted&gt;`,
		`<a href="/audio/01-first.000000000000.mp3#t=30" data-b="30" data-e="65">`,
		`<audio id="audio" controls preload="metadata" src="/audio/01-first.000000000000.mp3">`,
		`aria-valuetext="0:00 of 1:05"`,
		`Synthesized narration`,
		`<script src="` + p.staticByName["player.js"].Path + `"></script>`,
		`<link rel="stylesheet" href="` + p.staticByName["player.css"].Path + `">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the episode page lacks\n\t%s", want)
		}
	}
	if strings.Contains(page, "<quoted>") || strings.Contains(page, "ZgotmplZ") {
		t.Error("the episode page has unescaped or refused text")
	}
}

// TestRenderUnrecorded checks an episode without audio: its text, no player.
func TestRenderUnrecorded(t *testing.T) {
	p, err := New()
	if err != nil {
		t.Fatal(err)
	}
	e := sampleEpisode()
	e.AudioURL, e.Duration, e.Timed, e.Chapters = "", 0, false, nil
	for i := range e.Sections {
		for j := range e.Sections[i].Paragraphs {
			for k := range e.Sections[i].Paragraphs[j].Sentences {
				s := &e.Sections[i].Paragraphs[j].Sentences[k]
				s.Start, s.End, s.Words = 0, 0, nil
			}
		}
		e.Sections[i].Heading = nil
	}
	var buf bytes.Buffer
	if err := p.RenderEpisode(&buf, e); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if strings.Contains(page, "<audio") || strings.Contains(page, "data-b=") {
		t.Error("an unrecorded episode has a player or times")
	}
	if !strings.Contains(page, "not recorded yet") || !strings.Contains(page, `<span class="s" id="s-00000001">Hello, world.</span>`) {
		t.Error("an unrecorded episode does not show its text")
	}
}

func TestRenderShow(t *testing.T) {
	p, err := New()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := p.RenderShow(&buf, sampleShow()); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{
		`href="pktc://subscribe/example.org/feed.xml"`, `href="overcast://x-callback-url/add?url=https%3A%2F%2Fexample.org%2Ffeed.xml"`,
		`value="https://example.org/feed.xml"`, `<time datetime="PT1M5S">1:05</time> · 2 chapters`, `First &lt;one&gt;`,
		`Synthesized narration`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the show page lacks\n\t%s", want)
		}
	}
	if strings.Contains(page, "ZgotmplZ") {
		t.Error("html/template refused a URL of the show page")
	}
}

// TestSite checks that Site renders every page of a snapshot, compressed,
// with the static files. (Rendering once per snapshot, when it is made, is
// internal/web's TestPagesRenderedOncePerSnapshot.)
func TestSite(t *testing.T) {
	p, snap := pagesOfSeed(t)
	site, err := p.Site(snap)
	if err != nil {
		t.Fatal(err)
	}
	if len(site.Pages) != len(snap.Episodes)+1 || len(site.Static) != 3 {
		t.Fatalf("%d pages and %d static files, want %d and 3", len(site.Pages), len(site.Static), len(snap.Episodes)+1)
	}
	show := site.Pages[ShowPath]
	if show == nil || show.Gzip == nil || show.Type != typeHTML || show.Immutable {
		t.Fatalf("show page: %+v", show)
	}
	if !bytes.Contains(show.Body, []byte("https://example.org/show/feed.xml")) {
		t.Error("the show page does not name the feed's URL")
	}
	for _, e := range snap.Episodes {
		a := site.Pages[EpisodePath(e.Slug())]
		if a == nil || a.Gzip == nil {
			t.Fatalf("%s: no page, or not compressed", e.Slug())
		}
		if !bytes.Contains(a.Body, []byte(`href="/show/episodes/`)) && len(snap.Episodes) > 1 {
			t.Errorf("%s: links are not under the base path /show", e.Slug())
		}
		if e.Timing == nil {
			continue
		}
		// The words are timed as transcript.Words times them, to the
		// millisecond: the first sentence's last word, for one.
		ws := transcript.Words(e.Timing)[0]
		w := ws[len(ws)-1]
		want := regexp.MustCompile(fmt.Sprintf(`<span data-b="%s"( data-e="[0-9.]+")?>%s</span></span>`,
			regexp.QuoteMeta(seconds(w.Start)), regexp.QuoteMeta(html.EscapeString(w.Text))))
		if !want.Match(a.Body) {
			t.Errorf("%s: the page lacks the word %q at %s", e.Slug(), w.Text, seconds(w.Start))
		}
	}
}

// TestChapterTitleNeverRepeatsItsSentence: a chapter titled with the opening
// of its first sentence is marked in the transcript, not headed by that
// sentence again; a real title is shown.
func TestChapterTitleNeverRepeatsItsSentence(t *testing.T) {
	p, err := New()
	if err != nil {
		t.Fatal(err)
	}
	e := sampleEpisode()
	e.Sections[0].Title = "Hello, world"
	e.Sections[1].Heading = nil
	e.Sections[1].Title = "A <quoted> line"
	e.Chapters[0].Title, e.Chapters[1].Title = e.Sections[0].Title, e.Sections[1].Title
	var buf bytes.Buffer
	if err := p.RenderEpisode(&buf, e); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, title := range []string{"Hello, world", "A &lt;quoted&gt; line"} {
		if strings.Contains(page, "<span>"+title+"</span></h3>") {
			t.Errorf("the transcript heads a chapter with %q, the sentence under it", title)
		}
		if !strings.Contains(page, `<span class="chapter-title">`+title+`</span>`) {
			t.Errorf("the chapter list lost %q", title)
		}
	}
	if n := strings.Count(page, `class="chapter-heading chapter-mark"`); n != 2 {
		t.Errorf("%d chapters marked without a heading, want 2", n)
	}
	e.Sections[0].Title = "Greetings"
	buf.Reset()
	if err := p.RenderEpisode(&buf, e); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "<span>Greetings</span></h3>") {
		t.Error("a chapter's own title is not shown as its heading")
	}
}

// BenchmarkSite measures what a swap adds to a reload: building and
// rendering every page of the seed show.
func BenchmarkSite(b *testing.B) {
	p, snap := pagesOfSeed(b)
	for b.Loop() {
		if _, err := p.Site(snap); err != nil {
			b.Fatal(err)
		}
	}
}

// pagesOfSeed makes the player's pages and loads the seed show under
// https://example.org/show.
func pagesOfSeed(tb testing.TB) (*Pages, *catalog.Snapshot) {
	tb.Helper()
	p, err := New()
	if err != nil {
		tb.Fatal(err)
	}
	snap, err := catalog.Load(tb.Context(), catalog.Config{Dir: "../../episodes", BaseURL: "https://example.org/show"}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return p, snap
}

// TestRenderRightToLeft: the pages of a show in a right-to-left language
// say so on <html>, so that the text and the layout read right to left,
// while the player's controls keep the direction of time.
func TestRenderRightToLeft(t *testing.T) {
	p, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ lang, html string }{
		{"he", `<html lang="he" dir="rtl">`},
		{"ar", `<html lang="ar" dir="rtl">`},
		{"fa", `<html lang="fa" dir="rtl">`},
		{"ur", `<html lang="ur" dir="rtl">`},
		{"yi", `<html lang="yi" dir="rtl">`},
		{"en", `<html lang="en" dir="ltr">`},
		{"", `<html lang="en" dir="ltr">`},
	} {
		e := sampleEpisode()
		e.Show.Language = c.lang
		s := sampleShow()
		s.Language = c.lang
		var episode, show bytes.Buffer
		if err := p.RenderEpisode(&episode, e); err != nil {
			t.Fatal(err)
		}
		if err := p.RenderShow(&show, s); err != nil {
			t.Fatal(err)
		}
		for name, page := range map[string]string{"episode": episode.String(), "show": show.String()} {
			if !strings.Contains(page, c.html) {
				t.Errorf("language %q: the %s page lacks %s", c.lang, name, c.html)
			}
		}
		// A URL reads left to right in every language: in a right-to-left
		// field its start (https://) was the part scrolled out of sight.
		if !strings.Contains(show.String(), `<input id="feed-url" class="feed-url" type="url" dir="ltr" readonly`) {
			t.Errorf("language %q: the feed URL field is not left to right", c.lang)
		}
		if !strings.Contains(episode.String(), `<div class="controls" dir="ltr" hidden>`) {
			t.Errorf("language %q: the player's controls do not keep the direction of time", c.lang)
		}
	}
}

// TestRenderUntimedKeys: an episode recorded but not synchronized yet plays
// from the same keys as any other (space, K, J, L, the arrows, < and >), so
// its page lists them too, without the ones that need a synchronized
// transcript (search) or chapters.
func TestRenderUntimedKeys(t *testing.T) {
	p, err := New()
	if err != nil {
		t.Fatal(err)
	}
	e := sampleEpisode()
	e.Timed, e.Untimed, e.Chapters = false, true, nil
	var buf bytes.Buffer
	if err := p.RenderEpisode(&buf, e); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{`<summary>Keyboard shortcuts</summary>`, `<dd>Play or pause</dd>`, `<dd>Slower, faster</dd>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the untimed episode page lacks %s", want)
		}
	}
	for _, not := range []string{`Search the transcript`, `Previous, next chapter`} {
		if strings.Contains(page, not) {
			t.Errorf("the untimed episode page offers %q", not)
		}
	}
}
