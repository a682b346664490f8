package align

import (
	"math"
	"sync"
)

// resampler converts a whole clip from one sample rate to another with a
// Kaiser-windowed sinc, one row of taps per output phase. Output sample j
// is the filtered input at time j/to exactly, so times survive the change
// of rate. It is used for the reference's words (a voice writes its own
// rate, espeak-ng 22.05 kHz); the recording is resampled by audio.Decode.
type resampler struct {
	up, down int // to/from reduced
	half     int // taps on each side
	table    []float32
}

const (
	rsZeroCrossings = 12
	rsBeta          = 8.0
	rsPassband      = 0.9
)

var resamplers sync.Map // [2]int{from, to} → *resampler

func newResampler(from, to int) *resampler {
	key := [2]int{from, to}
	if r, ok := resamplers.Load(key); ok {
		return r.(*resampler)
	}
	g := gcdInt(from, to)
	r := &resampler{up: to / g, down: from / g}
	cutoff := 0.5 * rsPassband * min(1, float64(to)/float64(from)) // cycles per input sample
	r.half = int(math.Ceil(rsZeroCrossings / (2 * cutoff)))
	taps := 2 * r.half
	r.table = make([]float32, r.up*taps)
	vals := make([]float64, taps)
	for p := range r.up {
		frac := float64(p*r.down%r.up) / float64(r.up)
		var sum float64
		for m := range taps {
			d := float64(m-r.half+1) - frac
			vals[m] = sincf(2*cutoff*d) * kaiserWin(d/float64(r.half))
			sum += vals[m]
		}
		row := r.table[p*taps : (p+1)*taps]
		for m, v := range vals {
			row[m] = float32(v / sum)
		}
	}
	resamplers.Store(key, r)
	return r
}

// resample returns x, sampled at from, at the rate to.
func resample(x []float32, from, to int) []float32 {
	if from == to {
		return append([]float32(nil), x...)
	}
	r := newResampler(from, to)
	n := (int64(len(x))*int64(r.up) + int64(r.down) - 1) / int64(r.down)
	out := make([]float32, n)
	taps := 2 * r.half
	for j := range out {
		pos := int64(j) * int64(r.down)
		i0 := int(pos / int64(r.up)) // input sample at or before the output time
		row := r.table[(j%r.up)*taps : (j%r.up+1)*taps]
		var acc float32
		first := i0 - r.half + 1
		if first >= 0 && first+taps <= len(x) {
			for m, h := range row {
				acc += h * x[first+m]
			}
		} else {
			for m, h := range row {
				if i := first + m; i >= 0 && i < len(x) {
					acc += h * x[i]
				}
			}
		}
		out[j] = acc
	}
	return out
}

func sincf(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

func kaiserWin(x float64) float64 {
	if x <= -1 || x >= 1 {
		return 0
	}
	return besselI0(rsBeta*math.Sqrt(1-x*x)) / besselI0(rsBeta)
}

func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; term > 1e-12*sum; k++ {
		q := x / (2 * float64(k))
		term *= q * q
		sum += term
	}
	return sum
}

func gcdInt(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
