package artwork

import (
	"hash/fnv"
	"image"

	"golang.org/x/image/vector"
)

// barCount is how many sound bars run across the cover, and playedCount how many
// of them are drawn in full cream, like the elapsed part of a player's
// scrubber.
const (
	barCount    = 46
	playedCount = 17
)

// bars is the sound-bar motif: rounded vertical bars mirrored about a
// centre line, their heights a speech-like envelope seeded by the title, so
// that each show gets its own waveform and the same show always the same.
type bars struct {
	box     image.Rectangle
	heights []int // full height of each bar in pixels
	width   int   // of each bar
}

func newBars(box image.Rectangle, seed string) bars {
	h := fnv.New64a()
	h.Write([]byte(seed))
	rng := h.Sum64() | 1

	b := bars{box: box, width: max(2, box.Dx()*11/(barCount*20))}
	// A random walk, smoothed and shaped by a slow swell, reads as speech:
	// bursts of syllables with short pauses, not noise.
	raw := make([]int, barCount)
	level := 500
	for i := range raw {
		rng ^= rng << 13
		rng ^= rng >> 7
		rng ^= rng << 17
		level += int(rng%601) - 300
		level = min(1000, max(80, level))
		if rng>>40%9 == 0 {
			level = 120 // a pause between words
		}
		raw[i] = level
	}
	for i := range raw {
		sum, n := 0, 0
		for j := max(0, i-1); j <= min(len(raw)-1, i+1); j++ {
			w := 1
			if j == i {
				w = 2
			}
			sum += raw[j] * w
			n += w
		}
		amp := sum / n // 0..1000
		full := b.width + (box.Dy()-b.width)*amp/1000
		b.heights = append(b.heights, full)
	}
	return b
}

// drawBars paints the motif, the played bars in cream and the rest faint.
func drawBars(dst *image.RGBA, b bars) {
	if len(b.heights) == 0 {
		return
	}
	played, rest := vector.NewRasterizer(b.box.Dx(), b.box.Dy()), vector.NewRasterizer(b.box.Dx(), b.box.Dy())
	pitch := float32(b.box.Dx()-b.width) / float32(barCount-1)
	mid := float32(b.box.Dy()) / 2
	for i, h := range b.heights {
		z := rest
		if i < playedCount {
			z = played
		}
		x := float32(b.width)/2 + pitch*float32(i)
		capsule(z, x, mid-float32(h)/2, mid+float32(h)/2, float32(b.width)/2)
	}
	played.Draw(dst, b.box, image.NewUniform(cream), image.Point{})
	rest.Draw(dst, b.box, image.NewUniform(faintCream), image.Point{})
}

// capsule adds a vertical bar from y0 to y1 centred on x with round ends of
// radius r.
func capsule(z *vector.Rasterizer, x, y0, y1, r float32) {
	const k = 0.5522848 // cubic Bézier approximation of a quarter circle
	if y1-y0 < 2*r {
		y0, y1 = (y0+y1)/2-r, (y0+y1)/2+r
	}
	top, bot := y0+r, y1-r
	z.MoveTo(x-r, top)
	z.CubeTo(x-r, top-k*r, x-k*r, y0, x, y0)
	z.CubeTo(x+k*r, y0, x+r, top-k*r, x+r, top)
	z.LineTo(x+r, bot)
	z.CubeTo(x+r, bot+k*r, x+k*r, y1, x, y1)
	z.CubeTo(x-k*r, y1, x-r, bot+k*r, x-r, bot)
	z.ClosePath()
}
