package audio

import (
	"math"
	"sync"
)

const (
	// zeroCrossings is the half-length of the sinc kernel in zero
	// crossings. 16 with a Kaiser window gives about 80 dB of stopband,
	// far below what MFCC features or a listener can notice.
	zeroCrossings = 16
	// kaiserBeta sets the window's trade between stopband depth and
	// transition width.
	kaiserBeta = 8.0
	// passband is the fraction of the lower Nyquist frequency kept. The
	// rest is the filter's transition band, so that little aliases back.
	passband = 0.92
	// maxPhases bounds the polyphase table (and the time to build it).
	// Rates whose reduced ratio needs more phases (none of the MP3 rates to
	// 8, 16, 22.05, 44.1 or 48 kHz do) are served by rounding to the
	// nearest of maxPhases, a timing error below 1/2048 of an input sample.
	maxPhases = 1024
)

// filter is the polyphase table of a Kaiser-windowed sinc from one rate to
// another. It is read-only once made, and made once per pair of rates.
type filter struct {
	up, down int // dst/src reduced: output j sits at input position j*down/up
	phases   int
	half     int       // taps on each side of the output position
	table    []float32 // phases rows of 2*half taps
}

var filters sync.Map // [2]int{src, dst} → *filter

func newFilter(src, dst int) *filter {
	key := [2]int{src, dst}
	if f, ok := filters.Load(key); ok {
		return f.(*filter)
	}
	g := gcd(src, dst)
	f := &filter{up: dst / g, down: src / g}
	f.phases = min(f.up, maxPhases)
	// The cutoff, in cycles per input sample, is below both Nyquist
	// frequencies.
	cutoff := 0.5 * passband * min(1, float64(dst)/float64(src))
	f.half = int(math.Ceil(zeroCrossings / (2 * cutoff)))
	taps := 2 * f.half
	f.table = make([]float32, f.phases*taps)
	vals := make([]float64, taps)
	for p := 0; p < f.phases; p++ {
		frac := float64(p) / float64(f.phases)
		row := f.table[p*taps : (p+1)*taps]
		var sum float64
		for m := range taps {
			d := float64(m-f.half+1) - frac // distance from the output position
			vals[m] = sinc(2*cutoff*d) * kaiser(d/float64(f.half))
			sum += vals[m]
		}
		// Each row sums to one so that every phase passes DC unchanged;
		// otherwise the table would add a faint tone at the phase rate.
		for m, v := range vals {
			row[m] = float32(v / sum)
		}
	}
	actual, _ := filters.LoadOrStore(key, f)
	return actual.(*filter)
}

// resampler converts a mono stream between two sample rates with a
// Kaiser-windowed sinc filter, one polyphase row per output phase. It is
// zero-phase: output sample j is the filtered input at time j/dst exactly,
// so onsets stay where they were, which alignment and the narration's
// timings depend on. It holds only the input the kernel still needs.
type resampler struct {
	*filter
	in       []float32 // input samples from inBase on
	inBase   int64
	next     int64 // index of the next output sample
	received int64 // input samples written
	closed   bool
}

func newResampler(src, dst int) *resampler {
	r := &resampler{filter: newFilter(src, dst)}
	// The first output needs half-1 samples before the start: silence.
	r.in = make([]float32, r.half-1, 8192)
	r.inBase = -int64(r.half - 1)
	return r
}

// Resample returns a clip x, sampled at src, at the rate dst, taking the
// signal as silence outside the clip: one output sample for every output
// time inside it. It is the filter Decode resamples with; filters are made
// once per pair of rates.
func Resample(x []float32, src, dst int) []float32 {
	if src == dst {
		return append([]float32(nil), x...)
	}
	r := newResampler(src, dst)
	r.write(x)
	r.close()
	out := make([]float32, r.total())
	for n := 0; n < len(out); {
		k := r.read(out[n:])
		if k == 0 {
			panic("audio: the resampler stopped short of its output") // a programming error
		}
		n += k
	}
	return out
}

// write appends input samples.
func (r *resampler) write(x []float32) {
	r.compact()
	r.in = append(r.in, x...)
	r.received += int64(len(x))
}

// close marks the end of the input: the kernel's right half runs on silence.
func (r *resampler) close() {
	if r.closed {
		return
	}
	r.closed = true
	r.in = append(r.in, make([]float32, r.half)...)
}

// total is the number of output samples for the input written so far: one
// for every output time before the end of the input.
func (r *resampler) total() int64 {
	return (r.received*int64(r.up) + int64(r.down) - 1) / int64(r.down)
}

// done reports whether every output sample has been read.
func (r *resampler) done() bool {
	return r.closed && r.next >= r.total()
}

// read fills dst with as many output samples as the input allows.
func (r *resampler) read(dst []float32) int {
	taps := 2 * r.half
	limit := r.inBase + int64(len(r.in)) // first input index not held
	n := 0
	for n < len(dst) {
		if r.closed && r.next >= r.total() {
			break
		}
		pos := r.next * int64(r.down)
		i0 := pos / int64(r.up)
		num := pos % int64(r.up)
		p := int(num)
		if r.phases != r.up {
			p = int((num*int64(r.phases) + int64(r.up)/2) / int64(r.up))
			if p == r.phases {
				i0, p = i0+1, 0
			}
		}
		if i0+int64(r.half) > limit {
			break
		}
		x := r.in[i0-int64(r.half)+1-r.inBase:]
		row := r.table[p*taps : (p+1)*taps]
		x = x[:len(row)]
		var acc float32
		for m, h := range row {
			acc += h * x[m]
		}
		dst[n] = acc
		n++
		r.next++
	}
	return n
}

// compact drops input the next output no longer needs, so memory stays at
// one chunk plus the kernel.
func (r *resampler) compact() {
	first := r.next*int64(r.down)/int64(r.up) - int64(r.half) // one spare for phase rounding
	drop := first - r.inBase
	if drop <= 0 || drop < int64(len(r.in))/2 {
		return
	}
	drop = min(drop, int64(len(r.in)))
	r.in = r.in[:copy(r.in, r.in[drop:])]
	r.inBase += drop
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// kaiser is the Kaiser window at x in [-1, 1].
func kaiser(x float64) float64 {
	if x <= -1 || x >= 1 {
		return 0
	}
	return besselI0(kaiserBeta*math.Sqrt(1-x*x)) / besselI0(kaiserBeta)
}

// besselI0 is the modified Bessel function of the first kind, order 0, by
// its power series (converges fast for the arguments a window uses).
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; term > 1e-12*sum; k++ {
		q := x / (2 * float64(k))
		term *= q * q
		sum += term
	}
	return sum
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
