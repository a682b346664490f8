package hmm

// densitiesSSE is densitiesGo for groups groups of pack, in gauss_amd64.s.
//
//go:noescape
func densitiesSSE(x *[Ceps]float32, pack *float32, groups int, out *float32)

// densities writes the log density at x of every Gaussian of pack to out.
func densities(x *[Ceps]float32, pack []float32, out []float32) {
	groups := len(pack) / groupLen
	if groups == 0 || len(out) < 4*groups {
		densitiesGo(x, pack, out)
		return
	}
	densitiesSSE(x, &pack[0], groups, &out[0])
}
