//go:build !amd64

package hmm

// densities writes the log density at x of every Gaussian of pack to out.
func densities(x *[Ceps]float32, pack []float32, out []float32) {
	densitiesGo(x, pack, out)
}
