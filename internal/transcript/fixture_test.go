package transcript

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/readcast/readcast/internal/segment"
	"github.com/readcast/readcast/internal/timing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(tb testing.TB, name string, got []byte) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		tb.Errorf("%s differs from the golden file (go test -update rewrites it)\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

// para is a paragraph of the fixture: its kind, chapter and sentences.
type para struct {
	kind     string
	chapter  int
	sentence []string
}

// fixtureParagraphs is a small episode in two chapters with everything the
// writers must handle: a spoken heading, a standfirst, a sentence too long
// for one cue, curly quotes, dashes, "&" and "<".
var fixtureParagraphs = []para{
	{segment.KindHeading, 0, []string{"My youth in the USSR"}},
	{segment.KindStandfirst, 0, []string{"A member of our French organisation recalls his youth."}},
	{segment.KindText, 0, []string{
		"I was born in the USSR in 1965, grew up there, and studied in the Brezhnev era.",
		"In each election, the ballot had only one name, and Brezhnev was re-elected with 99.9 percent of the vote; " +
			"this gave rise to sarcastic remarks, in private, about the “elections” – for or against – " +
			"which nobody took seriously and nobody dared to question in public.",
	}},
	{segment.KindQuote, 0, []string{"“Where are the other candidates?” people would ask."}},
	{segment.KindHeading, 1, []string{"Bread & roses <in> Paris"}},
	{segment.KindText, 1, []string{
		"Prices rose when 5 < 10 & wages fell.",
		"There, I discovered Trotsky’s writings.",
	}},
}

// fixtureDoc builds the fixture's Doc on a fixed clock: each word lasts
// 0.1 s plus 0.05 s a letter, words are 0.08 s apart, sentences 0.6 s apart,
// and the audio starts and ends with 0.5 s of silence. The map's words are
// written without punctuation, as the outline writes them.
func fixtureDoc(tb testing.TB) Doc {
	tb.Helper()
	m, paragraphs, marks := buildMap(fixtureParagraphs, []string{"Youth", "Bread & roses <in> Paris"})
	chapters, err := timing.Chapters(m, marks)
	if err != nil {
		tb.Fatal(err)
	}
	d := Doc{Title: "My youth in the USSR", Language: "en", Map: m, Paragraphs: paragraphs, Chapters: chapters}
	if err := d.Validate(); err != nil {
		tb.Fatal(err)
	}
	return d
}

func buildMap(ps []para, chapterTitles []string) (*timing.Map, []Paragraph, []timing.ChapterMark) {
	m := &timing.Map{Method: timing.MethodSynthesis}
	var paragraphs []Paragraph
	marks := make([]timing.ChapterMark, len(chapterTitles))
	t := 0.5
	n := 0
	for _, p := range ps {
		var ids []string
		for _, text := range p.sentence {
			n++
			id := fmt.Sprintf("s%03d", n)
			ids = append(ids, id)
			s := timing.Sentence{ID: id, Text: text, Start: round(t), Confidence: 1}
			for _, w := range strings.Fields(text) {
				w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
				if w == "" {
					continue
				}
				d := 0.1 + 0.05*float64(len([]rune(w)))
				s.Words = append(s.Words, timing.Word{Start: round(t), End: round(t + d), Text: w})
				t += d + 0.08
			}
			s.End = max(round(t-0.08), s.Start)
			t += 0.6
			m.Sentences = append(m.Sentences, s)
			if marks[p.chapter].FirstSentence == "" {
				marks[p.chapter] = timing.ChapterMark{Title: chapterTitles[p.chapter], FirstSentence: id}
			}
		}
		paragraphs = append(paragraphs, Paragraph{Kind: p.kind, Chapter: p.chapter, SentenceIDs: ids})
	}
	m.Duration = round(t - 0.6 + 0.5)
	return m, paragraphs, marks
}

func round(t float64) float64 { return math.Round(t*1000) / 1000 }

func TestGolden(t *testing.T) {
	d := fixtureDoc(t)
	for _, tc := range []struct {
		name   string
		render func(Doc) ([]byte, error)
	}{
		{"episode.vtt", VTT},
		{"episode.srt", SRT},
		{"episode.json", JSON},
		{"episode.html", HTML},
		{"chapters.json", Chapters},
		{"chapters.vtt", ChapterVTT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.render(d)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, got)
			again, _ := tc.render(d)
			if !bytes.Equal(got, again) {
				t.Error("two renders differ")
			}
		})
	}
}
