package align

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// BenchmarkFrontEnd: MFCC and energy frames of one minute of noise-like
// audio at Rate (b.N minutes).
func BenchmarkFrontEnd(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, 60*Rate)
	for i := range x {
		x[i] = float32(0.1 * rng.NormFloat64() * math.Sin(float64(i)/800))
	}
	b.SetBytes(int64(len(x)) * 4)
	for b.Loop() {
		ft := newFeatures(framesFor(int64(len(x))), true)
		fe := newFrontEnd(ft, int64(len(x)), 0, ft.n)
		for off := 0; off < len(x); off += 4096 {
			fe.feed(int64(off), x[off:min(len(x), off+4096)])
		}
		fe.finish()
	}
}

// BenchmarkAlignEpisode: the whole alignment of a seed episode (2:21),
// decoding and espeak-ng included.
func BenchmarkAlignEpisode(b *testing.B) {
	needEspeak(b)
	e := seedEpisodes(b)[1]
	for b.Loop() {
		if _, err := AlignFile(context.Background(), e.mp3, e.text, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
