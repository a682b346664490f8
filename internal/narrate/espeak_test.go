package narrate

import (
	"context"
	"math"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/readcast/readcast/internal/testtool"
)

// TestEspeakWordStarts measures the word starts espeak-ng's engine infers
// against the word events of libespeak-ng itself, read through Python's
// ctypes (which the engine cannot rely on, but a test can).
func TestEspeakWordStarts(t *testing.T) {
	testtool.Require(t, "espeak-ng", "espeak-ng")
	py := testtool.Require(t, "python3", "python3")
	texts := []string{
		"Hello there, world. It was 1956 in Paris.",
		"Where are the 0.1 percent who voted against? Trotsky's USSR.",
		"I was born in the USSR in 1965, grew up there, and studied in the Brezhnev era.",
		"Jokes targeting leaders of the regime and the KGB were very common, and were a form of passive protest.",
		"Leonid Brezhnev was the most-known figure of power. In each election, the ballot had only one name, and Brezhnev was re-elected with 99.9 percent of the vote.",
		"At that time, the bureaucracy had not yet begun the process of restoring capitalism.",
		"For example, if someone fell ill at night, emergency services arrived quickly, gave first aid, and then transported the patient to the hospital.",
		"There, he discovered Trotsky’s writings, which accurately reflected the comrade’s experiences of the bureaucratic regime in the USSR.",
	}
	var errs []float64
	e := &EspeakEngine{}
	for _, text := range texts {
		text = SpeechText(text)
		out, err := exec.Command(py, "testdata/espeak_events.py", text).Output()
		if err != nil {
			t.Skipf("libespeak-ng through python3 ctypes: %v", err)
		}
		truth := map[int]int{} // token start (0-based byte) → first word sample
		rate := 0
		for l := range strings.Lines(string(out)) {
			f := strings.Fields(l)
			if f[0] == "rate" {
				rate, _ = strconv.Atoi(f[1])
				continue
			}
			pos, _ := strconv.Atoi(f[0])
			sample, _ := strconv.Atoi(f[1])
			if _, ok := truth[pos-1]; !ok {
				truth[pos-1] = sample
			}
		}
		var sp Speech
		err = e.Synthesize(context.Background(), []string{text}, func(_ int, s Speech) error { sp = s; return nil })
		if err != nil {
			t.Fatal(err)
		}
		if sp.Rate != rate {
			t.Fatalf("engine rate %d, library rate %d", sp.Rate, rate)
		}
		// the byte offset of each token with a key, in order
		var starts []int
		off := 0
		for _, tok := range strings.Fields(text) {
			i := strings.Index(text[off:], tok) + off
			off = i + len(tok)
			if wordKey(tok) != "" {
				starts = append(starts, i)
			}
		}
		k := 0 // next token
		for j, w := range sp.Words {
			start := starts[k]
			k += len(strings.Fields(w.Text)) // tokens spoken as one word
			s, ok := truth[start]
			if !ok || j == 0 { // the first word starts where the waveform does
				continue
			}
			d := w.Start - float64(s)/float64(rate)
			errs = append(errs, math.Abs(d))
			t.Logf("%-12s got %.3f want %.3f (%+.0f ms)", w.Text, w.Start, float64(s)/float64(rate), d*1000)
		}
		if k != len(starts) {
			t.Errorf("%q: words cover %d of %d tokens", text, k, len(starts))
		}
	}
	mean, worst := 0.0, 0.0
	for _, d := range errs {
		mean += d / float64(len(errs))
		worst = max(worst, d)
	}
	t.Logf("espeak-ng word starts: mean error %.0f ms, worst %.0f ms over %d words", mean*1000, worst*1000, len(errs))
	if mean > 0.045 {
		t.Errorf("mean word start error %.0f ms, want ≤ 45 ms", mean*1000)
	}
}
