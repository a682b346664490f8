package feed_test

// Tests that read the feed with the parsers real podcast apps use: Debian's
// python3-feedparser, python3-podcastparser (gPodder's parser) and the npm
// package podcast-partytime (Podcasting 2.0's reference parser). Each runs
// as a program and prints JSON, which the test compares with the input.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/readcast/readcast/feed"
)

// python3 is Debian's interpreter, which has Debian's parser packages.
const python3 = "/usr/bin/python3"

// missing skips the test locally, or fails it when CI is set, saying how to
// install what is missing: a tool must never pass CI by being absent.
func missing(tb testing.TB, what, install string) {
	tb.Helper()
	msg := what + " is missing: " + install
	if os.Getenv("CI") != "" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
}

// needPython returns python3 once it can import module, from the Debian
// package debPackage.
func needPython(tb testing.TB, module, debPackage string) string {
	tb.Helper()
	install := "apt-get install -y " + debPackage
	if _, err := os.Stat(python3); err != nil {
		missing(tb, python3, install)
	}
	if out, err := exec.Command(python3, "-c", "import "+module).CombinedOutput(); err != nil {
		missing(tb, "python module "+module, install+" ("+string(bytes.TrimSpace(out))+")")
	}
	return python3
}

// needPartytime returns the path of node once podcast-partytime is
// installed in testdata/node.
func needPartytime(tb testing.TB) string {
	tb.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		missing(tb, "node", "apt-get install -y nodejs npm")
	}
	if _, err := os.Stat(filepath.Join("testdata", "node", "node_modules", "podcast-partytime")); err != nil {
		missing(tb, "podcast-partytime", "npm ci --prefix feed/testdata/node")
	}
	return node
}

// runJSON runs a program and decodes what it prints into v.
func runJSON(tb testing.TB, v any, env []string, name string, args ...string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("%s %v: %v\n%s", name, args, err, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), v); err != nil {
		tb.Fatalf("%s %v printed no JSON: %v\n%s\n%s", name, args, err, stdout.String(), stderr.String())
	}
}

// writeFixture writes the fixture's feed to a temporary file.
func writeFixture(tb testing.TB) (feed.Show, []feed.Episode, string) {
	tb.Helper()
	s, eps := fixture()
	path := filepath.Join(tb.TempDir(), "feed.xml")
	if err := os.WriteFile(path, build(tb, s, eps), 0o644); err != nil {
		tb.Fatal(err)
	}
	return s, eps, path
}

// seconds is itunes:duration as Build writes it.
func seconds(d time.Duration) int { return int(d.Round(time.Second) / time.Second) }

func TestFeedparserReadsFeed(t *testing.T) {
	py := needPython(t, "feedparser", "python3-feedparser")
	s, eps, path := writeFixture(t)
	type attrs map[string]string
	var got struct {
		Version       string `json:"version"`
		FeedVersion   string `json:"feed_version"`
		Bozo          bool   `json:"bozo"`
		BozoException string `json:"bozo_exception"`
		ITunesType    string `json:"itunes_type"`
		PodcastGUID   string `json:"podcast_guid"`
		PodcastLocked attrs  `json:"podcast_locked"`
		PodcastTxt    attrs  `json:"podcast_txt"`
		Image         string `json:"image"`
		Entries       []struct {
			ID         string `json:"id"`
			GUIDIsLink bool   `json:"guidislink"`
			Title      string `json:"title"`
			Published  string `json:"published"`
			Enclosures []struct {
				Href, Length, Type string
			} `json:"enclosures"`
			Duration          string `json:"itunes_duration"`
			Episode           string `json:"itunes_episode"`
			EpisodeType       string `json:"itunes_episodetype"`
			PodcastTranscript attrs  `json:"podcast_transcript"`
			PodcastChapters   attrs  `json:"podcast_chapters"`
			PodcastTxt        attrs  `json:"podcast_txt"`
			PSCChapters       []struct {
				Start, Title string
			} `json:"psc_chapters"`
			ContentType string `json:"content_type"`
			Content     string `json:"content"`
		} `json:"entries"`
	}
	runJSON(t, &got, nil, py, filepath.Join("testdata", "parsers", "feedparser_check.py"), path)
	t.Logf("feedparser %s read %d entries", got.Version, len(got.Entries))

	if got.Bozo || got.FeedVersion != "rss20" {
		t.Errorf("feedparser: bozo %v (%s), version %q; want a clean rss20 feed", got.Bozo, got.BozoException, got.FeedVersion)
	}
	if got.ITunesType != "serial" || got.Image != s.ImageURL {
		t.Errorf("itunes_type %q, image %q", got.ITunesType, got.Image)
	}
	if got.PodcastGUID != feed.GUID(s.FeedURL) {
		t.Errorf("podcast_guid %q, want %q", got.PodcastGUID, feed.GUID(s.FeedURL))
	}
	// feedparser keeps an unknown element's attributes but not its text.
	if got.PodcastLocked["owner"] != s.OwnerEmail {
		t.Errorf("podcast_locked %v, want owner %q", got.PodcastLocked, s.OwnerEmail)
	}
	if got.PodcastTxt["purpose"] != feed.PurposeAIContent {
		t.Errorf("podcast_txt %v, want purpose %q", got.PodcastTxt, feed.PurposeAIContent)
	}
	if len(got.Entries) != len(eps) {
		t.Fatalf("feedparser read %d entries, want %d", len(got.Entries), len(eps))
	}
	for i, g := range got.Entries {
		e := eps[i]
		if g.ID != e.GUID || g.GUIDIsLink || g.Title != e.Title {
			t.Errorf("entry %d: id %q (guidislink %v), title %q; want %q, false, %q", i, g.ID, g.GUIDIsLink, g.Title, e.GUID, e.Title)
		}
		if pub, err := time.Parse(time.RFC1123Z, g.Published); err != nil || !pub.Equal(e.Published) {
			t.Errorf("entry %d: published %q, want %v (%v)", i, g.Published, e.Published, err)
		}
		if len(g.Enclosures) != 1 || g.Enclosures[0].Href != e.Enclosure.URL ||
			g.Enclosures[0].Length != strconv.FormatInt(e.Enclosure.Length, 10) || g.Enclosures[0].Type != e.Enclosure.Type {
			t.Errorf("entry %d: enclosures %+v, want %+v", i, g.Enclosures, e.Enclosure)
		}
		if g.Duration != strconv.Itoa(seconds(e.Duration)) {
			t.Errorf("entry %d: itunes_duration %q, want %d", i, g.Duration, seconds(e.Duration))
		}
		wantNumber := ""
		if e.Number > 0 {
			wantNumber = strconv.Itoa(e.Number)
		}
		if g.Episode != wantNumber || g.EpisodeType == "" {
			t.Errorf("entry %d: itunes_episode %q, itunes_episodetype %q", i, g.Episode, g.EpisodeType)
		}
		if g.ContentType != "text/html" || g.Content == "" {
			t.Errorf("entry %d: content %q of type %q", i, g.Content, g.ContentType)
		}
		if g.PodcastTxt["purpose"] != feed.PurposeAIContent {
			t.Errorf("entry %d: podcast_txt %v", i, g.PodcastTxt)
		}
		if e.ChaptersURL != "" && (g.PodcastChapters["url"] != e.ChaptersURL || g.PodcastChapters["type"] != feed.TypeChapters) {
			t.Errorf("entry %d: podcast_chapters %v, want %s", i, g.PodcastChapters, e.ChaptersURL)
		}
		// feedparser keeps one podcast:transcript per item: the last.
		if n := len(e.Transcripts); n > 0 {
			last := e.Transcripts[n-1]
			if g.PodcastTranscript["url"] != last.URL || g.PodcastTranscript["type"] != last.Type || g.PodcastTranscript["language"] != "en" {
				t.Errorf("entry %d: podcast_transcript %v, want %+v", i, g.PodcastTranscript, last)
			}
		}
		if len(g.PSCChapters) != len(e.Chapters) {
			t.Errorf("entry %d: %d psc chapters, want %d", i, len(g.PSCChapters), len(e.Chapters))
			continue
		}
		for j, c := range g.PSCChapters {
			ms := e.Chapters[j].Start.Milliseconds()
			start := time.Duration(ms) * time.Millisecond
			if c.Title != e.Chapters[j].Title || c.Start != npt(start) {
				t.Errorf("entry %d chapter %d: %+v, want %s %q", i, j, c, npt(start), e.Chapters[j].Title)
			}
		}
	}
}

// npt is HH:MM:SS.mmm.
func npt(d time.Duration) string {
	ms := d.Milliseconds()
	return pad(ms/3600000) + ":" + pad(ms/60000%60) + ":" + pad(ms/1000%60) + "." + strconv.FormatInt(1000+ms%1000, 10)[1:]
}

func pad(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

func TestPodcastparserReadsFeed(t *testing.T) {
	py := needPython(t, "podcastparser", "python3-podcastparser")
	s, eps, path := writeFixture(t)
	var got struct {
		Version    string     `json:"version"`
		Title      string     `json:"title"`
		Type       string     `json:"type"`
		Explicit   bool       `json:"explicit"`
		CoverURL   string     `json:"cover_url"`
		Categories [][]string `json:"itunes_categories"`
		Owner      struct {
			Name, Email string
		} `json:"itunes_owner"`
		Episodes []struct {
			GUID       string `json:"guid"`
			Title      string `json:"title"`
			Published  int64  `json:"published"`
			TotalTime  int    `json:"total_time"`
			Number     int    `json:"number"`
			Type       string `json:"type"`
			Enclosures []struct {
				URL      string `json:"url"`
				FileSize int64  `json:"file_size"`
				MimeType string `json:"mime_type"`
			} `json:"enclosures"`
			Chapters []struct {
				Start int    `json:"start"`
				Title string `json:"title"`
			} `json:"chapters"`
			DescriptionHTML string `json:"description_html"`
		} `json:"episodes"`
	}
	runJSON(t, &got, nil, py, filepath.Join("testdata", "parsers", "podcastparser_check.py"), path, s.FeedURL)
	t.Logf("podcastparser %s read %d episodes", got.Version, len(got.Episodes))

	if got.Title != s.Title || got.Type != "serial" || got.Explicit || got.CoverURL != s.ImageURL {
		t.Errorf("podcast: title %q, type %q, explicit %v, cover %q", got.Title, got.Type, got.Explicit, got.CoverURL)
	}
	if got.Owner.Name != s.OwnerName || got.Owner.Email != s.OwnerEmail {
		t.Errorf("itunes_owner %+v", got.Owner)
	}
	if len(got.Categories) != 2 || len(got.Categories[1]) != 2 || got.Categories[1][1] != "Personal Journals" {
		t.Errorf("itunes_categories %v", got.Categories)
	}
	if len(got.Episodes) != len(eps) {
		t.Fatalf("podcastparser read %d episodes, want %d", len(got.Episodes), len(eps))
	}
	byGUID := make(map[string]int)
	for i, g := range got.Episodes {
		byGUID[g.GUID] = i
	}
	for _, e := range eps {
		i, ok := byGUID[e.GUID]
		if !ok {
			t.Errorf("episode %s: not read", e.GUID)
			continue
		}
		g := got.Episodes[i]
		if g.Title != e.Title || g.Published != e.Published.Unix() || g.TotalTime != seconds(e.Duration) || g.Number != e.Number {
			t.Errorf("episode %s: title %q, published %d, total_time %d, number %d; want %q, %d, %d, %d",
				e.GUID, g.Title, g.Published, g.TotalTime, g.Number, e.Title, e.Published.Unix(), seconds(e.Duration), e.Number)
		}
		if len(g.Enclosures) != 1 || g.Enclosures[0].URL != e.Enclosure.URL || g.Enclosures[0].FileSize != e.Enclosure.Length || g.Enclosures[0].MimeType != e.Enclosure.Type {
			t.Errorf("episode %s: enclosures %+v", e.GUID, g.Enclosures)
		}
		if g.DescriptionHTML == "" {
			t.Errorf("episode %s: no description_html", e.GUID)
		}
		if len(g.Chapters) != len(e.Chapters) {
			t.Errorf("episode %s: %d chapters from psc, want %d", e.GUID, len(g.Chapters), len(e.Chapters))
			continue
		}
		for j, c := range g.Chapters {
			// podcastparser truncates psc start times to whole seconds.
			if want := int(e.Chapters[j].Start / time.Second); c.Start != want || c.Title != e.Chapters[j].Title {
				t.Errorf("episode %s chapter %d: %+v, want %d %q", e.GUID, j, c, want, e.Chapters[j].Title)
			}
		}
	}
}

func TestPartytimeReadsFeed(t *testing.T) {
	node := needPartytime(t)
	s, eps, path := writeFixture(t)
	type transcript struct {
		URL, Type, Language, Rel string
	}
	var got struct {
		Version string `json:"version"`
		Channel struct {
			GUID         string `json:"guid"`
			Locked       *bool  `json:"locked"`
			PodcastOwner string `json:"podcastOwner"`
			ITunesType   string `json:"itunesType"`
			PodcastTxt   []struct {
				Value, Purpose string
			} `json:"podcastTxt"`
			Owner struct {
				Name, Email string
			} `json:"owner"`
		} `json:"channel"`
		Items []struct {
			GUID      string `json:"guid"`
			Duration  int    `json:"duration"`
			Episode   int    `json:"itunesEpisode"`
			Enclosure struct {
				URL    string `json:"url"`
				Length int64  `json:"length"`
				Type   string `json:"type"`
			} `json:"enclosure"`
			Transcripts []transcript `json:"podcastTranscripts"`
			Chapters    *struct {
				URL, Type string
			} `json:"podcastChapters"`
			PodcastTxt []struct {
				Value, Purpose string
			} `json:"podcastTxt"`
		} `json:"items"`
	}
	runJSON(t, &got, []string{"LOG=silent"}, node, filepath.Join("testdata", "node", "check.cjs"), path)
	t.Logf("podcast-partytime %s read %d items", got.Version, len(got.Items))

	ch := got.Channel
	if ch.GUID != feed.GUID(s.FeedURL) {
		t.Errorf("guid %q, want %q", ch.GUID, feed.GUID(s.FeedURL))
	}
	if ch.Locked == nil || !*ch.Locked || ch.PodcastOwner != s.OwnerEmail {
		t.Errorf("locked %v, podcastOwner %q; want true, %q", ch.Locked, ch.PodcastOwner, s.OwnerEmail)
	}
	if len(ch.PodcastTxt) != 1 || ch.PodcastTxt[0].Purpose != feed.PurposeAIContent || ch.PodcastTxt[0].Value == "" {
		t.Errorf("podcastTxt %+v", ch.PodcastTxt)
	}
	if ch.ITunesType != "serial" || ch.Owner.Email != s.OwnerEmail {
		t.Errorf("itunesType %q, owner %+v", ch.ITunesType, ch.Owner)
	}
	if len(got.Items) != len(eps) {
		t.Fatalf("partytime read %d items, want %d", len(got.Items), len(eps))
	}
	// Partytime names SubRip by its older MIME type.
	partytimeType := map[string]string{feed.TypeSRT: "application/srt"}
	for i, g := range got.Items {
		e := eps[i]
		if g.GUID != e.GUID || g.Duration != seconds(e.Duration) || g.Episode != e.Number {
			t.Errorf("item %d: guid %q, duration %d, episode %d", i, g.GUID, g.Duration, g.Episode)
		}
		if g.Enclosure.URL != e.Enclosure.URL || g.Enclosure.Length != e.Enclosure.Length || g.Enclosure.Type != e.Enclosure.Type {
			t.Errorf("item %d: enclosure %+v", i, g.Enclosure)
		}
		if len(g.Transcripts) != len(e.Transcripts) {
			t.Errorf("item %d: %d transcripts, want %d: %+v", i, len(g.Transcripts), len(e.Transcripts), g.Transcripts)
			continue
		}
		for j, tr := range g.Transcripts {
			want := transcript{URL: e.Transcripts[j].URL, Type: e.Transcripts[j].Type, Language: "en"}
			if pt, ok := partytimeType[want.Type]; ok {
				want.Type = pt
			}
			if want.Type != feed.TypeHTML {
				want.Rel = feed.RelCaptions
			}
			if tr != want {
				t.Errorf("item %d transcript %d: %+v, want %+v", i, j, tr, want)
			}
		}
		if e.ChaptersURL != "" && (g.Chapters == nil || g.Chapters.URL != e.ChaptersURL || g.Chapters.Type != feed.TypeChapters) {
			t.Errorf("item %d: podcastChapters %+v, want %s", i, g.Chapters, e.ChaptersURL)
		}
		if len(g.PodcastTxt) != 1 || g.PodcastTxt[0].Purpose != feed.PurposeAIContent {
			t.Errorf("item %d: podcastTxt %+v", i, g.PodcastTxt)
		}
	}
}

// TestMissingToolFailsInCI checks the rule the parser tests follow.
func TestMissingToolFailsInCI(t *testing.T) {
	if os.Getenv("FEED_TEST_MISSING_CHILD") == "1" {
		missing(t, "a tool", "install it")
		return
	}
	for _, ci := range []string{"", "true"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestMissingToolFailsInCI$", "-test.v")
		cmd.Env = append(os.Environ(), "FEED_TEST_MISSING_CHILD=1", "CI="+ci)
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		failed := errors.As(err, &exit)
		if failed != (ci != "") || !bytes.Contains(out, []byte("a tool is missing: install it")) {
			t.Errorf("CI=%q: failed %v, want %v:\n%s", ci, failed, ci != "", out)
		}
	}
}
