package catalog

// Startup at scale (issue 7, acceptance 5): a synthetic show of 1,000
// recorded and timed episodes loads (every recording probed and hashed,
// every transcript and the feed rendered, nothing decoded), and its feed
// renders. The figures go to BENCHMARKS.md; the tests here only check that
// the show is whole.

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/readcast/readcast/internal/audio"
	"github.com/readcast/readcast/internal/segment"
	"github.com/readcast/readcast/internal/testtool"
	"github.com/readcast/readcast/internal/timing"
)

// largeEpisodes is the size of the synthetic show.
const largeEpisodes = 1000

// largeShow writes a show of n episodes: the seed's metadata and cover, a
// text of n short sections, and for each episode its own MP3 (one 20 s
// lame encoding with a distinct ID3v1 tag appended: a distinct file and
// hash, the same audio) and a timing sidecar spreading its sentences over
// it.
func largeShow(tb testing.TB, n int) string {
	tb.Helper()
	lame := testtool.Require(tb, "lame", "lame")
	dir := tb.TempDir()
	var meta map[string]any
	data, err := os.ReadFile("../../episodes/show.json")
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(data, &meta); err != nil {
		tb.Fatal(err)
	}
	meta["source"] = "large.md"
	data, _ = json.MarshalIndent(meta, "", " ")
	mustWrite(tb, filepath.Join(dir, "show.json"), data)
	cover, err := os.ReadFile("../../episodes/cover.jpg")
	if err != nil {
		tb.Fatal(err)
	}
	mustWrite(tb, filepath.Join(dir, "cover.jpg"), cover)

	words := strings.Fields("the river town winter school father letter morning station bread radio factory garden window street market evening summer train friend")
	var text strings.Builder
	text.WriteString("# A Thousand Mornings\n\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&text, "## Morning %d\n\n", i+1)
		for p := 0; p < 2; p++ {
			for s := 0; s < 3; s++ {
				for w := 0; w < 9; w++ {
					word := words[(i*7+p*5+s*3+w)%len(words)]
					if w == 0 {
						word = strings.ToUpper(word[:1]) + word[1:]
					}
					if w > 0 {
						text.WriteByte(' ')
					}
					text.WriteString(word)
				}
				text.WriteString(". ")
			}
			text.WriteString("\n\n")
		}
	}
	src := []byte(text.String())
	mustWrite(tb, filepath.Join(dir, "large.md"), src)
	o, err := segment.Parse(src, segment.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	if len(o.Episodes) != n {
		tb.Fatalf("the synthetic text makes %d episodes, want %d", len(o.Episodes), n)
	}

	// One encoding, 20 s of a quiet tone at 32 kbit/s.
	audioDir := filepath.Join(dir, AudioDir)
	os.MkdirAll(audioDir, 0o755)
	wav, base := filepath.Join(dir, "tone.wav"), filepath.Join(dir, "tone.mp3")
	mustWrite(tb, wav, toneWAV(20, 22050))
	if out, err := exec.Command(lame, "--quiet", "-b", "32", "-m", "m", wav, base).CombinedOutput(); err != nil {
		tb.Fatalf("lame: %v: %s", err, out)
	}
	mp3, err := os.ReadFile(base)
	if err != nil {
		tb.Fatal(err)
	}
	info, err := audio.ProbeFile(base)
	if err != nil {
		tb.Fatal(err)
	}
	for i, ep := range o.Episodes {
		tag := make([]byte, 128)
		copy(tag, fmt.Sprintf("TAGmorning %d", i+1))
		file := append(append([]byte(nil), mp3...), tag...)
		mustWrite(tb, filepath.Join(audioDir, ep.Slug+".mp3"), file)
		m := &timing.Map{AudioSHA256: sha(file), TextSHA256: o.SourceSHA, Method: timing.MethodSynthesis, Duration: timing.Round(info.Duration)}
		var sentences []segment.Sentence
		for _, c := range ep.Chapters {
			for _, p := range c.Paragraphs {
				sentences = append(sentences, p.Sentences...)
			}
		}
		slot := (info.Duration - 1) / float64(len(sentences))
		for k, s := range sentences {
			ts := timing.Sentence{ID: s.ID, Text: s.Text, Confidence: 1,
				Start: timing.Round(0.5 + float64(k)*slot), End: timing.Round(0.5 + (float64(k)+0.9)*slot)}
			w := (ts.End - ts.Start) / float64(len(s.Words))
			for j, word := range s.Words {
				ws := ts.Start + float64(j)*w
				ts.Words = append(ts.Words, timing.Word{Start: timing.Round(ws), End: timing.Round(math.Min(ws+0.9*w, ts.End)), Text: word.Text})
			}
			m.Sentences = append(m.Sentences, ts)
		}
		side, err := timing.Marshal(m)
		if err != nil {
			tb.Fatal(err)
		}
		mustWrite(tb, filepath.Join(audioDir, ep.Slug+TimingExt), side)
	}
	os.Remove(wav)
	os.Remove(base)
	return dir
}

// toneWAV is seconds of a quiet 440 Hz tone, 16-bit mono.
func toneWAV(seconds, rate int) []byte {
	n := seconds * rate
	b := make([]byte, 44+2*n)
	copy(b, "RIFF")
	le32(b[4:], uint32(36+2*n))
	copy(b[8:], "WAVEfmt ")
	le32(b[16:], 16)
	b[20], b[22] = 1, 1
	le32(b[24:], uint32(rate))
	le32(b[28:], uint32(2*rate))
	b[32], b[34] = 2, 16
	copy(b[36:], "data")
	le32(b[40:], uint32(2*n))
	for i := 0; i < n; i++ {
		v := int16(3000 * math.Sin(2*math.Pi*440*float64(i)/float64(rate)))
		b[44+2*i], b[45+2*i] = byte(v), byte(v>>8)
	}
	return b
}

func le32(b []byte, v uint32) { b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24) }

func mustWrite(tb testing.TB, name string, data []byte) {
	tb.Helper()
	if err := os.WriteFile(name, data, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// TestLargeShowLoadsWhole checks the synthetic show the benchmarks use:
// every episode recorded, timed and in the feed, no problem reported.
func TestLargeShowLoadsWhole(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 1,000-episode show")
	}
	s := load(t, largeShow(t, largeEpisodes))
	if len(s.Problems) > 0 {
		t.Fatalf("%d problems, the first: %v", len(s.Problems), s.Problems[0])
	}
	for _, e := range s.Episodes {
		if e.Audio == nil || e.Timing == nil || e.ChaptersDoc == nil || len(e.Transcripts) != 4 {
			t.Fatalf("episode %s is not whole", e.Slug())
		}
	}
	if got := strings.Count(string(s.Feed.Body), "<item>"); got != largeEpisodes {
		t.Errorf("the feed has %d items, want %d", got, largeEpisodes)
	}
}

// BenchmarkLoadLargeShow is a cold start of a 1,000-episode show: every
// recording probed and hashed, every transcript, chapters document and
// the feed rendered (target < 2 s).
func BenchmarkLoadLargeShow(b *testing.B) {
	dir := largeShow(b, largeEpisodes)
	for b.Loop() {
		if _, err := Load(context.Background(), Config{Dir: dir, BaseURL: testBase}, NewCache()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFeedLargeShow renders the RSS of the 1,000-episode show
// (target < 50 ms): what a reload spends on the feed.
func BenchmarkFeedLargeShow(b *testing.B) {
	dir := largeShow(b, largeEpisodes)
	s, err := Load(context.Background(), Config{Dir: dir, BaseURL: testBase}, nil)
	if err != nil {
		b.Fatal(err)
	}
	cfg := Config{Dir: dir, BaseURL: testBase}
	for b.Loop() {
		if err := s.buildFeed(cfg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(s.Feed.Body)), "feed-bytes")
}
