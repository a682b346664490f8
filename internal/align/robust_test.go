package align

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/readcast/readcast/internal/audio"
	"github.com/readcast/readcast/internal/testtool"
	"github.com/readcast/readcast/internal/timing"
)

// decodeAll decodes an MP3 at its own rate.
func decodeAll(tb testing.TB, path string) ([]float32, int) {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	p, err := audio.Decode(f, 0)
	if err != nil {
		tb.Fatal(err)
	}
	x := make([]float32, p.Len())
	n := 0
	for n < len(x) {
		k, err := p.Read(x[n:])
		n += k
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
	return x[:n], p.SampleRate()
}

// shifted returns m with every time t mapped through f.
func shifted(m *timing.Map, f func(float64) float64) *timing.Map {
	out := *m
	out.Sentences = nil
	for _, s := range m.Sentences {
		s.Start, s.End = f(s.Start), f(s.End)
		words := make([]timing.Word, len(s.Words))
		for i, w := range s.Words {
			words[i] = timing.Word{Start: f(w.Start), End: f(w.End), Text: w.Text}
		}
		s.Words = words
		out.Sentences = append(out.Sentences, s)
	}
	return &out
}

// checkBounds applies the seed's bounds (acceptance 1) to got against want
// and records the figures under key.
func checkBounds(t *testing.T, key string, got, want *timing.Map, skip map[string]bool) {
	t.Helper()
	s, w := compare(got, want, skip)
	recordFigure(t, key, fmt.Sprintf("sentence starts median %s ms, p95 %s ms; words median %s ms, %s%% within 100 ms",
		ms(s.median()), ms(s.quantile(0.95)), ms(w.median()), pct(w.within(0.1))))
	t.Logf("sentences median %.0f ms p95 %.0f ms; words median %.0f ms, %.1f%% within 100 ms",
		1000*s.median(), 1000*s.quantile(0.95), 1000*w.median(), 100*w.within(0.1))
	if s.median() > 0.030 || s.quantile(0.95) > 0.120 || w.median() > 0.040 || w.within(0.1) < 0.85 {
		t.Errorf("outside the seed's bounds (sentence starts median ≤ 30 ms, p95 ≤ 120 ms; words median ≤ 40 ms, ≥ 85%% within 100 ms)")
	}
}

// robustCase is the seed's first episode, decoded, with its exact times.
func robustCase(t *testing.T) (seedEpisode, []float32, int) {
	t.Helper()
	if testing.Short() {
		t.Skip("aligns several minutes of audio")
	}
	needEspeak(t)
	testtool.Require(t, "lame", "lame")
	e := seedEpisodes(t)[0]
	x, rate := decodeAll(t, e.mp3)
	return e, x, rate
}

func sampleAt(t float64, rate int) int { return int(math.Round(t * float64(rate))) }

func TestRobustTempo(t *testing.T) {
	e, x, rate := robustCase(t)
	sox := testtool.Require(t, "sox", "sox")
	dir := t.TempDir()
	in := filepath.Join(dir, "in.wav")
	writeWAV(t, in, x, rate)
	for _, tempo := range []float64{0.8, 1.2} {
		t.Run(fmt.Sprintf("tempo %.1f", tempo), func(t *testing.T) {
			out := filepath.Join(dir, fmt.Sprintf("tempo%.1f.wav", tempo))
			if b, err := exec.Command(sox, in, out, "tempo", "-s", fmt.Sprint(tempo)).CombinedOutput(); err != nil {
				t.Fatalf("sox: %v: %s", err, b)
			}
			y, r, err := readWAVFile(out)
			if err != nil {
				t.Fatal(err)
			}
			mp3 := encodeMP3(t, dir, y, r)
			res := alignFile(t, mp3, e.text)
			checkBounds(t, fmt.Sprintf("robust_tempo_%.1f", tempo), res.Map, shifted(e.exact, func(v float64) float64 { return v / tempo }), nil)
			if len(res.Report.Issues) > 0 {
				t.Errorf("report on a clean recording: %v", res.Report.Issues)
			}
		})
	}
}

func TestRobustNoise(t *testing.T) {
	e, x, rate := robustCase(t)
	// White noise 20 dB under the speech: the power of the loud frames.
	sd := math.Sqrt(speechPower(x, rate) / 100)
	rng := rand.New(rand.NewPCG(20, 20))
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = v + float32(rng.NormFloat64()*sd)
	}
	mp3 := encodeMP3(t, t.TempDir(), y, rate)
	res := alignFile(t, mp3, e.text)
	checkBounds(t, "robust_noise", res.Map, e.exact, nil)
}

// intro makes 30 s of sound that is not in the text: music (chords with
// a beat), with the narrator's voice (festival's, as in the seed) saying
// words that are not in the text over it.
func intro(t *testing.T, rate int) []float32 {
	t.Helper()
	voice := festivalSays(t, "Welcome to the show. Today we begin a new series, read for you by a volunteer. Stay with us after the music.", rate)
	y := chords(30*rate, rate)
	for i, v := range voice {
		if at := 3*rate + i; at < len(y) {
			y[at] += 0.8 * v
		}
	}
	return y
}

func TestRobustUntranscribedIntro(t *testing.T) {
	e, x, rate := robustCase(t)
	y := append(intro(t, rate), x...)
	mp3 := encodeMP3(t, t.TempDir(), y, rate)
	res := alignFile(t, mp3, e.text)
	checkBounds(t, "robust_intro", res.Map, shifted(e.exact, func(v float64) float64 { return v + 30 }), nil)
	found := false
	for _, is := range res.Report.Issues {
		t.Log(is.Message)
		if is.Kind == IssueUntranscribed && is.Start < 5 && is.End > 25 {
			found = true
			recordFigure(t, "robust_intro_report", is.Message)
		}
	}
	if !found {
		t.Errorf("the 30 s intro is not reported as untranscribed: %v", res.Report.Issues)
	}
}

func TestRobustSkippedSentence(t *testing.T) {
	e, x, rate := robustCase(t)
	const cut = 12 // a sentence in the middle
	from, to := e.exact.Sentences[cut].Start, e.exact.Sentences[cut+1].Start
	a, b := sampleAt(from, rate), sampleAt(to, rate)
	y := append(append([]float32(nil), x[:a]...), x[b:]...)
	mp3 := encodeMP3(t, t.TempDir(), y, rate)
	res := alignFile(t, mp3, e.text)
	skip := map[string]bool{e.exact.Sentences[cut].ID: true}
	checkBounds(t, "robust_skip", res.Map, shifted(e.exact, func(v float64) float64 {
		if v >= to {
			return v - (to - from)
		}
		return v
	}), skip)
	found := false
	for _, is := range res.Report.Issues {
		t.Log(is.Message)
		if is.Kind == IssueSkipped && is.Sentence == cut+1 {
			found = true
			recordFigure(t, "robust_skip_report", is.Message)
		}
	}
	if !found {
		t.Errorf("sentence %d, cut out of the recording, is not reported as skipped: %v", cut+1, res.Report.Issues)
	}
	if c := res.Map.Sentences[cut].Confidence; c > 0.2 {
		t.Errorf("the cut sentence has confidence %.2f", c)
	}
}

func TestRobustRetake(t *testing.T) {
	e, x, rate := robustCase(t)
	// A paragraph of at least two sentences in the middle, read twice.
	first, last := -1, -1
	for i := len(e.text) / 3; i < len(e.text)-2; i++ {
		if e.text[i].Paragraph != e.text[i-1].Paragraph {
			j := i
			for j+1 < len(e.text) && e.text[j+1].Paragraph == e.text[i].Paragraph {
				j++
			}
			if j > i && j+1 < len(e.text) {
				first, last = i, j
				break
			}
		}
	}
	if first < 0 {
		t.Fatal("no paragraph to repeat")
	}
	from, to := e.exact.Sentences[first].Start, e.exact.Sentences[last+1].Start
	a, b := sampleAt(from, rate), sampleAt(to, rate)
	y := append(append(append([]float32(nil), x[:b]...), x[a:b]...), x[b:]...)
	mp3 := encodeMP3(t, t.TempDir(), y, rate)
	res := alignFile(t, mp3, e.text)
	// The last take is kept: the paragraph and everything after it move
	// by its length.
	checkBounds(t, "robust_retake", res.Map, shifted(e.exact, func(v float64) float64 {
		if v >= from-0.001 {
			return v + (to - from)
		}
		return v
	}), nil)
	found := false
	for _, is := range res.Report.Issues {
		t.Log(is.Message)
		if is.Kind == IssueRetake && is.Sentence <= first+1 && is.Last >= last+1 {
			found = true
			recordFigure(t, "robust_retake_report", is.Message)
		}
	}
	if !found {
		t.Errorf("the paragraph of sentences %d-%d, read twice, is not reported as a retake: %v", first+1, last+1, res.Report.Issues)
	}
}

// readWAVFile reads a 16-bit WAV file.
func readWAVFile(path string) ([]float32, int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	return parseWAV(b)
}
