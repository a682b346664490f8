package align

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// fragmentWords reads the words and begin times of a word-level sync map.
func fragmentWords(tb testing.TB, path string) (words []string, starts []float64) {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var m struct {
		Fragments []struct {
			Begin string   `json:"begin"`
			Lines []string `json:"lines"`
		} `json:"fragments"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		tb.Fatal(err)
	}
	for _, f := range m.Fragments {
		v, err := strconv.ParseFloat(f.Begin, 64)
		if err != nil {
			tb.Fatal(err)
		}
		words = append(words, strings.ToLower(strings.Join(f.Lines, " ")))
		starts = append(starts, v)
	}
	return words, starts
}

// TestPeersOnHumanSpeech measures the committed outputs of aeneas and
// PocketSphinx (see each SOURCE.md) with the same yardsticks as readcast's
// tests, for the comparison in README.md. It asserts nothing about them.
func TestPeersOnHumanSpeech(t *testing.T) {
	want := fragmentTimes(t, filepath.Join(sonnetDir, "pocketsphinx-output-lines.json"))
	aeneas := fragmentTimes(t, filepath.Join(sonnetDir, "aeneas-output.json"))
	if len(aeneas) != len(want) {
		t.Fatalf("aeneas has %d lines, PocketSphinx %d", len(aeneas), len(want))
	}
	var lines errorStats
	for i := range want {
		lines = append(lines, abs(aeneas[i]-want[i]))
	}
	n := int(lines.within(0.1)*float64(len(lines)) + 0.5)
	t.Logf("sonnet001, aeneas 1.7.3: %d of %d line starts within 100 ms of PocketSphinx, median %.0f ms, worst %.0f ms",
		n, len(lines), 1000*lines.median(), 1000*lines.quantile(1))
	recordFigure(t, "aeneas_sonnet_within100", fmt.Sprintf("%d/%d", n, len(lines)))
	recordFigure(t, "aeneas_sonnet_median_ms", ms(lines.median()))
	recordFigure(t, "aeneas_sonnet_worst_ms", ms(lines.quantile(1)))

	refWords, refStarts := textGridWords(t, filepath.Join(mfaDir, "reference-acoustic_corpus.TextGrid"))
	for _, peer := range []struct{ name, file string }{
		{"aeneas", "aeneas-output-words.json"},
		{"pocketsphinx", "pocketsphinx-output-words.json"},
	} {
		words, starts := fragmentWords(t, filepath.Join(mfaDir, peer.file))
		var errs errorStats
		for i, j := range matchTokens(words, refWords) {
			if j >= 0 {
				errs = append(errs, abs(starts[i]-refStarts[j]))
			}
		}
		t.Logf("MFA corpus, %s: %d words, median %.0f ms, %.1f%% within 100 ms, %.1f%% within 250 ms",
			peer.name, len(errs), 1000*errs.median(), 100*errs.within(0.1), 100*errs.within(0.25))
		recordFigure(t, peer.name+"_mfa_median_ms", ms(errs.median()))
		recordFigure(t, peer.name+"_mfa_within100_pct", pct(errs.within(0.1)))
		recordFigure(t, peer.name+"_mfa_within250_pct", pct(errs.within(0.25)))
	}
}
