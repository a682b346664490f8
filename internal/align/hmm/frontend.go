package hmm

import "math"

// The front end of the model (SphinxBase's fe with the parameters of
// feat.params): 16 kHz, a 25.625 ms Hamming window every 10 ms,
// pre-emphasis 0.97, a 512-point power spectrum, triangular mel filters of
// unit area with edges rounded to FFT bins, the log with a floor of 1e-4,
// an orthonormal DCT-II and a sinusoidal lifter. Frame t's window starts
// at sample t×FrameShift.
const (
	Rate        = 16000
	FrameShift  = 160 // samples: 10 ms
	WindowLen   = 410 // samples: 25.625 ms
	fftSize     = 512
	preEmphasis = 0.97
	logFloor    = 1e-4
	// Ceps is the number of cepstra per frame.
	Ceps = 13
)

// FrontEnd turns windows of samples into cepstra. It is read-only once
// made except for its work buffers: one per goroutine.
type FrontEnd struct {
	window  [WindowLen]float32
	start   []int       // first FFT bin of each filter
	weights [][]float32 // its coefficients
	dct     [Ceps][]float32
	fft     *fft
	buf     [fftSize]float32
	power   [fftSize/2 + 1]float32
	mel     []float32
}

// NewFrontEnd makes the front end of the model's parameters.
func (m *Model) NewFrontEnd() *FrontEnd {
	p := m.Params
	fe := &FrontEnd{fft: newFFT(fftSize / 2), mel: make([]float32, p.NFilt)}
	for i := range WindowLen {
		fe.window[i] = float32(0.54 - 0.46*math.Cos(2*math.Pi*float64(i)/float64(WindowLen-1)))
	}
	mel := func(f float64) float64 { return 2595 * math.Log10(1+f/700) }
	melInv := func(x float64) float64 { return 700 * (math.Pow(10, x/2595) - 1) }
	lo, hi := mel(p.LowerF), mel(p.UpperF)
	bw := (hi - lo) / float64(p.NFilt+1)
	binHz := float64(Rate) / fftSize
	for i := range p.NFilt {
		var f [3]float64
		for j := range f {
			f[j] = melInv(float64(i+j)*bw + lo)
			f[j] = float64(int(f[j]/binHz+0.5)) * binHz
		}
		var w []float32
		first := -1
		for j := 0; j <= fftSize/2; j++ {
			hz := float64(j) * binHz
			if hz < f[0] {
				continue
			}
			if hz > f[2] || j == fftSize/2 {
				break
			}
			if first < 0 {
				first = j
			}
			lo := (hz - f[0]) / (f[1] - f[0]) * 2 / (f[2] - f[0])
			hi := (f[2] - hz) / (f[2] - f[1]) * 2 / (f[2] - f[0])
			w = append(w, float32(min(lo, hi)))
		}
		fe.start = append(fe.start, max(first, 0))
		fe.weights = append(fe.weights, w)
	}
	n := float64(p.NFilt)
	for i := range Ceps {
		fe.dct[i] = make([]float32, p.NFilt)
		scale := math.Sqrt(2 / n)
		if i == 0 {
			scale = math.Sqrt(1 / n)
		}
		lift := 1.0
		if p.Lifter > 0 {
			lift = 1 + float64(p.Lifter)/2*math.Sin(float64(i)*math.Pi/float64(p.Lifter))
		}
		for j := range p.NFilt {
			fe.dct[i][j] = float32(math.Cos(math.Pi/n*float64(i)*(float64(j)+0.5)) * scale * lift)
		}
	}
	return fe
}

// Cepstra computes one frame from x: the sample before the window (0 at
// the start of a signal) and the WindowLen samples of the window, as
// 16-bit values (±32768). It writes Ceps values into out.
func (fe *FrontEnd) Cepstra(x []float32, out []float32) {
	b := fe.buf[:]
	for i := range WindowLen {
		b[i] = (x[i+1] - preEmphasis*x[i]) * fe.window[i]
	}
	clear(b[WindowLen:])
	fe.fft.power(b, fe.power[:])
	for i, w := range fe.weights {
		var e float32
		p := fe.power[fe.start[i]:]
		for k, c := range w {
			e += c * p[k]
		}
		fe.mel[i] = float32(math.Log(float64(e) + logFloor))
	}
	for i := range Ceps {
		var s float32
		for j, c := range fe.dct[i] {
			s += c * fe.mel[j]
		}
		out[i] = s
	}
}
