package align

import (
	"math"
	"sync/atomic"
	"time"

	"github.com/readcast/readcast/internal/align/hmm"
)

// The front end's parameters. Every signal is brought to Rate before its
// features are taken. The cepstra are the acoustic model's own front end
// (hmm.FrontEnd): frame f's window starts at sample f*FrameStep.
const (
	// Rate is the sample rate of alignment, in samples per second.
	Rate = hmm.Rate
	// FrameStep is the step between feature frames: 10 ms.
	FrameStep = hmm.FrameShift
	frameLen  = hmm.WindowLen
	numCoeffs = hmm.Ceps
	// energyStep and energyLen are the hop and window of the energy track
	// that finds pauses: 5 ms and 10 ms.
	energyStep = FrameStep / 2
	energyLen  = FrameStep
)

// frameTime is the time, in seconds, of the centre of frame f.
func frameTime(f int) float64 { return float64(f) * FrameStep / Rate }

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
	cep       *hmm.FrontEnd
	window    [frameLen + 1]float32
}

func newFrontEnd(dst *features, total int64, from, to int) *frontEnd {
	fe := &frontEnd{dst: dst, total: total, next: from, end: to, nextE: 2 * from, cep: newCepstra()}
	if dst.energy == nil {
		fe.nextE = 2 * to // no energy track to compute
	}
	fe.base = fe.needFrom()
	return fe
}

// needFrom is the first sample the remaining frames need (one before the
// window, for the pre-emphasis).
func (fe *frontEnd) needFrom() int64 {
	m := int64(fe.next)*FrameStep - 1
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
		need := int64(fe.end)*FrameStep + frameLen + 1
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
		if c+frameLen > have {
			break
		}
		fe.mfccFrame(fe.next, fe.buf[c-1-fe.base:c+frameLen-fe.base])
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
// window itself, as the model's front end wants them (16-bit scale).
func (fe *frontEnd) mfccFrame(f int, x []float32) {
	began := time.Now()
	defer func() { frontEndTime.Add(int64(time.Since(began))) }()
	for i, v := range x {
		fe.window[i] = v * 32768
	}
	fe.cep.Cepstra(fe.window[:], fe.dst.frame(f))
}

// newCepstra returns a front end of the acoustic model (loaded by Align
// before anything is decoded).
func newCepstra() *hmm.FrontEnd {
	m, err := acousticModel()
	if err != nil {
		panic("align: the acoustic model is not loaded: " + err.Error())
	}
	return m.NewFrontEnd()
}

// frontEndTime adds up the time spent computing cepstra, for Timings.
var frontEndTime atomic.Int64
