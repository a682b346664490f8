package hmm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestDensities: the packed Gaussians' log densities (SSE on amd64) are
// bit for bit those of the Go definition, and within float32 rounding of
// the textbook formula in float64, for every codebook of the model, with
// frames both near its means and far from them.
func TestDensities(t *testing.T) {
	m := testModel(t)
	rng := rand.New(rand.NewPCG(3, 4))
	got := make([]float32, maxDens)
	want := make([]float32, maxDens)
	for cb := range m.nCB {
		for f := range 3 {
			pack := m.gau[cb][f]
			for trial := range 4 {
				var x [Ceps]float32
				for k := range x {
					x[k] = float32(rng.NormFloat64() * float64(1+trial*3))
				}
				densities(&x, pack, got)
				densitiesGo(&x, pack, want)
				for d := range m.nDens {
					if math.Float32bits(got[d]) != math.Float32bits(want[d]) {
						t.Fatalf("codebook %d stream %d Gaussian %d: %v, Go gives %v", cb, f, d, got[d], want[d])
					}
					g := pack[d/4*groupLen:]
					ref := float64(g[d%4])
					for k := range Ceps {
						e := float64(x[k]) - float64(g[4+8*k+d%4])
						ref -= e * e * float64(g[8+8*k+d%4])
					}
					if math.Abs(float64(got[d])-ref) > 1e-5*math.Max(1, math.Abs(ref)) {
						t.Fatalf("codebook %d stream %d Gaussian %d: %v, float64 gives %v", cb, f, d, got[d], ref)
					}
				}
			}
		}
	}
}

// TestPackGaussiansPads: a stream whose Gaussians do not fill the last
// group of four gets padding of density zero (log -Inf).
func TestPackGaussiansPads(t *testing.T) {
	mean := make([]float32, 5*Ceps)
	vars := make([]float32, 5*Ceps)
	for i := range vars {
		vars[i] = 1
	}
	pack := packGaussians(mean, vars, 5, 1e-4)
	if len(pack) != 2*groupLen {
		t.Fatalf("%d floats, want %d", len(pack), 2*groupLen)
	}
	out := make([]float32, 8)
	var x [Ceps]float32
	densities(&x, pack, out)
	want := float32(-0.5 * Ceps * math.Log(2*math.Pi))
	if math.Abs(float64(out[4]-want)) > 1e-5 || !math.IsInf(float64(out[5]), -1) || !math.IsInf(float64(out[7]), -1) {
		t.Fatalf("densities %v, want %v then -Inf", out, want)
	}
}

// signalFeatures are the frames of n samples of the synthetic test signal.
func signalFeatures(m *Model, n int) *Features {
	x := sphinxSignal(n)
	samples := make([]float32, len(x)+1)
	for i, v := range x {
		samples[i+1] = float32(v)
	}
	fe := m.NewFrontEnd()
	frames := (len(x)-WindowLen)/FrameShift + 1
	cep := make([]float32, frames*Ceps)
	for f := range frames {
		fe.Cepstra(samples[f*FrameShift:f*FrameShift+WindowLen+1], cep[f*Ceps:(f+1)*Ceps])
	}
	return NewFeatures(cep)
}

// BenchmarkCodebooks is the figure of the README's table: every codebook
// of 3000 frames (30 s) scored, each frame warm-started from the one
// before, as the search does.
func BenchmarkCodebooks(b *testing.B) {
	m := testModel(b)
	ft := signalFeatures(m, 30*Rate+WindowLen)
	for b.Loop() {
		s := newScorer(m, ft)
		for t := range 3000 {
			s.setFrame(t)
			for cb := range m.nCB {
				s.codebook(cb)
			}
		}
	}
}

// BenchmarkDensities compares, in one run, the Gaussians of every
// codebook and stream at one frame through densities (SSE on amd64) and
// through the Go definition.
func BenchmarkDensities(b *testing.B) {
	m := testModel(b)
	var x [Ceps]float32
	for k := range x {
		x[k] = float32(k%3) - 1
	}
	out := make([]float32, maxDens)
	for _, c := range []struct {
		name string
		f    func(*[Ceps]float32, []float32, []float32)
	}{{"densities", densities}, {"go", densitiesGo}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				for cb := range m.nCB {
					for f := range 3 {
						c.f(&x, m.gau[cb][f], out)
					}
				}
			}
		})
	}
}
