package narrate

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"
)

// testSignals are the signals the meter is checked on: tones low, middle and
// high (the K-weighting's shelf and high-pass), noise, speech-like bursts
// with silences (the gates), and a quarter-rate tone whose samples miss its
// peaks by 3 dB (the true peak).
func testSignals(rate int) map[string][]float32 {
	sec := func(s float64) int { return int(s * float64(rate)) }
	// Tones fade in and out over 50 ms: an abrupt start rings in any
	// interpolator, and ffmpeg's and ours ring differently.
	tone := func(f, amp float64, n int, phase float64) []float32 {
		x := make([]float32, n)
		fade := sec(0.05)
		for i := range x {
			g := min(1, float64(i)/float64(fade), float64(n-1-i)/float64(fade))
			x[i] = float32(g * amp * math.Sin(2*math.Pi*f*float64(i)/float64(rate)+phase))
		}
		return x
	}
	r := rand.New(rand.NewPCG(1, 2))
	noise := make([]float32, sec(8))
	for i := range noise {
		noise[i] = float32(0.1 * r.NormFloat64())
	}
	bursts := make([]float32, sec(20))
	for i := range bursts {
		t := float64(i) / float64(rate)
		on := math.Mod(t, 2.5) < 1.2 // 1.2 s of "speech", 1.3 s of pause
		level := 0.15                // peaks stay under full scale: clipping is not a test of a meter
		if math.Mod(t, 10) > 5 {
			level = 0.015 // a quiet passage, 20 dB down: the relative gate drops it
		}
		if on {
			bursts[i] = float32(level * r.NormFloat64() * math.Abs(math.Sin(2*math.Pi*3*t)))
		}
	}
	return map[string][]float32{
		"1kHz -20dBFS":       tone(1000, 0.1, sec(5), 0),
		"100Hz -6dBFS":       tone(100, 0.5, sec(5), 0),
		"8kHz -12dBFS":       tone(8000, 0.25, sec(5), 0),
		"noise":              noise,
		"bursts with pauses": bursts,
		"quarter-rate tone":  tone(float64(rate)/4, 0.9, sec(3), math.Pi/4),
	}
}

// TestMeterMatchesFFmpeg compares Meter with ffmpeg's ebur128 filter
// (libavfilter's own BS.1770 implementation) on each test signal.
func TestMeterMatchesFFmpeg(t *testing.T) {
	dir := t.TempDir()
	for _, rate := range []int{44100, 48000} {
		for name, x := range testSignals(rate) {
			t.Run(name, func(t *testing.T) {
				path := filepath.Join(dir, "signal.wav")
				writeTestWAV(t, path, x, rate)
				wantI, wantTP := ebur128(t, path)
				// the meter reads what ffmpeg reads: 16-bit samples
				q := make([]float32, len(x))
				for i, v := range x {
					q[i] = float32(math.Round(float64(v)*32767)) / 32768
				}
				m := NewMeter(rate)
				for len(q) > 0 { // in odd-sized pieces, as a stream arrives
					n := min(len(q), 1234)
					m.Write(q[:n])
					q = q[n:]
				}
				gotI, gotTP := m.Integrated(), m.TruePeak()
				t.Logf("%d Hz: integrated %.2f LUFS (ffmpeg %.2f), true peak %.2f dBTP (ffmpeg %.2f)", rate, gotI, wantI, gotTP, wantTP)
				if math.Abs(gotI-wantI) > 0.5 {
					t.Errorf("integrated %.2f LUFS, ffmpeg %.2f", gotI, wantI)
				}
				if math.Abs(gotTP-wantTP) > 0.5 {
					t.Errorf("true peak %.2f dBTP, ffmpeg %.2f", gotTP, wantTP)
				}
			})
		}
	}
}

// TestMeterReference checks the meter against the standard's own figures:
// a 1 kHz sine at −18 dBFS reads −18.0 LUFS... less 0.691 plus the shelf's
// gain at 1 kHz, which EBU Tech 3341 states as −18.0 ± 0.1 LUFS for a
// 997 Hz tone at −18 dBFS... in stereo. In mono it is 3 dB lower.
func TestMeterReference(t *testing.T) {
	const rate = 48000
	x := make([]float32, 20*rate)
	amp := math.Pow(10, -18.0/20)
	for i := range x {
		x[i] = float32(amp * math.Sin(2*math.Pi*997*float64(i)/rate))
	}
	m := NewMeter(rate)
	m.Write(x)
	if got, want := m.Integrated(), -21.01; math.Abs(got-want) > 0.1 {
		t.Errorf("997 Hz at -18 dBFS, mono: %.2f LUFS, want %.2f", got, want)
	}
	if got := NewMeter(rate).Integrated(); !math.IsInf(got, -1) {
		t.Errorf("nothing measured: %v, want -Inf", got)
	}
}

func TestLimiter(t *testing.T) {
	const rate = 44100
	x := make([]float32, 2*rate)
	for i := range x {
		x[i] = float32(0.3 * math.Sin(2*math.Pi*200*float64(i)/rate))
	}
	for _, at := range []int{0, 3, 1000, 3 * rate / 2, 2*rate - 2} {
		x[at] = 0.99 // clicks, one at the very start and one at the end
	}
	orig := append([]float32(nil), x...)
	ceiling := -3.0
	turned := newLimiter(rate, ceiling).apply(x, 2) // +6 dB
	lin := math.Pow(10, ceiling/20)
	for i, v := range x {
		if math.Abs(float64(v)) > lin+1e-6 {
			t.Fatalf("sample %d = %.4f is above the ceiling %.4f", i, v, lin)
		}
	}
	if turned <= 0 {
		t.Fatal("the limiter did nothing")
	}
	// A second after a click, the signal is the input times the gain again:
	// the sine itself (0.6 after gain) is under the ceiling (0.708).
	for _, i := range []int{rate, 60000} {
		if got, want := x[i], 2*orig[i]; math.Abs(float64(got-want)) > 1e-6 {
			t.Errorf("sample %d = %.4f, want %.4f untouched by the limiter", i, got, want)
		}
	}
}

// BenchmarkMeter measures 20 s of speech-like bursts at 44.1 kHz.
func BenchmarkMeter(b *testing.B) {
	x := testSignals(44100)["bursts with pauses"]
	b.SetBytes(int64(len(x) * 4))
	for b.Loop() {
		NewMeter(44100).Write(x)
	}
}
