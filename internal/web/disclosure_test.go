package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/timing"
)

// personRecords replaces the recordings of the first n seed episodes in dir
// by a person's: other bytes (the same audio with an ID3v1 tag), no
// synthesis sidecar, and a timing map made by alignment, keyed by the
// recording and the episode's text, as the server's aligner leaves it.
// show.json is not touched: it still says the show is synthetic.
func personRecords(tb testing.TB, dir string, n int) {
	tb.Helper()
	snap, err := catalog.Load(context.Background(), catalog.Config{Dir: dir, BaseURL: "http://x.test"}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range snap.Episodes[:n] {
		mp3 := filepath.Join(dir, catalog.AudioDir, e.Slug()+".mp3")
		sidecar := filepath.Join(dir, catalog.AudioDir, e.Slug()+catalog.TimingExt)
		b, err := os.ReadFile(mp3)
		if err != nil {
			tb.Fatal(err)
		}
		tag := make([]byte, 128)
		copy(tag, "TAGread by the author")
		b = append(b, tag...)
		m := *e.Timing
		m.AudioSHA256, m.Method = hexSHA(b), timing.MethodAligned
		data, err := timing.Marshal(&m)
		if err != nil {
			tb.Fatal(err)
		}
		os.MkdirAll(filepath.Join(dir, catalog.AudioDir, catalog.TimingsDir), 0o755)
		for path, body := range map[string][]byte{mp3: b, catalog.TimingPathFor(dir, m.AudioSHA256, catalog.TextKey(e.Outline)): data} {
			if err := os.WriteFile(path, body, 0o644); err != nil {
				tb.Fatal(err)
			}
		}
		if err := os.Remove(sidecar); err != nil {
			tb.Fatal(err)
		}
	}
}

var (
	channelTxt = regexp.MustCompile(`(?s)<channel>.*?<item>`)
	itemTxt    = regexp.MustCompile(`<podcast:txt purpose="ai-content">`)
)

// TestDisclosureFollowsTheAudio is acceptance 3 of issue 11: with all, some
// and none of the episodes synthesized, the show page's badge and footer,
// each episode page, the feed's channel-level podcast:txt and its items say
// "synthesized" for exactly what is, with show.json unchanged.
func TestDisclosureFollowsTheAudio(t *testing.T) {
	for _, tt := range []struct {
		name                  string
		people                int // episodes read by a person
		badge, footer, inFeed string
	}{
		{"all synthesized", 0, "Synthesized narration", "Narration synthesized by readcast", "The narration is synthesized speech"},
		{"some synthesized", 2, "Some episodes synthesized", "Some episodes are narrated by synthesized speech", "Some episodes are narrated by synthesized speech"},
		{"none synthesized", 5, "", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			copyTree(t, "../../episodes", dir)
			personRecords(t, dir, tt.people)
			snap, err := catalog.Load(context.Background(), catalog.Config{Dir: dir, BaseURL: "http://readcast.test"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range snap.Problems {
				t.Errorf("show problem: %v", p)
			}
			srv, err := New(Config{Snapshot: snap, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(srv.Handler())
			defer ts.Close()
			page := func(path string) string {
				resp, body := do(t, http.MethodGet, ts.URL+path)
				if resp.StatusCode != 200 {
					t.Fatalf("GET %s: %s", path, resp.Status)
				}
				return string(body)
			}

			show := page("/")
			for _, s := range []string{"Synthesized narration", "Some episodes synthesized", "Narration synthesized by readcast", "Some episodes are narrated"} {
				want := s == tt.badge || s == tt.footer || strings.HasPrefix(tt.footer, s)
				if got := strings.Contains(show, s); got != want {
					t.Errorf("the show page says %q: %v, want %v", s, got, want)
				}
			}
			if tt.people == 2 && strings.Count(show, " · synthesized narration") != 3 {
				t.Errorf("the episode list marks %d episodes synthesized, want 3", strings.Count(show, " · synthesized narration"))
			}
			for i, e := range snap.Episodes {
				p := page("/episodes/" + e.Slug())
				synth := i >= tt.people
				if got := strings.Contains(p, ">Synthesized narration<"); got != synth {
					t.Errorf("episode %d's badge: %v, want %v", i+1, got, synth)
				}
				if got := strings.Contains(p, "Narration synthesized by readcast"); got != synth {
					t.Errorf("episode %d's footer says synthesized: %v, want %v", i+1, got, synth)
				}
			}

			_, feed := do(t, http.MethodGet, ts.URL+"/feed.xml")
			loc := channelTxt.FindIndex(feed)
			if loc == nil {
				t.Fatal("the feed has no channel with items")
			}
			channel := string(feed[loc[0]:loc[1]])
			if tt.inFeed == "" {
				if strings.Contains(channel, "podcast:txt") {
					t.Errorf("with no synthesized episode the channel still declares:\n%s", channel)
				}
			} else if !strings.Contains(channel, `<podcast:txt purpose="ai-content">`+tt.inFeed) {
				t.Errorf("the channel's podcast:txt does not say %q", tt.inFeed)
			}
			items := itemTxt.FindAllIndex(feed[loc[1]:], -1)
			if want := len(snap.Episodes) - tt.people; len(items) != want {
				t.Errorf("%d items declare synthesized narration, want %d", len(items), want)
			}
		})
	}
}
