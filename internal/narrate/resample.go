package narrate

import (
	"math"
	"sync"
)

// resampler converts mono PCM from one rate to another with a windowed-sinc
// polyphase filter. Output sample j sits exactly at input time j·in/out, so a
// time measured on the input clock is the same time on the output clock:
// the timings stay exact across the rate change.
type resampler struct {
	in, out int
	l, m    int         // out/in reduced: l phases, input step m
	taps    int         // taps per phase, centred: input samples n-taps/2+1 … n+taps/2
	phases  [][]float32 // phases[p][k] weights input n-taps/2+1+k for output phase p
}

const (
	resampleHalfTaps = 24  // 48 taps per phase: > 90 dB stop band with the Kaiser window
	resampleBeta     = 8.6 // Kaiser window shape
	resampleCutoff   = 0.94
)

var resamplers sync.Map // "in/out" → *resampler; filters are made once per rate pair

func newResampler(in, out int) *resampler {
	key := [2]int{in, out}
	if r, ok := resamplers.Load(key); ok {
		return r.(*resampler)
	}
	g := gcd(in, out)
	r := &resampler{in: in, out: out, l: out / g, m: in / g, taps: 2 * resampleHalfTaps}
	// Cut off below the lower Nyquist frequency, in units of the input rate.
	fc := resampleCutoff * math.Min(1, float64(out)/float64(in))
	half := float64(resampleHalfTaps)
	r.phases = make([][]float32, r.l)
	for p := range r.l {
		frac := float64(p) / float64(r.l) // output time past input sample n
		h := make([]float32, r.taps)
		sum := 0.0
		w := make([]float64, r.taps)
		for k := range r.taps {
			t := float64(k-resampleHalfTaps+1) - frac // input sample minus output time
			v := fc * sinc(fc*t) * kaiser(t/half, resampleBeta)
			w[k] = v
			sum += v
		}
		for k := range r.taps {
			h[k] = float32(w[k] / sum) // unity gain at DC in every phase
		}
		r.phases[p] = h
	}
	actual, _ := resamplers.LoadOrStore(key, r)
	return actual.(*resampler)
}

// outLen is the number of output samples for n input samples: those whose
// time lies inside the input.
func (r *resampler) outLen(n int) int {
	return int((int64(n)*int64(r.l) + int64(r.m) - 1) / int64(r.m))
}

// process resamples x (taken as zero outside its bounds) and appends the
// result to dst.
func (r *resampler) process(dst, x []float32) []float32 {
	if r.in == r.out {
		return append(dst, x...)
	}
	n := r.outLen(len(x))
	for j := range n {
		pos := int64(j) * int64(r.m)
		base := int(pos / int64(r.l))
		h := r.phases[pos%int64(r.l)]
		first := base - resampleHalfTaps + 1
		var acc float32
		if first >= 0 && first+r.taps <= len(x) {
			seg := x[first : first+r.taps]
			for k, v := range h {
				acc += v * seg[k]
			}
		} else {
			for k, v := range h {
				if i := first + k; i >= 0 && i < len(x) {
					acc += v * x[i]
				}
			}
		}
		dst = append(dst, acc)
	}
	return dst
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// kaiser is the Kaiser window at x in [-1, 1].
func kaiser(x, beta float64) float64 {
	if x < -1 || x > 1 {
		return 0
	}
	return bessel0(beta*math.Sqrt(1-x*x)) / bessel0(beta)
}

// bessel0 is the zeroth-order modified Bessel function of the first kind.
func bessel0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 50; k++ {
		term *= (x / (2 * float64(k))) * (x / (2 * float64(k)))
		sum += term
		if term < 1e-12*sum {
			break
		}
	}
	return sum
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
