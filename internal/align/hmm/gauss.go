package hmm

import "math"

// The Gaussians are most of an alignment's arithmetic: every codebook the
// search needs in a frame has 3 × 128 of them, 13 dimensions each. They
// are stored in groups of four, dimension by dimension, so that four are
// scored at once (with SSE on amd64, gauss_amd64.s), without the
// branches of abandoning a Gaussian under the bar of the best so far
// (which cost more than the arithmetic they saved).

// groupLen is the length, in float32s, of a group of four Gaussians: their
// log(1/sqrt(2 pi var)) summed, then per dimension their four means and
// four 1/(2 var).
const groupLen = 4 + Ceps*8

// packGaussians lays out the n Gaussians of one codebook's stream
// (means and variances of n × Ceps, variances floored) in groups of four;
// a group is filled up with Gaussians of density zero (log -Inf).
func packGaussians(mean, variance []float32, n int, floor float64) []float32 {
	groups := (n + 3) / 4
	pack := make([]float32, groups*groupLen)
	for d := range groups * 4 {
		g, lane := pack[(d/4)*groupLen:], d%4
		if d >= n {
			g[lane] = float32(math.Inf(-1))
			continue
		}
		var det float64
		for k := range Ceps {
			v := max(float64(variance[d*Ceps+k]), floor)
			g[4+8*k+lane] = mean[d*Ceps+k]
			g[8+8*k+lane] = float32(1 / (2 * v))
			det += math.Log(1 / math.Sqrt(2*math.Pi*v))
		}
		g[lane] = float32(det)
	}
	return pack
}

// densitiesGo writes the log density at x of every Gaussian of pack to
// out (4 per group). It is the definition gauss_amd64.s computes too,
// operation for operation: the conversions keep the compiler from fusing
// a multiply and a subtraction, so both give the same bits.
func densitiesGo(x *[Ceps]float32, pack []float32, out []float32) {
	for g := 0; g+groupLen <= len(pack); g += groupLen {
		p := (*[groupLen]float32)(pack[g : g+groupLen])
		o := (*[4]float32)(out[g/groupLen*4:])
		for lane := range 4 {
			v := p[lane]
			for k := range Ceps {
				e := x[k] - p[4+8*k+lane]
				v -= float32(float32(e*e) * p[8+8*k+lane])
			}
			o[lane] = v
		}
	}
}
