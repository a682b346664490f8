package narrate

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestDecodeWAV(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.wav")
	x := []float32{0, 0.5, -0.5, 0.25}
	writeTestWAV(t, path, x, 22050)
	b, _ := os.ReadFile(path)
	got, rate, err := decodeWAV(b)
	if err != nil || rate != 22050 || len(got) != len(x) {
		t.Fatalf("got %v at %d Hz, %v", got, rate, err)
	}
	for i := range x {
		if math.Abs(float64(got[i]-x[i])) > 1e-4 {
			t.Errorf("sample %d = %v, want %v", i, got[i], x[i])
		}
	}
	// A data size bigger than the file, as espeak-ng writes to a pipe.
	b[40], b[41], b[42], b[43] = 0xff, 0xff, 0xff, 0x7f
	if got, _, err := decodeWAV(b); err != nil || len(got) != len(x) {
		t.Errorf("overstated data size: %d samples, %v", len(got), err)
	}
	for _, bad := range [][]byte{nil, []byte("RIFF0000WAVE"), b[:20]} {
		if _, _, err := decodeWAV(bad); err == nil {
			t.Errorf("decodeWAV(%q) succeeded", bad)
		}
	}
}

// FuzzDecodeWAV: engines' files are trusted, but a truncated file must give
// an error, not a panic.
func FuzzDecodeWAV(f *testing.F) {
	path := filepath.Join(f.TempDir(), "a.wav")
	writeTestWAV(f, path, []float32{0, 0.1, 0.2}, 16000)
	b, _ := os.ReadFile(path)
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		decodeWAV(b)
	})
}

// TestResampleTiming: a click at input time t comes out at output time t,
// for each engine's rate, and a tone keeps its level.
func TestResampleTiming(t *testing.T) {
	const out = 44100
	for _, in := range []int{16000, 22050, 32000, 48000, 44100} {
		x := make([]float32, in)
		at := in / 3
		x[at] = 1
		y := newResampler(in, out).process(nil, x)
		if want := newResampler(in, out).outLen(len(x)); len(y) != want {
			t.Errorf("%d Hz: %d samples, want %d", in, len(y), want)
		}
		// the peak, refined by a parabola through its neighbours
		p := 0
		for i := range y {
			if y[i] > y[p] {
				p = i
			}
		}
		a, b, c := float64(y[p-1]), float64(y[p]), float64(y[p+1])
		peak := float64(p) + 0.5*(a-c)/(a-2*b+c)
		got, want := peak/out, float64(at)/float64(in)
		if math.Abs(got-want) > 0.05e-3 {
			t.Errorf("%d Hz: click at %.6f s comes out at %.6f s", in, want, got)
		}
		tone := make([]float32, in)
		for i := range tone {
			tone[i] = float32(0.5 * math.Sin(2*math.Pi*440*float64(i)/float64(in)))
		}
		y = newResampler(in, out).process(nil, tone)
		if got := rmsDB(y[out/10 : out*9/10]); math.Abs(got-rmsDB(tone[in/10:in*9/10])) > 0.05 {
			t.Errorf("%d Hz: a 440 Hz tone comes out at %.2f dB", in, got)
		}
	}
}
