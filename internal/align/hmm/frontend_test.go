package hmm

import (
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/readcast/readcast/internal/align/acoustic"
	"github.com/readcast/readcast/internal/testtool"
)

func testModel(tb testing.TB) *Model {
	tb.Helper()
	m, err := Load(acoustic.Files, "en-us")
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// sphinxWAV writes a 16 kHz 16-bit mono WAV of a synthetic signal with
// speech-like bursts, chirps and silence.
func sphinxSignal(n int) []int16 {
	x := make([]int16, n)
	seed := uint32(1)
	for i := range x {
		t := float64(i) / Rate
		seed = seed*1664525 + 1013904223
		noise := (float64(seed>>16)/65536 - 0.5) * 200
		env := 0.5 + 0.5*math.Sin(2*math.Pi*1.3*t)
		v := env*(3000*math.Sin(2*math.Pi*(200+300*t)*t)+1500*math.Sin(2*math.Pi*1200*t)) + noise
		x[i] = int16(v)
	}
	return x
}

func writeWAV(tb testing.TB, path string, x []int16) {
	tb.Helper()
	b := make([]byte, 44+2*len(x))
	copy(b, "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+2*len(x)))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1)
	binary.LittleEndian.PutUint16(b[22:], 1)
	binary.LittleEndian.PutUint32(b[24:], Rate)
	binary.LittleEndian.PutUint32(b[28:], 2*Rate)
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(2*len(x)))
	for i, v := range x {
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(v))
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// readMFC reads a Sphinx feature file: an int32 count of floats, then the
// floats (little- or big-endian).
func readMFC(tb testing.TB, path string) [][]float32 {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var order binary.ByteOrder = binary.LittleEndian
	if int(order.Uint32(b))*4+4 != len(b) {
		order = binary.BigEndian
	}
	n := int(order.Uint32(b))
	var out [][]float32
	for i := 0; i+Ceps <= n; i += Ceps {
		f := make([]float32, Ceps)
		for k := range f {
			f[k] = math.Float32frombits(order.Uint32(b[4+4*(i+k):]))
		}
		out = append(out, f)
	}
	return out
}

// TestFrontEndMatchesSphinxFE compares the cepstra frame by frame with
// SphinxBase's sphinx_fe run with the model's feat.params.
func TestFrontEndMatchesSphinxFE(t *testing.T) {
	fe := testtool.Require(t, "sphinx_fe", "sphinxbase-utils")
	dir := t.TempDir()
	x := sphinxSignal(3 * Rate)
	wav := filepath.Join(dir, "in.wav")
	writeWAV(t, wav, x)
	mfc := filepath.Join(dir, "in.mfc")
	out, err := exec.Command(fe, "-i", wav, "-o", mfc, "-mswav", "yes", "-lowerf", "130", "-upperf", "6800",
		"-nfilt", "25", "-transform", "dct", "-lifter", "22", "-remove_noise", "no", "-remove_silence", "no").CombinedOutput()
	if err != nil {
		t.Fatalf("sphinx_fe: %v\n%s", err, out)
	}
	want := readMFC(t, mfc)
	m := testModel(t)
	front := m.NewFrontEnd()
	samples := make([]float32, len(x)+1)
	for i, v := range x {
		samples[i+1] = float32(v)
	}
	got := make([]float32, Ceps)
	frames := (len(x)-WindowLen)/FrameShift + 1
	if len(want) < frames {
		t.Fatalf("sphinx_fe wrote %d frames, want at least %d", len(want), frames)
	}
	var worst float64
	for f := range frames {
		front.Cepstra(samples[f*FrameShift:f*FrameShift+WindowLen+1], got)
		for k := range Ceps {
			d := math.Abs(float64(got[k] - want[f][k]))
			worst = max(worst, d)
			if d > 0.02*(1+math.Abs(float64(want[f][k]))) {
				t.Fatalf("frame %d cepstrum %d: %g, sphinx_fe %g", f, k, got[k], want[f][k])
			}
		}
	}
	t.Logf("%d frames, worst difference %.4f", frames, worst)
}
