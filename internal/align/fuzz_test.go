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

// FuzzParseWAV: what a voice writes is untrusted; parsing never panics and
// never returns more samples than the bytes hold.
func FuzzParseWAV(f *testing.F) {
	var wav []byte
	{
		var b strings.Builder
		b.WriteString("RIFF\x24\xf0\xff\x7fWAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x22\x56\x00\x00\x44\xac\x00\x00\x02\x00\x10\x00data\x00\xf0\xff\x7f")
		b.WriteString("\x01\x00\xff\xff\x00\x80\xff\x7f")
		wav = []byte(b.String())
	}
	f.Add(wav)
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVE"))
	f.Fuzz(func(t *testing.T, b []byte) {
		x, rate, err := parseWAV(b)
		if err != nil {
			return
		}
		if rate <= 0 || len(x) > len(b)/2 {
			t.Fatalf("%d samples at %d Hz from %d bytes", len(x), rate, len(b))
		}
		for _, v := range x {
			if v < -1 || v > 1 {
				t.Fatalf("sample %v out of range", v)
			}
		}
	})
}
