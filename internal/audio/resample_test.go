package audio

import (
	"math"
	"testing"
)

// TestResampleKeepsTime: a click at input time t comes out at output time
// t, and a tone keeps its level, for the rates the voices write (8 to 48
// kHz) to the rates readcast uses (16 kHz for alignment, 44.1 kHz for
// narration).
func TestResampleKeepsTime(t *testing.T) {
	for _, to := range []int{16000, 44100} {
		for _, from := range []int{8000, 16000, 22050, 32000, 44100, 48000} {
			x := make([]float32, from)
			at := from / 3
			x[at] = 1
			y := Resample(x, from, to)
			if want := (len(x)*to + from - 1) / from; len(y) != want {
				t.Errorf("%d→%d: %d samples, want %d", from, to, len(y), want)
			}
			// The peak, refined by a parabola through its neighbours.
			p := 0
			for i := range y {
				if y[i] > y[p] {
					p = i
				}
			}
			a, b, c := float64(y[p-1]), float64(y[p]), float64(y[p+1])
			peak := float64(p)
			if d := a - 2*b + c; d != 0 {
				peak += 0.5 * (a - c) / d
			}
			if got, want := peak/float64(to), float64(at)/float64(from); math.Abs(got-want) > 0.05e-3 {
				t.Errorf("%d→%d: a click at %.6f s comes out at %.6f s", from, to, want, got)
			}
			tone := make([]float32, from)
			for i := range tone {
				tone[i] = float32(0.5 * math.Sin(2*math.Pi*440*float64(i)/float64(from)))
			}
			y = Resample(tone, from, to)
			if got, want := rms(y[to/10:to*9/10]), rms(tone[from/10:from*9/10]); math.Abs(20*math.Log10(got/want)) > 0.05 {
				t.Errorf("%d→%d: a 440 Hz tone comes out %.3f dB off", from, to, 20*math.Log10(got/want))
			}
		}
	}
}

func rms(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(len(x)))
}
