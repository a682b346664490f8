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

// coarsenFiller gives a coarse frame the lowest filler cost of its frames.
func coarsenFiller(filler []float32, factor int) []float32 {
	if factor == 1 {
		return filler
	}
	out := make([]float32, (len(filler)+factor-1)/factor)
	for f := range out {
		out[f] = float32(math.Inf(1))
	}
	for f, v := range filler {
		out[f/factor] = min(out[f/factor], v)
	}
	return out
}

func dot(a, b []float32) float32 {
	_ = b[numCoeffs-1]
	_ = a[numCoeffs-1]
	return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] + a[3]*b[3] + a[4]*b[4] + a[5]*b[5] + a[6]*b[6] +
		a[7]*b[7] + a[8]*b[8] + a[9]*b[9] + a[10]*b[10] + a[11]*b[11] + a[12]*b[12]
}

// Backpointers of the DTW, two bits per cell, four cells to a byte.
const (
	fromDiag  = 0
	fromRec   = 1 // (i-1, j): the recording moved on, the reference stayed
	fromRef   = 2 // (i, j-1)
	fromStart = 3
)

// dtw finds the cheapest path from (0, 0) to (rec.n-1, ref.n-1) inside b.
// filler is, per reference frame, the most a step along one signal may
// cost there. Memory is two bits per cell of b plus two rows.
func dtw(rec, ref *level, b band, filler []float32) []cell {
	n := rec.n
	if n == 0 || ref.n == 0 {
		return nil
	}
	rowStart := make([]int64, n+1)
	for i := range n {
		rowStart[i+1] = rowStart[i] + int64(b.hi[i]-b.lo[i])
	}
	back := make([]uint8, (rowStart[n]+3)/4)
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
		base := rowStart[i] - int64(lo)
		for j := lo; j < hi; j++ {
			c := 1 - dot(r, ref.frame(int(j)))
			step := min(c, filler[j]) // a step along one signal
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
			k := base + int64(j)
			back[k>>2] |= from << ((k & 3) * 2)
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
		k := rowStart[i] + int64(j-b.lo[i])
		from := back[k>>2] >> ((k & 3) * 2) & 3
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
func warp(rec, ref *features, filler []float32) []cell {
	return warpWithin(rec, ref, filler, maxCoarseCells)
}

// warpWithin is warp with the coarsest level's full matrix bounded by
// maxCells.
func warpWithin(rec, ref *features, filler []float32, maxCells int64) []cell {
	n, m := rec.n, ref.n
	if n == 0 || m == 0 {
		return nil
	}
	top := 1
	for int64((n+top-1)/top)*int64((m+top-1)/top) > maxCells {
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
		pl := coarsenFiller(filler, f)
		var b band
		if path == nil {
			b = fullBand(rl.n, fl.n)
		} else {
			b = project(path, prevFactor/f, rl.n, fl.n, radius)
		}
		path = dtw(rl, fl, b, pl)
		if path == nil {
			return nil
		}
		if b.cells() > 8<<20 {
			collect() // this level's features and backpointers
		}
		prevFactor = f
	}
	return path
}

// Subsequence search. Where the global path put a sentence badly, or a
// stretch of the recording was left untranscribed, the sentence is looked
// for again inside a window of the recording, alone. The search pairs each
// reference frame with recording frames, the recording moving on by 0 to 2
// frames per reference frame (up to maxPauseStep in the reference's pauses,
// where a narrator may pause longer), and charges every recording frame it
// passes: a pattern that could skip frames unseen found any sentence in any
// stretch of speech at a good score, and one without a bound on the slope
// spread a sentence over half a minute of music. The cost is the mean over
// the reference frames, so places of any length compare fairly. The place
// found is then timed by the ordinary DTW (refine).

const (
	stayPenalty  = 0.1 // added when the recording does not move on
	maxPauseStep = 12  // recording frames one pause frame may take
)

// locate finds where reference frames [r0, r1) are best matched inside
// recording frames [i0, i1): the recording frames [start, end) of the best
// place, and its mean cost.
func locate(rec, ref *features, filler []float32, i0, i1, r0, r1 int) (start, end int, cost float64, ok bool) {
	w, h := i1-i0, r1-r0
	if w < 2 || h <= 0 {
		return 0, 0, 0, false
	}
	back := make([]uint8, w*h)
	prev := make([]float64, w)
	cur := make([]float64, w)
	sum := make([]float64, w+1) // prefix sums of this row's local costs
	inf := math.Inf(1)
	for j := range h {
		rf := ref.frame(r0 + j)
		capj := float64(filler[r0+j])
		steps := 2
		if !math.IsInf(capj, 1) {
			steps = maxPauseStep
		}
		for i := range w {
			c := float64(1 - dot(rec.frame(i0+i), rf))
			sum[i+1] = sum[i] + min(c, capj)
		}
		row := back[j*w : (j+1)*w]
		for i := range w {
			c := sum[i+1] - sum[i]
			if j == 0 {
				cur[i] = c
				continue
			}
			best, move := prev[i]+c+stayPenalty, 0
			for d := 1; d <= steps && d <= i; d++ {
				if prev[i-d] == inf {
					continue
				}
				// The frames passed over are charged at their mean.
				v := prev[i-d] + (sum[i+1]-sum[i+1-d])/float64(d)
				if v < best {
					best, move = v, d
				}
			}
			cur[i] = best
			row[i] = uint8(move)
		}
		prev, cur = cur, prev
	}
	last, best := -1, inf
	for i, v := range prev {
		if v < best {
			last, best = i, v
		}
	}
	if last < 0 {
		return 0, 0, 0, false
	}
	i := last
	for j := h - 1; j > 0; j-- {
		i -= int(back[j*w+i])
	}
	return i0 + i, i0 + last + 1, best / float64(h), true
}

// refine times reference frames [r0, r1) inside recording frames [i0, i1)
// with the ordinary DTW, between two pause frames that absorb what is
// left at either end, and returns the path over the sentence's frames.
func refine(rec, ref *features, filler []float32, i0, i1, r0, r1 int) []cell {
	return refineWithin(rec, ref, filler, i0, i1, r0, r1, maxCoarseCells)
}

// refineWithin is refine with the coarsest level's full matrix bounded by
// maxCells.
func refineWithin(rec, ref *features, filler []float32, i0, i1, r0, r1 int, maxCells int64) []cell {
	if i1-i0 < 2 || r1 <= r0 {
		return nil
	}
	win := &features{n: i1 - i0, mfcc: rec.mfcc[i0*numCoeffs : i1*numCoeffs]}
	m := r1 - r0 + 2
	mini := &features{n: m, mfcc: make([]float32, m*numCoeffs)}
	copy(mini.frame(0), ref.frame(0)) // the reference's leading pad: silence
	copy(mini.mfcc[numCoeffs:], ref.mfcc[r0*numCoeffs:r1*numCoeffs])
	copy(mini.frame(m-1), ref.frame(0))
	fl := make([]float32, m)
	fl[0], fl[m-1] = filler[0], filler[0]
	copy(fl[1:], filler[r0:r1])
	path := warpWithin(win, mini, fl, maxCells)
	var out []cell
	for _, c := range path {
		if c.j >= 1 && int(c.j) <= r1-r0 {
			out = append(out, cell{c.i + int32(i0), c.j - 1 + int32(r0)})
		}
	}
	return out
}

// nullCells bounds the full matrix of the null alignment of a sentence
// (see aligner.nullRank): a sentence of ten seconds is aligned at a ninth
// of the frame rate first, then in bands around that path, for a twentieth
// of the cost of the full matrix. The null only has to be about as good as
// DTW gets with the wrong words.
const nullCells = 1 << 14
