package align

import "math"

// The front end's parameters. Every signal is brought to Rate before its
// features are taken, and every buffer says which rate it is at: a mix-up
// between 22.05 kHz and 16 kHz once stretched aeneas's timings by 1.378.
const (
	// Rate is the sample rate of alignment, in samples per second.
	Rate = 16000
	// FrameStep is the step between feature frames: 10 ms.
	FrameStep = Rate / 100
	// frameLen is the analysis window of a feature frame: 25 ms. Frame f
	// is centred on sample f*FrameStep, so its window starts frameLen/2
	// before that and a time maps to the frame nearest to it.
	frameLen  = Rate / 40
	fftSize   = 512
	numCoeffs = 13 // C0…C12: C0, the spectral energy, is kept
	numMel    = 40
	melLow    = 60.0   // Hz
	melHigh   = 7600.0 // Hz, under the 8 kHz Nyquist frequency
	preEmph   = 0.97
	// logFloor keeps digital silence finite in the log mel spectrum.
	logFloor = 1e-10
	// energyStep and energyLen are the hop and window of the energy track
	// that finds pauses: 5 ms and 10 ms, finer than the feature frames so
	// that a speech onset is placed to a few milliseconds.
	energyStep = FrameStep / 2
	energyLen  = FrameStep
)

// frameTime is the time, in seconds, of the centre of frame f.
func frameTime(f int) float64 { return float64(f) * FrameStep / Rate }

// frameAt is the frame whose centre is nearest to t seconds.
func frameAt(t float64) int { return int(math.Round(t * Rate / FrameStep)) }

// features are the frames of one signal: 13 MFCCs per 10 ms and an energy
// track per 5 ms. Nothing else of the signal is kept, so an hour of audio
// costs 100 × 13 × 4 bytes a second (19 MB) however it was decoded.
type features struct {
	n      int       // frames
	mfcc   []float32 // n × numCoeffs; after normalize, unit vectors
	energy []float32 // 2n values: dB of each 5 ms step; nil for the reference
}

// newFeatures makes room for n frames, and their energy track if energy.
func newFeatures(n int, energy bool) *features {
	ft := &features{n: n, mfcc: make([]float32, n*numCoeffs)}
	if energy {
		ft.energy = make([]float32, 2*n)
	}
	return ft
}

// frame returns the coefficients of frame f.
func (ft *features) frame(f int) []float32 {
	return ft.mfcc[f*numCoeffs : (f+1)*numCoeffs : (f+1)*numCoeffs]
}

// framesFor is the number of frames of a signal of n samples: one for every
// frame centre inside it.
func framesFor(n int64) int {
	if n <= 0 {
		return 0
	}
	return int((n + FrameStep - 1) / FrameStep)
}

// normalize applies per-file mean and variance normalization to each
// coefficient, then scales each frame to unit length so that the cosine
// distance of two frames is one minus their dot product.
func (ft *features) normalize() {
	if ft.n == 0 {
		return
	}
	var mean, sq [numCoeffs]float64
	for f := range ft.n {
		for k, v := range ft.frame(f) {
			mean[k] += float64(v)
			sq[k] += float64(v) * float64(v)
		}
	}
	var scale [numCoeffs]float64
	for k := range numCoeffs {
		mean[k] /= float64(ft.n)
		v := sq[k]/float64(ft.n) - mean[k]*mean[k]
		scale[k] = 1 / math.Sqrt(max(v, 1e-12))
	}
	for f := range ft.n {
		c := ft.frame(f)
		var norm float64
		for k := range c {
			x := (float64(c[k]) - mean[k]) * scale[k] * lift[k]
			c[k] = float32(x)
			norm += x * x
		}
		if norm > 0 {
			inv := float32(1 / math.Sqrt(norm))
			for k := range c {
				c[k] *= inv
			}
		}
	}
}

// lift weighs the normalized coefficients before the cosine: the higher
// cepstra describe the speaker's voice more than the sounds spoken, and
// between two voices they add noise. Measured on the seed (festival
// against espeak-ng), a weight falling by 0.07 per coefficient from C2 put
// 93.7% of word starts within 100 ms against 85.6% with equal weights.
var lift = [numCoeffs]float64{1, 1, 0.93, 0.86, 0.79, 0.72, 0.65, 0.58, 0.51, 0.44, 0.37, 0.3, 0.23}

// melBank is the triangular mel filterbank and the DCT, shared read-only.
type melBank struct {
	first  [numMel]int // first FFT bin of each filter
	weight [numMel][]float32
	dct    [numCoeffs][numMel]float32
	window [frameLen]float32
}

var bank = newMelBank()

func newMelBank() *melBank {
	b := &melBank{}
	mel := func(hz float64) float64 { return 1127 * math.Log(1+hz/700) }
	hz := func(m float64) float64 { return 700 * (math.Exp(m/1127) - 1) }
	lo, hi := mel(melLow), mel(melHigh)
	var edges [numMel + 2]float64
	for i := range edges {
		edges[i] = hz(lo + (hi-lo)*float64(i)/float64(numMel+1))
	}
	binHz := float64(Rate) / fftSize
	for m := range numMel {
		l, c, r := edges[m], edges[m+1], edges[m+2]
		first := int(math.Ceil(l / binHz))
		var w []float32
		for k := first; float64(k)*binHz < r; k++ {
			f := float64(k) * binHz
			v := 0.0
			if f <= c {
				v = (f - l) / (c - l)
			} else {
				v = (r - f) / (r - c)
			}
			w = append(w, float32(max(v, 0)))
		}
		b.first[m], b.weight[m] = first, w
	}
	for k := range numCoeffs {
		s := math.Sqrt(2.0 / numMel)
		if k == 0 {
			s = math.Sqrt(1.0 / numMel)
		}
		for m := range numMel {
			b.dct[k][m] = float32(s * math.Cos(math.Pi*float64(k)*(float64(m)+0.5)/numMel))
		}
	}
	for i := range frameLen {
		b.window[i] = float32(0.54 - 0.46*math.Cos(2*math.Pi*float64(i)/float64(frameLen-1)))
	}
	return b
}

// frontEnd computes the features of a stream of samples at Rate, frame by
// frame as the samples arrive, holding only a window's worth of them. It
// owns the frames [next, end) of dst: a decoder working on one part of a
// file fills that part's frames, and the parts never overlap.
type frontEnd struct {
	dst       *features
	total     int64     // samples in the whole signal; outside [0, total) is silence
	buf       []float32 // samples from base on
	base      int64
	next, end int // MFCC frames still to compute
	nextE     int // next energy step to compute; they end at 2*end
	fft       *fft
	frame     [2 * 256]float32
	power     [257]float32
	logMel    [numMel]float32
}

func newFrontEnd(dst *features, total int64, from, to int) *frontEnd {
	fe := &frontEnd{dst: dst, total: total, next: from, end: to, nextE: 2 * from, fft: newFFT(fftSize / 2)}
	if dst.energy == nil {
		fe.nextE = 2 * to // no energy track to compute
	}
	fe.base = fe.needFrom()
	return fe
}

// needFrom is the first sample the remaining frames need (one before the
// window, for the pre-emphasis).
func (fe *frontEnd) needFrom() int64 {
	m := int64(fe.next)*FrameStep - frameLen/2 - 1
	e := int64(fe.nextE)*energyStep - energyLen/2
	return min(m, e)
}

// done reports whether every frame the front end owns is computed.
func (fe *frontEnd) done() bool { return fe.next >= fe.end && fe.nextE >= 2*fe.end }

// feed gives the front end the samples x, the first of which is sample g0
// of the signal. Samples must come in order; those before what the
// remaining frames need are ignored, a gap is silence.
func (fe *frontEnd) feed(g0 int64, x []float32) {
	if fe.done() {
		return
	}
	have := fe.base + int64(len(fe.buf))
	if g0 > have {
		fe.buf = append(fe.buf, make([]float32, g0-have)...)
		have = g0
	}
	if skip := have - g0; skip > 0 {
		if skip >= int64(len(x)) {
			return
		}
		x, g0 = x[skip:], have
	}
	start := len(fe.buf)
	fe.buf = append(fe.buf, x...)
	// Outside the signal is silence: the decoder's delay before 0, its
	// padding after the end.
	for i := start; i < len(fe.buf); i++ {
		if g := fe.base + int64(i); g < 0 || g >= fe.total {
			fe.buf[i] = 0
		}
	}
	fe.compute()
}

// finish computes the frames that are left, with silence after the last
// sample fed.
func (fe *frontEnd) finish() {
	for !fe.done() {
		need := int64(fe.end)*FrameStep + frameLen/2 + 1
		have := fe.base + int64(len(fe.buf))
		if need <= have {
			fe.compute()
			break
		}
		fe.feed(have, make([]float32, need-have))
	}
}

func (fe *frontEnd) compute() {
	have := fe.base + int64(len(fe.buf))
	for fe.next < fe.end {
		c := int64(fe.next) * FrameStep
		if c+frameLen/2 > have {
			break
		}
		fe.mfccFrame(fe.next, fe.buf[c-frameLen/2-1-fe.base:c+frameLen/2-fe.base])
		fe.next++
	}
	for fe.nextE < 2*fe.end {
		c := int64(fe.nextE) * energyStep
		if c+energyLen/2 > have {
			break
		}
		var s float64
		for _, v := range fe.buf[c-energyLen/2-fe.base : c+energyLen/2-fe.base] {
			s += float64(v) * float64(v)
		}
		fe.dst.energy[fe.nextE] = float32(10 * math.Log10(s/energyLen+1e-12))
		fe.nextE++
	}
	// Keep only what the next frames need.
	if drop := fe.needFrom() - fe.base; drop > 4096 && drop <= int64(len(fe.buf)) {
		fe.buf = fe.buf[:copy(fe.buf, fe.buf[drop:])]
		fe.base += drop
	}
}

// mfccFrame computes frame f from x: the sample before its window, then the
// window itself.
func (fe *frontEnd) mfccFrame(f int, x []float32) {
	w := fe.frame[:]
	for i := range frameLen {
		w[i] = (x[i+1] - preEmph*x[i]) * bank.window[i]
	}
	clear(w[frameLen:])
	fe.fft.power(w, fe.power[:])
	for m := range numMel {
		var e float32
		p := fe.power[bank.first[m]:]
		for k, wt := range bank.weight[m] {
			e += wt * p[k]
		}
		fe.logMel[m] = float32(math.Log(float64(e) + logFloor))
	}
	out := fe.dst.frame(f)
	for k := range numCoeffs {
		var s float32
		for m, d := range bank.dct[k] {
			s += d * fe.logMel[m]
		}
		out[k] = s
	}
}
