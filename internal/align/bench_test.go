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

// BenchmarkWarp: coarse-to-fine DTW of ten minutes against ten minutes of
// random unit frames, slightly stretched (b.N alignments).
func BenchmarkWarp(b *testing.B) {
	const n = 60000
	rng := rand.New(rand.NewPCG(3, 4))
	ref := newFeatures(n, false)
	for i := range ref.mfcc {
		ref.mfcc[i] = float32(rng.NormFloat64())
	}
	ref.normalize()
	rec := newFeatures(n*11/10, false)
	for f := range rec.n {
		copy(rec.frame(f), ref.frame(min(ref.n-1, f*10/11)))
	}
	filler := make([]float32, n)
	for j := range filler {
		filler[j] = float32(math.Inf(1))
	}
	filler[0], filler[n-1] = fillerCost, fillerCost
	for b.Loop() {
		if warp(rec, ref, filler) == nil {
			b.Fatal("no path")
		}
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
