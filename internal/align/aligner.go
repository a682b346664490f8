package align

import (
	"errors"

	"github.com/readcast/readcast/internal/timing"
)

// fillerCost is what a recording frame costs when it is absorbed at a
// pause of the reference as untranscribed sound (see dtw.go). Matched
// speech of two voices costs 0.3-0.6, speech against silence about 1.
const fillerCost = 0.75

// aligner holds one alignment's state.
type aligner struct {
	rec      *features
	ref      *reference
	text     []Sentence
	duration float64
	report   Report

	path      []cell
	first     []int32   // first recording frame the path pairs with each reference frame
	last      []int32   // last one
	frameCost []float32 // local cost of each reference frame on the path (mean over its cells)
	found     []sentenceTiming
	vad       *vad
}

// interval is a span of time in seconds.
type interval struct{ start, end float64 }

// sentenceTiming is where a sentence was found, in seconds.
type sentenceTiming struct {
	start, end float64
	words      []interval
	cost       float64 // mean local cost over its reference frames
	confidence float64
	missing    bool
}

func (a *aligner) run() error {
	a.path = warp(a.rec, a.ref.feat, a.ref.pause, fillerCost)
	if a.path == nil {
		return errors.New("no warping path")
	}
	m := a.ref.feat.n
	a.first = make([]int32, m)
	a.last = make([]int32, m)
	a.frameCost = make([]float32, m)
	counts := make([]int32, m)
	for j := range a.first {
		a.first[j] = -1
	}
	for _, c := range a.path {
		if a.first[c.j] < 0 {
			a.first[c.j] = c.i
		}
		a.last[c.j] = c.i
		a.frameCost[c.j] += 1 - dot(a.rec.frame(int(c.i)), a.ref.feat.frame(int(c.j)))
		counts[c.j]++
	}
	for j := range counts {
		a.frameCost[j] /= float32(counts[j])
	}
	a.found = make([]sentenceTiming, len(a.text))
	for si := range a.text {
		a.found[si] = a.timeSentence(si)
	}
	a.vad = newVAD(a.rec.energy)
	a.snap()
	return nil
}

// timeSentence reads a sentence's times off the path.
func (a *aligner) timeSentence(si int) sentenceTiming {
	rs := a.ref.sentences[si]
	st := sentenceTiming{}
	st.start = frameTime(int(a.first[rs.span.start]))
	st.end = frameTime(a.endOf(rs.span.end))
	for w := rs.firstWord; w < rs.firstWord+rs.words; w++ {
		ws := a.ref.words[w]
		sh := a.ref.wordShift[w]
		st.words = append(st.words, interval{frameTime(int(a.first[ws.start])) + sh.start, frameTime(a.endOf(ws.end)) + sh.end})
	}
	var c float64
	for j := rs.span.start; j < rs.span.end; j++ {
		c += float64(a.frameCost[j])
	}
	if n := rs.span.end - rs.span.start; n > 0 {
		st.cost = c / float64(n)
	}
	st.confidence = confidenceOf(st.cost)
	return st
}

// endOf is the recording frame where the reference frame end (exclusive)
// begins: the end of whatever came before it.
func (a *aligner) endOf(end int) int {
	if end >= len(a.first) {
		return int(a.last[len(a.last)-1]) + 1
	}
	return int(a.first[end])
}

// confidenceOf maps a sentence's mean local cost to [0, 1].
func confidenceOf(cost float64) float64 {
	const good, bad = 0.35, 0.8
	c := (bad - cost) / (bad - good)
	return min(1, max(0, c))
}

// timingMap builds the map from what was found.
func (a *aligner) timingMap() *timing.Map {
	m := &timing.Map{Method: timing.MethodAligned, Duration: timing.Round(a.duration)}
	clamp := func(t float64) float64 { return timing.Round(min(a.duration, max(0, t))) }
	prevEnd := 0.0
	for si, s := range a.text {
		st := a.found[si]
		out := timing.Sentence{ID: s.ID, Text: s.Text, Confidence: round2(st.confidence)}
		out.Start = max(prevEnd, clamp(st.start))
		out.End = max(out.Start, clamp(st.end))
		at := out.Start
		for wi, w := range s.Words {
			ws := st.words[wi]
			start := min(out.End, max(at, clamp(ws.start)))
			end := min(out.End, max(start, clamp(ws.end)))
			out.Words = append(out.Words, timing.Word{Start: start, End: end, Text: w})
			at = end
		}
		prevEnd = out.End
		m.Sentences = append(m.Sentences, out)
	}
	return m
}

func round2(x float64) float64 { return float64(int(x*100+0.5)) / 100 }
