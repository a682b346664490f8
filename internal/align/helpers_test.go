package align

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/readcast/readcast/internal/segment"
	"github.com/readcast/readcast/internal/testtool"
	"github.com/readcast/readcast/internal/timing"
)

// seedDir is the committed seed narration: festival's voice with its exact
// timings in the sidecars.
const seedDir = "../../episodes"

// seedEpisode is one seed recording with its exact timings and its text.
type seedEpisode struct {
	slug  string
	mp3   string
	exact *timing.Map
	text  []Sentence
}

func seedEpisodes(tb testing.TB) []seedEpisode {
	tb.Helper()
	src, err := os.ReadFile(filepath.Join(seedDir, "recollection.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	o, err := segment.Parse(src, segment.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	para := map[string]int{}
	for _, s := range Outline(o) {
		para[s.ID] = s.Paragraph
	}
	sidecars, _ := filepath.Glob(filepath.Join(seedDir, "audio", "*.timing.json"))
	sort.Strings(sidecars)
	var out []seedEpisode
	for _, sc := range sidecars {
		data, err := os.ReadFile(sc)
		if err != nil {
			tb.Fatal(err)
		}
		m, err := timing.Parse(data)
		if err != nil {
			tb.Fatal(err)
		}
		e := seedEpisode{exact: m, mp3: sc[:len(sc)-len(".timing.json")] + ".mp3"}
		e.slug = filepath.Base(sc[:len(sc)-len(".timing.json")])
		e.text = sentencesOf(m, para)
		out = append(out, e)
	}
	if len(out) == 0 {
		tb.Fatal("no seed narration in " + seedDir)
	}
	return out
}

// sentencesOf is the text of a timing map, as Align takes it.
func sentencesOf(m *timing.Map, para map[string]int) []Sentence {
	var out []Sentence
	for _, s := range m.Sentences {
		words := make([]string, len(s.Words))
		for i, w := range s.Words {
			words[i] = w.Text
		}
		out = append(out, Sentence{ID: s.ID, Text: s.Text, Words: words, Paragraph: para[s.ID]})
	}
	return out
}

func needEspeak(tb testing.TB) {
	tb.Helper()
	testtool.Require(tb, "espeak-ng", "espeak-ng")
}

func alignFile(tb testing.TB, path string, text []Sentence) *Result {
	tb.Helper()
	res, err := AlignFile(context.Background(), path, text, Options{})
	if err != nil {
		tb.Fatalf("align %s: %v", path, err)
	}
	return res
}

// errors collects |got - want| in seconds.
type errorStats []float64

func (e errorStats) median() float64 { return e.quantile(0.5) }

func (e errorStats) quantile(q float64) float64 {
	if len(e) == 0 {
		return 0
	}
	s := slices.Clone(e)
	slices.Sort(s)
	i := int(q*float64(len(s)-1) + 0.5)
	return s[i]
}

func (e errorStats) within(d float64) float64 {
	n := 0
	for _, v := range e {
		if v <= d {
			n++
		}
	}
	return float64(n) / float64(len(e))
}

// compare collects sentence-start and word-start errors of got against
// want, sentence by sentence (skipping those in skip).
func compare(got, want *timing.Map, skip map[string]bool) (sentences, words errorStats) {
	byID := map[string]timing.Sentence{}
	for _, s := range got.Sentences {
		byID[s.ID] = s
	}
	for _, w := range want.Sentences {
		g, ok := byID[w.ID]
		if !ok || skip[w.ID] {
			continue
		}
		sentences = append(sentences, abs(g.Start-w.Start))
		for i := range min(len(g.Words), len(w.Words)) {
			words = append(words, abs(g.Words[i].Start-w.Words[i].Start))
		}
	}
	return sentences, words
}

// writeWAV writes mono 16-bit PCM.
func writeWAV(tb testing.TB, path string, x []float32, rate int) {
	tb.Helper()
	if err := os.WriteFile(path, testtool.WAV(x, rate), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// encodeMP3 encodes x with lame as the seed is encoded (CBR 64 kbit/s
// mono) and returns the MP3's path.
func encodeMP3(tb testing.TB, dir string, x []float32, rate int) string {
	tb.Helper()
	lame := testtool.Require(tb, "lame", "lame")
	wav := filepath.Join(dir, fmt.Sprintf("in%d.wav", len(x)))
	writeWAV(tb, wav, x, rate)
	out := strings.TrimSuffix(wav, ".wav") + ".mp3"
	cmd := exec.Command(lame, "--quiet", "-m", "m", "-b", "64", wav, out)
	if b, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("lame: %v: %s", err, b)
	}
	return out
}

// recordFigure appends "key<TAB>value" to the file named by
// READCAST_ALIGN_FIGURES, if set: scripts/bench-align collects the
// figures the tests measure into BENCHMARKS.md.
func recordFigure(tb testing.TB, key string, value any) {
	tb.Helper()
	path := os.Getenv("READCAST_ALIGN_FIGURES")
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if _, err := fmt.Fprintf(f, "%s\t%v\n", key, value); err != nil {
		tb.Fatal(err)
	}
}

// ms formats seconds as whole milliseconds.
func ms(s float64) string { return fmt.Sprintf("%.0f", 1000*s) }

// pct formats a share as a percentage.
func pct(x float64) string { return fmt.Sprintf("%.1f", 100*x) }
