package artwork

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"strings"
	"sync"
	"testing"
)

// show is the cover of the show in episodes/show.json.
var show = Cover{
	Title:    "Recollections of a Soviet Citizen",
	Subtitle: "Growing up in Brezhnev's USSR and discovering Trotsky in Paris, in five episodes",
	Author:   "A Soviet citizen (Révolution, IMT)",
}

// hard are covers that push the layout: each must stay inside the margins.
var hard = map[string]Cover{
	"show":       show,
	"one word":   {Title: "Memoir"},
	"one letter": {Title: "I", Author: "X"},
	"long title": {
		Title:    "The Extraordinarily Long and Winding Recollections of a Citizen Who Lived Through Every Plenum of the Central Committee From Khrushchev to Gorbachev and Then Some More Years After That Too",
		Subtitle: "A subtitle that is also rather long, going on and on about what the show contains and why you should listen to every episode of it in order",
		Author:   "Someone With A Very Long Name Indeed And Several Titles, Professor Emeritus of Everything",
	},
	"endless title": {Title: strings.Repeat("Recollections of a Soviet citizen; ", 40), Subtitle: strings.Repeat("and more ", 80)},
	"one long word": {Title: strings.Repeat("Pneumonoultramicroscopicsilicovolcanoconiosis", 3), Author: strings.Repeat("W", 200)},
	"accents":       {Title: "Écrits d'Élise: Ça ira, Ô Ÿves", Subtitle: "Ångström & Øresund — “quoted”", Author: "Ñoño"},
	"wide letters":  {Title: "WWW MMM WWW MMM WWW", Subtitle: "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW"},
}

func TestRenderSize(t *testing.T) {
	tests := []struct {
		size, want int
	}{
		{0, 3000},
		{3000, 3000},
		{1400, 1400},
		{2048, 2048},
	}
	for _, tt := range tests {
		c := show
		c.Size = tt.size
		img, err := Render(c)
		if err != nil {
			t.Fatalf("Render(size %d): %v", tt.size, err)
		}
		if got, want := img.Bounds(), image.Rect(0, 0, tt.want, tt.want); got != want {
			t.Errorf("Render(size %d) bounds = %v, want %v", tt.size, got, want)
		}
		if o, ok := img.(interface{ Opaque() bool }); !ok || !o.Opaque() {
			t.Errorf("Render(size %d) is not opaque", tt.size)
		}
	}
}

func TestRenderErrors(t *testing.T) {
	tests := []struct {
		name string
		c    Cover
		want error
	}{
		{"empty title", Cover{Author: "someone"}, ErrNoTitle},
		{"blank title", Cover{Title: " \t\n "}, ErrNoTitle},
		{"too small", Cover{Title: "T", Size: 1399}, ErrSize},
		{"too large", Cover{Title: "T", Size: 3001}, ErrSize},
		{"negative", Cover{Title: "T", Size: -1}, ErrSize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := Render(tt.c)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Render = %v, %v; want %v", img, err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "artwork: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			if _, err := JPEG(tt.c); !errors.Is(err, tt.want) {
				t.Errorf("JPEG error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestJPEG(t *testing.T) {
	for _, size := range []int{3000, 1400} {
		c := show
		c.Size = size
		b, err := JPEG(c)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d px cover: %d bytes (%.0f KB)", size, len(b), float64(len(b))/1000)
		if len(b) > MaxBytes {
			t.Errorf("%d px cover is %d bytes, over %d", size, len(b), MaxBytes)
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.ColorModel != color.YCbCrModel {
			t.Errorf("colour model %v, want YCbCr (RGB, not CMYK or grey)", cfg.ColorModel)
		}
		img, err := jpeg.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := img.(*image.YCbCr); !ok {
			t.Errorf("decoded as %T, want *image.YCbCr", img)
		}
		if got, want := img.Bounds(), image.Rect(0, 0, size, size); got != want {
			t.Errorf("decoded bounds %v, want %v", got, want)
		}
	}
}

// TestEncodeStaysUnderMaxBytes encodes the wordiest cover, which does not
// fit MaxBytes at Quality, and checks that Encode steps down until it does.
func TestEncodeStaysUnderMaxBytes(t *testing.T) {
	img, err := Render(hard["long title"])
	if err != nil {
		t.Fatal(err)
	}
	var at90 bytes.Buffer
	if err := jpeg.Encode(&at90, img, &jpeg.Options{Quality: Quality}); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := Encode(&got, img); err != nil {
		t.Fatal(err)
	}
	t.Logf("wordy cover: %d bytes at quality %d, %d bytes from Encode", at90.Len(), Quality, got.Len())
	if got.Len() > MaxBytes {
		t.Errorf("Encode wrote %d bytes, over %d", got.Len(), MaxBytes)
	}
}

func TestDeterministic(t *testing.T) {
	want, err := JPEG(show)
	if err != nil {
		t.Fatal(err)
	}
	// Concurrent renders share the parsed fonts; they must not disturb each
	// other.
	var wg sync.WaitGroup
	got := make([][]byte, 2)
	errs := make([]error, 2)
	for i := range got {
		wg.Go(func() { got[i], errs[i] = JPEG(show) })
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if !bytes.Equal(got[i], want) {
			t.Errorf("render %d differs from the first (%d vs %d bytes)", i, len(got[i]), len(want))
		}
	}
}

// TestNoClipping checks every hard cover two ways: the layout keeps each
// element inside the margins and clear of the others, and the pixels agree,
// with nothing but background in the border band or anywhere outside the
// elements' boxes.
func TestNoClipping(t *testing.T) {
	for name, c := range hard {
		t.Run(name, func(t *testing.T) {
			c.Size = MinSize
			l, err := lay(c)
			if err != nil {
				t.Fatal(err)
			}
			img, err := Render(c)
			if err != nil {
				t.Fatal(err)
			}
			rgba := img.(*image.RGBA)

			inner := image.Rect(l.margin, l.margin, l.side-l.margin, l.side-l.margin)
			parts := map[string]image.Rectangle{
				"label":    l.label.ink.Union(image.Rect(l.margin, l.label.ink.Min.Y, l.margin+l.label.trackedWidth(l.labelTracking), l.label.ink.Max.Y)),
				"rule":     l.rule,
				"title":    l.title.ink,
				"subtitle": l.subtitle.ink,
				"bars":     l.bars.box,
				"author":   l.author.ink,
			}
			for a, ra := range parts {
				if !ra.In(inner) {
					t.Errorf("%s %v leaves the margins %v", a, ra, inner)
				}
				for b, rb := range parts {
					if a < b && ra.Overlaps(rb) {
						t.Errorf("%s %v overlaps %s %v", a, ra, b, rb)
					}
				}
			}
			if l.title.ink.Empty() {
				t.Fatal("no title ink")
			}

			bg := oxblood
			var stray, border, titleInk int
			b := rgba.Bounds()
			for y := b.Min.Y; y < b.Max.Y; y++ {
				for x := b.Min.X; x < b.Max.X; x++ {
					if rgba.RGBAAt(x, y) == bg {
						continue
					}
					p := image.Pt(x, y)
					if !p.In(inner) {
						border++
					}
					in := false
					for _, r := range parts {
						in = in || p.In(r)
					}
					if !in {
						stray++
					}
					if p.In(l.title.ink) && rgba.RGBAAt(x, y) == cream {
						titleInk++
					}
				}
			}
			if border > 0 {
				t.Errorf("%d non-background pixels in the %d px border band", border, l.margin)
			}
			if stray > 0 {
				t.Errorf("%d pixels drawn outside every element's box", stray)
			}
			if titleInk == 0 {
				t.Error("no solid title pixels inside the title box")
			}
		})
	}
}

// TestTitleLegibleSize holds a show title of ordinary length to a cap height
// of at least 6% of the side, about 12 px in a 200 px list thumbnail.
func TestTitleLegibleSize(t *testing.T) {
	for _, c := range []Cover{show, hard["one word"], {Title: show.Title}} {
		for _, size := range []int{MinSize, MaxSize} {
			c.Size = size
			l, err := lay(c)
			if err != nil {
				t.Fatal(err)
			}
			got := float64(l.title.capHeight) / float64(size)
			t.Logf("%q at %d px: %d lines, cap height %d px = %.1f%% of the side", c.Title, size, len(l.title.lines), l.title.capHeight, 100*got)
			if got < 0.06 {
				t.Errorf("%q at %d px: cap height %.1f%% of the side, want ≥ 6%%", c.Title, size, 100*got)
			}
		}
	}
}

func TestContrast(t *testing.T) {
	for _, tt := range []struct {
		name string
		ink  color.Color
	}{
		{"title, rule and played bars", cream},
		{"subtitle, label and author", mutedCream},
	} {
		got := contrastRatio(tt.ink, oxblood)
		t.Logf("%s on background: %.2f:1", tt.name, got)
		if got < 7 {
			t.Errorf("%s on background: contrast %.2f:1, want ≥ 7:1 (WCAG AAA)", tt.name, got)
		}
	}
}

// TestThumbnailLegible shrinks the cover to the 200 px Apple shows in lists
// and checks that the title's strokes still reach full contrast: they have
// not blurred into the background.
func TestThumbnailLegible(t *testing.T) {
	const side = 200
	l, err := lay(show)
	if err != nil {
		t.Fatal(err)
	}
	img, err := Render(show)
	if err != nil {
		t.Fatal(err)
	}
	thumb := Thumbnail(img, side)
	scale := func(v int) int { return v * side / l.side }
	region := image.Rect(scale(l.title.ink.Min.X), scale(l.title.ink.Min.Y), scale(l.title.ink.Max.X), scale(l.title.ink.Max.Y))

	var strong, total int
	best := 0.0
	for y := region.Min.Y; y < region.Max.Y; y++ {
		for x := region.Min.X; x < region.Max.X; x++ {
			cr := contrastRatio(thumb.At(x, y), oxblood)
			best = math.Max(best, cr)
			if cr >= 4.5 {
				strong++
			}
			total++
		}
	}
	t.Logf("title in a %d px thumbnail: %d×%d px, best contrast %.2f:1, %d%% of pixels ≥ 4.5:1",
		side, region.Dx(), region.Dy(), best, 100*strong/total)
	if best < 7 {
		t.Errorf("best title contrast in thumbnail %.2f:1, want ≥ 7:1", best)
	}
	if strong*10 < total {
		t.Errorf("only %d of %d title pixels reach 4.5:1 in the thumbnail", strong, total)
	}
}

// contrastRatio is the WCAG 2 contrast ratio between two colours.
func contrastRatio(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// luminance is WCAG 2 relative luminance of an sRGB colour.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}
