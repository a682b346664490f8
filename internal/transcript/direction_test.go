package transcript

import (
	"strings"
	"testing"
)

func TestDirection(t *testing.T) {
	for _, c := range []struct{ lang, want string }{
		{"", "ltr"}, {"en", "ltr"}, {"en-GB", "ltr"}, {"fr", "ltr"}, {"ru", "ltr"},
		{"ar", "rtl"}, {"AR-eg", "rtl"}, {"he", "rtl"}, {"iw", "rtl"}, {"fa", "rtl"}, {"ur", "rtl"},
		{"yi", "rtl"}, {"ps", "rtl"}, {"ckb", "rtl"}, {"dv", "rtl"}, {"ji", "rtl"}, {"syr", "rtl"}, {"arc", "rtl"},
		{"az-Arab", "rtl"}, {"pa-Arab-PK", "rtl"}, {"uz-Arab", "rtl"},
		{"ar-Latn", "ltr"}, {"az", "ltr"}, {"sr-Cyrl", "ltr"},
	} {
		if got := Direction(c.lang); got != c.want {
			t.Errorf("Direction(%q) = %q, want %q", c.lang, got, c.want)
		}
	}
}

// TestHTMLRightToLeft: the HTML transcript of a right-to-left language says
// so on its root, so a browser opening it reads it right to left.
func TestHTMLRightToLeft(t *testing.T) {
	for _, c := range []struct{ lang, want string }{
		{"he", `<html lang="he" dir="rtl">`},
		{"ar", `<html lang="ar" dir="rtl">`},
		{"en", `<html lang="en">`},
	} {
		d := fixtureDoc(t)
		d.Language = c.lang
		b, err := HTML(d)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), c.want+"\n") {
			t.Errorf("the HTML transcript in %q does not open with %s:\n%.120s", c.lang, c.want, b)
		}
	}
}
