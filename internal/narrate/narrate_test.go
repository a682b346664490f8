package narrate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/readcast/readcast/internal/atomicfile"
	"github.com/readcast/readcast/internal/audio"
	"github.com/readcast/readcast/internal/segment"
	"github.com/readcast/readcast/internal/testtool"
	"github.com/readcast/readcast/internal/timing"
)

// engineFor returns the named engine, skipping (failing in CI) when its
// program is not installed.
func engineFor(tb testing.TB, name string) Engine {
	tb.Helper()
	switch name {
	case Festival:
		testtool.Require(tb, "festival", "festival and festvox-us-slt-hts")
	case Flite:
		testtool.Require(tb, "flite", "flite")
	case EspeakNG:
		testtool.Require(tb, "espeak-ng", "espeak-ng")
	}
	testtool.Require(tb, "lame", "lame")
	e, err := NewEngine(name, "en")
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// narrateTiny narrates the tiny outline into dir.
func narrateTiny(tb testing.TB, ctx context.Context, e Engine, dir string) (Result, error) {
	tb.Helper()
	var progress bytes.Buffer
	res, err := Run(ctx, Config{
		Engine: e, Dir: dir, Progress: &progress,
		Tags: ShowTags{Artist: "A citizen", Album: "Tiny show", Year: 2024, Comment: "Narration synthesized by " + e.Name()},
	}, tinyOutline())
	if err != nil {
		return Result{}, err
	}
	tb.Logf("progress:\n%s", progress.String())
	if !strings.Contains(progress.String(), "01-a-tiny-memoir: 4/4 sentences") {
		tb.Errorf("progress lacks the sentence count:\n%s", progress.String())
	}
	return res[0], nil
}

// TestNarrate narrates a tiny outline with each engine and checks the
// acceptance criteria on the files a listener would get.
func TestNarrate(t *testing.T) {
	testtool.Require(t, "ffmpeg", "ffmpeg")
	for _, name := range Engines {
		t.Run(name, func(t *testing.T) {
			e := engineFor(t, name)
			dir := t.TempDir()
			res, err := narrateTiny(t, context.Background(), e, dir)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %.2f s of audio in %v: real-time factor %.3f", name, res.Duration, res.Elapsed, res.RealTimeFactor())
			checkEpisode(t, res)
		})
	}
}

func checkEpisode(t *testing.T, res Result) {
	t.Helper()
	o := tinyOutline()
	side, err := os.ReadFile(res.Sidecar)
	if err != nil {
		t.Fatal(err)
	}
	m, err := timing.Parse(side)
	if err != nil {
		t.Fatalf("sidecar: %v", err)
	}
	mp3, err := os.ReadFile(res.Audio)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := timing.HashFile(res.Audio); m.AudioSHA256 != got {
		t.Errorf("audio_sha256 %s, the MP3's is %s", m.AudioSHA256, got)
	}
	if m.TextSHA256 != o.SourceSHA || m.Method != timing.MethodSynthesis {
		t.Errorf("text_sha256 %q method %q", m.TextSHA256, m.Method)
	}

	// Every sentence, in order, with its words and confidence 1.
	var want []segment.Sentence
	for _, ch := range o.Episodes[0].Chapters {
		for _, p := range ch.Paragraphs {
			want = append(want, p.Sentences...)
		}
	}
	if len(m.Sentences) != len(want) {
		t.Fatalf("%d sentences in the sidecar, want %d", len(m.Sentences), len(want))
	}
	for i, s := range m.Sentences {
		if s.ID != want[i].ID || s.Text != want[i].Text || s.Confidence != 1 || len(s.Words) != len(want[i].Words) {
			t.Errorf("sentence %d: %s %q confidence %v with %d words, want %s %q with %d words",
				i, s.ID, s.Text, s.Confidence, len(s.Words), want[i].ID, want[i].Text, len(want[i].Words))
		}
		for j, w := range s.Words {
			if j < len(want[i].Words) && w.Text != want[i].Words[j].Text {
				t.Errorf("sentence %s word %d is %q, want %q", s.ID, j, w.Text, want[i].Words[j].Text)
			}
			if w.End <= w.Start {
				t.Errorf("sentence %s word %q lasts %.3f-%.3f", s.ID, w.Text, w.Start, w.End)
			}
		}
	}

	// Durations: the sidecar, the PCM, our probe and ffprobe agree.
	info, err := audio.ProbeFile(res.Audio)
	if err != nil {
		t.Fatal(err)
	}
	if info.SampleRate != 44100 || info.Channels != 1 || info.VBR || info.Bitrate != 64000 {
		t.Errorf("MP3 is %d Hz, %d channels, %d bit/s, VBR %v; want 44100 Hz mono 64 kbit/s CBR", info.SampleRate, info.Channels, info.Bitrate, info.VBR)
	}
	if d := math.Abs(info.Duration - m.Duration); d > 0.026 {
		t.Errorf("probe says %.3f s, sidecar %.3f s", info.Duration, m.Duration)
	}
	// ffprobe's format duration is the untrimmed length (encoder delay and
	// padding included; see internal/audio's probe test); the trimmed
	// length a player plays is checked on ffmpeg's decode below.
	ffDur := ffprobeDuration(t, res.Audio)
	if raw := float64(info.Frames*1152) / float64(info.SampleRate); math.Abs(ffDur-raw) > 0.026 {
		t.Errorf("ffprobe says %.3f s, the frames hold %.3f s", ffDur, raw)
	}

	// Loudness, measured by ffmpeg on the MP3.
	lufs, tp := ebur128(t, res.Audio)
	t.Logf("ffmpeg ebur128 of the MP3: %.1f LUFS, true peak %.1f dBTP (our meter on the decoded MP3: %.2f LUFS, %.2f dBTP)", lufs, tp, res.Loudness, res.TruePeak)
	if math.Abs(lufs+16) > 1 {
		t.Errorf("loudness %.1f LUFS, want -16 ± 1", lufs)
	}
	if tp > -1 {
		t.Errorf("true peak %.1f dBTP, want ≤ -1", tp)
	}

	// Onsets, on the audio as ffmpeg (a player) decodes it and as our own
	// decoder does.
	const rate = 44100
	ff := ffmpegPCM(t, res.Audio, rate)
	pcm, err := audio.Decode(bytes.NewReader(mp3), rate)
	if err != nil {
		t.Fatal(err)
	}
	var own []float32
	buf := make([]float32, 8192)
	for {
		n, err := pcm.Read(buf)
		own = append(own, buf[:n]...)
		if err != nil {
			break
		}
	}
	for _, dec := range []struct {
		name string
		x    []float32
	}{{"ffmpeg", ff}, {"audio.Decode", own}} {
		if d := math.Abs(float64(len(dec.x))/rate - m.Duration); d > 0.026 {
			t.Errorf("%s decodes %.3f s, sidecar %.3f s", dec.name, float64(len(dec.x))/rate, m.Duration)
		}
		for _, s := range m.Sentences {
			silent, begins := onsetCheck(dec.x, rate, s.Start)
			t.Logf("%s %-8s start %.3f: 100 ms before %.1f dBFS, speech begins %+.1f ms", dec.name, s.ID, s.Start, silent, begins*1000)
			if silent > -50 {
				t.Errorf("%s: the 100 ms before %s at %.3f s are at %.1f dBFS, want silence (< -50)", dec.name, s.ID, s.Start, silent)
			}
			if math.Abs(begins) > 0.030 {
				t.Errorf("%s: speech of %s begins %+.1f ms from its start, want within 30 ms", dec.name, s.ID, begins*1000)
			}
		}
	}

	// Chapters inside the MP3, as ffprobe reads them.
	chapters := ffprobeChapters(t, res.Audio)
	if len(chapters) != 2 || chapters[0].Title != "Paris" || chapters[1].Title != "Trotsky" {
		t.Fatalf("ffprobe chapters %+v, want Paris and Trotsky", chapters)
	}
	if math.Abs(chapters[1].Start-m.Sentences[2].Start) > 0.0005 || chapters[0].Start != 0 ||
		math.Abs(chapters[1].End-m.Duration) > 0.0005 {
		t.Errorf("chapters %+v, want Trotsky from %.3f to %.3f", chapters, m.Sentences[2].Start, m.Duration)
	}
}

// onsetCheck returns the RMS level of the 100 ms before start, in dBFS,
// and when speech begins relative to start: the first millisecond louder
// than −50 dBFS, searched from 100 ms before start.
func onsetCheck(x []float32, rate int, start float64) (silentDB, begins float64) {
	s := int(math.Round(start * float64(rate)))
	before := x[max(0, s-rate/10):min(s, len(x))]
	win := rate / 1000
	for i := max(0, s-rate/10); i+win <= len(x); i++ {
		if rmsDB(x[i:i+win]) > -50 {
			return rmsDB(before), float64(i-s) / float64(rate)
		}
	}
	return rmsDB(before), math.Inf(1)
}

type ffChapter struct {
	Title      string
	Start, End float64
}

func ffprobeChapters(tb testing.TB, path string) []ffChapter {
	tb.Helper()
	fp := testtool.Require(tb, "ffprobe", "ffmpeg")
	out, err := exec.Command(fp, "-v", "error", "-of", "json", "-show_chapters", path).Output()
	if err != nil {
		tb.Fatalf("ffprobe -show_chapters: %v", err)
	}
	var v struct {
		Chapters []struct {
			StartTime string            `json:"start_time"`
			EndTime   string            `json:"end_time"`
			Tags      map[string]string `json:"tags"`
		}
	}
	if err := json.Unmarshal(out, &v); err != nil {
		tb.Fatal(err)
	}
	var cs []ffChapter
	for _, c := range v.Chapters {
		var ch ffChapter
		ch.Title = c.Tags["title"]
		ch.Start = parseFloat(c.StartTime)
		ch.End = parseFloat(c.EndTime)
		cs = append(cs, ch)
	}
	return cs
}

func ffprobeDuration(tb testing.TB, path string) float64 {
	tb.Helper()
	fp := testtool.Require(tb, "ffprobe", "ffmpeg")
	out, err := exec.Command(fp, "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path).Output()
	if err != nil {
		tb.Fatalf("ffprobe: %v", err)
	}
	return parseFloat(strings.TrimSpace(string(out)))
}

// TestMissingProgram: with nothing on PATH, each engine names the Debian
// package to install.
func TestMissingProgram(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	for name, want := range map[string]string{
		Festival: "narrate: festival not found: install the Debian package festival and festvox-us-slt-hts",
		Flite:    "narrate: flite not found: install the Debian package flite",
		EspeakNG: "narrate: espeak-ng not found: install the Debian package espeak-ng",
	} {
		e, _ := NewEngine(name, "")
		_, err := Run(context.Background(), Config{Engine: e, Dir: t.TempDir()}, tinyOutline())
		if err == nil || !strings.Contains(err.Error(), want) || !errors.Is(err, ErrMissingProgram) {
			t.Errorf("%s: %v, want %q", name, err, want)
		}
	}
}

// TestMissingLame: an engine that works and no lame.
func TestMissingLame(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Run(context.Background(), Config{Engine: &fakeEngine{}, Dir: t.TempDir()}, tinyOutline())
	if want := "install the Debian package lame"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want %q", err, want)
	}
}

// fakeEngine speaks tones, or fails on the text with index failAt.
type fakeEngine struct {
	failAt int
	fail   bool
}

func (f *fakeEngine) Name() string                    { return "fake" }
func (f *fakeEngine) Check(ctx context.Context) error { return nil }
func (f *fakeEngine) Synthesize(ctx context.Context, texts []string, emit func(int, Speech) error) error {
	for i, text := range texts {
		if f.fail && i == f.failAt {
			return &SentenceError{Index: i, Err: errors.New("the synthesizer crashed")}
		}
		const rate = 16000
		words := strings.Fields(SpeechText(text))
		sp := Speech{Rate: rate, Samples: make([]float32, rate/5+len(words)*rate/4)}
		for k, w := range words {
			start := 0.2 + float64(k)*0.25
			sp.Words = append(sp.Words, Word{Text: w, Start: start, End: start + 0.2})
			for j := int(start * rate); j < int((start+0.2)*rate); j++ {
				sp.Samples[j] = float32(0.3 * math.Sin(2*math.Pi*300*float64(j)/rate))
			}
		}
		if err := emit(i, sp); err != nil {
			return err
		}
	}
	return nil
}

// TestSentenceFailure: the error names the sentence the engine failed on.
func TestSentenceFailure(t *testing.T) {
	_, err := Run(context.Background(), Config{Engine: &fakeEngine{fail: true, failAt: 2}, Dir: t.TempDir()}, tinyOutline())
	for _, want := range []string{"narrate: episode 01-a-tiny-memoir: fake failed on sentence s-books", "There, he discovered Trotsky’s writings.", "the synthesizer crashed"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want it to contain %q", err, want)
		}
	}
}

// TestInterrupted narrates, then starts again and cancels mid-way: the
// first MP3 and sidecar must be untouched and no temporary file left.
func TestInterrupted(t *testing.T) {
	e := engineFor(t, Festival)
	dir := t.TempDir()
	res, err := narrateTiny(t, context.Background(), e, dir)
	if err != nil {
		t.Fatal(err)
	}
	before := map[string][]byte{}
	for _, p := range []string{res.Audio, res.Sidecar} {
		before[p], _ = os.ReadFile(p)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &cancelAfter{cancel: cancel, after: "2/4 sentences"}
	_, err = Run(ctx, Config{Engine: e, Dir: dir, Progress: w}, tinyOutline())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: %v, want context.Canceled", err)
	}
	for p, b := range before {
		if got, _ := os.ReadFile(p); !bytes.Equal(got, b) {
			t.Errorf("%s changed", p)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only the MP3 and its sidecar", names)
	}
}

// cancelAfter cancels when a progress line contains after.
type cancelAfter struct {
	mu     sync.Mutex
	cancel context.CancelFunc
	after  string
}

func (c *cancelAfter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if strings.Contains(string(p), c.after) {
		c.cancel()
	}
	return len(p), nil
}

// TestParallel narrates three episodes two at a time with the fake engine
// and checks each is complete.
func TestParallel(t *testing.T) {
	testtool.Require(t, "lame", "lame")
	o := tinyOutline()
	for i := 2; i <= 3; i++ {
		ep := o.Episodes[0]
		ep.Number = i
		ep.Slug = strings.Replace(ep.Slug, "01", "0"+string(rune('0'+i)), 1)
		o.Episodes = append(o.Episodes, ep)
	}
	dir := t.TempDir()
	res, err := Run(context.Background(), Config{Engine: &fakeEngine{}, Dir: dir, Jobs: 2, Episodes: []string{"02-a-tiny-memoir"}}, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Slug != "02-a-tiny-memoir" {
		t.Fatalf("results %+v, want episode 2 alone", res)
	}
	res, err = Run(context.Background(), Config{Engine: &fakeEngine{}, Dir: dir, Jobs: 2}, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3 || res[0].Slug != "01-a-tiny-memoir" || res[2].Slug != "03-a-tiny-memoir" {
		t.Fatalf("results %+v, want all three in order", res)
	}
	for _, r := range res {
		if _, err := os.Stat(r.Sidecar); err != nil {
			t.Error(err)
		}
	}
	if _, err := Run(context.Background(), Config{Engine: &fakeEngine{}, Dir: dir, Episodes: []string{"09-nope"}}, o); err == nil ||
		!strings.Contains(err.Error(), "no episode 09-nope") {
		t.Errorf("unknown slug: %v", err)
	}
}

func TestConfigRejectsShortPauses(t *testing.T) {
	_, err := Run(context.Background(), Config{Engine: &fakeEngine{}, Pauses: Pauses{Sentence: 50 * time.Millisecond, LeadIn: time.Second, Paragraph: time.Second, Chapter: time.Second, Tail: time.Second}}, tinyOutline())
	if err == nil || !strings.Contains(err.Error(), "sentence pause") {
		t.Errorf("got %v", err)
	}
}

// BenchmarkNarrate reports each engine's real-time factor on the tiny
// outline: wall time per second of audio, everything included.
func BenchmarkNarrate(b *testing.B) {
	for _, name := range Engines {
		b.Run(name, func(b *testing.B) {
			e := engineFor(b, name)
			dir := b.TempDir()
			var audioSec, wall float64
			for b.Loop() {
				began := time.Now()
				res, err := Run(context.Background(), Config{Engine: e, Dir: dir}, tinyOutline())
				if err != nil {
					b.Fatal(err)
				}
				wall += time.Since(began).Seconds()
				audioSec += res[0].Duration
			}
			b.ReportMetric(wall/audioSec, "rtf")
		})
	}
}

// TestKilledRunsLeftoversAreRemoved: a narrate killed while it wrote an
// episode (no deferred cleanup runs on SIGKILL) leaves its MP3 and timing
// map half-written under hidden names; the next narrate of the episode
// removes them and says so.
func TestKilledRunsLeftoversAreRemoved(t *testing.T) {
	e := engineFor(t, Festival)
	dir := t.TempDir()
	slug := tinyOutline().Episodes[0].Slug
	old := time.Now().Add(-time.Hour)
	var leftovers []string
	for _, p := range []string{AudioPath(dir, slug), SidecarPath(dir, slug)} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		f, err := atomicfile.Create(p, 0o644) // what the killed run had begun
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte("half an MP3"))
		f.Close()
		os.Chtimes(f.Name(), old, old)
		leftovers = append(leftovers, f.Name())
	}
	var progress bytes.Buffer
	if _, err := Run(context.Background(), Config{Engine: e, Dir: dir, Progress: &progress}, tinyOutline()); err != nil {
		t.Fatal(err)
	}
	for _, p := range leftovers {
		if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s is still there (%v)", p, err)
		}
		if !strings.Contains(progress.String(), "removed "+filepath.Base(p)) {
			t.Errorf("the progress does not say %s was removed:\n%s", filepath.Base(p), progress.String())
		}
	}
}

// TestEngineForLanguage: the English-only voices refuse a show in another
// language and say which voice speaks it; espeak-ng is given the show's
// language.
func TestEngineForLanguage(t *testing.T) {
	for _, tt := range []struct {
		name, language string
		voice          string // the espeak-ng voice; "" for another engine
		refused        bool
	}{
		{Festival, "fr", "", true},
		{"", "pt-BR", "", true},
		{Flite, "ru", "", true},
		{Festival, "en-GB", "", false},
		{Flite, "", "", false},
		{EspeakNG, "ru", "ru", false},
		{EspeakNG, "pt-BR", "pt-br", false},
		{EspeakNG, "en-US", "", false},
		{EspeakNG, "xx", "xx", false}, // unknown to x/text, not taken for English
	} {
		e, err := NewEngine(tt.name, tt.language)
		if tt.refused {
			if err == nil || !strings.Contains(err.Error(), "-voice espeak-ng") || !strings.Contains(err.Error(), tt.language) {
				t.Errorf("%q for %q: %v; want a refusal naming the language and espeak-ng", tt.name, tt.language, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q for %q: %v", tt.name, tt.language, err)
			continue
		}
		es, ok := e.(*EspeakEngine)
		if tt.name == EspeakNG && (!ok || es.Voice != tt.voice || es.Unicode != (tt.voice != "")) {
			t.Errorf("%q for %q: %#v; want voice %q", tt.name, tt.language, e, tt.voice)
		}
	}
}

// TestNarrateAnotherLanguage narrates a Russian paragraph with espeak-ng:
// every word gets its own time, in order. The words were once folded to
// ASCII, which leaves nothing of Cyrillic: "nothing to say".
func TestNarrateAnotherLanguage(t *testing.T) {
	testtool.Require(t, "lame", "lame")
	testtool.Require(t, "espeak-ng", "espeak-ng")
	src := "# Детство\n\n## Волга\n\nЯ родился в маленьком городе на Волге. Зимой было очень холодно, и мы катались на санках!\n"
	o, err := segment.Parse([]byte(src), segment.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(EspeakNG, "ru")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), Config{Engine: e, Dir: t.TempDir()}, o)
	if err != nil {
		t.Fatal(err)
	}
	side, err := os.ReadFile(res[0].Sidecar)
	if err != nil {
		t.Fatal(err)
	}
	m, err := timing.Parse(side)
	if err != nil {
		t.Fatal(err)
	}
	words := 0
	for _, s := range m.Sentences {
		for i, w := range s.Words {
			words++
			if i > 0 && w.Start <= s.Words[i-1].Start {
				t.Errorf("%q starts at %.3f s, not after %q (%.3f s)", w.Text, w.Start, s.Words[i-1].Text, s.Words[i-1].Start)
			}
		}
	}
	if words < 16 {
		t.Errorf("%d words timed, want the text's 16 or more", words)
	}
}

// TestMissingVoice: a language espeak-ng has no voice for is refused
// before anything is synthesized, saying how to list the ones it has.
func TestMissingVoice(t *testing.T) {
	testtool.Require(t, "espeak-ng", "espeak-ng")
	e, err := NewEngine(EspeakNG, "xx")
	if err != nil {
		t.Fatal(err)
	}
	err = e.Check(context.Background())
	if err == nil || !strings.Contains(err.Error(), "espeak-ng --voices") || !errors.Is(err, ErrMissingProgram) {
		t.Errorf("Check of a voice espeak-ng lacks: %v", err)
	}
}
