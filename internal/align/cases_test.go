package align

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// alignCase is a recording and the text read in it.
type alignCase struct {
	name  string
	audio string
	text  []Sentence
}

// everyCase is every recording the tests align with its own text: the
// human cases of acceptance 1 (humanCases and sonnet001, in lines) and
// the festival narration's first episode, which the conditions of
// acceptance 2 are made from.
func everyCase(tb testing.TB) []alignCase {
	tb.Helper()
	var out []alignCase
	read := func(path string) string {
		b, err := os.ReadFile(path)
		if err != nil {
			tb.Fatal(err)
		}
		return string(b)
	}
	for _, c := range humanCases {
		out = append(out, alignCase{c.name, filepath.Join(c.dir, c.audio), Lines(read(filepath.Join(c.dir, c.text)))})
	}
	out = append(out, alignCase{"sonnet001", filepath.Join(sonnetDir, "sonnet001.mp3"), Lines(read(filepath.Join(sonnetDir, "sonnet001.lines.txt")))})
	e := seedEpisodes(tb)[0]
	out = append(out, alignCase{"festival-" + e.slug, e.mp3, e.text})
	return out
}

// TestRefusal (acceptance 3): every pairing of one case's recording with
// another case's text is refused with ErrNoMatch. (That no case is refused
// with its own text, the accuracy tests check: they fail on any error.)
func TestRefusal(t *testing.T) {
	if testing.Short() {
		t.Skip("aligns every recording with every other text")
	}
	cases := everyCase(t)
	for _, rec := range cases {
		for _, txt := range cases {
			if sameWords(rec.text, txt.text) {
				continue // the MFA clip and its music-intro version read one text
			}
			t.Run(rec.name+"/"+txt.name, func(t *testing.T) {
				t.Parallel()
				res, err := AlignFile(context.Background(), rec.audio, txt.text, Options{})
				if !errors.Is(err, ErrNoMatch) {
					found := 0
					if res != nil {
						for _, s := range res.Map.Sentences {
							if s.Confidence > 0 {
								found++
							}
						}
					}
					t.Errorf("the recording of %s with the text of %s: %v (%d of %d sentences placed), want ErrNoMatch", rec.name, txt.name, err, found, len(txt.text))
				}
			})
		}
	}
}

// sameWords reports whether two texts have the same words.
func sameWords(a, b []Sentence) bool {
	var wa, wb []string
	for _, s := range a {
		wa = append(wa, s.Words...)
	}
	for _, s := range b {
		wb = append(wb, s.Words...)
	}
	return slices.Equal(wa, wb)
}
