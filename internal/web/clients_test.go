package web

// Tests that point real podcast clients at the real server (issue 4,
// acceptance 1–4): gPodder, Debian's feedparser and podcastparser,
// podcast-partytime, podget and newsboat/podboat. Each serves the seed show
// from episodes/ on 127.0.0.1, runs the client as a program with its own
// HOME and configuration in a temporary directory, and compares what the
// client read or downloaded with the catalog snapshot and the recorded files.
//
// Where a client cannot represent something the feed says, the test asserts
// that limit explicitly, with a comment naming where it comes from, so a
// client upgrade that lifts it shows up as a failure to revisit.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/readcast/readcast/feed"
	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/testtool"
)

// clientTimeout bounds every client run: the seed show downloads from
// loopback in about a second, so a minute means a client is stuck.
const clientTimeout = time.Minute

// clientPython is Debian's interpreter, the one that has Debian's
// python3-feedparser, python3-podcastparser and gPodder.
const clientPython = "/usr/bin/python3"

// partytimeDir holds the npm install of podcast-partytime (package-lock.json
// committed; scripts/setup runs npm ci there).
const partytimeDir = "../../feed/testdata/node"

// seedShow is the seed show served on loopback, with what every client
// should read from it.
type seedShow struct {
	snap     *catalog.Snapshot
	feedURL  string
	episodes []wantEpisode // in reading order
}

// wantEpisode is what the feed publishes for one episode, from the snapshot.
type wantEpisode struct {
	GUID      string
	Title     string // the outline's
	Number    int
	Published int64 // Unix seconds
	// Seconds is itunes:duration: the probed duration, rounded.
	Seconds     int
	AudioURL    string
	Size        int64
	File        string // the recorded MP3 in episodes/audio
	SHA256      string // of File, read from disk
	Chapters    []wantChapter
	ChaptersDoc *catalog.Asset
	ChaptersURL string
	Transcripts []catalog.Transcript
}

// wantChapter is one chapter: its title from the outline, its start from
// the recording's timing, in milliseconds as psc:chapters states it.
type wantChapter struct {
	Title   string
	StartMS int64
}

// startSeedShow serves the seed show and lists what it publishes. Every
// episode of the outline must be recorded: the clients must get all of them.
func startSeedShow(tb testing.TB) seedShow {
	tb.Helper()
	ts, srv := newTestServer(tb)
	snap := srv.Snapshot()
	if snap.BaseURL != ts.URL {
		tb.Fatalf("snapshot base URL %q, server %q", snap.BaseURL, ts.URL)
	}
	s := seedShow{snap: snap, feedURL: snap.BaseURL + catalog.FeedPath}
	if len(snap.Episodes) == 0 {
		tb.Fatal("the seed show has no episodes")
	}
	for _, e := range snap.Episodes {
		if e.Audio == nil || e.ChaptersDoc == nil {
			tb.Fatalf("seed episode %s is not recorded (audio %v, chapters %v)", e.Slug(), e.Audio != nil, e.ChaptersDoc != nil)
		}
		if len(e.Chapters) != len(e.Outline.Chapters) {
			tb.Fatalf("seed episode %s: %d timed chapters, the outline has %d", e.Slug(), len(e.Chapters), len(e.Outline.Chapters))
		}
		w := wantEpisode{
			GUID: e.GUID, Title: e.Outline.Title, Number: e.Outline.Number, Published: e.Published.Unix(),
			Seconds:  int(math.Round(e.Info.Duration)),
			AudioURL: snap.BaseURL + e.Audio.Path, Size: e.Audio.Size, File: e.Audio.File,
			SHA256:      fileSHA256(tb, e.Audio.File),
			ChaptersDoc: e.ChaptersDoc, ChaptersURL: snap.BaseURL + e.ChaptersDoc.Path,
			Transcripts: e.Transcripts,
		}
		for i, c := range e.Chapters {
			w.Chapters = append(w.Chapters, wantChapter{Title: e.Outline.Chapters[i].Title, StartMS: int64(math.Round(c.Start * 1000))})
		}
		s.episodes = append(s.episodes, w)
	}
	return s
}

// byGUID indexes what a client read by GUID, failing on a duplicate and on
// a count that is not the show's.
func byGUID[T any](tb testing.TB, s seedShow, client string, got []T, guid func(T) string) map[string]T {
	tb.Helper()
	m := make(map[string]T, len(got))
	for _, g := range got {
		id := guid(g)
		if _, dup := m[id]; dup {
			tb.Errorf("%s read episode %q twice", client, id)
		}
		m[id] = g
	}
	if len(got) != len(s.episodes) {
		tb.Errorf("%s read %d episodes, the show has %d", client, len(got), len(s.episodes))
	}
	return m
}

func fileSHA256(tb testing.TB, name string) string {
	tb.Helper()
	f, err := os.Open(name)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// clientMissing skips locally, or fails under CI, as testtool.Require does
// for a program, for what Require cannot look for (a module, an npm package).
func clientMissing(tb testing.TB, msg string) {
	tb.Helper()
	if os.Getenv("CI") != "" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
}

// requirePython returns Debian's python3 once it can import module.
func requirePython(tb testing.TB, module, debianPackage string) string {
	tb.Helper()
	py := testtool.Require(tb, clientPython, "python3")
	if out, err := exec.Command(py, "-c", "import "+module).CombinedOutput(); err != nil {
		clientMissing(tb, "python module "+module+" not found: install the Debian package "+debianPackage+
			" (scripts/setup installs every test tool): "+string(bytes.TrimSpace(out)))
	}
	return py
}

// clientEnv is the whole environment of a client: its own HOME and XDG
// directories under home, no proxy (it talks to 127.0.0.1 only), and extra.
func clientEnv(home string, extra ...string) []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"TMPDIR=" + home,
		"LANG=C.UTF-8",
		"TERM=dumb",
		"NO_PROXY=127.0.0.1,localhost",
		"no_proxy=127.0.0.1,localhost",
	}
	return append(env, extra...)
}

// runClient runs a client to completion within clientTimeout and returns
// what it printed on stdout; it fails the test with both outputs otherwise.
func runClient(tb testing.TB, env []string, name string, args ...string) []byte {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	cmd.Dir = envValue(env, "HOME")
	// A grandchild that keeps stdout open must not hang the test.
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	tb.Logf("%s %s: %v", filepath.Base(name), strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	if err != nil {
		tb.Fatalf("%s %s: %v (context: %v)\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err, ctx.Err(), stdout.String(), stderr.String())
	}
	return stdout.Bytes()
}

// runClientJSON runs a client script that prints JSON and decodes it into v.
func runClientJSON(tb testing.TB, v any, env []string, name string, args ...string) {
	tb.Helper()
	out := runClient(tb, env, name, args...)
	if err := json.Unmarshal(out, v); err != nil {
		tb.Fatalf("%s %s printed no JSON: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func envValue(env []string, key string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			return v
		}
	}
	return ""
}

// clientScript is the absolute path of a script in testdata/clients (the
// clients run in their own HOME, not in the package directory).
func clientScript(tb testing.TB, name string) string {
	tb.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", "clients", name))
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// checkDownloads asserts that dir holds exactly one file per episode, named
// as its enclosure URL, byte-identical to the recorded MP3 in episodes/.
func checkDownloads(tb testing.TB, s seedShow, client, dir string) {
	tb.Helper()
	found := map[string]string{} // base name → path
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.HasSuffix(p, ".mp3") {
			found[filepath.Base(p)] = p
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range s.episodes {
		name := path.Base(e.AudioURL)
		p, ok := found[name]
		if !ok {
			tb.Errorf("%s did not download %s (found %v)", client, name, keys(found))
			continue
		}
		delete(found, name)
		if got := fileSHA256(tb, p); got != e.SHA256 {
			fi, _ := os.Stat(p)
			tb.Errorf("%s downloaded %s with sha256 %s (%d bytes); %s has %s (%d bytes)", client, name, got, fi.Size(), e.File, e.SHA256, e.Size)
		}
	}
	if len(found) > 0 {
		tb.Errorf("%s downloaded files the feed does not list: %v", client, keys(found))
	}
}

func keys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

// gpodderStateDownloaded is gPodder's episode state for a downloaded file
// (gpodder.STATE_DOWNLOADED).
const gpodderStateDownloaded = 1

// TestGPodderSubscribesAndDownloadsEveryEpisode proves acceptance 1: gPodder's
// command line (gpo subscribe, update, download, with an isolated
// GPODDER_HOME) gets every episode with the outline's titles, the item GUIDs,
// the durations and the chapters, and the files it saves are byte-identical
// to episodes/audio.
func TestGPodderSubscribesAndDownloadsEveryEpisode(t *testing.T) {
	t.Parallel()
	gpo := testtool.Require(t, "gpo", "gpodder")
	py := requirePython(t, "sqlite3", "python3")
	s := startSeedShow(t)
	home := t.TempDir()
	gpodderHome, downloads := filepath.Join(home, "gpodder"), filepath.Join(home, "downloads")
	env := clientEnv(home, "GPODDER_HOME="+gpodderHome, "GPODDER_DOWNLOAD_DIR="+downloads)

	runClient(t, env, gpo, "subscribe", s.feedURL)
	out := runClient(t, env, gpo, "update")
	if want := fmt.Sprintf("%d new episodes", len(s.episodes)); !bytes.Contains(out, []byte(want)) {
		t.Errorf("gpo update printed no %q:\n%s", want, out)
	}
	out = runClient(t, env, gpo, "download")
	if want := fmt.Sprintf("%d episodes downloaded", len(s.episodes)); !bytes.Contains(out, []byte(want)) {
		t.Errorf("gpo download printed no %q:\n%s", want, out)
	}

	type episode struct {
		GUID             string `json:"guid"`
		Title            string `json:"title"`
		URL              string `json:"url"`
		FileSize         int64  `json:"file_size"`
		MimeType         string `json:"mime_type"`
		State            int    `json:"state"`
		Published        int64  `json:"published"`
		TotalTime        int    `json:"total_time"`
		DownloadFilename string `json:"download_filename"`
		Chapters         []struct {
			Start int    `json:"start"`
			Title string `json:"title"`
		} `json:"chapters"`
	}
	var got struct {
		Podcasts []struct {
			Title    string `json:"title"`
			URL      string `json:"url"`
			CoverURL string `json:"cover_url"`
		} `json:"podcasts"`
		Episodes []episode `json:"episodes"`
	}
	runClientJSON(t, &got, env, py, clientScript(t, "gpodder_db.py"), filepath.Join(gpodderHome, "Database"))
	if len(got.Podcasts) != 1 || got.Podcasts[0].Title != s.snap.Show.Title || got.Podcasts[0].URL != s.feedURL ||
		got.Podcasts[0].CoverURL != s.snap.BaseURL+s.snap.Cover.Path {
		t.Errorf("gPodder podcasts %+v, want one titled %q at %s with cover %s", got.Podcasts, s.snap.Show.Title, s.feedURL, s.snap.BaseURL+s.snap.Cover.Path)
	}
	chapters := 0
	eps := byGUID(t, s, "gPodder", got.Episodes, func(e episode) string { return e.GUID })
	for _, w := range s.episodes {
		g, ok := eps[w.GUID]
		if !ok {
			t.Errorf("gPodder has no episode %s", w.GUID)
			continue
		}
		if g.Title != w.Title || g.TotalTime != w.Seconds || g.Published != w.Published {
			t.Errorf("gPodder episode %s: title %q, total_time %d, published %d; want %q, %d, %d",
				w.GUID, g.Title, g.TotalTime, g.Published, w.Title, w.Seconds, w.Published)
		}
		if g.URL != w.AudioURL || g.FileSize != w.Size || g.MimeType != catalog.TypeMP3 {
			t.Errorf("gPodder episode %s: enclosure %s, %d bytes, %s; want %s, %d, %s", w.GUID, g.URL, g.FileSize, g.MimeType, w.AudioURL, w.Size, catalog.TypeMP3)
		}
		if g.State != gpodderStateDownloaded || g.DownloadFilename != path.Base(w.AudioURL) {
			t.Errorf("gPodder episode %s: state %d, file %q; want downloaded (%d) as %q", w.GUID, g.State, g.DownloadFilename, gpodderStateDownloaded, path.Base(w.AudioURL))
		}
		// gPodder reads only psc:chapters, through podcastparser, whose
		// parse_time keeps whole seconds: 00:00:40.644 is 40.
		if len(g.Chapters) != len(w.Chapters) {
			t.Errorf("gPodder episode %s: %d chapters %+v, want %d", w.GUID, len(g.Chapters), g.Chapters, len(w.Chapters))
			continue
		}
		chapters += len(g.Chapters)
		for j, c := range g.Chapters {
			if want := w.Chapters[j]; c.Title != want.Title || int64(c.Start) != want.StartMS/1000 {
				t.Errorf("gPodder episode %s chapter %d: %d %q, want %d %q", w.GUID, j+1, c.Start, c.Title, want.StartMS/1000, want.Title)
			}
		}
	}
	t.Logf("gPodder read %d episodes with %d chapters", len(got.Episodes), chapters)
	checkDownloads(t, s, "gPodder", downloads)
}

// TestFeedparserReadsLiveFeed proves acceptance 2 for feedparser: fetching
// the feed from the server itself, it reads every episode with its
// enclosure, duration and psc:chapters, the channel's podcast:guid and
// podcast:locked owner, and each item's chapters and a transcript.
func TestFeedparserReadsLiveFeed(t *testing.T) {
	t.Parallel()
	py := requirePython(t, "feedparser", "python3-feedparser")
	s := startSeedShow(t)
	type attrs map[string]string
	type entry struct {
		ID         string `json:"id"`
		GUIDIsLink bool   `json:"guidislink"`
		Title      string `json:"title"`
		Enclosures []struct {
			Href, Length, Type string
		} `json:"enclosures"`
		Duration          string `json:"itunes_duration"`
		PodcastTranscript attrs  `json:"podcast_transcript"`
		PodcastChapters   attrs  `json:"podcast_chapters"`
		PSCChapters       []struct {
			Start   string `json:"start"`
			StartMS *int64 `json:"start_ms"`
			Title   string `json:"title"`
		} `json:"psc_chapters"`
	}
	var got struct {
		Version       string  `json:"version"`
		Status        int     `json:"status"`
		ContentType   string  `json:"content_type"`
		FeedVersion   string  `json:"feed_version"`
		Bozo          bool    `json:"bozo"`
		BozoException string  `json:"bozo_exception"`
		PodcastGUID   string  `json:"podcast_guid"`
		PodcastLocked attrs   `json:"podcast_locked"`
		Entries       []entry `json:"entries"`
	}
	runClientJSON(t, &got, clientEnv(t.TempDir()), py, clientScript(t, "feedparser_live.py"), s.feedURL)

	if got.Status != 200 || got.Bozo || got.FeedVersion != "rss20" {
		t.Errorf("feedparser %s: status %d, bozo %v (%s), version %q; want 200 and a clean rss20 feed",
			got.Version, got.Status, got.Bozo, got.BozoException, got.FeedVersion)
	}
	if mt, _, _ := mime.ParseMediaType(got.ContentType); mt != "application/rss+xml" {
		t.Errorf("feedparser got Content-Type %q, want application/rss+xml", got.ContentType)
	}
	if want := feed.GUID(s.feedURL); got.PodcastGUID != want {
		t.Errorf("feedparser podcast_guid %q, want %q", got.PodcastGUID, want)
	}
	// feedparser keeps an unknown element that has attributes as the dict
	// of its attributes and drops its text: podcast:locked's "yes" is not
	// visible to it, its owner is.
	if got.PodcastLocked["owner"] != s.snap.Show.Owner.Email {
		t.Errorf("feedparser podcast_locked %v, want owner %q", got.PodcastLocked, s.snap.Show.Owner.Email)
	}
	entries := byGUID(t, s, "feedparser", got.Entries, func(e entry) string { return e.ID })
	chapters := 0
	for _, w := range s.episodes {
		g, ok := entries[w.GUID]
		if !ok {
			t.Errorf("feedparser has no entry %s", w.GUID)
			continue
		}
		if g.GUIDIsLink || g.Title != w.Title || g.Duration != strconv.Itoa(w.Seconds) {
			t.Errorf("feedparser entry %s: guidislink %v, title %q, itunes_duration %q; want false, %q, %d", w.GUID, g.GUIDIsLink, g.Title, g.Duration, w.Title, w.Seconds)
		}
		if len(g.Enclosures) != 1 || g.Enclosures[0].Href != w.AudioURL || g.Enclosures[0].Length != strconv.FormatInt(w.Size, 10) || g.Enclosures[0].Type != catalog.TypeMP3 {
			t.Errorf("feedparser entry %s: enclosures %+v, want %s, %d, %s", w.GUID, g.Enclosures, w.AudioURL, w.Size, catalog.TypeMP3)
		}
		if g.PodcastChapters["url"] != w.ChaptersURL || g.PodcastChapters["type"] != feed.TypeChapters {
			t.Errorf("feedparser entry %s: podcast_chapters %v, want %s (%s)", w.GUID, g.PodcastChapters, w.ChaptersURL, feed.TypeChapters)
		}
		// The same rule keeps one podcast:transcript per entry, the last
		// in document order: the HTML transcript. The other three are in
		// the feed (Partytime reads all four) but feedparser cannot list
		// them.
		last := w.Transcripts[len(w.Transcripts)-1]
		if last.Format != "html" || g.PodcastTranscript["url"] != s.snap.BaseURL+last.Asset.Path ||
			g.PodcastTranscript["type"] != feed.TypeHTML || g.PodcastTranscript["language"] != s.snap.Show.Language {
			t.Errorf("feedparser entry %s: podcast_transcript %v, want the last, HTML one, %s", w.GUID, g.PodcastTranscript, s.snap.BaseURL+last.Asset.Path)
		}
		if len(g.PSCChapters) != len(w.Chapters) {
			t.Errorf("feedparser entry %s: %d psc chapters, want %d", w.GUID, len(g.PSCChapters), len(w.Chapters))
			continue
		}
		chapters += len(g.PSCChapters)
		for j, c := range g.PSCChapters {
			// start_ms is feedparser's own parse of the start (nil when
			// its HH:MM:SS.mmm pattern does not match).
			if want := w.Chapters[j]; c.Title != want.Title || c.StartMS == nil || *c.StartMS != want.StartMS {
				parsed := "unparsed"
				if c.StartMS != nil {
					parsed = strconv.FormatInt(*c.StartMS, 10) + " ms"
				}
				t.Errorf("feedparser entry %s chapter %d: %q at %q (%s), want %q at %d ms", w.GUID, j+1, c.Title, c.Start, parsed, want.Title, want.StartMS)
			}
		}
	}
	t.Logf("feedparser %s read %d entries with %d psc chapters", got.Version, len(got.Entries), chapters)
}

// TestPodcastparserReadsLiveFeed proves acceptance 2 for podcastparser,
// gPodder's parser, on the feed as the server sends it: every episode, its
// enclosure, duration, number and psc:chapters.
func TestPodcastparserReadsLiveFeed(t *testing.T) {
	t.Parallel()
	py := requirePython(t, "podcastparser", "python3-podcastparser")
	s := startSeedShow(t)
	type episode struct {
		GUID       string `json:"guid"`
		Title      string `json:"title"`
		Published  int64  `json:"published"`
		TotalTime  int    `json:"total_time"`
		Number     int    `json:"number"`
		Enclosures []struct {
			URL      string `json:"url"`
			FileSize int64  `json:"file_size"`
			MimeType string `json:"mime_type"`
		} `json:"enclosures"`
		Chapters []struct {
			Start int    `json:"start"`
			Title string `json:"title"`
		} `json:"chapters"`
	}
	var got struct {
		Version     string    `json:"version"`
		Status      int       `json:"status"`
		ContentType string    `json:"content_type"`
		Title       string    `json:"title"`
		Type        string    `json:"type"`
		CoverURL    string    `json:"cover_url"`
		Episodes    []episode `json:"episodes"`
	}
	runClientJSON(t, &got, clientEnv(t.TempDir()), py, clientScript(t, "podcastparser_live.py"), s.feedURL)

	if got.Status != 200 || got.Title != s.snap.Show.Title || got.Type != "serial" || got.CoverURL != s.snap.BaseURL+s.snap.Cover.Path {
		t.Errorf("podcastparser %s: status %d, title %q, type %q, cover %q", got.Version, got.Status, got.Title, got.Type, got.CoverURL)
	}
	eps := byGUID(t, s, "podcastparser", got.Episodes, func(e episode) string { return e.GUID })
	chapters := 0
	for _, w := range s.episodes {
		g, ok := eps[w.GUID]
		if !ok {
			t.Errorf("podcastparser has no episode %s", w.GUID)
			continue
		}
		if g.Title != w.Title || g.TotalTime != w.Seconds || g.Number != w.Number || g.Published != w.Published {
			t.Errorf("podcastparser episode %s: title %q, total_time %d, number %d, published %d; want %q, %d, %d, %d",
				w.GUID, g.Title, g.TotalTime, g.Number, g.Published, w.Title, w.Seconds, w.Number, w.Published)
		}
		if len(g.Enclosures) != 1 || g.Enclosures[0].URL != w.AudioURL || g.Enclosures[0].FileSize != w.Size || g.Enclosures[0].MimeType != catalog.TypeMP3 {
			t.Errorf("podcastparser episode %s: enclosures %+v, want %s, %d, %s", w.GUID, g.Enclosures, w.AudioURL, w.Size, catalog.TypeMP3)
		}
		if len(g.Chapters) != len(w.Chapters) {
			t.Errorf("podcastparser episode %s: %d chapters, want %d", w.GUID, len(g.Chapters), len(w.Chapters))
			continue
		}
		chapters += len(g.Chapters)
		for j, c := range g.Chapters {
			// podcastparser's parse_time keeps whole seconds of a psc start.
			if want := w.Chapters[j]; c.Title != want.Title || int64(c.Start) != want.StartMS/1000 {
				t.Errorf("podcastparser episode %s chapter %d: %d %q, want %d %q", w.GUID, j+1, c.Start, c.Title, want.StartMS/1000, want.Title)
			}
		}
	}
	t.Logf("podcastparser %s read %d episodes with %d chapters", got.Version, len(got.Episodes), chapters)
}

// TestPartytimeReadsLiveFeed proves acceptance 3: podcast-partytime, given
// the feed node's fetch got from the server, reads podcast:guid,
// podcast:locked with its owner, all four transcripts of every episode with
// their types, and the chapters URL; and every one of those URLs serves, with
// the declared type, exactly what the catalog rendered.
func TestPartytimeReadsLiveFeed(t *testing.T) {
	t.Parallel()
	node := testtool.Require(t, "node", "nodejs")
	nodeDir, err := filepath.Abs(partytimeDir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(nodeDir, "node_modules", "podcast-partytime")); err != nil {
		clientMissing(t, "podcast-partytime is not installed: run npm ci --prefix feed/testdata/node (scripts/setup does)")
	}
	s := startSeedShow(t)
	type transcript struct {
		URL      string `json:"url"`
		Type     string `json:"type"`
		Language string `json:"language"`
		Rel      string `json:"rel"`
	}
	type item struct {
		GUID        string       `json:"guid"`
		Title       string       `json:"title"`
		Duration    int          `json:"duration"`
		Transcripts []transcript `json:"podcastTranscripts"`
		Chapters    *struct {
			URL  string `json:"url"`
			Type string `json:"type"`
		} `json:"podcastChapters"`
	}
	type fetched struct {
		Status      int    `json:"status"`
		ContentType string `json:"contentType"`
		CORS        string `json:"cors"`
		Size        int64  `json:"size"`
		SHA256      string `json:"sha256"`
		Chapters    *struct {
			Version  string `json:"version"`
			Chapters []struct {
				StartTime float64 `json:"startTime"`
				Title     string  `json:"title"`
			} `json:"chapters"`
		} `json:"chapters"`
	}
	var got struct {
		Version string `json:"version"`
		Channel struct {
			GUID         string `json:"guid"`
			Locked       *bool  `json:"locked"`
			PodcastOwner string `json:"podcastOwner"`
		} `json:"channel"`
		Items   []item             `json:"items"`
		Fetched map[string]fetched `json:"fetched"`
	}
	env := clientEnv(t.TempDir(), "LOG=silent")
	runClientJSON(t, &got, env, node, clientScript(t, "partytime_live.cjs"), nodeDir, s.feedURL)

	if want := feed.GUID(s.feedURL); got.Channel.GUID != want {
		t.Errorf("partytime guid %q, want %q", got.Channel.GUID, want)
	}
	// Partytime reports podcast:locked only with its owner attribute.
	if got.Channel.Locked == nil || !*got.Channel.Locked || got.Channel.PodcastOwner != s.snap.Show.Owner.Email {
		t.Errorf("partytime locked %v, podcastOwner %q; want true, %q", got.Channel.Locked, got.Channel.PodcastOwner, s.snap.Show.Owner.Email)
	}
	// Partytime names SubRip by its own enum value, application/srt, for
	// any of the types it accepts for it (application/x-subrip included;
	// dist/parser/phase/phase-1.js, TranscriptType).
	types := map[string]string{"vtt": feed.TypeVTT, "srt": "application/srt", "json": feed.TypeJSON, "html": feed.TypeHTML}
	items := byGUID(t, s, "partytime", got.Items, func(it item) string { return it.GUID })
	transcripts := 0
	for _, w := range s.episodes {
		g, ok := items[w.GUID]
		if !ok {
			t.Errorf("partytime has no item %s", w.GUID)
			continue
		}
		if g.Title != w.Title || g.Duration != w.Seconds {
			t.Errorf("partytime item %s: title %q, duration %d; want %q, %d", w.GUID, g.Title, g.Duration, w.Title, w.Seconds)
		}
		var want []transcript
		for _, tr := range w.Transcripts {
			rel := feed.RelCaptions // on the timed formats only
			if tr.Format == "html" {
				rel = ""
			}
			want = append(want, transcript{URL: s.snap.BaseURL + tr.Asset.Path, Type: types[tr.Format], Language: s.snap.Show.Language, Rel: rel})
		}
		if len(want) != 4 {
			t.Errorf("catalog episode %s has %d transcript formats, want vtt, srt, json, html", w.GUID, len(want))
		}
		if fmt.Sprint(g.Transcripts) != fmt.Sprint(want) {
			t.Errorf("partytime item %s transcripts:\n got %+v\nwant %+v", w.GUID, g.Transcripts, want)
		}
		transcripts += len(g.Transcripts)
		if g.Chapters == nil || g.Chapters.URL != w.ChaptersURL || g.Chapters.Type != feed.TypeChapters {
			t.Errorf("partytime item %s: podcastChapters %+v, want %s (%s)", w.GUID, g.Chapters, w.ChaptersURL, feed.TypeChapters)
		}

		// What a player does next: fetch each linked file.
		assets := []*catalog.Asset{w.ChaptersDoc}
		for _, tr := range w.Transcripts {
			assets = append(assets, tr.Asset)
		}
		for _, a := range assets {
			url := s.snap.BaseURL + a.Path
			f, ok := got.Fetched[url]
			if !ok {
				t.Errorf("partytime did not list %s", url)
				continue
			}
			gotType, _, _ := mime.ParseMediaType(f.ContentType)
			wantType, _, _ := mime.ParseMediaType(a.Type)
			if f.Status != 200 || gotType != wantType || f.Size != a.Size || f.SHA256 != a.SHA256 || f.CORS == "" {
				t.Errorf("GET %s: %d, %q, %d bytes, sha256 %s, CORS %q; want 200, %s, %d bytes, %s, CORS",
					url, f.Status, f.ContentType, f.Size, f.SHA256, f.CORS, wantType, a.Size, a.SHA256)
			}
		}
		doc := got.Fetched[w.ChaptersURL].Chapters
		if doc == nil || len(doc.Chapters) != len(w.Chapters) {
			t.Errorf("chapters %s: %+v, want %d chapters", w.ChaptersURL, doc, len(w.Chapters))
			continue
		}
		for j, c := range doc.Chapters {
			if want := w.Chapters[j]; c.Title != want.Title || math.Round(c.StartTime*1000) != float64(want.StartMS) {
				t.Errorf("chapters %s chapter %d: %v %q, want %d ms %q", w.ChaptersURL, j+1, c.StartTime, c.Title, want.StartMS, want.Title)
			}
		}
	}
	t.Logf("podcast-partytime %s read %d items with %d transcripts; %d linked files fetched", got.Version, len(got.Items), transcripts, len(got.Fetched))
}

// TestPodgetDownloadsEveryEnclosure proves acceptance 4 with podget (wget
// underneath): a serverlist naming the feed downloads every enclosure,
// byte-identical to episodes/audio, with nothing in its error log.
func TestPodgetDownloadsEveryEnclosure(t *testing.T) {
	t.Parallel()
	podget := testtool.Require(t, "podget", "podget")
	testtool.Require(t, "wget", "wget")
	s := startSeedShow(t)
	home := t.TempDir()
	conf, session, library := filepath.Join(home, "podget"), filepath.Join(home, "session"), filepath.Join(home, "library")
	env := clientEnv(home)

	// On a first run without a configuration, podget installs a default
	// serverlist and downloads from the Internet: create the configuration
	// alone, then replace the serverlist before running it.
	runClient(t, env, podget, "--dir_config", conf, "--create-config", "podgetrc")
	rc := filepath.Join(conf, "podgetrc")
	cfg, err := os.ReadFile(rc)
	if err != nil {
		t.Fatal(err)
	}
	// The default wants 600 MB free in the library; the show is 11 MB.
	minSpace := regexp.MustCompile(`(?m)^MIN_SPACE=.*$`)
	if !minSpace.Match(cfg) {
		t.Fatalf("podget's default %s has no MIN_SPACE line", rc)
	}
	cfg = minSpace.ReplaceAll(cfg, []byte("MIN_SPACE=20000"))
	if err := os.WriteFile(rc, cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	// <url> <category> <name>: files go to library/category/name.
	if err := os.WriteFile(filepath.Join(conf, "serverlist"), []byte(s.feedURL+" readcast seed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := runClient(t, env, podget, "--dir_config", conf, "--dir_session", session, "--library", library, "--no-playlist", "--verbosity", "1")

	errs, err := os.ReadFile(filepath.Join(library, ".LOG", "errors"))
	if err != nil || len(bytes.TrimSpace(errs)) > 0 {
		t.Errorf("podget error log: %q (%v)\n%s", errs, err, out)
	}
	checkDownloads(t, s, "podget", filepath.Join(library, "readcast", "seed"))
}

// TestPodboatDownloadsEveryEnclosure proves acceptance 4 with newsboat and
// podboat (libcurl underneath): newsboat -x reload reads every item with its
// enclosure and, with podcast-auto-enqueue, queues it; podboat -a downloads
// the queue, byte-identical to episodes/audio.
func TestPodboatDownloadsEveryEnclosure(t *testing.T) {
	t.Parallel()
	newsboat := testtool.Require(t, "newsboat", "newsboat")
	testtool.Require(t, "podboat", "newsboat")
	script := testtool.Require(t, "script", "bsdutils")
	py := requirePython(t, "sqlite3", "python3")
	s := startSeedShow(t)
	home := t.TempDir()
	downloads := filepath.Join(home, "downloads")
	config, urls, cache := filepath.Join(home, "config"), filepath.Join(home, "urls"), filepath.Join(home, "cache.db")
	env := clientEnv(home)
	writeFile(t, urls, s.feedURL+"\n")
	writeFile(t, config, fmt.Sprintf("podcast-auto-enqueue yes\ndownload-path %q\nmax-downloads 2\n", downloads+"/"))

	runClient(t, env, newsboat, "-C", config, "-u", urls, "-c", cache, "-q", "-x", "reload")
	type item struct {
		GUID          string `json:"guid"`
		Title         string `json:"title"`
		EnclosureURL  string `json:"enclosure_url"`
		EnclosureType string `json:"enclosure_type"`
		Enqueued      int    `json:"enqueued"`
	}
	var got struct {
		Items []item `json:"items"`
	}
	runClientJSON(t, &got, env, py, clientScript(t, "newsboat_cache.py"), cache)
	items := byGUID(t, s, "newsboat", got.Items, func(it item) string { return it.GUID })
	for _, w := range s.episodes {
		if g := items[w.GUID]; g.Title != w.Title || g.EnclosureURL != w.AudioURL || g.EnclosureType != catalog.TypeMP3 || g.Enqueued != 1 {
			t.Errorf("newsboat item %s: %+v; want title %q, enclosure %s (%s), enqueued", w.GUID, g, w.Title, w.AudioURL, catalog.TypeMP3)
		}
	}
	// With ~/.config/newsboat absent, newsboat keeps its files in ~/.newsboat.
	queue := filepath.Join(home, ".newsboat", "queue")
	q, err := os.ReadFile(queue)
	if err != nil {
		t.Fatalf("newsboat wrote no queue: %v", err)
	}
	if n := len(strings.Split(strings.TrimSpace(string(q)), "\n")); n != len(s.episodes) {
		t.Errorf("newsboat queued %d enclosures, want %d:\n%s", n, len(s.episodes), q)
	}

	// podboat is a curses program that never exits by itself: give it a
	// terminal with script(1), wait until every file is complete, then
	// press q.
	runPodboat(t, env, script, fmt.Sprintf("podboat -a -C %s -q %s", shellQuote(config), shellQuote(queue)), s, downloads)
	// On quitting, podboat rewrites the queue with each download's state.
	q, err = os.ReadFile(queue)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(q)), "\n")
	for _, line := range lines {
		if !strings.HasSuffix(line, `" downloaded`) {
			t.Errorf("podboat did not mark a download finished: %s", line)
		}
	}
	if len(lines) != len(s.episodes) {
		t.Errorf("podboat's queue has %d entries, want %d:\n%s", len(lines), len(s.episodes), q)
	}
	t.Logf("newsboat read %d items; podboat downloaded %d", len(got.Items), len(lines))
	checkDownloads(t, s, "podboat", downloads)
}

// runPodboat runs command under script(1) until every episode's file in dir
// has its full size, then quits it as a person would; it fails after
// clientTimeout.
func runPodboat(tb testing.TB, env []string, script, command string, s seedShow, dir string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, script, "-q", "-f", "-e", "-c", command, "/dev/null")
	cmd.Env = append(env[:len(env):len(env)], "TERM=xterm", "COLUMNS=120", "LINES=40")
	cmd.Dir = envValue(env, "HOME")
	// On a timeout, SIGTERM reaches script, which ends podboat (after 2 s)
	// and then itself; WaitDelay bounds the rest.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	complete := func() bool {
		for _, e := range s.episodes {
			fi, err := os.Stat(filepath.Join(dir, path.Base(e.AudioURL)))
			if err != nil || fi.Size() != e.Size {
				return false
			}
		}
		return true
	}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !complete() {
		select {
		case err := <-exited:
			tb.Fatalf("podboat exited before downloading everything: %v\n%s", err, out.String())
		case <-ctx.Done():
			<-exited
			tb.Fatalf("podboat did not download everything in %v\n%s", clientTimeout, out.String())
		case <-tick.C:
		}
	}
	tb.Logf("podboat: %v", time.Since(start).Round(time.Millisecond))
	// q quits podboat (it asks nothing once no download is running) and
	// script exits with it.
	if _, err := stdin.Write([]byte("q")); err != nil {
		tb.Errorf("podboat: %v", err)
	}
	if err := <-exited; err != nil {
		tb.Errorf("podboat: %v\n%s", err, out.String())
	}
}

func writeFile(tb testing.TB, name, content string) {
	tb.Helper()
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// shellQuote quotes s for sh -c, which script(1) runs its command with.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
