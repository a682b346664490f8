package artwork

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"io"
	"strings"
)

// Sizes Apple Podcasts accepts for show artwork, in pixels per side.
const (
	MinSize     = 1400
	MaxSize     = 3000
	DefaultSize = MaxSize
)

// JPEG settings. Encode uses Quality, high enough that cream text on red
// shows no ringing, and steps down by 5 to no lower than MinQuality only
// while the file exceeds MaxBytes, Apple's 512 KB guideline. The show's
// own cover (a title, a subtitle, an author) fits at Quality; only a
// wordy cover, whose many small letters are costly edges, steps down.
const (
	Quality    = 90
	MinQuality = 75
	MaxBytes   = 512_000
)

// Errors a caller can act on: both mean the show metadata needs fixing.
var (
	ErrNoTitle = errors.New("artwork: cover has no title")
	ErrSize    = errors.New("artwork: cover size out of range")
)

// Palette: cream on oxblood. The contrast test holds both text colours to
// WCAG AAA (7:1) against the background.
var (
	oxblood    = color.RGBA{0x6b, 0x17, 0x1d, 0xff} // background
	cream      = color.RGBA{0xf6, 0xec, 0xd9, 0xff} // title, rule, played bars
	mutedCream = color.RGBA{0xe9, 0xc9, 0xa8, 0xff} // subtitle, label, author
	faintCream = mix(cream, oxblood, 0.34)          // unplayed bars: decoration, not text
)

// Cover is what the artwork shows. Title is required; Subtitle and Author
// are optional. Size is the side in pixels, DefaultSize if zero.
type Cover struct {
	Title, Subtitle, Author string
	Size                    int
}

// label is the small line at the top of every cover.
const label = "READCAST"

// Render draws the cover: an opaque square whose every pixel has alpha
// 0xff, so that it encodes as RGB. Text that is too long for the design
// shrinks, and at the smallest legible size is cut with an ellipsis; it
// never leaves the margins.
func Render(c Cover) (image.Image, error) {
	l, err := lay(c)
	if err != nil {
		return nil, err
	}
	img := image.NewRGBA(image.Rect(0, 0, l.side, l.side))
	draw.Draw(img, img.Bounds(), image.NewUniform(oxblood), image.Point{}, draw.Src)

	muted := image.NewUniform(mutedCream)
	l.label.drawTracked(img, muted, l.labelTracking)
	fillRect(img, l.rule, cream)
	l.title.draw(img, image.NewUniform(cream))
	l.subtitle.draw(img, muted)
	drawBars(img, l.bars)
	l.author.draw(img, muted)
	return img, nil
}

// Encode writes img as a baseline JPEG, at Quality or, if that exceeds
// MaxBytes, at the highest lower quality that does not (MinQuality at
// worst). image/jpeg writes three-component YCbCr, which every podcast app
// reads as RGB.
func Encode(w io.Writer, img image.Image) error {
	var buf bytes.Buffer
	for q := Quality; ; q -= 5 {
		buf.Reset()
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
			return fmt.Errorf("artwork: encode jpeg at quality %d: %w", q, err)
		}
		if buf.Len() <= MaxBytes || q-5 < MinQuality {
			break
		}
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("artwork: write jpeg: %w", err)
	}
	return nil
}

// JPEG renders the cover and encodes it.
func JPEG(c Cover) ([]byte, error) {
	img, err := Render(c)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// layout is where everything goes on a cover of one size. Proportions are
// fractions of the side so that every size looks the same.
type layout struct {
	side, margin  int
	label         block
	labelTracking int // extra pixels between the label's letters
	rule          image.Rectangle
	title         block
	subtitle      block
	bars          bars
	author        block
}

// frac is f of the side, rounded to a pixel.
func frac(side int, f float64) int { return int(float64(side)*f + 0.5) }

// lay validates c and places every element: label and rule at the top,
// author and sound bars at the bottom, and between them the title as large
// as fits, then the subtitle.
func lay(c Cover) (layout, error) {
	title := strings.Join(strings.Fields(c.Title), " ")
	if title == "" {
		return layout{}, ErrNoTitle
	}
	side := c.Size
	if side == 0 {
		side = DefaultSize
	}
	if side < MinSize || side > MaxSize {
		return layout{}, fmt.Errorf("%w: %d px, want %d to %d", ErrSize, side, MinSize, MaxSize)
	}
	tf, err := loadTypefaces()
	if err != nil {
		return layout{}, err
	}
	l := layout{side: side, margin: frac(side, 0.08)}
	if err := l.layTop(tf); err != nil {
		return layout{}, err
	}
	barsTop, err := l.layBottom(tf, c.Author, title)
	if err != nil {
		return layout{}, err
	}
	if err := l.layMiddle(tf, title, strings.TrimSpace(c.Subtitle), barsTop); err != nil {
		return layout{}, err
	}
	return l, nil
}

// s is f of the side, rounded to a pixel.
func (l *layout) s(f float64) int { return frac(l.side, f) }

// layTop places a tracked label and a thin rule running from it to the
// margin, on the label's mid-cap line.
func (l *layout) layTop(tf typefaces) error {
	m, right := l.margin, l.side-l.margin
	labelSize := l.s(0.026)
	l.labelTracking = l.s(0.0075)
	var err error
	l.label, err = setText(label, image.Rect(m, m, right, m+labelSize), style{
		font: tf.regular, maxSize: labelSize, minSize: labelSize, leading: 1,
	})
	if err != nil {
		return err
	}
	labelEnd := m + l.label.trackedWidth(l.labelTracking)
	ruleY := m + l.label.capHeight/2
	thick := max(2, l.s(0.0022))
	l.rule = image.Rect(labelEnd+l.s(0.022), ruleY-thick/2, right, ruleY-thick/2+thick)
	return nil
}

// layBottom places the author line on the bottom margin and the sound bars
// of title above it, and returns the top of the bars.
func (l *layout) layBottom(tf typefaces, author, title string) (barsTop int, err error) {
	m, right := l.margin, l.side-l.margin
	authorSize := l.s(0.034)
	authorTop := right - authorSize
	l.author, err = setText(author, image.Rect(m, authorTop, right, right), style{
		font: tf.regular, maxSize: authorSize, minSize: l.s(0.024), leading: 1.2, maxLines: 1,
	})
	if err != nil {
		return 0, err
	}
	barsBottom := authorTop - l.s(0.055)
	barsTop = barsBottom - l.s(0.1)
	l.bars = newBars(image.Rect(m, barsTop, right, barsBottom), title)
	return barsTop, nil
}

// layMiddle places the title as large as it will go above barsTop and the
// subtitle under it, then lowers a short group into the space left.
func (l *layout) layMiddle(tf typefaces, title, subtitle string, barsTop int) error {
	m, right := l.margin, l.side-l.margin
	titleTop := l.s(0.205)
	titleBottom := barsTop - l.s(0.07)
	if subtitle != "" {
		titleBottom -= l.s(0.15) // keep room for up to three subtitle lines
	}
	var err error
	l.title, err = setText(title, image.Rect(m, titleTop, right, titleBottom), style{
		font: tf.bold, maxSize: l.s(0.15), minSize: l.s(0.036), leading: 1.04,
	})
	if err != nil {
		return err
	}
	if subtitle != "" {
		top := titleTop // a title the typeface cannot set is left out (setText)
		if len(l.title.lines) > 0 {
			top = l.title.bottom() + l.s(0.04)
		}
		l.subtitle, err = setText(subtitle, image.Rect(m, top, right, barsTop-l.s(0.06)), style{
			font: tf.regular, maxSize: l.s(0.036), minSize: l.s(0.026), leading: 1.3, maxLines: 3,
		})
		if err != nil {
			return err
		}
	}
	// A short title would leave a hole above the bars: lower the group
	// into the space, less than halfway so it still hangs from the top.
	bottom := max(l.title.bottom(), l.subtitle.bottom())
	if room := barsTop - l.s(0.07) - bottom; room > 0 {
		dy := room * 2 / 5
		l.title = l.title.shift(dy)
		l.subtitle = l.subtitle.shift(dy)
	}
	return nil
}

// fillRect paints r in c.
func fillRect(dst *image.RGBA, r image.Rectangle, c color.Color) {
	draw.Draw(dst, r, image.NewUniform(c), image.Point{}, draw.Src)
}

// mix is a blended with b, t of the way from a to b.
func mix(a, b color.RGBA, t float64) color.RGBA {
	ch := func(x, y uint8) uint8 { return uint8(float64(x)*(1-t) + float64(y)*t + 0.5) }
	return color.RGBA{ch(a.R, b.R), ch(a.G, b.G), ch(a.B, b.B), 0xff}
}
