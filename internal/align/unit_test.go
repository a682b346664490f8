package align

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/readcast/readcast/internal/segment"
)

func TestClock(t *testing.T) {
	for _, c := range []struct {
		t    float64
		want string
	}{
		{0, "0:00.0"}, {-1, "0:00.0"}, {5.96, "0:05.9"}, {192.25, "3:12.2"}, {3725.5, "1:02:05.5"},
	} {
		if got := clock(c.t); got != c.want {
			t.Errorf("clock(%v) = %q, want %q", c.t, got, c.want)
		}
	}
}

func TestWordsAndLines(t *testing.T) {
	if got, want := Words("“Where are the 0.1 percent who voted against?” he asked — Trotsky’s (re-elected)."),
		[]string{"Where", "are", "the", "0.1", "percent", "who", "voted", "against", "he", "asked", "Trotsky’s", "re-elected"}; !slices.Equal(got, want) {
		t.Errorf("Words = %q, want %q", got, want)
	}
	lines := Lines("1\n\n  From fairest   creatures\n***\n")
	if len(lines) != 3 || lines[0].ID != "line-1" || lines[1].ID != "line-3" || lines[1].Text != "From fairest creatures" || len(lines[2].Words) != 0 {
		t.Errorf("Lines = %+v", lines)
	}
	if lines[0].Paragraph == lines[1].Paragraph {
		t.Error("lines share a paragraph")
	}
}

// TestEpisodeSentences: an episode's sentences are those of its timing
// sidecar, in order, so that a map made from them is the one the catalog
// checks against the outline.
func TestEpisodeSentences(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(seedDir, "recollection.txt"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := segment.Parse(src, segment.Options{})
	if err != nil {
		t.Fatal(err)
	}
	all := Outline(o)
	n := 0
	for _, e := range seedEpisodes(t) {
		var ep segment.Episode
		for _, oe := range o.Episodes {
			if oe.Slug == e.slug {
				ep = oe
			}
		}
		got := Episode(ep)
		if len(got) != len(e.exact.Sentences) {
			t.Fatalf("%s: %d sentences, the sidecar has %d", e.slug, len(got), len(e.exact.Sentences))
		}
		for i, s := range got {
			w := e.exact.Sentences[i]
			if s.ID != w.ID || len(s.Words) != len(w.Words) {
				t.Errorf("%s sentence %d: %s with %d words, the sidecar has %s with %d", e.slug, i+1, s.ID, len(s.Words), w.ID, len(w.Words))
			}
		}
		n += len(got)
	}
	if n != len(all) {
		t.Errorf("the episodes have %d sentences, the outline %d", n, len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].Paragraph < all[i-1].Paragraph {
			t.Fatalf("paragraph numbers go back at sentence %d", i+1)
		}
	}
}

// TestLanguage: a text written in another script, or a show in another
// language, is refused as not English, before the recording is read; an
// English text with a foreign word or two is aligned.
func TestLanguage(t *testing.T) {
	ru := []Sentence{{ID: "s1", Text: "Я родился в Москве.", Words: []string{"Я", "родился", "в", "Москве"}}}
	_, err := Align(context.Background(), strings.NewReader(""), 0, ru, Options{})
	if !errors.Is(err, ErrLanguage) || !strings.Contains(err.Error(), "Cyrillic") {
		t.Errorf("a Russian text: %v; want ErrLanguage naming Cyrillic", err)
	}
	en := []Sentence{{ID: "s1", Text: "We said Москва and Paris.", Words: []string{"We", "said", "Москва", "and", "Paris"}}}
	if err := checkLanguage("", en); err != nil {
		t.Errorf("an English text with one Russian word: %v", err)
	}
	for lang, english := range map[string]bool{"": true, "en": true, "en-GB": true, "eng": true, "fr": false, "pt-BR": false, "ru": false} {
		if err := checkLanguage(lang, en); (err == nil) != english || err != nil && !errors.Is(err, ErrLanguage) {
			t.Errorf("a show in %q: %v", lang, err)
		}
	}
	if _, err := Align(context.Background(), strings.NewReader(""), 0, en, Options{Language: "fr"}); !errors.Is(err, ErrLanguage) || !strings.Contains(err.Error(), `"fr"`) {
		t.Errorf("Align for a French show: %v; want ErrLanguage naming fr", err)
	}
}
