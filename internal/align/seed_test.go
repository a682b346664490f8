package align

import (
	"testing"
)

// TestSeedFestivalAgainstEspeak aligns the seed narration (festival's
// voice) against the espeak-ng reference and compares with festival's
// exact times: a cross-voice ground truth.
func TestSeedFestivalAgainstEspeak(t *testing.T) {
	if testing.Short() {
		t.Skip("aligns 19 minutes of audio")
	}
	needEspeak(t)
	var sentences, words errorStats
	for _, e := range seedEpisodes(t) {
		res := alignFile(t, e.mp3, e.text)
		s, w := compare(res.Map, e.exact, nil)
		t.Logf("%s: %d sentences median %.0f ms p95 %.0f ms; words median %.0f ms, %.1f%% within 100 ms (%v)",
			e.slug, len(s), 1000*s.median(), 1000*s.quantile(0.95), 1000*w.median(), 100*w.within(0.1), res.Elapsed)
		sentences = append(sentences, s...)
		words = append(words, w...)
	}
	t.Logf("all: %d sentences median %.0f ms p95 %.0f ms; %d words median %.0f ms, %.1f%% within 100 ms",
		len(sentences), 1000*sentences.median(), 1000*sentences.quantile(0.95), len(words), 1000*words.median(), 100*words.within(0.1))
	recordFigure(t, "seed_sentences", len(sentences))
	recordFigure(t, "seed_sentence_median_ms", ms(sentences.median()))
	recordFigure(t, "seed_sentence_p95_ms", ms(sentences.quantile(0.95)))
	recordFigure(t, "seed_words", len(words))
	recordFigure(t, "seed_word_median_ms", ms(words.median()))
	recordFigure(t, "seed_word_within100_pct", pct(words.within(0.1)))
	if got := sentences.median(); got > 0.030 {
		t.Errorf("sentence starts: median error %.0f ms, want ≤ 30 ms", 1000*got)
	}
	if got := sentences.quantile(0.95); got > 0.120 {
		t.Errorf("sentence starts: 95th percentile %.0f ms, want ≤ 120 ms", 1000*got)
	}
	if got := words.median(); got > 0.040 {
		t.Errorf("word starts: median error %.0f ms, want ≤ 40 ms", 1000*got)
	}
	if got := words.within(0.100); got < 0.85 {
		t.Errorf("word starts: %.1f%% within 100 ms, want ≥ 85%%", 100*got)
	}
}
