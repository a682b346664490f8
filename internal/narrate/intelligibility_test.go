package narrate

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/readcast/readcast/internal/testtool"
)

// paragraph is the 90-word paragraph of the seed the voices are judged on.
var paragraph = []string{
	"One day, one of my comrades took the floor to explain that if, at the start of the war against the Nazis, the Red Army had suffered terrible defeats, it was because they had not been prepared for war.",
	"The day before the Nazi invasion began, no action had been taken to put the Red Army on alert.",
	"Additionally, the most qualified military leaders, like Tukhachevsky, had been executed during the Stalinist purges at the end of the Thirties.",
}

// wordErrorRate transcribes what engine says of the paragraph with
// PocketSphinx (en-us) and returns the word error rate against the text.
func wordErrorRate(tb testing.TB, name string) float64 {
	tb.Helper()
	testtool.Require(tb, "pocketsphinx_continuous", "pocketsphinx pocketsphinx-en-us")
	testtool.Require(tb, "ffmpeg", "ffmpeg")
	e := engineFor(tb, name)
	var samples []float32
	rate := 0
	err := e.Synthesize(context.Background(), paragraph, func(i int, s Speech) error {
		rate = s.Rate
		samples = append(samples, s.Samples...)
		samples = append(samples, make([]float32, s.Rate*35/100)...) // a sentence pause
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	raw, wav := filepath.Join(dir, "voice.wav"), filepath.Join(dir, "voice16k.wav")
	writeTestWAV(tb, raw, samples, rate)
	if out, err := exec.Command("ffmpeg", "-v", "error", "-i", raw, "-ar", "16000", "-ac", "1", "-c:a", "pcm_s16le", wav).CombinedOutput(); err != nil {
		tb.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	out, err := exec.Command("pocketsphinx_continuous", "-infile", wav, "-logfn", "/dev/null").Output()
	if err != nil {
		tb.Fatalf("pocketsphinx: %v", err)
	}
	ref, hyp := words(strings.Join(paragraph, " ")), words(string(out))
	wer := float64(testtool.EditDistance(ref, hyp)) / float64(len(ref))
	tb.Logf("%s: WER %.2f (%d reference words)\n  heard: %s", name, wer, len(ref), strings.Join(hyp, " "))
	return wer
}

func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
}

// TestDefaultVoiceIsMostIntelligible is why festival's HTS voice is the
// default: a speech recognizer understands it best of the three.
func TestDefaultVoiceIsMostIntelligible(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three synthesizers and a recognizer")
	}
	wer := map[string]float64{}
	for _, name := range Engines {
		wer[name] = wordErrorRate(t, name)
	}
	for _, name := range Engines[1:] {
		if wer[Engines[0]] > wer[name] {
			t.Errorf("the default voice %s has WER %.2f, worse than %s's %.2f", Engines[0], wer[Engines[0]], name, wer[name])
		}
	}
}

// BenchmarkIntelligibility reports each voice's word error rate:
//
//	go test -run '^$' -bench Intelligibility -benchtime 1x ./internal/narrate
func BenchmarkIntelligibility(b *testing.B) {
	for _, name := range Engines {
		b.Run(name, func(b *testing.B) {
			var wer float64
			for b.Loop() {
				wer = wordErrorRate(b, name)
			}
			b.ReportMetric(wer, "WER")
		})
	}
}
