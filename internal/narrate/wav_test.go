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
