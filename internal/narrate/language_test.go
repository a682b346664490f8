package narrate

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/readcast/readcast/internal/segment"
	"github.com/readcast/readcast/internal/testtool"
	"github.com/readcast/readcast/internal/timing"
)

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

// TestWordKey: words compare as letters, marks and digits in lower case,
// folded to ASCII where the English voices are given ASCII, and kept in
// their own script otherwise.
func TestWordKey(t *testing.T) {
	for w, want := range map[string]string{
		"Trotsky’s": "trotskys", "i.e.": "ie", "café,": "cafe", "&": "and", "1956": "1956",
		"«Москва»": "москва", "नदी।": "नदी", "カタカナ": "カタカナ", "—": "",
	} {
		if got := wordKey(w); got != want {
			t.Errorf("wordKey(%q) = %q, want %q", w, got, want)
		}
	}
}
