package align

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/readcast/readcast/internal/segment"
)

// Sentence is one fragment of the text to find in a recording: a sentence
// of an outline, or a line with -lines.
type Sentence struct {
	ID    string
	Text  string
	Words []string
	// Paragraph numbers the paragraph the sentence belongs to: a longer
	// pause is expected between paragraphs, and retakes are reported by
	// paragraph.
	Paragraph int
}

// Episode returns the sentences of one episode of an outline, in order.
func Episode(e segment.Episode) []Sentence {
	var out []Sentence
	p := 0
	for _, c := range e.Chapters {
		for _, para := range c.Paragraphs {
			for _, s := range para.Sentences {
				out = append(out, fromSegment(s, p))
			}
			p++
		}
	}
	return out
}

// Outline returns every sentence of an outline, in order.
func Outline(o *segment.Outline) []Sentence {
	var out []Sentence
	p := 0
	for _, e := range o.Episodes {
		for _, s := range Episode(e) {
			s.Paragraph += p
			out = append(out, s)
		}
		if n := len(out); n > 0 {
			p = out[n-1].Paragraph + 1
		}
	}
	return out
}

func fromSegment(s segment.Sentence, paragraph int) Sentence {
	words := make([]string, len(s.Words))
	for i, w := range s.Words {
		words[i] = w.Text
	}
	return Sentence{ID: s.ID, Text: s.Text, Words: words, Paragraph: paragraph}
}

// Lines returns each non-empty line of text as a fragment of its own (the
// -lines mode of readcast align), with IDs "line-1", "line-2"… numbered by
// the line's place in the text. A line without a word (a row of asterisks)
// is kept as a fragment without words.
func Lines(text string) []Sentence {
	var out []Sentence
	for i, line := range strings.Split(text, "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if line == "" {
			continue
		}
		out = append(out, Sentence{ID: fmt.Sprintf("line-%d", i+1), Text: line, Words: Words(line), Paragraph: len(out)})
	}
	return out
}

// Words splits text into words as segment does: runs of non-space
// characters with the punctuation around them removed ("“where" → where,
// "Trotsky’s" stays whole); runs without a letter or digit are not words.
func Words(text string) []string {
	var out []string
	for _, f := range strings.Fields(text) {
		w := strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}
