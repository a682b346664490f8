package align

import (
	"strings"
	"testing"
	"unicode"
)

// FuzzLines: every fragment has a line's text, collapsed, and words that
// are runs of its text with letters or digits and no space.
func FuzzLines(f *testing.F) {
	for _, s := range []string{"1\nFrom fairest creatures we desire increase,\n", "***\n\n  — “Where?” he asked.  ", "a\r\nb\rc", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, s := range Lines(text) {
			if s.Text == "" || s.Text != strings.Join(strings.Fields(s.Text), " ") {
				t.Fatalf("fragment text %q is empty or not collapsed", s.Text)
			}
			for _, w := range s.Words {
				if w == "" || strings.ContainsFunc(w, unicode.IsSpace) || !strings.ContainsFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
					t.Fatalf("word %q of %q", w, s.Text)
				}
				if !strings.Contains(s.Text, w) {
					t.Fatalf("word %q is not in %q", w, s.Text)
				}
			}
		}
	})
}
