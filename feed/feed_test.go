package feed_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/readcast/readcast/feed"
)

var update = flag.Bool("update", false, "rewrite testdata/feed.golden.xml from the current output")

// build is feed.Build that fails the test on error.
func build(tb testing.TB, s feed.Show, eps []feed.Episode) []byte {
	tb.Helper()
	out, err := feed.Build(s, eps)
	if err != nil {
		tb.Fatalf("Build: %v", err)
	}
	return out
}

func TestBuildGolden(t *testing.T) {
	s, eps := fixture()
	got := build(t, s, eps)
	golden := filepath.Join("testdata", "feed.golden.xml")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./feed -run Golden -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Build output differs from %s (go test ./feed -run Golden -update rewrites it):\n%s", golden, firstDiff(got, want))
	}
}

// firstDiff shows the first line where got and want differ.
func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n got: %s\nwant: %s", i+1, gl, wl)
		}
	}
	return "(no line differs)"
}

func TestBuildDeterministic(t *testing.T) {
	s, eps := fixture()
	first := build(t, s, eps)
	for i := 0; i < 5; i++ {
		s, eps := fixture()
		// The same instants in another zone are the same input.
		for j := range eps {
			eps[j].Published = eps[j].Published.In(time.FixedZone("MSK", 3*3600))
		}
		if got := build(t, s, eps); !bytes.Equal(got, first) {
			t.Fatalf("run %d differs:\n%s", i, firstDiff(got, first))
		}
	}
}

// rssDoc is what TestBuildParses decodes: every element the feed must have,
// by namespace URI, so a wrong or missing declaration fails.
type rssDoc struct {
	XMLName xml.Name `xml:"rss"`
	Version string   `xml:"version,attr"`
	Channel struct {
		Title       string `xml:"title"`
		Description string `xml:"description"`
		Language    string `xml:"language"`
		PubDate     string `xml:"pubDate"`
		LastBuild   string `xml:"lastBuildDate"`
		AtomLink    struct {
			Href string `xml:"href,attr"`
			Rel  string `xml:"rel,attr"`
			Type string `xml:"type,attr"`
		} `xml:"http://www.w3.org/2005/Atom link"`
		Type     string `xml:"http://www.itunes.com/dtds/podcast-1.0.dtd type"`
		Explicit string `xml:"http://www.itunes.com/dtds/podcast-1.0.dtd explicit"`
		Author   string `xml:"http://www.itunes.com/dtds/podcast-1.0.dtd author"`
		Image    struct {
			Href string `xml:"href,attr"`
		} `xml:"http://www.itunes.com/dtds/podcast-1.0.dtd image"`
		Owner struct {
			Name  string `xml:"http://www.itunes.com/dtds/podcast-1.0.dtd name"`
			Email string `xml:"http://www.itunes.com/dtds/podcast-1.0.dtd email"`
		} `xml:"http://www.itunes.com/dtds/podcast-1.0.dtd owner"`
		Categories []struct {
			Text string `xml:"text,attr"`
			Subs []struct {
				Text string `xml:"text,attr"`
			} `xml:"http://www.itunes.com/dtds/podcast-1.0.dtd category"`
		} `xml:"http://www.itunes.com/dtds/podcast-1.0.dtd category"`
		GUID   string `xml:"https://podcastindex.org/namespace/1.0 guid"`
		Locked struct {
			Owner string `xml:"owner,attr"`
			Value string `xml:",chardata"`
		} `xml:"https://podcastindex.org/namespace/1.0 locked"`
		Txt   []txtElem `xml:"https://podcastindex.org/namespace/1.0 txt"`
		Items []itemDoc `xml:"item"`
	} `xml:"channel"`
}

type txtElem struct {
	Purpose string `xml:"purpose,attr"`
	Text    string `xml:",chardata"`
}

type itemDoc struct {
	GUID struct {
		IsPermaLink string `xml:"isPermaLink,attr"`
		Value       string `xml:",chardata"`
	} `xml:"guid"`
	Title       string `xml:"title"`
	PubDate     string `xml:"pubDate"`
	Description string `xml:"description"`
	Content     string `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
	Enclosure   struct {
		URL    string `xml:"url,attr"`
		Length string `xml:"length,attr"`
		Type   string `xml:"type,attr"`
	} `xml:"enclosure"`
	Duration    string `xml:"http://www.itunes.com/dtds/podcast-1.0.dtd duration"`
	Episode     string `xml:"http://www.itunes.com/dtds/podcast-1.0.dtd episode"`
	EpisodeType string `xml:"http://www.itunes.com/dtds/podcast-1.0.dtd episodeType"`
	Explicit    string `xml:"http://www.itunes.com/dtds/podcast-1.0.dtd explicit"`
	Image       struct {
		Href string `xml:"href,attr"`
	} `xml:"http://www.itunes.com/dtds/podcast-1.0.dtd image"`
	Transcripts []struct {
		URL      string `xml:"url,attr"`
		Type     string `xml:"type,attr"`
		Language string `xml:"language,attr"`
		Rel      string `xml:"rel,attr"`
	} `xml:"https://podcastindex.org/namespace/1.0 transcript"`
	Chapters struct {
		URL  string `xml:"url,attr"`
		Type string `xml:"type,attr"`
	} `xml:"https://podcastindex.org/namespace/1.0 chapters"`
	PSC struct {
		Version  string `xml:"version,attr"`
		Chapters []struct {
			Start string `xml:"start,attr"`
			Title string `xml:"title,attr"`
		} `xml:"http://podlove.org/simple-chapters chapter"`
	} `xml:"http://podlove.org/simple-chapters chapters"`
	Txt []txtElem `xml:"https://podcastindex.org/namespace/1.0 txt"`
}

func decode(tb testing.TB, out []byte) rssDoc {
	tb.Helper()
	var doc rssDoc
	dec := xml.NewDecoder(bytes.NewReader(out))
	dec.Strict = true
	if err := dec.Decode(&doc); err != nil {
		tb.Fatalf("the feed is not well-formed XML: %v", err)
	}
	return doc
}

func TestBuildParses(t *testing.T) {
	s, eps := fixture()
	out := build(t, s, eps)
	doc := decode(t, out)
	ch := doc.Channel

	check := func(what, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %q, want %q", what, got, want)
		}
	}
	check("rss version", doc.Version, "2.0")
	check("title", ch.Title, s.Title)
	check("language", ch.Language, s.Language)
	check("atom:link href", ch.AtomLink.Href, s.FeedURL)
	check("atom:link rel", ch.AtomLink.Rel, "self")
	check("atom:link type", ch.AtomLink.Type, "application/rss+xml")
	check("itunes:type", ch.Type, "serial")
	check("itunes:explicit", ch.Explicit, "false")
	check("itunes:author", ch.Author, s.Author)
	check("itunes:image href", ch.Image.Href, s.ImageURL)
	check("itunes:owner name", ch.Owner.Name, s.OwnerName)
	check("itunes:owner email", ch.Owner.Email, s.OwnerEmail)
	check("podcast:guid", ch.GUID, feed.GUID(s.FeedURL))
	check("podcast:locked owner", ch.Locked.Owner, s.OwnerEmail)
	check("podcast:locked", ch.Locked.Value, "yes")
	if len(ch.Txt) != 1 || ch.Txt[0].Purpose != feed.PurposeAIContent || !strings.Contains(ch.Txt[0].Text, "synthesized") {
		t.Errorf("channel podcast:txt = %+v, want one ai-content disclosure", ch.Txt)
	}
	if !strings.Contains(ch.Description, s.Description) || !strings.Contains(ch.Description, "synthesized speech") {
		t.Errorf("channel description lacks the text or the disclosure: %q", ch.Description)
	}
	for _, d := range []string{ch.PubDate, ch.LastBuild} {
		if _, err := mail.ParseDate(d); err != nil {
			t.Errorf("channel date %q is not RFC 2822: %v", d, err)
		}
	}
	if len(ch.Categories) != 2 || ch.Categories[0].Text != "History" ||
		ch.Categories[1].Text != "Society & Culture" || len(ch.Categories[1].Subs) != 1 ||
		ch.Categories[1].Subs[0].Text != "Personal Journals" {
		t.Errorf("itunes:category = %+v", ch.Categories)
	}

	if len(ch.Items) != len(eps) {
		t.Fatalf("%d items, want %d", len(ch.Items), len(eps))
	}
	var lastPub time.Time
	for i, it := range ch.Items {
		e := eps[i]
		t.Run(e.GUID, func(t *testing.T) {
			check := func(what, got, want string) {
				t.Helper()
				if got != want {
					t.Errorf("%s = %q, want %q", what, got, want)
				}
			}
			check("guid", it.GUID.Value, e.GUID)
			check("guid isPermaLink", it.GUID.IsPermaLink, "false")
			check("title", it.Title, e.Title)
			check("enclosure url", it.Enclosure.URL, e.Enclosure.URL)
			check("enclosure length", it.Enclosure.Length, strconv.FormatInt(e.Enclosure.Length, 10))
			check("enclosure type", it.Enclosure.Type, e.Enclosure.Type)
			check("itunes:duration", it.Duration, strconv.Itoa(int(e.Duration.Round(time.Second).Seconds())))
			check("itunes:explicit", it.Explicit, "false")
			check("itunes:image", it.Image.Href, s.ImageURL)
			wantType := e.Type
			if wantType == "" {
				wantType = "full"
			}
			check("itunes:episodeType", it.EpisodeType, wantType)
			if e.Number > 0 {
				check("itunes:episode", it.Episode, strconv.Itoa(e.Number))
			} else if it.Episode != "" {
				t.Errorf("itunes:episode = %q for an unnumbered %s", it.Episode, e.Type)
			}
			if it.Description == "" || it.Description != it.Content {
				t.Errorf("description and content:encoded differ or are empty:\n%q\n%q", it.Description, it.Content)
			}
			if !strings.Contains(it.Description, "synthesized speech") {
				t.Errorf("description lacks the disclosure: %q", it.Description)
			}
			if len(it.Txt) != 1 || it.Txt[0].Purpose != feed.PurposeAIContent {
				t.Errorf("item podcast:txt = %+v", it.Txt)
			}
			pub, err := mail.ParseDate(it.PubDate)
			if err != nil {
				t.Errorf("pubDate %q is not RFC 2822: %v", it.PubDate, err)
			}
			if !pub.Equal(e.Published) {
				t.Errorf("pubDate %v, want %v", pub, e.Published)
			}
			if !pub.After(lastPub) {
				t.Errorf("pubDate %v is not after the previous item's %v", pub, lastPub)
			}
			lastPub = pub

			if len(it.Transcripts) != len(e.Transcripts) {
				t.Fatalf("%d transcripts, want %d", len(it.Transcripts), len(e.Transcripts))
			}
			wantRel := map[string]string{feed.TypeVTT: "captions", feed.TypeSRT: "captions", feed.TypeJSON: "captions", feed.TypeHTML: ""}
			for j, tr := range it.Transcripts {
				check("transcript url", tr.URL, e.Transcripts[j].URL)
				check("transcript type", tr.Type, e.Transcripts[j].Type)
				check("transcript language", tr.Language, "en")
				check("transcript rel", tr.Rel, wantRel[tr.Type])
			}
			check("podcast:chapters url", it.Chapters.URL, e.ChaptersURL)
			if e.ChaptersURL != "" {
				check("podcast:chapters type", it.Chapters.Type, "application/json+chapters")
			}
			if len(it.PSC.Chapters) != len(e.Chapters) {
				t.Fatalf("%d psc:chapter, want %d", len(it.PSC.Chapters), len(e.Chapters))
			}
			if len(e.Chapters) > 0 {
				check("psc:chapters version", it.PSC.Version, "1.2")
			}
			for j, c := range it.PSC.Chapters {
				check("psc:chapter title", c.Title, e.Chapters[j].Title)
				ms := e.Chapters[j].Start.Milliseconds()
				check("psc:chapter start", c.Start, fmt.Sprintf("%02d:%02d:%02d.%03d", ms/3600000, ms/60000%60, ms/1000%60, ms%1000))
				stamp := fmt.Sprintf("<li>%d:%02d ", ms/60000, ms/1000%60)
				if !strings.Contains(it.Description, stamp) {
					t.Errorf("description lacks chapter %d's timestamp %q", j, stamp)
				}
			}
		})
	}
}

// TestBuildEscapes puts markup and a CDATA terminator everywhere text goes
// and checks that a parser reads back exactly what went in.
func TestBuildEscapes(t *testing.T) {
	s, eps := fixture()
	eps = eps[:1]
	nasty := `Q&A <b>bold</b> ]]> "quoted" 'single' &amp;`
	s.Title = "Show " + nasty
	s.Description = "About " + nasty
	e := &eps[0]
	e.Title = "Episode " + nasty
	e.DescriptionHTML = `<p>Tom &amp; Jerry ]]> <a href="https://e.org/?a=1&amp;b=2">link</a> ]]]]> ]]&gt;</p>`
	e.Chapters[1].Title = "Chapter " + nasty
	out := build(t, s, eps)

	doc := decode(t, out)
	if got := doc.Channel.Title; got != s.Title {
		t.Errorf("title %q, want %q", got, s.Title)
	}
	if got := doc.Channel.Description; !strings.HasPrefix(got, s.Description) {
		t.Errorf("description %q, want it to begin %q", got, s.Description)
	}
	it := doc.Channel.Items[0]
	if it.Title != e.Title {
		t.Errorf("item title %q, want %q", it.Title, e.Title)
	}
	if !strings.HasPrefix(it.Description, e.DescriptionHTML) {
		t.Errorf("item description %q does not begin with the HTML given %q", it.Description, e.DescriptionHTML)
	}
	if it.Content != it.Description {
		t.Errorf("content:encoded %q != description %q", it.Content, it.Description)
	}
	wantLi := "<li>2:30 Chapter Q&amp;A &lt;b&gt;bold&lt;/b&gt; ]]&gt; &#34;quoted&#34; &#39;single&#39; &amp;amp;</li>"
	if !strings.Contains(it.Description, wantLi) {
		t.Errorf("description lacks the escaped chapter line %q:\n%s", wantLi, it.Description)
	}
	if got := it.PSC.Chapters[1].Title; got != e.Chapters[1].Title {
		t.Errorf("psc:chapter title %q, want %q", got, e.Chapters[1].Title)
	}
	// Outside CDATA the encoder escapes ">", so every raw "]]>" must end a
	// CDATA section: a "]]>" in the input that ended one early would show as
	// more ends than starts (or as a parse error above).
	if starts, ends := bytes.Count(out, []byte("<![CDATA[")), bytes.Count(out, []byte("]]>")); starts != ends {
		t.Errorf("%d CDATA sections start but %d \"]]>\" appear", starts, ends)
	}
}

func TestBuildControlCharacters(t *testing.T) {
	s, eps := fixture()
	eps = eps[:1]
	eps[0].DescriptionHTML = "<p>bell\a and NUL\x00 and bad UTF-8 \xff</p>"
	eps[0].Chapters[0].Title = "form\ffeed"
	out := build(t, s, eps)
	it := decode(t, out).Channel.Items[0]
	if !strings.HasPrefix(it.Description, "<p>bell\uFFFD and NUL\uFFFD and bad UTF-8 \uFFFD</p>") {
		t.Errorf("description %q: control characters not replaced", it.Description)
	}
}

func TestBuildDisclosure(t *testing.T) {
	tests := []struct {
		name         string
		show         bool
		episodes     []bool
		channel      string // "" for no channel podcast:txt
		itemsDeclare []bool
	}{
		{"human", false, []bool{false, false, false, false}, "", []bool{false, false, false, false}},
		{"show synthetic", true, []bool{false, false, false, false}, "The narration is synthesized", []bool{true, true, true, true}},
		{"every episode", false, []bool{true, true, true, true}, "The narration is synthesized", []bool{true, true, true, true}},
		{"some episodes", false, []bool{true, false, false, true}, "Some episodes are narrated by synthesized", []bool{true, false, false, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, eps := fixture()
			s.Synthetic = tt.show
			for i := range eps {
				eps[i].Synthetic = tt.episodes[i]
			}
			ch := decode(t, build(t, s, eps)).Channel
			switch {
			case tt.channel == "" && len(ch.Txt) != 0:
				t.Errorf("channel podcast:txt %+v for human narration", ch.Txt)
			case tt.channel != "" && (len(ch.Txt) != 1 || !strings.HasPrefix(ch.Txt[0].Text, tt.channel)):
				t.Errorf("channel podcast:txt %+v, want one beginning %q", ch.Txt, tt.channel)
			case tt.channel != "" && !strings.Contains(ch.Description, tt.channel):
				t.Errorf("channel description %q does not say %q", ch.Description, tt.channel)
			case tt.channel == "" && strings.Contains(ch.Description, "synthesized"):
				t.Errorf("channel description %q declares synthesis for human narration", ch.Description)
			}
			for i, it := range ch.Items {
				said := strings.Contains(it.Description, "synthesized speech")
				if said != tt.itemsDeclare[i] || (len(it.Txt) == 1) != tt.itemsDeclare[i] {
					t.Errorf("item %d: description declares %v, podcast:txt %+v; want %v", i, said, it.Txt, tt.itemsDeclare[i])
				}
			}
		})
	}
}

func TestBuildDisclosureNotRepeated(t *testing.T) {
	s, eps := fixture()
	// As the seed show's description says it, going on after a semicolon.
	s.Description += " The narration is synthesized speech (festival, voice us-slt-hts), not a human reader; every sentence is timed."
	ch := decode(t, build(t, s, eps)).Channel
	if n := strings.Count(ch.Description, "synthesized speech"); n != 1 {
		t.Errorf("the description says it %d times:\n%s", n, ch.Description)
	}
}

// TestBuildNoTrailingBlankLines: a description that ends in blank lines
// (a show without a credit line) does not end the feed's in "&#xA;&#xA;".
func TestBuildNoTrailingBlankLines(t *testing.T) {
	s, eps := fixture()
	s.Description += "\n\n"
	for i := range eps {
		eps[i].Synthetic = false
	}
	s.Synthetic = false
	out := build(t, s, eps)
	if bytes.Contains(out, []byte("&#xA;</description>")) || strings.HasSuffix(decode(t, out).Channel.Description, "\n") {
		t.Errorf("the channel description ends in blank lines:\n%s", out)
	}
}

func TestBuildOptional(t *testing.T) {
	s, eps := fixture()
	s.Type = "episodic"
	s.Locked = false
	s.Synthetic = false
	s.Explicit = true
	s.Generator = ""
	s.GUID = "917393e3-1b1e-5cef-ace4-edaa54e1f810"
	eps = eps[:1]
	eps[0].Number = 0
	eps[0].Chapters = nil
	eps[0].ChaptersURL = ""
	eps[0].Transcripts = nil
	eps[0].ImageURL = "https://listen.example.org/artwork/ep1.png"
	out := build(t, s, eps)
	ch := decode(t, out).Channel
	it := ch.Items[0]
	for what, got := range map[string]string{
		"itunes:type": ch.Type, "podcast:locked": ch.Locked.Value, "podcast:guid": ch.GUID,
		"itunes:explicit": ch.Explicit, "item itunes:explicit": it.Explicit, "item itunes:image": it.Image.Href,
	} {
		want := map[string]string{
			"itunes:type": "episodic", "podcast:locked": "no", "podcast:guid": s.GUID,
			"itunes:explicit": "true", "item itunes:explicit": "true", "item itunes:image": eps[0].ImageURL,
		}[what]
		if got != want {
			t.Errorf("%s = %q, want %q", what, got, want)
		}
	}
	for _, absent := range []string{"<generator>", "<itunes:episode>", "<psc:chapters", "<podcast:chapters", "<podcast:transcript", "<podcast:txt", "Chapters:"} {
		if bytes.Contains(out, []byte(absent)) {
			t.Errorf("output has %s, which the input does not call for", absent)
		}
	}
}

func TestBuildLongEpisodeTimestamps(t *testing.T) {
	s, eps := fixture()
	eps = eps[:1]
	eps[0].Duration = 2*time.Hour + 5*time.Second
	eps[0].Chapters = []feed.Chapter{{Start: 0, Title: "A"}, {Start: time.Hour + 2*time.Minute + 3*time.Second + 999*time.Millisecond, Title: "B"}}
	it := decode(t, build(t, s, eps)).Channel.Items[0]
	for _, want := range []string{"<li>0:00:00 A</li>", "<li>1:02:03 B</li>"} {
		if !strings.Contains(it.Description, want) {
			t.Errorf("description lacks %q:\n%s", want, it.Description)
		}
	}
	if got := it.PSC.Chapters[1].Start; got != "01:02:03.999" {
		t.Errorf("psc start %q, want 01:02:03.999", got)
	}
	if it.Duration != "7205" {
		t.Errorf("itunes:duration %q, want 7205", it.Duration)
	}
}

func TestBuildDurationRounds(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{sec(612.48), "612"},
		{sec(612.5), "613"},
		{sec(0.5), "1"},
		{sec(3599.999), "3600"},
	} {
		s, eps := fixture()
		eps = eps[:1]
		eps[0].Duration = tt.d
		eps[0].Chapters = eps[0].Chapters[:1]
		if got := decode(t, build(t, s, eps)).Channel.Items[0].Duration; got != tt.want {
			t.Errorf("Duration %v: itunes:duration %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestBuildNoEpisodes(t *testing.T) {
	s, _ := fixture()
	out := build(t, s, nil)
	ch := decode(t, out).Channel
	if ch.GUID == "" || ch.Type != "serial" || len(ch.Items) != 0 {
		t.Errorf("empty show: guid %q, type %q, %d items", ch.GUID, ch.Type, len(ch.Items))
	}
	if _, err := mail.ParseDate(ch.PubDate); err != nil {
		t.Errorf("pubDate %q: %v", ch.PubDate, err)
	}
}

func TestBuildRejects(t *testing.T) {
	tests := []struct {
		name   string
		change func(*feed.Show, []feed.Episode) []feed.Episode
		want   string
	}{
		{"no owner email", func(s *feed.Show, e []feed.Episode) []feed.Episode { s.OwnerEmail = ""; return e }, "show: OwnerEmail: an email address is required"},
		{"owner email with a name", func(s *feed.Show, e []feed.Episode) []feed.Episode { s.OwnerEmail = "Me <me@example.org>"; return e }, "is not a bare email address"},
		{"unknown category", func(s *feed.Show, e []feed.Episode) []feed.Episode {
			s.Categories = []feed.Category{{Name: "Podcasting"}}
			return e
		}, `category "Podcasting" is not an Apple Podcasts category`},
		{"subcategory of another", func(s *feed.Show, e []feed.Episode) []feed.Episode {
			s.Categories = []feed.Category{{Name: "History", Sub: "Personal Journals"}}
			return e
		}, `subcategory "Personal Journals" belongs to "Society & Culture", not "History"`},
		{"no category", func(s *feed.Show, e []feed.Episode) []feed.Episode { s.Categories = nil; return e }, "at least one Apple Podcasts category"},
		{"bad show type", func(s *feed.Show, e []feed.Episode) []feed.Episode { s.Type = "Serial"; return e }, `Type "Serial" must be "serial" or "episodic"`},
		{"relative feed URL", func(s *feed.Show, e []feed.Episode) []feed.Episode { s.FeedURL = "/feed.xml"; return e }, `FeedURL "/feed.xml" is not an absolute http(s) URL`},
		{"gif artwork", func(s *feed.Show, e []feed.Episode) []feed.Episode { s.ImageURL = "https://e.org/a.gif"; return e }, "must name a .jpg or .png file"},
		{"no clock", func(s *feed.Show, e []feed.Episode) []feed.Episode { s.LastBuild = time.Time{}; return e }, "LastBuild is required"},
		{"bad language", func(s *feed.Show, e []feed.Episode) []feed.Episode { s.Language = "English"; return e }, `Language "English" is not an ISO 639 code`},
		{"bad podcast guid", func(s *feed.Show, e []feed.Episode) []feed.Episode { s.GUID = "podnews"; return e }, `GUID "podnews" is not a UUID`},
		{"long subtitle", func(s *feed.Show, e []feed.Episode) []feed.Episode { s.Subtitle = strings.Repeat("x", 256); return e }, "Subtitle is 256 characters; Apple allows 255"},
		{"zero episode number", func(s *feed.Show, e []feed.Episode) []feed.Episode { e[0].Number = 0; return e }, "episode 1 (GUID \"readcast:recollections:01\"): Number 0 must be a positive integer"},
		{"negative episode number", func(s *feed.Show, e []feed.Episode) []feed.Episode { e[3].Number = -1; return e }, "Number -1 must be a positive integer, or 0 for none"},
		{"zero length", func(s *feed.Show, e []feed.Episode) []feed.Episode { e[1].Enclosure.Length = 0; return e }, "Enclosure.Length 0 must be the file's exact size"},
		{"unknown enclosure type", func(s *feed.Show, e []feed.Episode) []feed.Episode { e[1].Enclosure.Type = "audio/ogg"; return e }, `Enclosure.Type "audio/ogg" is not one Apple accepts`},
		{"URL as GUID", func(s *feed.Show, e []feed.Episode) []feed.Episode { e[0].GUID = e[0].Enclosure.URL; return e }, "is a URL; an item GUID must not change"},
		{"no GUID", func(s *feed.Show, e []feed.Episode) []feed.Episode { e[0].GUID = " "; return e }, "GUID is required"},
		{"duplicate GUID", func(s *feed.Show, e []feed.Episode) []feed.Episode { e[2].GUID = e[0].GUID; return e }, `episode 3: GUID "readcast:recollections:01" is also episode 1's`},
		{"duplicate enclosure", func(s *feed.Show, e []feed.Episode) []feed.Episode { e[2].Enclosure.URL = e[1].Enclosure.URL; return e }, "is also episode 2's; apps ignore a reused URL"},
		{"duplicate number", func(s *feed.Show, e []feed.Episode) []feed.Episode { e[2].Number = 2; return e }, "Number 2 is also episode 2's"},
		{"out of serial order", func(s *feed.Show, e []feed.Episode) []feed.Episode {
			e[1].Published = e[0].Published.Add(-time.Hour)
			return e
		}, "is not after episode number 1's"},
		{"no duration", func(s *feed.Show, e []feed.Episode) []feed.Episode { e[3].Duration = 400 * time.Millisecond; return e }, "Duration 400ms must be at least 1 s"},
		{"no published", func(s *feed.Show, e []feed.Episode) []feed.Episode { e[3].Published = time.Time{}; return e }, "Published is required"},
		{"no description", func(s *feed.Show, e []feed.Episode) []feed.Episode { e[3].Summary = ""; return e }, "Summary or DescriptionHTML is required"},
		{"long description", func(s *feed.Show, e []feed.Episode) []feed.Episode {
			e[0].Summary = strings.Repeat("word ", 800)
			return e
		}, "bytes with the chapter list; Apple allows 4000"},
		{"bad episode type", func(s *feed.Show, e []feed.Episode) []feed.Episode { e[0].Type = "Full"; return e }, `Type "Full" must be "full", "trailer" or "bonus"`},
		{"chapters out of order", func(s *feed.Show, e []feed.Episode) []feed.Episode {
			e[0].Chapters[2].Start = e[0].Chapters[1].Start
			return e
		}, "Chapters[2]: Start 2m30.251s is not after the previous chapter's"},
		{"chapter past the end", func(s *feed.Show, e []feed.Episode) []feed.Episode {
			e[0].Chapters[3].Start = e[0].Duration
			return e
		}, "is not before the end of the audio"},
		{"untitled chapter", func(s *feed.Show, e []feed.Episode) []feed.Episode { e[0].Chapters[1].Title = ""; return e }, "Chapters[1]: Title is required"},
		{"unknown transcript type", func(s *feed.Show, e []feed.Episode) []feed.Episode {
			e[0].Transcripts[1].Type = "application/srt"
			return e
		}, `Transcripts[1]: Type "application/srt" is not a transcript type`},
		{"captions on HTML", func(s *feed.Show, e []feed.Episode) []feed.Episode {
			e[0].Transcripts[3].Rel = "captions"
			return e
		}, `Rel "captions" marks time codes, which text/html has not`},
		{"relative transcript", func(s *feed.Show, e []feed.Episode) []feed.Episode {
			e[0].Transcripts[0].URL = "/t.vtt"
			return e
		}, `Transcripts[0]: URL "/t.vtt" is not an absolute http(s) URL`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, eps := fixture()
			eps = tt.change(&s, eps)
			out, err := feed.Build(s, eps)
			if err == nil {
				t.Fatalf("Build succeeded; want an error containing %q", tt.want)
			}
			if out != nil {
				t.Errorf("Build returned %d bytes with its error", len(out))
			}
			if !errors.Is(err, feed.ErrInvalid) {
				t.Errorf("error %q does not wrap ErrInvalid", err)
			}
			if !strings.HasPrefix(err.Error(), "feed: ") {
				t.Errorf("error %q lacks the feed: prefix", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n%v\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

// TestBuildListsEveryProblem checks that one call reports all problems, so
// that one edit can fix them.
func TestBuildListsEveryProblem(t *testing.T) {
	s, eps := fixture()
	s.OwnerEmail = ""
	s.Categories = []feed.Category{{Name: "Podcasting"}}
	eps[0].Number = -2
	eps[1].Enclosure.Length = 0
	eps[2].Duration = 0
	_, err := feed.Build(s, eps)
	if err == nil {
		t.Fatal("Build succeeded")
	}
	msg := err.Error()
	lines := strings.Split(msg, "\n")
	if lines[0] != "feed: invalid show or episodes (5 problems):" {
		t.Errorf("first line %q", lines[0])
	}
	for _, want := range []string{"OwnerEmail", `"Podcasting"`, "Number -2", "Enclosure.Length 0", "Duration 0s"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if len(lines) != 6 {
		t.Errorf("%d lines, want a heading and one a problem:\n%s", len(lines), msg)
	}
}

// manyEpisodes is a show of n episodes, each with six chapters, four
// transcripts and JSON chapters, like the seed show's but longer.
func manyEpisodes(n int) (feed.Show, []feed.Episode) {
	s, proto := fixture()
	eps := make([]feed.Episode, n)
	for i := range eps {
		e := proto[0]
		e.Number = i + 1
		e.GUID = fmt.Sprintf("readcast:bench:%04d", i+1)
		e.Title = fmt.Sprintf("Part %d: a title long enough to be realistic", i+1)
		e.Published = time.Date(2020, 1, 1, 6, 0, 0, 0, time.UTC).Add(time.Duration(i) * 24 * time.Hour)
		e.Enclosure.URL = fmt.Sprintf("https://listen.example.org/audio/%04d-%08x.mp3", i+1, i*7919)
		e.Chapters = make([]feed.Chapter, 6)
		for j := range e.Chapters {
			e.Chapters[j] = feed.Chapter{Start: time.Duration(j) * 100 * time.Second, Title: fmt.Sprintf("Chapter %d of part %d", j+1, i+1)}
		}
		eps[i] = e
	}
	return s, eps
}

func TestBuildThousand(t *testing.T) {
	s, eps := manyEpisodes(1000)
	doc := decode(t, build(t, s, eps))
	if n := len(doc.Channel.Items); n != 1000 {
		t.Fatalf("%d items, want 1000", n)
	}
	if got := doc.Channel.Items[999].Episode; got != "1000" {
		t.Errorf("last itunes:episode %q", got)
	}
}

func BenchmarkBuild(b *testing.B) {
	s, eps := manyEpisodes(1000)
	b.ReportAllocs()
	var size int
	for b.Loop() {
		out, err := feed.Build(s, eps)
		if err != nil {
			b.Fatal(err)
		}
		size = len(out)
	}
	b.ReportMetric(float64(size), "bytes/feed")
}

// FuzzBuildText puts arbitrary text in the fields that reach the feed as
// text, attributes or CDATA: Build either rejects the input or writes
// well-formed XML that reads back as given.
func FuzzBuildText(f *testing.F) {
	f.Add("Title", "<p>HTML</p>", "Chapter", "Summary")
	f.Add("a ]]> b", "]]>", "<item></item>", "</description>")
	f.Add("\x00\xff", "<![CDATA[x]]>", "\"'&<>", "</item></channel></rss>")
	f.Fuzz(func(t *testing.T, title, html, chapter, summary string) {
		s, eps := fixture()
		eps = eps[:2]
		eps[0].Title = title
		eps[0].DescriptionHTML = html
		eps[0].Chapters[1].Title = chapter
		eps[1].Summary = summary
		s.Description = summary
		out, err := feed.Build(s, eps)
		if err != nil {
			if !errors.Is(err, feed.ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		doc := decode(t, out)
		if n := len(doc.Channel.Items); n != 2 {
			t.Fatalf("%d items, want 2", n)
		}
		it := doc.Channel.Items[0]
		if want := readBack(title); it.Title != want {
			t.Errorf("title %q reads back as %q", want, it.Title)
		}
		if want := readBack(chapter); it.PSC.Chapters[1].Title != want {
			t.Errorf("chapter %q reads back as %q", want, it.PSC.Chapters[1].Title)
		}
		if it.Description != it.Content {
			t.Errorf("description %q != content:encoded %q", it.Description, it.Content)
		}
	})
}

// readBack is s as an XML parser returns it from the feed: each character
// XML cannot hold, and each byte of invalid UTF-8, replaced by U+FFFD.
func readBack(s string) string {
	var b strings.Builder
	for i, r := range s {
		ok := r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
		if r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD") {
			ok = false
		}
		if !ok {
			r = '\uFFFD'
		}
		b.WriteRune(r)
	}
	return b.String()
}
