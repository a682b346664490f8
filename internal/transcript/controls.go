package transcript

import (
	"strings"
	"unicode/utf8"

	"github.com/readcast/readcast/internal/timing"
)

// isControl reports whether r is a control character no output carries:
// C0 but newline and tab, DEL, and C1. Players render some (a form feed, an
// escape), and a NUL cuts a caption short in others.
func isControl(r rune) bool {
	return r < 0x20 && r != '\n' && r != '\t' || r >= 0x7f && r <= 0x9f
}

// DropControls returns s without control characters other than newline
// and tab (isControl).
func DropControls(s string) string {
	i := strings.IndexFunc(s, isControl)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		if !isControl(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// DropControlBytes is DropControls of UTF-8 bytes, in place.
func DropControlBytes(b []byte) []byte {
	out := b[:0]
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if !(r != utf8.RuneError && isControl(r)) {
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	return out
}

// printable returns d with every text it holds (title, language, speaker,
// chapter titles, sentence and word text) without control characters, for
// the writers; d itself is left as it is.
func (d Doc) printable() Doc {
	d.Title, d.Language, d.Speaker = DropControls(d.Title), DropControls(d.Language), DropControls(d.Speaker)
	d.Chapters = append([]timing.Chapter(nil), d.Chapters...)
	for i := range d.Chapters {
		d.Chapters[i].Title = DropControls(d.Chapters[i].Title)
	}
	if d.Map != nil {
		m := *d.Map
		m.Sentences = append([]timing.Sentence(nil), m.Sentences...)
		for i := range m.Sentences {
			s := &m.Sentences[i]
			s.Text = DropControls(s.Text)
			if len(s.Words) > 0 {
				s.Words = append([]timing.Word(nil), s.Words...)
				for j := range s.Words {
					s.Words[j].Text = DropControls(s.Words[j].Text)
				}
			}
		}
		d.Map = &m
	}
	return d
}
