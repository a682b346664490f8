package hmm

import (
	"math"
	"slices"
	"sync"
)

// Features are a recording's cepstra after batch mean normalization; the
// deltas and double deltas of the model's 1s_c_d_dd feature are computed
// from them frame by frame, so an hour costs 13 floats a frame (19 MB).
type Features struct {
	N   int
	Cep []float32 // N × Ceps
}

// NewFeatures takes ownership of cep (n × Ceps cepstra) and applies batch
// mean normalization, with the median rather than the mean of the frames
// with positive C0 (frames of digital silence would drag it down): a
// recording that opens with 30 s of music moved the mean so far from the
// speech's that no sentence was recognised, and the median stays with
// the speech and its pauses while they are most of the recording.
func NewFeatures(cep []float32) *Features {
	n := len(cep) / Ceps
	ft := &Features{N: n, Cep: cep[:n*Ceps]}
	col := make([]float32, 0, n)
	var mean [Ceps]float32
	for i := range Ceps {
		col = col[:0]
		for t := range n {
			if c := ft.Cep[t*Ceps : (t+1)*Ceps]; c[0] >= 0 {
				col = append(col, c[i])
			}
		}
		if len(col) == 0 {
			return ft
		}
		slices.Sort(col)
		mean[i] = col[len(col)/2]
	}
	for t := range n {
		c := ft.Cep[t*Ceps : (t+1)*Ceps]
		for i := range c {
			c[i] -= mean[i]
		}
	}
	return ft
}

// Slice returns the frames [from, to) as features of their own (sharing
// the cepstra, normalized with the whole recording's mean).
func (ft *Features) Slice(from, to int) *Features {
	from, to = max(0, from), min(ft.N, to)
	if to < from {
		to = from
	}
	return &Features{N: to - from, Cep: ft.Cep[from*Ceps : to*Ceps]}
}

func (ft *Features) cep(t int) []float32 {
	t = min(max(t, 0), ft.N-1)
	return ft.Cep[t*Ceps : (t+1)*Ceps]
}

// vector writes frame t's three streams: cepstra, deltas (c[t+2]-c[t-2])
// and double deltas ((c[t+3]-c[t-1]) - (c[t+1]-c[t-3])), the frames
// beyond the ends repeating the first and last.
func (ft *Features) vector(t int, out *[3 * Ceps]float32) {
	c := ft.cep(t)
	p2, m2 := ft.cep(t+2), ft.cep(t-2)
	p3, m1, p1, m3 := ft.cep(t+3), ft.cep(t-1), ft.cep(t+1), ft.cep(t-3)
	for i := range Ceps {
		out[i] = c[i]
		out[Ceps+i] = p2[i] - m2[i]
		out[2*Ceps+i] = (p3[i] - m1[i]) - (p1[i] - m3[i])
	}
}

// topN is how many Gaussians of a codebook's stream score a frame (as
// PocketSphinx's -topn).
const topN = 4

// scorer computes senone log likelihoods frame by frame, evaluating only
// the codebooks that the senones asked for need.
type scorer struct {
	m     *Model
	ft    *Features
	frame int
	x     [3 * Ceps]float32
	// per frame of a ring of ringFrames (t % ringFrames), per codebook:
	// the frame its top Gaussians were computed for, and them (stream,
	// rank). A ring, so that the search's second core can score frames
	// ahead while the senones of the current one are read
	// (search.prescore).
	cbFrame []int
	topIdx  [][3][topN]int32
	topVal  [][3][topN]float32
	// per senone: the frame its score was computed for, and it.
	senFrame []int
	senScore []float32
	// Evals counts codebook evaluations, for the benchmarks.
	Evals int
}

// ringFrames is how many frames of codebook scores a scorer holds: the
// frame the search is at, the one before (the warm start) and two batches
// of lookahead.
const ringFrames = 2*lookaheadFrames + 2

func newScorer(m *Model, ft *Features) *scorer {
	tables.Do(initTables)
	n := ringFrames * m.nCB
	s := &scorer{m: m, ft: ft, frame: -1, senFrame: make([]int, m.nSen), senScore: make([]float32, m.nSen),
		cbFrame: make([]int, n), topIdx: make([][3][topN]int32, n), topVal: make([][3][topN]float32, n)}
	for i := range s.cbFrame {
		s.cbFrame[i] = -1
	}
	for i := range s.senFrame {
		s.senFrame[i] = -1
	}
	return s
}

// setFrame makes t the frame senones are scored for.
func (s *scorer) setFrame(t int) {
	if t != s.frame {
		s.frame = t
		s.ft.vector(t, &s.x)
	}
}

// at is the index of codebook cb of frame t in the ring.
func (s *scorer) at(t, cb int) int { return (t%ringFrames)*s.m.nCB + cb }

// scored reports whether codebook cb is computed for the frame.
func (s *scorer) scored(cb int) bool { return s.cbFrame[s.at(s.frame, cb)] == s.frame }

// codebook computes the top Gaussians of codebook cb for the frame.
func (s *scorer) codebook(cb int) {
	s.Evals++
	s.codebookAt(cb, s.frame, &s.x, true)
}

// maxDens bounds the Gaussians of a codebook's stream (the model has 128).
const maxDens = 256

// codebookAt computes the top Gaussians of codebook cb for frame t, whose
// feature vector is x. It writes only frame t's place in the ring, and
// reads frame t-1's if warm: the previous frame's best go in first, to set
// a bar that most Gaussians fall under, so that few are inserted (the
// result is the same without).
func (s *scorer) codebookAt(cb, t int, x *[3 * Ceps]float32, warm bool) {
	i := s.at(t, cb)
	prev := -1
	if t > 0 && warm {
		if j := s.at(t-1, cb); s.cbFrame[j] == t-1 {
			prev = j
		}
	}
	s.cbFrame[i] = t
	var buf [maxDens]float32
	for f := range 3 {
		densities((*[Ceps]float32)(x[f*Ceps:(f+1)*Ceps]), s.m.gau[cb][f], buf[:])
		top := topList{idx: [topN]int32{-1, -1, -1, -1}, val: [topN]float32{negInf, negInf, negInf, negInf}}
		if prev >= 0 {
			for _, d := range s.topIdx[prev][f] {
				if d >= 0 {
					top.insert(d, buf[d])
				}
			}
		}
		for d, v := range buf[:s.m.nDens] {
			if v > top.val[topN-1] && !top.has(int32(d)) {
				top.insert(int32(d), v)
			}
		}
		s.topIdx[i][f], s.topVal[i][f] = top.idx, top.val
	}
}

// topList is the best topN Gaussians of a stream, best first.
type topList struct {
	idx [topN]int32
	val [topN]float32
}

func (t *topList) insert(d int32, v float32) {
	k := topN - 1
	for k > 0 && t.val[k-1] < v {
		t.val[k], t.idx[k] = t.val[k-1], t.idx[k-1]
		k--
	}
	t.val[k], t.idx[k] = v, d
}

func (t *topList) has(d int32) bool {
	return t.idx[0] == d || t.idx[1] == d || t.idx[2] == d || t.idx[3] == d
}

// senone returns the log likelihood of senone sen for the frame.
func (s *scorer) senone(sen int32) float32 {
	if s.senFrame[sen] == s.frame {
		return s.senScore[sen]
	}
	m := s.m
	cb := int(m.senCB[sen])
	if !s.scored(cb) {
		s.codebook(cb)
	}
	i := s.at(s.frame, cb)
	var total float32
	for f := range 3 {
		idx, val := &s.topIdx[i][f], &s.topVal[i][f]
		w := m.mixw[(int(sen)*3+f)*m.nDens:][:m.nDens]
		best := val[0] + m.weightLog[w[idx[0]]]
		var sum float32 = 1
		for k := 1; k < topN; k++ {
			if idx[k] < 0 {
				break
			}
			v := val[k] + m.weightLog[w[idx[k]]]
			if v > best {
				sum = sum*expNeg(best-v) + 1
				best = v
			} else {
				sum += expNeg(v - best)
			}
		}
		total += best + logSmall(sum)
	}
	s.senFrame[sen], s.senScore[sen] = s.frame, total
	return total
}

// The senones' log-sum of a few weighted Gaussians is the scorer's
// hottest arithmetic; math.Exp and math.Log in float64 cost a third of
// it. Tables with linear interpolation are within 2e-4 (relative) of
// them, far under the model's own precision (the weights are quantized).
const (
	expStep  = 32   // entries per unit of the argument
	expRange = 24   // exp(-24) ≈ 4e-11 adds nothing to a sum of at least 1
	logStep  = 1024 // entries per unit of the argument
)

var (
	expTable [expRange*expStep + 2]float32
	logTable [topN*logStep + 2]float32
)

// tables guards the tables, built by the first scorer rather than at init:
// the server links the aligner, and most of its starts never align.
var tables sync.Once

func initTables() {
	for i := range expTable {
		expTable[i] = float32(math.Exp(-float64(i) / expStep))
	}
	for i := range logTable {
		logTable[i] = float32(math.Log(1 + float64(i)/logStep))
	}
}

// expNeg is exp(x) for x ≤ 0.
func expNeg(x float32) float32 {
	f := -x * expStep
	if !(f < expRange*expStep) { // also NaN and -Inf arguments
		return 0
	}
	i := int(f)
	r := f - float32(i)
	return expTable[i] + r*(expTable[i+1]-expTable[i])
}

// logSmall is log(x) for 1 ≤ x ≤ topN.
func logSmall(x float32) float32 {
	f := (x - 1) * logStep
	i := int(f)
	if i < 0 || i >= topN*logStep {
		return float32(math.Log(float64(x)))
	}
	r := f - float32(i)
	return logTable[i] + r*(logTable[i+1]-logTable[i])
}
