package artwork

import (
	"fmt"
	"image"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// typefaces are the parsed Go fonts, shared by every render. A parsed
// *opentype.Font is safe for concurrent use; each Face made from it is not,
// so faces are made per render.
type typefaces struct {
	bold, regular *opentype.Font
}

var loadTypefaces = sync.OnceValues(func() (typefaces, error) {
	bold, err := opentype.Parse(gobold.TTF)
	if err != nil {
		return typefaces{}, fmt.Errorf("artwork: parse Go Bold: %w", err)
	}
	regular, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return typefaces{}, fmt.Errorf("artwork: parse Go Regular: %w", err)
	}
	return typefaces{bold: bold, regular: regular}, nil
})

const ellipsis = "…"

// style says how a block of text may be set: the range of sizes to try,
// largest first, the leading, and how many lines it may take.
type style struct {
	font     *opentype.Font
	maxSize  int     // em size in pixels
	minSize  int     // below this the text is cut with an ellipsis instead
	leading  float64 // baseline-to-baseline distance in ems
	maxLines int     // 0 means as many as the box holds
}

// block is text set to fit a box: its lines, the face they are drawn with
// and the origin of each, all in image coordinates.
type block struct {
	lines     []string
	face      font.Face
	size      int
	capHeight int   // pixels, from the face's 'H'
	xs        []int // left end of each line's baseline
	baselines []int
	ink       image.Rectangle // union of the lines' glyph bounds
}

// settable is text as f can set it: a letter f has no glyph for (Hebrew,
// Arabic, CJK: the Go fonts cover Latin, Greek and Cyrillic) leaves the
// whole text out, since a cover of empty boxes, or of half a title, is
// worse than none (the feed and the pages carry the title); other runes
// it lacks (an emoji, a symbol) are dropped.
func settable(f *opentype.Font, text string) string {
	var buf sfnt.Buffer
	missing := false
	out := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return r
		}
		if i, err := f.GlyphIndex(&buf, r); err == nil && i != 0 {
			return r
		}
		missing = missing || unicode.IsLetter(r)
		return -1
	}, text)
	if missing {
		return ""
	}
	return out
}

// newFace makes a face at an integer pixel size, so that every measurement
// is exact fixed-point arithmetic and the layout is reproducible.
func newFace(f *opentype.Font, size int) (font.Face, error) {
	face, err := opentype.NewFace(f, &opentype.FaceOptions{
		Size:    float64(size),
		DPI:     72,
		Hinting: font.HintingNone,
	})
	if err != nil {
		return nil, fmt.Errorf("artwork: face at %d px: %w", size, err)
	}
	return face, nil
}

// setText fits text into box in the given style: the largest size at which
// the words, wrapped and balanced, stay inside the box without breaking a
// word. If nothing fits down to the minimum size, the text is set at the
// minimum size, over-long words are broken and lines that do not fit are
// dropped behind an ellipsis. The first line's cap height sits on box.Min.Y.
// The returned block's ink never leaves the box.
func setText(text string, box image.Rectangle, st style) (block, error) {
	words := strings.Fields(settable(st.font, text))
	if len(words) == 0 {
		return block{}, nil
	}
	lo, hi := st.minSize, st.maxSize
	var best *block
	for lo <= hi {
		mid := (lo + hi) / 2
		b, ok, err := tryText(words, box, st, mid, false)
		if err != nil {
			return block{}, err
		}
		if ok {
			best = &b
			lo = mid + 1
		} else {
			hi = mid - 1
		}
	}
	if best != nil {
		return *best, nil
	}
	b, _, err := tryText(words, box, st, st.minSize, true)
	return b, err
}

// tryText sets words at one size. With squeeze false it reports whether they
// fit; with squeeze true it forces them in by breaking words and cutting
// lines, shrinking below the minimum only if even one line of an ellipsis
// will not fit.
func tryText(words []string, box image.Rectangle, st style, size int, squeeze bool) (block, bool, error) {
	for ; size > 0; size-- {
		face, err := newFace(st.font, size)
		if err != nil {
			return block{}, false, err
		}
		width := fixed.I(box.Dx())
		lines, ok := balance(face, words, width)
		if !ok && !squeeze {
			return block{}, false, nil
		}
		if !ok {
			lines = wrap(face, breakLongWords(face, words, width), width)
		}
		leading := int(float64(size)*st.leading + 0.5)
		capHeight := capHeightOf(face)
		maxLines := linesThatFit(face, box.Dy(), capHeight, leading)
		if st.maxLines > 0 && st.maxLines < maxLines {
			maxLines = st.maxLines
		}
		if len(lines) > maxLines {
			if !squeeze {
				return block{}, false, nil
			}
			if maxLines == 0 {
				continue // not even one line: shrink
			}
			lines = cut(face, lines, maxLines, width)
		}
		b := place(face, size, lines, box, capHeight, leading)
		if b.ink.In(box) {
			return b, true, nil
		}
		if !squeeze {
			return block{}, false, nil
		}
	}
	return block{}, false, fmt.Errorf("artwork: no size fits %q in %v", strings.Join(words, " "), box)
}

// capHeightOf measures the face's capital H, which is what the eye reads as
// the size of a title.
func capHeightOf(face font.Face) int {
	b, _, _ := face.GlyphBounds('H')
	return (-b.Min.Y).Ceil()
}

// linesThatFit is how many lines of leading fit in height when the first
// cap line starts at the top and the last line's descenders must stay in.
func linesThatFit(face font.Face, height, capHeight, leading int) int {
	descent := face.Metrics().Descent.Ceil()
	if capHeight+descent > height {
		return 0
	}
	return 1 + (height-capHeight-descent)/leading
}

// place puts lines in box, left-aligned, the first cap line at the top, and
// records the ink they cover.
func place(face font.Face, size int, lines []string, box image.Rectangle, capHeight, leading int) block {
	b := block{lines: lines, face: face, size: size, capHeight: capHeight}
	y := box.Min.Y + capHeight
	for i, line := range lines {
		bounds, _ := font.BoundString(face, line)
		// An accent above a capital on the first line pushes the block down
		// rather than out of the box.
		if i == 0 {
			if top := -bounds.Min.Y.Floor(); top > capHeight {
				y = box.Min.Y + top
			}
		}
		// A letter that reaches left of its origin (a j) is nudged in,
		// not let out past the margin.
		x := box.Min.X + max(0, -bounds.Min.X.Floor())
		b.xs = append(b.xs, x)
		b.baselines = append(b.baselines, y)
		ink := image.Rect(
			x+bounds.Min.X.Floor(), y+bounds.Min.Y.Floor(),
			x+bounds.Max.X.Ceil(), y+bounds.Max.Y.Ceil(),
		)
		if i == 0 {
			b.ink = ink
		} else {
			b.ink = b.ink.Union(ink)
		}
		y += leading
	}
	return b
}

// bottom is the lowest row the block may reach: the last baseline plus the
// face's descent, whether or not this text has descenders, so that what
// follows sits at the same distance from any title.
func (b block) bottom() int {
	if len(b.lines) == 0 {
		return 0
	}
	return b.baselines[len(b.baselines)-1] + b.face.Metrics().Descent.Ceil()
}

// draw paints the block onto dst in src.
func (b block) draw(dst *image.RGBA, src image.Image) {
	d := font.Drawer{Dst: dst, Src: src, Face: b.face}
	for i, line := range b.lines {
		d.Dot = fixed.P(b.xs[i], b.baselines[i])
		d.DrawString(line)
	}
}

// wrap fills lines greedily up to width. A word wider than width gets a
// line of its own; balance reports that case.
func wrap(face font.Face, words []string, width fixed.Int26_6) []string {
	var lines []string
	line := ""
	for _, w := range words {
		if line == "" {
			line = w
			continue
		}
		if font.MeasureString(face, line+" "+w) <= width {
			line += " " + w
			continue
		}
		lines = append(lines, line)
		line = w
	}
	return append(lines, line)
}

// balance wraps words into as few lines as width allows, then narrows the
// measure as far as it can without adding a line, so that a title breaks
// into lines of even length instead of a full line and an orphan. It
// reports false if some word is wider than width.
func balance(face font.Face, words []string, width fixed.Int26_6) ([]string, bool) {
	widest := fixed.Int26_6(0)
	for _, w := range words {
		widest = max(widest, font.MeasureString(face, w))
	}
	if widest > width {
		return nil, false
	}
	lines := wrap(face, words, width)
	if len(lines) == 1 {
		return lines, true
	}
	lo, hi := widest, width // wrap at hi gives len(lines) lines
	for lo < hi {
		mid := lo + (hi-lo)/2
		if len(wrap(face, words, mid)) <= len(lines) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return wrap(face, words, hi), true
}

// breakLongWords splits any word wider than width into pieces that fit, so
// that a single unbroken string still wraps instead of overflowing.
func breakLongWords(face font.Face, words []string, width fixed.Int26_6) []string {
	var out []string
	for _, w := range words {
		for font.MeasureString(face, w) > width {
			n := fitPrefix(face, w, "", width)
			if n == 0 {
				_, n = utf8.DecodeRuneInString(w) // never loop forever
			}
			out = append(out, w[:n])
			w = w[n:]
		}
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}

// fitPrefix is the byte length of the longest prefix of s, cut at a rune
// boundary, that fits in width with suffix appended.
func fitPrefix(face font.Face, s, suffix string, width fixed.Int26_6) int {
	n := 0
	for i := range s {
		if i > 0 && font.MeasureString(face, s[:i]+suffix) > width {
			return n
		}
		n = i
	}
	if font.MeasureString(face, s+suffix) <= width {
		return len(s)
	}
	return n
}

// cut keeps the first n lines and ends the last with an ellipsis, dropping
// words (or, for one long word, letters) until it fits.
func cut(face font.Face, lines []string, n int, width fixed.Int26_6) []string {
	out := append([]string(nil), lines[:n]...)
	last := out[n-1]
	for {
		if font.MeasureString(face, last+ellipsis) <= width {
			break
		}
		i := strings.LastIndexByte(last, ' ')
		if i <= 0 {
			last = last[:fitPrefix(face, last, ellipsis, width)]
			break
		}
		last = last[:i]
	}
	out[n-1] = strings.TrimRight(last, " ,;:-–—") + ellipsis
	return out
}

// trackedWidth is the advance of the block's first line with tracking
// pixels added after every letter but the last.
func (b block) trackedWidth(tracking int) int {
	if len(b.lines) == 0 {
		return 0
	}
	n := utf8.RuneCountInString(b.lines[0])
	return font.MeasureString(b.face, b.lines[0]).Ceil() + (n-1)*tracking
}

// drawTracked paints the block's first line letter by letter, tracking
// pixels apart: small capitals read better spaced out.
func (b block) drawTracked(dst *image.RGBA, src image.Image, tracking int) {
	if len(b.lines) == 0 {
		return
	}
	d := font.Drawer{Dst: dst, Src: src, Face: b.face, Dot: fixed.P(b.xs[0], b.baselines[0])}
	for _, r := range b.lines[0] {
		d.DrawString(string(r))
		d.Dot.X += fixed.I(tracking)
	}
}

// shift moves the block dy pixels down.
func (b block) shift(dy int) block {
	if len(b.lines) == 0 {
		return b
	}
	baselines := make([]int, len(b.baselines))
	for i, y := range b.baselines {
		baselines[i] = y + dy
	}
	b.baselines = baselines
	b.ink = b.ink.Add(image.Pt(0, dy))
	return b
}
