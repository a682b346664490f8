package hmm

import (
	"math"
	"math/bits"
)

// fft is an in-place radix-2 complex FFT of one fixed size, with its
// twiddles and bit-reversal table computed once. realFFT builds the
// spectrum of a real signal of twice its size on top of it.
type fft struct {
	n       int
	rev     []int
	cos     []float32 // cos(2πk/n), k < n/2
	sin     []float32 // sin(2πk/n)
	re, im  []float32 // work buffers
	postCos []float32 // twiddles of the real-signal post-processing, size n
	postSin []float32
}

func newFFT(n int) *fft {
	if n < 2 || n&(n-1) != 0 {
		panic("hmm: fft size must be a power of two")
	}
	f := &fft{n: n, rev: make([]int, n), cos: make([]float32, n/2), sin: make([]float32, n/2),
		re: make([]float32, n), im: make([]float32, n), postCos: make([]float32, n), postSin: make([]float32, n)}
	shift := bits.UintSize - bits.Len(uint(n-1))
	for i := range n {
		f.rev[i] = int(bits.Reverse(uint(i)) >> shift)
	}
	for k := range n / 2 {
		a := 2 * math.Pi * float64(k) / float64(n)
		f.cos[k], f.sin[k] = float32(math.Cos(a)), float32(math.Sin(a))
	}
	for k := range n {
		a := math.Pi * float64(k) / float64(n) // angle for the 2n-point real transform
		f.postCos[k], f.postSin[k] = float32(math.Cos(a)), float32(math.Sin(a))
	}
	return f
}

// transform computes the forward DFT of (re, im) in place.
func (f *fft) transform(re, im []float32) {
	n := f.n
	for i, j := range f.rev {
		if i < j {
			re[i], re[j] = re[j], re[i]
			im[i], im[j] = im[j], im[i]
		}
	}
	for size := 2; size <= n; size <<= 1 {
		half := size >> 1
		step := n / size
		for start := 0; start < n; start += size {
			k := 0
			for j := start; j < start+half; j++ {
				wr, wi := f.cos[k], -f.sin[k]
				l := j + half
				tr := wr*re[l] - wi*im[l]
				ti := wr*im[l] + wi*re[l]
				re[l], im[l] = re[j]-tr, im[j]-ti
				re[j], im[j] = re[j]+tr, im[j]+ti
				k += step
			}
		}
	}
}

// power writes |X[k]|² for k = 0…n of the 2n-point real signal x into out
// (len n+1). It packs x into n complex points, transforms them, and
// separates the even and odd halves.
func (f *fft) power(x []float32, out []float32) {
	n := f.n
	re, im := f.re, f.im
	for i := range n {
		re[i], im[i] = x[2*i], x[2*i+1]
	}
	f.transform(re, im)
	out[0] = sq(re[0] + im[0])
	out[n] = sq(re[0] - im[0])
	for k := 1; k < n; k++ {
		// Z[k] and conj(Z[n-k]) give the DFTs of the even and odd samples.
		ar, ai := re[k], im[k]
		br, bi := re[n-k], -im[n-k]
		er, ei := (ar+br)/2, (ai+bi)/2  // even
		or, oi := (ai-bi)/2, -(ar-br)/2 // odd: (Z[k]-conj(Z[n-k]))/(2i)
		c, s := f.postCos[k], -f.postSin[k]
		tr := c*or - s*oi
		ti := c*oi + s*or
		out[k] = sq(er+tr) + sq(ei+ti)
	}
}

func sq(x float32) float32 { return x * x }
