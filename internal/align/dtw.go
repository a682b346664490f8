package align

import (
	"math"
)

// The DTW's steps (diagonal, along the recording, along the reference) all
// cost the local cost of the cell they reach. A diagonal step therefore
// costs half of the two single steps it replaces, so the path prefers to
// move both signals together and warps only where the voices really differ
// in timing; weighting the diagonal twice (the "symmetric" pattern, where
// every path weighs N+M) let the path wander inside words and put word
// starts twice as far off against festival's exact times.
//
// Start and end are free in the sense that matters: the reference begins
// and ends with pause frames, and at pause frames a step along one signal
// costs at most the filler cost. Untranscribed sound (an intro, music, a
// retake) is absorbed there at a fixed price per frame, so the path does
// not have to warp speech onto it, and every recording frame still costs
// something: a path gains nothing by skipping material, which is what made
// a free start and end without such normalization drift by seconds.

// cell is one point of a warping path: recording frame i, reference frame j.
type cell struct{ i, j int32 }

// band is the set of cells a DTW may visit: reference frames [lo[i], hi[i])
// for each recording frame i.
type band struct {
	lo, hi []int32
}

func fullBand(n, m int) band {
	b := band{lo: make([]int32, n), hi: make([]int32, n)}
	for i := range n {
		b.hi[i] = int32(m)
	}
	return b
}

// cells counts the cells of b.
func (b band) cells() int64 {
	var s int64
	for i := range b.lo {
		s += int64(b.hi[i] - b.lo[i])
	}
	return s
}

// level is one resolution of a signal's features.
type level struct {
	n      int
	v      []float32 // n × numCoeffs unit vectors
	factor int       // frames of the full resolution per frame
}

func (l *level) frame(f int) []float32 {
	return l.v[f*numCoeffs : (f+1)*numCoeffs : (f+1)*numCoeffs]
}

// coarsen averages factor frames of ft into one and scales the average
// back to unit length.
func coarsen(ft *features, factor int) *level {
	if factor == 1 {
		return &level{n: ft.n, v: ft.mfcc, factor: 1}
	}
	n := (ft.n + factor - 1) / factor
	l := &level{n: n, v: make([]float32, n*numCoeffs), factor: factor}
	for c := range n {
		out := l.frame(c)
		for f := c * factor; f < min(ft.n, (c+1)*factor); f++ {
			for k, x := range ft.frame(f) {
				out[k] += x
			}
		}
		var norm float32
		for _, x := range out {
			norm += x * x
		}
		if norm > 0 {
			inv := float32(1 / math.Sqrt(float64(norm)))
			for k := range out {
				out[k] *= inv
			}
		}
	}
	return l
}

// coarsenFlags marks a coarse frame when any of its frames is marked.
func coarsenFlags(flags []bool, factor int) []bool {
	if factor == 1 {
		return flags
	}
	out := make([]bool, (len(flags)+factor-1)/factor)
	for f, v := range flags {
		if v {
			out[f/factor] = true
		}
	}
	return out
}

func dot(a, b []float32) float32 {
	_ = b[numCoeffs-1]
	_ = a[numCoeffs-1]
	return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] + a[3]*b[3] + a[4]*b[4] + a[5]*b[5] + a[6]*b[6] +
		a[7]*b[7] + a[8]*b[8] + a[9]*b[9] + a[10]*b[10] + a[11]*b[11] + a[12]*b[12]
}

// Backpointers of the DTW, one byte per cell.
const (
	fromDiag  = 0
	fromRec   = 1 // (i-1, j): the recording moved on, the reference stayed
	fromRef   = 2 // (i, j-1)
	fromStart = 3
)

// dtw finds the cheapest path from (0, 0) to (rec.n-1, ref.n-1) inside b.
// pause marks the reference frames where a step may cost at most filler.
// Memory is one byte per cell of b plus two rows.
func dtw(rec, ref *level, b band, pause []bool, filler float32) []cell {
	n := rec.n
	if n == 0 || ref.n == 0 {
		return nil
	}
	rowStart := make([]int64, n+1)
	for i := range n {
		rowStart[i+1] = rowStart[i] + int64(b.hi[i]-b.lo[i])
	}
	back := make([]uint8, rowStart[n])
	width := 0
	for i := range n {
		width = max(width, int(b.hi[i]-b.lo[i]))
	}
	prev := make([]float64, width)
	cur := make([]float64, width)
	inf := math.Inf(1)
	var plo, phi int32 // previous row's range
	for i := range n {
		lo, hi := b.lo[i], b.hi[i]
		r := rec.frame(i)
		bk := back[rowStart[i]:rowStart[i+1]]
		for j := lo; j < hi; j++ {
			c := 1 - dot(r, ref.frame(int(j)))
			step := c // a step along one signal
			if pause[j] && step > filler {
				step = filler
			}
			best, from := inf, uint8(fromStart)
			if i == 0 && j == 0 {
				best = float64(c)
			}
			if i > 0 {
				if j-1 >= plo && j-1 < phi {
					if v := prev[j-1-plo] + float64(c); v < best {
						best, from = v, fromDiag
					}
				}
				if j >= plo && j < phi {
					if v := prev[j-plo] + float64(step); v < best {
						best, from = v, fromRec
					}
				}
			}
			if j > lo {
				if v := cur[j-1-lo] + float64(step); v < best {
					best, from = v, fromRef
				}
			}
			cur[j-lo] = best
			bk[j-lo] = from
		}
		prev, cur = cur, prev
		plo, phi = lo, hi
	}
	// Walk back from the last cell.
	path := make([]cell, 0, n+ref.n)
	i, j := int32(n-1), int32(ref.n-1)
	if j < b.lo[i] || j >= b.hi[i] {
		return nil
	}
	for {
		path = append(path, cell{i, j})
		from := back[rowStart[i]+int64(j-b.lo[i])]
		switch from {
		case fromDiag:
			i, j = i-1, j-1
		case fromRec:
			i--
		case fromRef:
			j--
		default:
			if i != 0 || j != 0 {
				return nil // unreachable: the band was cut
			}
			for l, r := 0, len(path)-1; l < r; l, r = l+1, r-1 {
				path[l], path[r] = path[r], path[l]
			}
			return path
		}
	}
}

// project turns a path found at a coarser level into the band of the next
// level: the cells it covers, widened by radius frames on every side.
func project(path []cell, q, n, m, radius int) band {
	b := band{lo: make([]int32, n), hi: make([]int32, n)}
	for i := range n {
		b.lo[i], b.hi[i] = math.MaxInt32, -1
	}
	for _, c := range path {
		i0 := max(0, int(c.i)*q-radius)
		i1 := min(n, (int(c.i)+1)*q+radius)
		j0 := int32(max(0, int(c.j)*q-radius))
		j1 := int32(min(m, (int(c.j)+1)*q+radius))
		for i := i0; i < i1; i++ {
			b.lo[i] = min(b.lo[i], j0)
			b.hi[i] = max(b.hi[i], j1)
		}
	}
	b.repair(m)
	return b
}

// repair makes a band that a path can cross: ranges never move backwards,
// consecutive rows overlap, and it holds the first and last cells.
func (b band) repair(m int) {
	n := len(b.lo)
	b.lo[0] = 0
	b.hi[n-1] = int32(m)
	for i := 1; i < n; i++ {
		if b.hi[i] < b.hi[i-1] {
			b.hi[i] = b.hi[i-1]
		}
	}
	for i := n - 2; i >= 0; i-- {
		if b.lo[i] > b.lo[i+1] {
			b.lo[i] = b.lo[i+1]
		}
	}
	for i := 1; i < n; i++ {
		if b.lo[i] > b.hi[i-1] {
			b.lo[i] = b.hi[i-1]
		}
		if b.hi[i] <= b.lo[i] {
			b.hi[i] = b.lo[i] + 1
		}
	}
}

// Coarse-to-fine parameters.
const (
	// maxCoarseCells bounds the full matrix of the coarsest level.
	maxCoarseCells = 16 << 20
	levelRatio     = 3  // frames of a level per frame of the next coarser one
	radius         = 20 // frames of widening around a projected path
)

// warp aligns rec to ref coarse-to-fine: the full matrix at a resolution
// small enough to afford it, then at each finer level a narrow band around
// the path found one level up.
func warp(rec, ref *features, pause []bool, filler float32) []cell {
	n, m := rec.n, ref.n
	if n == 0 || m == 0 {
		return nil
	}
	top := 1
	for int64((n+top-1)/top)*int64((m+top-1)/top) > maxCoarseCells {
		top *= levelRatio
	}
	var factors []int
	for f := top; f >= 1; f /= levelRatio {
		factors = append(factors, f)
	}
	var path []cell
	prevFactor := 0
	for _, f := range factors {
		rl, fl := coarsen(rec, f), coarsen(ref, f)
		pl := coarsenFlags(pause, f)
		var b band
		if path == nil {
			b = fullBand(rl.n, fl.n)
		} else {
			b = project(path, prevFactor/f, rl.n, fl.n, radius)
		}
		path = dtw(rl, fl, b, pl, filler)
		if path == nil {
			return nil
		}
		prevFactor = f
	}
	return path
}
