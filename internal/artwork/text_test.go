package artwork

import (
	"image"
	"slices"
	"strings"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
)

func TestShowTitleLines(t *testing.T) {
	tests := []struct {
		c    Cover
		want []string
	}{
		{show, []string{"Recollections of", "a Soviet Citizen"}},
		{Cover{Title: show.Title}, []string{"Recollections", "of a Soviet", "Citizen"}},
		{Cover{Title: "  Memoir\n"}, []string{"Memoir"}},
	}
	for _, tt := range tests {
		l, err := lay(tt.c)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(l.title.lines, tt.want) {
			t.Errorf("title %q set as %q, want %q", tt.c.Title, l.title.lines, tt.want)
		}
	}
}

func testFace(tb testing.TB, size int) font.Face {
	tb.Helper()
	tf, err := loadTypefaces()
	if err != nil {
		tb.Fatal(err)
	}
	face, err := newFace(tf.bold, size)
	if err != nil {
		tb.Fatal(err)
	}
	return face
}

// TestBalance checks that balancing keeps the greedy line count and never
// makes the longest line longer, and that it evens out an orphan.
func TestBalance(t *testing.T) {
	face := testFace(t, 100)
	words := strings.Fields("Growing up in Brezhnev's USSR and discovering Trotsky in Paris")
	for _, w := range []int{900, 1400, 2000, 3000} {
		width := fixed.I(w)
		greedy := wrap(face, words, width)
		got, ok := balance(face, words, width)
		if !ok {
			t.Fatalf("width %d: balance refused words that fit", w)
		}
		if len(got) != len(greedy) {
			t.Errorf("width %d: %d balanced lines, %d greedy", w, len(got), len(greedy))
		}
		if longest(face, got) > longest(face, greedy) {
			t.Errorf("width %d: balanced %q is wider than greedy %q", w, got, greedy)
		}
		if strings.Join(got, " ") != strings.Join(words, " ") {
			t.Errorf("width %d: balanced lines %q lost words", w, got)
		}
	}
	if _, ok := balance(face, []string{"Pneumonoultramicroscopic"}, fixed.I(300)); ok {
		t.Error("balance accepted a word wider than the measure")
	}
}

func longest(face font.Face, lines []string) fixed.Int26_6 {
	var w fixed.Int26_6
	for _, l := range lines {
		w = max(w, font.MeasureString(face, l))
	}
	return w
}

func TestSetTextSqueezes(t *testing.T) {
	box, st := titleBox(t)
	tests := []struct {
		name, text   string
		wantEllipsis bool
	}{
		{"fits", "A short title", false},
		{"too many lines", strings.Repeat("many words ", 60), true},
		{"one huge word", strings.Repeat("x", 300), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := setText(tt.text, box, st)
			if err != nil {
				t.Fatal(err)
			}
			if !b.ink.In(box) {
				t.Errorf("ink %v leaves box %v", b.ink, box)
			}
			last := b.lines[len(b.lines)-1]
			if got := strings.HasSuffix(last, ellipsis); got != tt.wantEllipsis {
				t.Errorf("lines %q: ellipsis %v, want %v", b.lines, got, tt.wantEllipsis)
			}
			if tt.wantEllipsis && b.size != st.minSize {
				t.Errorf("cut at %d px, want the minimum %d", b.size, st.minSize)
			}
		})
	}
}

// FuzzSetText sets arbitrary text in boxes of arbitrary shape: it must never
// fail, panic or put ink outside the box.
func FuzzSetText(f *testing.F) {
	f.Add("Recollections of a Soviet Citizen", uint16(2520), uint16(900))
	f.Add(strings.Repeat("W", 500), uint16(60), uint16(40))
	f.Add("Écrits d'Élise\x00\xff\t“x”", uint16(300), uint16(120))
	f.Add("a", uint16(1), uint16(1))
	tf, err := loadTypefaces()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string, w, h uint16) {
		box := image.Rect(10, 10, 10+40+int(w%3000), 10+40+int(h%3000))
		b, err := setText(text, box, style{font: tf.bold, maxSize: 200, minSize: 20, leading: 1.1})
		if err != nil {
			t.Fatalf("setText(%q, %v): %v", text, box, err)
		}
		if len(b.lines) > 0 && !b.ink.In(box) {
			t.Errorf("setText(%q, %v): ink %v leaves the box", text, box, b.ink)
		}
		if len(b.lines) != len(b.baselines) {
			t.Errorf("%d lines, %d baselines", len(b.lines), len(b.baselines))
		}
	})
}

// TestSettable: a title in a script the Go fonts lack is left out whole
// (not drawn as empty boxes, nor as half a title); a symbol they lack is
// dropped and the rest set.
func TestSettable(t *testing.T) {
	box, st := titleBox(t)
	for _, c := range [][2]string{ // a text, what is set
		{"Songs of the river", "Songs of the river"},
		{"Песни реки", "Песни реки"},
		{"שירי הנהר", ""},
		{"أغاني النهر", ""},
		{"Songs of שלום", ""},
		{"河の歌", ""},
		{"Songs 🎵 of the river", "Songs of the river"},
	} {
		b, err := setText(c[0], box, st)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(b.lines, " "); got != c[1] {
			t.Errorf("setText(%q) sets %q, want %q", c[0], got, c[1])
		}
	}
	// A cover of a Hebrew show is still made, without its title.
	if _, err := JPEG(Cover{Title: "שירי הנהר", Subtitle: "Memories", Author: "מרים"}); err != nil {
		t.Errorf("a Hebrew cover: %v", err)
	}
}

// titleBox is a box and a bold style to set titles in.
func titleBox(t *testing.T) (image.Rectangle, style) {
	t.Helper()
	tf, err := loadTypefaces()
	if err != nil {
		t.Fatal(err)
	}
	return image.Rect(100, 100, 700, 300), style{font: tf.bold, maxSize: 80, minSize: 30, leading: 1.1}
}
