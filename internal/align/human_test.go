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

// Real human speech with timings from other aligners (see each SOURCE.md).
const (
	sonnetDir = "testdata/sonnet001"
	mfaDir    = "testdata/mfa-acoustic-corpus"
)

// fragmentTimes reads the begin times of an aeneas/PocketSphinx sync map.
func fragmentTimes(tb testing.TB, path string) []float64 {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var m struct {
		Fragments []struct {
			Begin string `json:"begin"`
		} `json:"fragments"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		tb.Fatal(err)
	}
	var out []float64
	for _, f := range m.Fragments {
		v, err := strconv.ParseFloat(f.Begin, 64)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// sonnetLineErrors aligns sonnet001 line by line and returns each line's
// start error against PocketSphinx's first-word onsets.
func sonnetLineErrors(tb testing.TB) errorStats {
	tb.Helper()
	text, err := os.ReadFile(filepath.Join(sonnetDir, "sonnet001.lines.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	want := fragmentTimes(tb, filepath.Join(sonnetDir, "pocketsphinx-output-lines.json"))
	res := alignFile(tb, filepath.Join(sonnetDir, "sonnet001.mp3"), Lines(string(text)))
	if len(res.Map.Sentences) != len(want) {
		tb.Fatalf("%d lines aligned, %d in the reference", len(res.Map.Sentences), len(want))
	}
	var errs errorStats
	for i, s := range res.Map.Sentences {
		errs = append(errs, abs(s.Start-want[i]))
	}
	return errs
}

// textGridWords reads the "words" tier of a short-format TextGrid: the
// labelled intervals, in order.
func textGridWords(tb testing.TB, path string) (words []string, starts []float64) {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	lines := strings.Split(strings.ReplaceAll(string(data), "\r", ""), "\n")
	i := 0
	for i < len(lines) && strings.TrimSpace(lines[i]) != `"words"` {
		i++
	}
	if i+3 >= len(lines) {
		tb.Fatal("no words tier in " + path)
	}
	n, err := strconv.Atoi(strings.TrimSpace(lines[i+3]))
	if err != nil {
		tb.Fatal(err)
	}
	i += 4
	for k := 0; k < n; k++ {
		start, err := strconv.ParseFloat(strings.TrimSpace(lines[i+3*k]), 64)
		if err != nil {
			tb.Fatal(err)
		}
		label := strings.Trim(strings.TrimSpace(lines[i+3*k+2]), `"`)
		if label != "" {
			words = append(words, label)
			starts = append(starts, start)
		}
	}
	return words, starts
}

// matchTokens pairs two token sequences by edit distance and returns, for
// each token of a, the index of its match in b (or -1). A substitution
// counts as a match only between close spellings ("words" and "word").
func matchTokens(a, b []string) []int {
	n, m := len(a), len(b)
	cost := make([][]int, n+1)
	for i := range cost {
		cost[i] = make([]int, m+1)
		cost[i][0] = i
	}
	for j := range m + 1 {
		cost[0][j] = j
	}
	sub := func(i, j int) int {
		if a[i] == b[j] {
			return 0
		}
		return 1
	}
	for i := 1; i <= n; i++ {
		for j := 1; j <= m; j++ {
			cost[i][j] = min(cost[i-1][j]+1, cost[i][j-1]+1, cost[i-1][j-1]+sub(i-1, j-1))
		}
	}
	out := make([]int, n)
	for i := range out {
		out[i] = -1
	}
	for i, j := n, m; i > 0 && j > 0; {
		switch {
		case cost[i][j] == cost[i-1][j-1]+sub(i-1, j-1):
			if strings.HasPrefix(a[i-1], b[j-1]) || strings.HasPrefix(b[j-1], a[i-1]) {
				out[i-1] = j - 1
			}
			i, j = i-1, j-1
		case cost[i][j] == cost[i-1][j]+1:
			i--
		default:
			j--
		}
	}
	return out
}

// mfaWordErrors aligns the MFA test corpus word by word and returns each
// matched word's start error against MFA's reference.
func mfaWordErrors(tb testing.TB) errorStats {
	tb.Helper()
	lab, err := os.ReadFile(filepath.Join(mfaDir, "acoustic_corpus.lab"))
	if err != nil {
		tb.Fatal(err)
	}
	text := Lines(string(lab))
	refWords, refStarts := textGridWords(tb, filepath.Join(mfaDir, "reference-acoustic_corpus.TextGrid"))
	res := alignFile(tb, filepath.Join(mfaDir, "acoustic_corpus.mp3"), text)
	var got []string
	var gotStarts []float64
	for _, s := range res.Map.Sentences {
		for _, w := range s.Words {
			got = append(got, strings.ToLower(w.Text))
			gotStarts = append(gotStarts, w.Start)
		}
	}
	var errs errorStats
	for i, j := range matchTokens(got, refWords) {
		if j >= 0 {
			errs = append(errs, abs(gotStarts[i]-refStarts[j]))
		}
	}
	if len(errs) < len(got)*9/10 {
		tb.Fatalf("only %d of %d words matched the reference's", len(errs), len(got))
	}
	return errs
}

// TestSonnet001Lines: line starts within 100 ms of PocketSphinx's onsets
// for at least 14 of the 15 lines.
func TestSonnet001Lines(t *testing.T) {
	needEspeak(t)
	errs := sonnetLineErrors(t)
	n := int(errs.within(0.100)*float64(len(errs)) + 0.5)
	t.Logf("sonnet001: %d of %d line starts within 100 ms; median %.0f ms, worst %.0f ms", n, len(errs), 1000*errs.median(), 1000*errs.quantile(1))
	recordFigure(t, "sonnet_within100", fmt.Sprintf("%d/%d", n, len(errs)))
	recordFigure(t, "sonnet_median_ms", ms(errs.median()))
	recordFigure(t, "sonnet_worst_ms", ms(errs.quantile(1)))
	if n < 14 {
		t.Errorf("%d of %d line starts within 100 ms of PocketSphinx's, want ≥ 14", n, len(errs))
	}
}

// TestMFACorpusWords: word starts ≥ 88% within 100 ms and ≥ 95% within
// 250 ms of MFA's reference, median ≤ 35 ms.
func TestMFACorpusWords(t *testing.T) {
	needEspeak(t)
	errs := mfaWordErrors(t)
	t.Logf("MFA corpus: %d words, median %.0f ms, %.1f%% within 100 ms, %.1f%% within 250 ms",
		len(errs), 1000*errs.median(), 100*errs.within(0.1), 100*errs.within(0.25))
	recordFigure(t, "mfa_words", len(errs))
	recordFigure(t, "mfa_median_ms", ms(errs.median()))
	recordFigure(t, "mfa_within100_pct", pct(errs.within(0.1)))
	recordFigure(t, "mfa_within250_pct", pct(errs.within(0.25)))
	if got := errs.within(0.100); got < 0.88 {
		t.Errorf("%.1f%% of word starts within 100 ms, want ≥ 88%%", 100*got)
	}
	if got := errs.within(0.250); got < 0.95 {
		t.Errorf("%.1f%% of word starts within 250 ms, want ≥ 95%%", 100*got)
	}
	if got := errs.median(); got > 0.035 {
		t.Errorf("median word start error %.0f ms, want ≤ 35 ms", 1000*got)
	}
}
