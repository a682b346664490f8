package hmm

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestFFTPowerMatchesDFT(t *testing.T) {
	for _, n := range []int{4, 64, 256} {
		f := newFFT(n)
		rng := rand.New(rand.NewPCG(1, uint64(n)))
		x := make([]float32, 2*n)
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		got := make([]float32, n+1)
		f.power(x, got)
		for k := 0; k <= n; k++ {
			var re, im float64
			for i, v := range x {
				a := -2 * math.Pi * float64(k*i) / float64(2*n)
				re += float64(v) * math.Cos(a)
				im += float64(v) * math.Sin(a)
			}
			want := re*re + im*im
			if d := math.Abs(float64(got[k]) - want); d > 1e-3*(1+want) {
				t.Fatalf("n=%d bin %d: got %g, want %g", 2*n, k, got[k], want)
			}
		}
	}
}
