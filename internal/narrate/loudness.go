package narrate

import "math"

// Meter measures the loudness of mono PCM as ITU-R BS.1770-4 and EBU R128
// define it: integrated loudness in LUFS (K-weighted, 400 ms blocks every
// 100 ms, gated at −70 LUFS and then 10 LU below the ungated level) and true
// peak in dBTP (the signal oversampled 4×). It streams: memory is one number
// per 100 ms of audio, so an hour costs 36,000 floats, not a copy of the PCM.
type Meter struct {
	shelf, highpass biquad
	sub             int        // samples per 100 ms
	subSum          float64    // K-weighted energy of the current 100 ms
	subN            int        // samples in it so far
	last            [4]float64 // energy of the last four 100 ms steps
	steps           int        // 100 ms steps completed
	blocks          []float64  // mean square of each complete 400 ms block
	tp              truePeak
}

// NewMeter returns a meter for PCM at the given sample rate. The K-weighting
// filters are derived for that rate (the standard's coefficients are for
// 48 kHz only), as libebur128 and ffmpeg do.
func NewMeter(rate int) *Meter {
	fs := float64(rate)
	m := &Meter{sub: rate / 10}
	{ // stage 1: the head's acoustic effect, a high shelf of about +4 dB
		f0, gain, q := 1681.974450955533, 3.999843853973347, 0.7071752369554196
		k := math.Tan(math.Pi * f0 / fs)
		vh := math.Pow(10, gain/20)
		vb := math.Pow(vh, 0.4996667741545416)
		a0 := 1 + k/q + k*k
		m.shelf = biquad{
			b0: (vh + vb*k/q + k*k) / a0, b1: 2 * (k*k - vh) / a0, b2: (vh - vb*k/q + k*k) / a0,
			a1: 2 * (k*k - 1) / a0, a2: (1 - k/q + k*k) / a0,
		}
	}
	{ // stage 2: the RLB high-pass at about 38 Hz
		f0, q := 38.13547087602444, 0.5003270373238773
		k := math.Tan(math.Pi * f0 / fs)
		a0 := 1 + k/q + k*k
		m.highpass = biquad{b0: 1, b1: -2, b2: 1, a1: 2 * (k*k - 1) / a0, a2: (1 - k/q + k*k) / a0}
	}
	m.tp.init()
	return m
}

// Write adds samples to the measurement.
func (m *Meter) Write(x []float32) {
	for _, s := range x {
		v := m.highpass.step(m.shelf.step(float64(s)))
		m.subSum += v * v
		m.subN++
		if m.subN == m.sub {
			m.last[m.steps%4] = m.subSum
			m.steps++
			m.subSum, m.subN = 0, 0
			if m.steps >= 4 {
				e := m.last[0] + m.last[1] + m.last[2] + m.last[3]
				m.blocks = append(m.blocks, e/float64(4*m.sub))
			}
		}
	}
	m.tp.write(x)
}

// Integrated returns the gated integrated loudness in LUFS, or -Inf when no
// block is louder than −70 LUFS (silence, or less than 400 ms of audio).
func (m *Meter) Integrated() float64 {
	const absGate = -70.0
	gated := func(threshold float64) float64 {
		sum, n := 0.0, 0
		for _, ms := range m.blocks {
			if blockLoudness(ms) > threshold {
				sum += ms
				n++
			}
		}
		if n == 0 {
			return math.Inf(-1)
		}
		return blockLoudness(sum / float64(n))
	}
	ungated := gated(absGate)
	if math.IsInf(ungated, -1) {
		return ungated
	}
	return gated(max(absGate, ungated-10))
}

// TruePeak returns the highest absolute value of the 4× oversampled signal,
// in dBTP (dB relative to full scale).
func (m *Meter) TruePeak() float64 { return dB(m.tp.peak) }

// SamplePeak returns the highest absolute sample value in dBFS.
func (m *Meter) SamplePeak() float64 { return dB(m.tp.samplePeak) }

func blockLoudness(meanSquare float64) float64 {
	return -0.691 + 10*math.Log10(meanSquare)
}

func dB(amplitude float64) float64 { return 20 * math.Log10(amplitude) }

// biquad is a direct-form-I second-order filter in float64, so that the
// 38 Hz high-pass keeps its precision at 44.1 kHz.
type biquad struct {
	b0, b1, b2, a1, a2 float64
	x1, x2, y1, y2     float64
}

func (f *biquad) step(x float64) float64 {
	y := f.b0*x + f.b1*f.x1 + f.b2*f.x2 - f.a1*f.y1 - f.a2*f.y2
	f.x2, f.x1 = f.x1, x
	f.y2, f.y1 = f.y1, y
	return y
}

// truePeak estimates inter-sample peaks by 4× oversampling with a
// windowed-sinc interpolator, as BS.1770-4 Annex 2 describes (its example
// filter has 12 taps per phase; this one has 24, for less ripple).
type truePeak struct {
	phases     [3][tpTaps]float64 // the three new points between two samples
	hist       [2 * tpTaps]float64
	pos        int
	peak       float64
	samplePeak float64
}

const tpTaps = 24

func (t *truePeak) init() {
	half := float64(tpTaps / 2)
	for p := 1; p <= 3; p++ {
		frac := float64(p) / 4
		sum := 0.0
		for k := range tpTaps {
			x := float64(k-tpTaps/2+1) - frac
			v := sinc(x) * kaiser(x/half, 6)
			t.phases[p-1][k] = v
			sum += v
		}
		for k := range tpTaps {
			t.phases[p-1][k] /= sum
		}
	}
}

// write feeds samples. The interpolated points between samples n and n+1
// need samples up to n+tpTaps/2, so they are computed tpTaps/2 samples late;
// the last few points of a stream (which end in silence here) are not.
func (t *truePeak) write(x []float32) {
	for _, s := range x {
		v := float64(s)
		if a := math.Abs(v); a > t.samplePeak {
			t.samplePeak = a
			t.peak = max(t.peak, a)
		}
		// hist is a doubled ring so that the last tpTaps samples are contiguous.
		t.hist[t.pos] = v
		t.hist[t.pos+tpTaps] = v
		t.pos = (t.pos + 1) % tpTaps
		win := t.hist[t.pos : t.pos+tpTaps] // oldest … newest
		// The points lie between win[c] and win[c+1], c = tpTaps/2-1. They
		// cannot rise 9.5 dB above the four samples around them in any
		// band-limited signal worth the name, so where those samples are
		// that far under the peak so far, the 72 multiplications are
		// skipped: in speech, most of the time (a 5× speed-up).
		c := tpTaps/2 - 1
		near := max(math.Abs(win[c-1]), math.Abs(win[c]), math.Abs(win[c+1]), math.Abs(win[c+2]))
		if 3*near < t.peak {
			continue
		}
		for p := range t.phases {
			acc := 0.0
			for k, h := range t.phases[p] {
				acc += h * win[k]
			}
			if a := math.Abs(acc); a > t.peak {
				t.peak = a
			}
		}
	}
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
