package align

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/readcast/readcast/internal/timing"
)

// fillerCost is what a recording frame costs when it is absorbed at a
// pause between sentences as untranscribed sound (see dtw.go). Two voices
// saying the same words cost 0.45-0.6 a frame along the path, the same
// voice saying other words 0.6-0.7, unrelated frames about 1. At 0.75 the
// path preferred to read a sentence into a first take or an intro rather
// than absorb it; under about 0.5 it would rather absorb a sentence's
// edges than match them. (A filler below the cost of matching never makes
// the path skip a sentence: skipping still pays for every reference
// frame.)
const fillerCost = 0.6

// fillerInside is the filler cost in the pauses inside a sentence: higher,
// so that a breath or an "uh" is absorbed there but a long stretch of
// sound (an intro, a retake) goes between sentences, where it is found and
// reported, rather than inside one.
const fillerInside = 0.9

// Fit and confidence. A frame of the recording is well matched when the
// reference frame the path pairs it with is closer to it than most frames
// of the reference are: its rank is the share of a fixed sample of
// reference frames that are further from it. Unlike the raw cost, the rank
// does not depend on how far apart the two voices are in general. A
// sentence's fit maps its mean rank to [0, 1]: the right text gives 0.80-0.90
// (the seed, sonnet001, the MFA corpus), a wrong text 0.73-0.81, a sentence
// missing from the recording 0.72 and under. Fit decides where a sentence
// is (two places of one sentence compare well by it).
//
// Whether a sentence is there at all is a harder question: DTW bends any
// reference onto any speech, and a wrong sentence in the same voice can fit
// as well as some right ones. So each sentence is also aligned, in the
// place it was found, with its own reference played backwards: the same
// sounds in the wrong order, which DTW fits about as well as it fits wrong
// words. The median of those null ranks is what this recording and this
// voice give for words that are not there (0.75-0.79 in every recording
// measured, right text or wrong), and a sentence's confidence is how far
// its rank rises above it. Measured over 172 right and 654 wrong sentences:
// no right sentence under confidence 0.35, 78% of wrong ones; every
// recording of the right text has at least 89% of its sentences at 0.55 or
// more, no recording of a wrong text more than 20%. (Each sentence against
// its own null alone was noisier: a right sentence whose backward
// reference happened to fit well was flagged.)
const (
	rankSample = 96   // reference frames a frame is ranked against
	rankFloor  = 0.74 // mean rank of fit 0
	rankFull   = 0.84 // mean rank of fit 1
	// lowFit is under what a sentence is looked for again.
	lowFit = 0.5
	// marginFull is the margin over the recording's null of confidence
	// 1; confidence falls linearly to 0 at no margin.
	marginFull = 0.1
	// lowConfidence is under what a sentence is reported as uncertain.
	lowConfidence = 0.35
	// foundConfidence is what a sentence needs to count as found when
	// deciding whether the text matches the recording at all; it does
	// when at least matchedShare of its sentences are found. nullSample
	// is how many sentences the first check measures.
	foundConfidence = 0.55
	matchedShare    = 0.5
	nullSample      = 40
)

// Untranscribed stretches: a gap between sentences is reported (or
// searched for a retake) when it is this long and holds this much sound.
const (
	minGap      = 1.0 // seconds
	minGapSound = 0.5 // seconds of non-silent audio
	// maxWindow bounds a subsequence search, in seconds of recording.
	maxWindow = 600
	// maxRetake bounds how many sentences a retake may span.
	maxRetake = 40
	// retakeSlack is how much lower a second take's mean rank may be
	// than the first's and still count as the same words.
	retakeSlack = 0.025
	// misplacedMargin is how much better a sentence must match in a gap
	// than where the path put it for that place to have been a mistake
	// rather than a first take.
	misplacedMargin = 0.04
)

// aligner holds one alignment's state.
type aligner struct {
	rec      *features
	ref      *reference
	text     []Sentence
	duration float64
	report   Report

	path   []cell
	first  []int32 // first recording frame the path pairs with each reference frame
	last   []int32 // last one
	sample []int   // reference frames ranks are measured against
	found  []sentenceTiming
	vad    *vad
	// moved marks the sentences placed by a search rather than by the
	// global path; they and their neighbours are timed again.
	moved []bool
	takes []interval // first takes of retakes, reported as such
}

// markMoved marks sentences [first, last] as moved.
func (a *aligner) markMoved(first, last int) {
	if a.moved == nil {
		a.moved = make([]bool, len(a.found))
	}
	for k := max(0, first); k <= min(len(a.found)-1, last); k++ {
		a.moved[k] = true
	}
}

// interval is a span of time in seconds.
type interval struct{ start, end float64 }

// sentenceTiming is where a sentence was found, in seconds.
type sentenceTiming struct {
	start, end float64
	words      []interval
	rank       float64  // mean rank over its reference frames
	fit        float64  // rank mapped to [0, 1]: how well the frames it was given match
	null       float64  // mean rank of its reference played backwards, in its place
	confidence float64  // how far its rank rises above the recording's null, in [0, 1]
	missing    bool     // not in the recording: zero length, confidence 0
	window     interval // where a missing sentence was looked for
}

// errNoMatch explains a mismatch with the numbers a person can check.
func (a *aligner) errNoMatch(found int) error {
	return fmt.Errorf("%w: only %d of %d sentences were found in it (median confidence %.2f); is it the recording of this text?",
		ErrNoMatch, found, len(a.text), a.medianConfidence(nil))
}

// run aligns, stage by stage, checking ctx between the stages.
func (a *aligner) run(ctx context.Context) error {
	if err := a.plausible(); err != nil {
		return err
	}
	a.path = warp(a.rec, a.ref.feat, a.ref.filler)
	if a.path == nil {
		return errors.New("no warping path")
	}
	a.mapPath()
	a.sample = rankSampleOf(a.ref)
	a.found = make([]sentenceTiming, len(a.text))
	for si := range a.text {
		a.found[si] = a.fromPath(si)
	}
	a.vad = newVAD(a.rec.energy)
	a.checkDurations()
	// A text that does not match gives low confidence everywhere: say so
	// before looking for every sentence again.
	if err := a.quickMatch(); err != nil {
		return err
	}
	stages := []func(){
		a.relocate,
		a.snap,
		func() { a.takes = a.retakes() },
		a.retime,
		a.snap,
		func() { a.untranscribed(a.takes) },
		a.confidences,
		a.reportSentences,
	}
	for _, stage := range stages {
		if err := ctx.Err(); err != nil {
			return err
		}
		stage()
	}
	if found := a.countConfident(); found < int(math.Ceil(matchedShare*float64(len(a.text)))) {
		return a.errNoMatch(found)
	}
	return nil
}

// quickMatch measures the confidence of up to nullSample sentences, evenly
// spread, where the path put them, and refuses the text if fewer than
// matchedShare of them are confident.
func (a *aligner) quickMatch() error {
	var pick []int
	n := min(nullSample, len(a.found))
	for k := range n {
		pick = append(pick, (2*k+1)*len(a.found)/(2*n))
	}
	parallel(len(pick), func(k int) {
		a.found[pick[k]].null = a.nullRank(pick[k])
	})
	null := a.medianNull(pick)
	for _, si := range pick {
		a.found[si].confidence = confidenceOf(a.found[si].rank - null)
	}
	good := 0
	for _, si := range pick {
		if a.found[si].confidence >= foundConfidence {
			good++
		}
	}
	if good < int(math.Ceil(matchedShare*float64(len(pick)))) {
		return fmt.Errorf("%w: only %d of %d sentences sampled across it were found (median confidence %.2f); is it the recording of this text?",
			ErrNoMatch, good, len(pick), a.medianConfidence(pick))
	}
	return nil
}

// confidences measures every sentence against the recording's null, with
// every sentence in its final place.
func (a *aligner) confidences() {
	parallel(len(a.found), func(si int) {
		if !a.found[si].missing {
			a.found[si].null = a.nullRank(si)
		}
	})
	null := a.medianNull(nil)
	for si := range a.found {
		st := &a.found[si]
		st.confidence = 0
		if !st.missing {
			st.confidence = confidenceOf(st.rank - null)
		}
	}
}

// medianNull is the median null rank of the sentences picked (all if
// pick is nil) that were found and have words.
func (a *aligner) medianNull(pick []int) float64 {
	if pick == nil {
		for si := range a.found {
			pick = append(pick, si)
		}
	}
	var nulls []float64
	for _, si := range pick {
		if st := a.found[si]; !st.missing && a.ref.sentences[si].words > 0 {
			nulls = append(nulls, st.null)
		}
	}
	if len(nulls) == 0 {
		return 1
	}
	slices.Sort(nulls)
	return nulls[len(nulls)/2]
}

func confidenceOf(margin float64) float64 {
	return min(1, max(0, margin/marginFull))
}

// nullRank is the mean rank of sentence si's reference played backwards,
// aligned in the sentence's place.
func (a *aligner) nullRank(si int) float64 {
	st := a.found[si]
	rs := a.ref.sentences[si]
	m := rs.span.end - rs.span.start
	if st.missing || rs.words == 0 || m <= 0 {
		return 1
	}
	i0 := max(0, int(st.start*100))
	i1 := min(a.rec.n, int(math.Ceil(st.end*100)))
	// The backward reference, after one frame of the leading pad for
	// refine to take as the frame before it.
	rev := &features{n: m + 1, mfcc: make([]float32, (m+1)*numCoeffs)}
	fl := make([]float32, m+1)
	copy(rev.frame(0), a.ref.feat.frame(0))
	fl[0] = a.ref.filler[0]
	for k := range m {
		copy(rev.frame(m-k), a.ref.feat.frame(rs.span.start+k))
		fl[m-k] = a.ref.filler[rs.span.start+k]
	}
	path := refineWithin(a.rec, rev, fl, i0, i1, 1, m+1, nullCells)
	var sum float64
	n := 0
	for _, c := range path {
		if !math.IsInf(float64(fl[c.j]), 1) {
			continue // a pause frame
		}
		sum += a.rankAgainst(int(c.i), rev.frame(int(c.j)))
		n++
	}
	if n == 0 {
		return 1
	}
	return sum / float64(n)
}

// plausible rejects a recording that cannot hold the text: silent, or far
// too short for it (a 2-second file for a hundred sentences).
func (a *aligner) plausible() error {
	v := newVAD(a.rec.energy)
	speech := v.speechFraction() * a.duration
	if v.level-v.floor < 10 || speech < 0.2 {
		return fmt.Errorf("%w: no speech found in %s of audio", ErrSilent, clock(a.duration))
	}
	// The reference speaks at about 175 words a minute; even a fast
	// narrator does not speak a text in a third of that time.
	refSpeech := 0.0
	for _, rs := range a.ref.sentences {
		refSpeech += frameTime(rs.span.end - rs.span.start)
	}
	if speech < refSpeech/3 {
		return fmt.Errorf("%w: the recording holds %s of speech, the text needs about %s (%d sentences)",
			ErrNoMatch, clock(speech), clock(refSpeech), len(a.text))
	}
	return nil
}

// mapPath records, for each reference frame, the recording frames the path
// pairs it with.
func (a *aligner) mapPath() {
	m := a.ref.feat.n
	a.first = make([]int32, m)
	a.last = make([]int32, m)
	for j := range a.first {
		a.first[j] = -1
	}
	for _, c := range a.path {
		if a.first[c.j] < 0 {
			a.first[c.j] = c.i
		}
		a.last[c.j] = c.i
	}
}

// rankSampleOf picks reference frames of speech, evenly spread.
func rankSampleOf(ref *reference) []int {
	var speech []int
	for j, p := range ref.pause {
		if !p {
			speech = append(speech, j)
		}
	}
	if len(speech) == 0 {
		return nil
	}
	out := make([]int, 0, rankSample)
	for k := range rankSample {
		out = append(out, speech[(2*k+1)*len(speech)/(2*rankSample)])
	}
	return out
}

// rank is the share of the sample farther from recording frame i than
// reference frame j is.
func (a *aligner) rank(i, j int) float64 { return a.rankAgainst(i, a.ref.feat.frame(j)) }

// rankAgainst is rank for any reference frame f.
func (a *aligner) rankAgainst(i int, f []float32) float64 {
	r := a.rec.frame(i)
	c := dot(r, f)
	worse := 0
	for _, k := range a.sample {
		if dot(r, a.ref.feat.frame(k)) < c {
			worse++
		}
	}
	return float64(worse) / float64(len(a.sample))
}

// score is the mean rank of the cells of a path over a sentence's speech
// frames (its pauses do not count).
func (a *aligner) score(cells []cell) float64 {
	var rank float64
	n := 0
	for _, c := range cells {
		if a.ref.pause[c.j] {
			continue
		}
		rank += a.rank(int(c.i), int(c.j))
		n++
	}
	if n == 0 {
		return 0
	}
	return rank / float64(n)
}

// fitOf maps a mean rank to [0, 1].
func fitOf(rank float64) float64 {
	return min(1, max(0, (rank-rankFloor)/(rankFull-rankFloor)))
}

// fromPath reads a sentence's place off the global path.
func (a *aligner) fromPath(si int) sentenceTiming {
	rs := a.ref.sentences[si]
	lo := sort32(a.path, rs.span.start)
	hi := sort32(a.path, rs.span.end)
	return a.timing(si, a.path[lo:hi], func(j int) int { return int(a.first[j]) }, func(end int) int { return a.endOf(end) })
}

// sort32 finds the first cell of the path at reference frame j or later.
func sort32(path []cell, j int) int {
	return sortSearch(len(path), func(k int) bool { return int(path[k].j) >= j })
}

func sortSearch(n int, f func(int) bool) int {
	lo, hi := 0, n
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		if !f(h) {
			lo = h + 1
		} else {
			hi = h
		}
	}
	return lo
}

// timing builds a sentence's timing from the cells of a path over it and
// two lookups: the first recording frame of a reference frame, and the
// recording frame where a reference span ending at a frame ends.
func (a *aligner) timing(si int, cells []cell, firstOf func(j int) int, endOf func(end int) int) sentenceTiming {
	rs := a.ref.sentences[si]
	st := sentenceTiming{}
	st.start = frameTime(firstOf(rs.span.start))
	st.end = frameTime(endOf(rs.span.end))
	for w := rs.firstWord; w < rs.firstWord+rs.words; w++ {
		ws, sh := a.ref.words[w], a.ref.wordShift[w]
		st.words = append(st.words, interval{frameTime(firstOf(ws.start)) + sh.start, frameTime(endOf(ws.end)) + sh.end})
	}
	if rs.words > 0 {
		st.start = st.words[0].start
		st.end = max(st.start, st.words[len(st.words)-1].end)
	}
	st.rank = a.score(cells)
	st.fit = fitOf(st.rank)
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

// locateSentence looks for sentence si alone inside [from, to) seconds.
func (a *aligner) locateSentence(si int, from, to float64) (sentenceTiming, bool) {
	rs := a.ref.sentences[si]
	i0 := max(0, int(math.Ceil(from*100)))
	i1 := min(a.rec.n, int(to*100))
	if rs.span.end <= rs.span.start || i1-i0 < 2 {
		return sentenceTiming{}, false
	}
	from0, to0, _, ok := locate(a.rec, a.ref.feat, a.ref.filler, i0, i1, rs.span.start, rs.span.end)
	if !ok {
		return sentenceTiming{}, false
	}
	// Time it with the ordinary DTW, with a little room on either side.
	const room = 20 // frames
	path := refine(a.rec, a.ref.feat, a.ref.filler, max(i0, from0-room), min(i1, to0+room), rs.span.start, rs.span.end)
	if len(path) == 0 {
		return sentenceTiming{}, false
	}
	return a.timeCells(si, path), true
}

// timeCells times sentence si from a path over its reference frames.
func (a *aligner) timeCells(si int, path []cell) sentenceTiming {
	rs := a.ref.sentences[si]
	firstOf := func(j int) int {
		k := sortSearch(len(path), func(k int) bool { return int(path[k].j) >= j })
		if k >= len(path) {
			return int(path[len(path)-1].i) + 1
		}
		return int(path[k].i)
	}
	endOf := func(end int) int {
		if end >= rs.span.end {
			return int(path[len(path)-1].i) + 1
		}
		return firstOf(end)
	}
	return a.timing(si, path, firstOf, endOf)
}

// Durations. A sentence the path stretched far beyond its length (it took
// in untranscribed sound) or squeezed to nothing (it is not there) is
// placed wrong even if the frames it was given match: its confidence is
// cut under lowConfidence so that it is looked for again.
const (
	maxStretch   = 2.5 // times the recording's pace
	stretchSlack = 1.0 // seconds, for short sentences
)

// checkDurations compares each sentence's length with the reference's at
// the recording's pace (the median ratio over the sentences).
func (a *aligner) checkDurations() {
	var ratios []float64
	for si, st := range a.found {
		if ref := frameTime(a.ref.sentences[si].span.end - a.ref.sentences[si].span.start); ref > 0.5 && st.fit >= lowFit {
			ratios = append(ratios, (st.end-st.start)/ref)
		}
	}
	if len(ratios) == 0 {
		return
	}
	slices.Sort(ratios)
	pace := ratios[len(ratios)/2]
	for si := range a.found {
		st := &a.found[si]
		want := pace * frameTime(a.ref.sentences[si].span.end-a.ref.sentences[si].span.start)
		got := st.end - st.start
		if got > maxStretch*want+stretchSlack || got < want/maxStretch-stretchSlack/2 {
			st.fit = min(st.fit, lowFit/2)
		}
	}
}

// relocate looks again for each run of low-confidence sentences between
// the confident ones around it: one at a time, in order, each alone in
// what is left of the window. A sentence found there with confidence
// moves; one that is not is missing from the recording and gets zero
// length where the one before it ends.
func (a *aligner) relocate() {
	for si := 0; si < len(a.found); {
		if a.found[si].fit >= lowFit {
			si++
			continue
		}
		end := si
		for end < len(a.found) && a.found[end].fit < lowFit {
			end++
		}
		from := 0.0
		if si > 0 {
			from = a.found[si-1].end
		}
		to := a.duration
		if end < len(a.found) {
			to = a.found[end].start
		}
		to = min(to, from+maxWindow)
		at := from
		for k := si; k < end; k++ {
			st, ok := a.locateSentence(k, at, to)
			if ok && st.fit >= lowFit {
				a.found[k] = st
				a.markMoved(k, k)
				at = st.end
				continue
			}
			a.found[k] = sentenceTiming{start: at, end: at, missing: true, window: interval{from, to}}
			a.markMoved(k, k)
			for range a.text[k].Words {
				a.found[k].words = append(a.found[k].words, interval{at, at})
			}
		}
		si = end
	}
}

// sound is the seconds of non-silent audio in [from, to).
func (a *aligner) sound(from, to float64) float64 {
	e0 := max(0, int(from*Rate/energyStep))
	e1 := min(len(a.vad.silent), int(to*Rate/energyStep))
	n := 0
	for e := e0; e < e1; e++ {
		if !a.vad.silent[e] {
			n++
		}
	}
	return float64(n) * energyStep / Rate
}

// retakes examines every stretch between sentences that holds sound. It
// may be a later take of the sentences before it (they move there: the last
// take is the one kept), an earlier take of those after it, or the right
// place of the sentences before it, which the path had put on other words
// (they move, and what they leave is examined in turn). It returns the
// first takes, which are reported as retakes, not as untranscribed sound.
func (a *aligner) retakes() []interval {
	var takes []interval
	for pass := 0; pass < 4; pass++ {
		moved := false
		for _, g := range a.gapList() {
			if overlapsAny(g.from, g.to, takes) {
				continue
			}
			if take, ok, move := a.laterTake(g.from, g.to, g.before); ok || move {
				if ok {
					takes = append(takes, take)
				}
				moved = true
				break // the sentences moved: list the gaps again
			}
			if take, ok := a.earlierTake(g.from, g.to, g.before); ok {
				takes = append(takes, take)
			}
		}
		if !moved {
			break
		}
	}
	return takes
}

// untranscribed reports the stretches between sentences that hold sound
// and are not first takes.
func (a *aligner) untranscribed(takes []interval) {
	for _, g := range a.gapList() {
		if overlapsAny(g.from, g.to, takes) {
			continue
		}
		a.report.add(Issue{Kind: IssueUntranscribed, Start: g.from, End: g.to,
			Message: fmt.Sprintf("%s–%s: %s of sound that is not in the text (an intro, music, an aside or a retake of something else?)",
				clock(g.from), clock(g.to), duration(g.to-g.from))})
	}
}

// gap is a stretch between found sentences.
type gap struct {
	from, to float64
	before   int // last found sentence before the gap, -1 if none
}

// gapList lists the stretches between found sentences that are long
// enough and hold enough sound. A stretch where a missing sentence belongs
// is left to the skipped sentence's report.
func (a *aligner) gapList() []gap {
	var list []gap
	prev, prevEnd := -1, 0.0
	missing := false
	for si := 0; si <= len(a.found); si++ {
		if si < len(a.found) && a.found[si].missing {
			missing = true
			continue
		}
		start := a.duration
		if si < len(a.found) {
			start = a.found[si].start
		}
		if !missing && start-prevEnd >= minGap && a.sound(prevEnd, start) >= minGapSound {
			list = append(list, gap{prevEnd, start, prev})
		}
		if si < len(a.found) {
			prev, prevEnd = si, a.found[si].end
		}
		missing = false
	}
	return list
}

func overlapsAny(from, to float64, list []interval) bool {
	for _, iv := range list {
		if from < iv.end-0.25 && to > iv.start+0.25 {
			return true
		}
	}
	return false
}

// laterTake looks in the gap [from, to) for the sentences that end at
// sentence last, from the last one back. Found about as well as where they
// are, they were read twice: they move (the transcript follows the last
// take) and ok reports the first take. Found clearly better, the path had
// put them on other words: they move, and moved says so.
func (a *aligner) laterTake(from, to float64, last int) (take interval, ok, moved bool) {
	if last < 0 {
		return interval{}, false, false
	}
	end := to
	var found []sentenceTiming
	first := last + 1
	retake := false
	for k := last; k >= 0 && last-k < maxRetake; k-- {
		if a.found[k].missing {
			break
		}
		st, ok := a.locateSentence(k, max(from, end-maxWindow), end)
		if !ok || st.fit < lowFit || st.rank < a.found[k].rank-retakeSlack {
			break
		}
		if st.rank < a.found[k].rank+misplacedMargin {
			retake = true
		}
		found = append(found, st)
		first = k
		end = st.start
		if end-from < 0.5 {
			break
		}
	}
	if len(found) == 0 {
		return interval{}, false, false
	}
	slices.Reverse(found)
	oldFrom, oldTo := a.found[first].start, a.found[last].end
	copy(a.found[first:last+1], found)
	a.markMoved(first, last)
	if !retake {
		return interval{}, false, true
	}
	newFrom, newTo := a.found[first].start, a.found[last].end
	a.report.add(Issue{Kind: IssueRetake, Sentence: first + 1, Last: last + 1, Start: oldFrom, End: newTo,
		Message: fmt.Sprintf("%s recorded twice: %s–%s and again %s–%s; the transcript follows the second take (cut the first)",
			sentenceRange(first, last), clock(oldFrom), clock(oldTo), clock(newFrom), clock(newTo))})
	return interval{oldFrom, oldTo}, true, true
}

// earlierTake looks in the gap [from, to) for a first reading of the
// sentences that start after sentence before, found about as well as
// where they are.
func (a *aligner) earlierTake(from, to float64, before int) (interval, bool) {
	at := from
	last := -1
	var takeFrom, takeTo float64
	for k := before + 1; k < len(a.found) && k-before <= maxRetake; k++ {
		if a.found[k].missing {
			break
		}
		st, ok := a.locateSentence(k, at, min(to, at+maxWindow))
		if !ok || st.fit < lowFit || st.rank < a.found[k].rank-retakeSlack {
			break
		}
		if last < 0 {
			takeFrom = st.start
		}
		last, takeTo, at = k, st.end, st.end
		if to-at < 0.5 {
			break
		}
	}
	if last < 0 {
		return interval{}, false
	}
	first := before + 1
	a.report.add(Issue{Kind: IssueRetake, Sentence: first + 1, Last: last + 1, Start: takeFrom, End: a.found[last].end,
		Message: fmt.Sprintf("%s recorded twice: %s–%s and again %s–%s; the transcript follows the second take (cut the first)",
			sentenceRange(first, last), clock(takeFrom), clock(takeTo), clock(a.found[first].start), clock(a.found[last].end))})
	return interval{takeFrom, takeTo}, true
}

// retimeRoom is how far from where it was a sentence may move when it is
// timed again.
const retimeRoom = 1.0 // seconds

// retime times the sentences next to a change again, alone, in the
// stretch between their neighbours. The global path is one compromise over
// the whole recording: where it went wrong (through untranscribed sound, or
// a sentence that was moved since), the sentences next to the mistake are
// pulled out of shape; alone between its neighbours, each sentence gets the
// timing its own frames give. Sentences the path placed with a poor fit
// are timed again too. The sentences are independent, so the work is
// shared out.
func (a *aligner) retime() {
	bounds := make([]interval, len(a.found))
	prevEnd := 0.0
	for si := range a.found {
		if a.found[si].missing {
			continue
		}
		bounds[si].start = prevEnd
		prevEnd = a.found[si].end
	}
	nextStart := a.duration
	for si := len(a.found) - 1; si >= 0; si-- {
		if a.found[si].missing {
			continue
		}
		bounds[si].end = nextStart
		nextStart = a.found[si].start
	}
	out := make([]sentenceTiming, len(a.found))
	again := func(si int) bool {
		if a.found[si].fit < lowFit {
			return true
		}
		for k := max(0, si-1); k <= min(len(a.found)-1, si+1); k++ {
			if a.moved != nil && a.moved[k] {
				return true
			}
		}
		return false
	}
	parallel(len(a.found), func(si int) {
		st := a.found[si]
		out[si] = st
		rs := a.ref.sentences[si]
		if st.missing || rs.words == 0 || !again(si) {
			return
		}
		// Between the neighbours, and near where the sentence is: the
		// stretch may hold a first take of it that must stay out.
		i0 := max(0, int(max(bounds[si].start, st.start-retimeRoom)*100))
		i1 := min(a.rec.n, int(math.Ceil(min(bounds[si].end, st.end+retimeRoom)*100)))
		path := refine(a.rec, a.ref.feat, a.ref.filler, i0, i1, rs.span.start, rs.span.end)
		if len(path) == 0 {
			return
		}
		if nt := a.timeCells(si, path); nt.fit >= st.fit-0.1 {
			out[si] = nt
		}
	})
	a.found = out
}

// reportSentences reports missing and doubtful sentences.
func (a *aligner) reportSentences() {
	for si, st := range a.found {
		text := quote(a.text[si].Text)
		switch {
		case st.missing:
			a.report.add(Issue{Kind: IssueSkipped, Sentence: si + 1, Last: si + 1, Start: st.window.start, End: st.window.end,
				Message: fmt.Sprintf("sentence %d not found between %s and %s: %s", si+1, clock(st.window.start), clock(st.window.end), text)})
		case st.confidence < lowConfidence:
			a.report.add(Issue{Kind: IssueUncertain, Sentence: si + 1, Last: si + 1, Start: st.start, End: st.end,
				Message: fmt.Sprintf("sentence %d at %s–%s is uncertain (confidence %.2f): misread, or too noisy? %s",
					si+1, clock(st.start), clock(st.end), st.confidence, text)})
		}
	}
	slices.SortStableFunc(a.report.Issues, func(x, y Issue) int {
		switch {
		case x.Start < y.Start:
			return -1
		case x.Start > y.Start:
			return 1
		}
		return 0
	})
}

func (a *aligner) countConfident() int {
	n := 0
	for _, st := range a.found {
		if !st.missing && st.confidence >= foundConfidence {
			n++
		}
	}
	return n
}

// medianConfidence is the median confidence of the sentences picked, or
// of all of them.
func (a *aligner) medianConfidence(pick []int) float64 {
	var c []float64
	if pick == nil {
		for _, st := range a.found {
			c = append(c, st.confidence)
		}
	} else {
		for _, si := range pick {
			c = append(c, a.found[si].confidence)
		}
	}
	if len(c) == 0 {
		return 0
	}
	slices.Sort(c)
	return c[len(c)/2]
}

// timingMap builds the map from what was found.
func (a *aligner) timingMap() *timing.Map {
	m := &timing.Map{Method: timing.MethodAligned, Duration: timing.Round(a.duration)}
	clamp := func(t float64) float64 { return timing.Round(min(a.duration, max(0, t))) }
	prevEnd := 0.0
	for si, s := range a.text {
		st := a.found[si]
		out := timing.Sentence{ID: s.ID, Text: s.Text, Confidence: math.Round(st.confidence*100) / 100}
		if st.missing {
			out.Confidence = 0
		}
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
