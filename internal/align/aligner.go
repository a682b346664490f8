package align

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/readcast/readcast/internal/align/acoustic"
	"github.com/readcast/readcast/internal/align/hmm"
	"github.com/readcast/readcast/internal/align/lexicon"
	"github.com/readcast/readcast/internal/timing"
)

// The acoustic model is read once, from the binary itself.
var (
	modelOnce sync.Once
	model     *hmm.Model
	modelErr  error
)

func acousticModel() (*hmm.Model, error) {
	modelOnce.Do(func() { model, modelErr = hmm.Load(acoustic.Files, "en-us") })
	return model, modelErr
}

// Search parameters (nats: natural-log likelihood).
const (
	// skipPenalty is what leaving a whole sentence out costs the path. A
	// sentence that is there gains far more than this from its words
	// than the fillers that would take its place; a sentence that is not
	// there (skipped, or another text) loses more than this when its
	// phones are forced onto sound that is something else.
	skipPenalty = 60
	// retakeSkip is the cost of leaving a sentence out when a stretch of
	// untranscribed sound is searched for sentences read again: there
	// most sentences are absent, and a sentence is only taken where its
	// words fit better than the filler models.
	retakeSkip = 5
	// A word's evidence is how much better, per frame, its frames fit the
	// states of its phones than the garbage model (the best phone state
	// of each frame, whatever the text): its log-likelihood ratio (see
	// hmm.Segment.LLR). Measured on the human recordings and the
	// sonnet, a sentence of the right text scores -1.9 to 0 a frame, one
	// of another text -2.9 to -6.5. Confidence maps a sentence's ratio
	// through a logistic: llrMid is confidence 0.5, llrScale its width.
	llrMid   = -2.2
	llrScale = 0.35
	// lowConfidence is under what a sentence is reported as uncertain (a
	// ratio of -2.7, under every sentence of a right text measured but a
	// five-word heading sped up 1.2 times, at -2.6);
	// foundConfidence is what it needs to count as found when deciding
	// whether the text matches the recording at all: it does when at
	// least matchedShare of its sentences are found.
	lowConfidence   = 0.2
	foundConfidence = 0.5
	matchedShare    = 0.5
	// minSound is the least sound (what the energy VAD does not call
	// silence) in a stretch the path gave to the fillers that is
	// reported, in seconds; minNoise is how much of it the noise and
	// spoken-noise models must have taken (the rest went to silence). A
	// pause is not untranscribed sound, even with a breath or a room's
	// hum in it.
	minSound = 0.5
	minNoise = 0.3
	// minInside is the least sound inside a sentence that is reported
	// when it is not a false start (a word said oddly leaves a little).
	minInside = 1.0
	// confidenceStride samples the words of the whole recording for their
	// evidence about every fourth phone (the garbage model costs four
	// times the search a frame): a sentence gets a dozen samples or more.
	// The searches of retakes and false starts sample every phone.
	confidenceStride = 24
	// searchBeam is the beam of the search over the whole recording
	// (nats under the best path). The garbage model keeps the right
	// path near the best through sound that is not the text, so the beam
	// can be narrow: 120 evaluates 8.4 codebooks a frame, 250 13.5, with
	// the same accuracy on the human recordings. When no path survives
	// it, the search runs again with 600.
	searchBeam = 120
	// wideBeam is the beam of a second search when the first skipped a
	// sentence or left long sound inside one: a paragraph read twice
	// once lost the right path under 120.
	wideBeam = 250
	// maxRetakeWindow bounds how many sentences around an untranscribed
	// stretch are looked for in it.
	maxRetakeWindow = 60
)

var debugLLR = os.Getenv("DEBUG_LLR") != ""

// frameSec is the length of a feature frame in seconds.
const frameSec = float64(hmm.FrameShift) / hmm.Rate

// aligner holds one alignment's state.
type aligner struct {
	m        *hmm.Model
	ft       *hmm.Features
	energy   []float32
	vad      *vad
	text     []Sentence
	duration float64
	report   Report

	words    []hmm.Word
	sentOf   []int // sentence of each word
	first    []int // first word of each sentence (len(words) past the end)
	segs     []hmm.Segment
	found    []sentenceTiming
	segStats hmm.Stats
	timings  Timings
}

// interval is a span of time in seconds.
type interval struct{ start, end float64 }

// sentenceTiming is where a sentence was found, in seconds.
type sentenceTiming struct {
	start, end float64
	words      []interval
	llr        float64 // per frame, over its words
	confidence float64
	missing    bool
	window     interval // where a missing sentence was looked for
}

// errNoMatch explains a mismatch with the numbers a person can check.
func (a *aligner) errNoMatch(found int) error {
	return fmt.Errorf("%w: only %d of %d sentences were found in it (median confidence %.2f); is it the recording of this text?",
		ErrNoMatch, found, len(a.text), a.medianConfidence())
}

// pronounce looks up every word of the text.
func pronounce(text []Sentence) ([]hmm.Word, []int, []int, error) {
	lex, err := lexicon.Default()
	if err != nil {
		return nil, nil, nil, err
	}
	var flat []string
	var sentOf, first []int
	for si, s := range text {
		first = append(first, len(flat))
		for _, w := range s.Words {
			flat = append(flat, w)
			sentOf = append(sentOf, si)
		}
	}
	first = append(first, len(flat))
	prons, _ := lex.PronounceAll(flat) // a word without a letter has no pronunciation: spoken noise
	words := make([]hmm.Word, len(flat))
	for i, p := range prons {
		if len(p) == 0 {
			p = [][]string{{"+SPN+"}}
		}
		words[i] = hmm.Word{Prons: p}
	}
	return words, sentOf, first, nil
}

// run aligns, stage by stage, checking ctx between the stages.
func (a *aligner) run(ctx context.Context) error {
	if err := a.plausible(); err != nil {
		return err
	}
	var skips []hmm.Skip
	for si := range a.text {
		if a.first[si] < a.first[si+1] {
			skips = append(skips, hmm.Skip{From: a.first[si], To: a.first[si+1]})
		}
	}
	began := time.Now()
	inside := make([]bool, len(a.words)+1)
	for w := 1; w < len(a.words); w++ {
		inside[w] = a.sentOf[w] == a.sentOf[w-1]
	}
	var err error
	for _, beam := range []float32{searchBeam, wideBeam, 600} {
		a.segs, a.segStats, err = a.m.Align(a.ft, a.words, hmm.Options{Beam: beam, Skips: skips, SkipPenalty: skipPenalty, Inside: inside, ConfidenceStride: confidenceStride})
		if err == nil && beam < wideBeam && a.suspicious() {
			continue // a skipped sentence, or sound inside one: make sure with the wider beam
		}
		if !errors.Is(err, hmm.ErrNoPath) {
			break
		}
	}
	if errors.Is(err, hmm.ErrNoPath) {
		return fmt.Errorf("%w: no path through its words fits the recording; is it the recording of this text?", ErrNoMatch)
	}
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	a.timings.Search = time.Since(began) - a.segStats.Confidence
	a.timings.Scoring, a.timings.ScoringAhead, a.timings.Confidence = a.segStats.Scoring, a.segStats.ScoringAhead, a.segStats.Confidence
	if debugLLR {
		for i, sg := range a.segs {
			if i < 60 {
				fmt.Printf("seg %d word %d %s %d-%d llr %.2f score %.1f\n", i, sg.Word, sg.Filler, sg.Start, sg.End, sg.LLR, sg.Score)
			}
		}
	}
	a.place()
	began = time.Now()
	a.untranscribed(ctx)
	a.timings.Retakes = time.Since(began)
	a.reportSentences()
	if found := a.countConfident(); found < int(math.Ceil(matchedShare*float64(len(a.text)))) {
		return a.errNoMatch(found)
	}
	return nil
}

// suspicious reports whether the path skipped a sentence or gave two
// seconds or more inside a sentence to the noise and garbage models.
func (a *aligner) suspicious() bool {
	seen := 0
	lastWord := -1
	for _, sg := range a.segs {
		if sg.Word >= 0 {
			if sg.Word != lastWord+1 {
				return true
			}
			lastWord = sg.Word
			seen++
			continue
		}
		inside := lastWord >= 0 && lastWord+1 < len(a.words) && a.sentOf[lastWord] == a.sentOf[lastWord+1]
		if inside && sg.Filler != "SIL" && float64(sg.End-sg.Start)*frameSec >= 2 {
			return true
		}
	}
	return seen != len(a.words)
}

// plausible rejects a recording that cannot hold the text: silent, or far
// too short for it (a 2-second file for a hundred sentences).
func (a *aligner) plausible() error {
	v := newVAD(a.energy)
	a.vad = v
	speech := v.speechFraction() * a.duration
	if v.level-v.floor < 10 || speech < 0.2 {
		return fmt.Errorf("%w: no speech found in %s of audio", ErrSilent, clock(a.duration))
	}
	// About 175 words a minute; even a fast narrator does not speak a
	// text in a third of that time.
	need := float64(len(a.words)) * 60 / 175
	if speech < need/3 {
		return fmt.Errorf("%w: the recording holds %s of speech, the text needs about %s (%d sentences)",
			ErrNoMatch, clock(speech), clock(need), len(a.text))
	}
	return nil
}

// place turns the path's segments into sentence and word timings.
func (a *aligner) place() {
	a.found = make([]sentenceTiming, len(a.text))
	wordSeg := make([]*hmm.Segment, len(a.words))
	for i := range a.segs {
		if w := a.segs[i].Word; w >= 0 {
			wordSeg[w] = &a.segs[i]
		}
	}
	prevEnd := 0.0
	for si := range a.text {
		st := &a.found[si]
		from, to := a.first[si], a.first[si+1]
		if from == to { // a line without words
			st.start, st.end, st.confidence = prevEnd, prevEnd, 1
			continue
		}
		if wordSeg[from] == nil {
			st.missing = true
			continue
		}
		var llr float64
		frames := 0
		for w := from; w < to; w++ {
			sg := wordSeg[w]
			st.words = append(st.words, interval{float64(sg.Start) * frameSec, float64(sg.End) * frameSec})
			llr += float64(sg.LLR) * float64(sg.End-sg.Start)
			frames += sg.End - sg.Start
		}
		st.start, st.end = st.words[0].start, st.words[len(st.words)-1].end
		st.llr = llr / float64(max(1, frames))
		if debugLLR {
			fmt.Printf("LLR sentence %d: %.3f\n", si, st.llr)
		}
		st.confidence = 1 / (1 + math.Exp(-(st.llr-llrMid)/llrScale))
		prevEnd = st.end
	}
	// Where each missing sentence was looked for: between its neighbours.
	for si := range a.found {
		if !a.found[si].missing {
			continue
		}
		w := interval{0, a.duration}
		for k := si - 1; k >= 0; k-- {
			if !a.found[k].missing && len(a.found[k].words) > 0 {
				w.start = a.found[k].end
				break
			}
		}
		for k := si + 1; k < len(a.found); k++ {
			if !a.found[k].missing && len(a.found[k].words) > 0 {
				w.end = a.found[k].start
				break
			}
		}
		a.found[si].window = w
		a.found[si].start, a.found[si].end = w.start, w.start
	}
}

// stretch is a run of filler segments holding sound.
type stretch struct {
	from, to int     // frames
	sound    float64 // seconds of sound in it (energy VAD)
	noise    float64 // seconds the noise and spoken-noise models took
	after    int     // the word before it, -1 if none
}

// stretches lists the runs of fillers with at least minSound of sound.
func (a *aligner) stretches() []stretch {
	var out []stretch
	cur := stretch{from: -1, after: -1}
	lastWord := -1
	flush := func() {
		if cur.from >= 0 {
			cur.sound = a.vad.sound(float64(cur.from)*frameSec, float64(cur.to)*frameSec)
			if cur.sound >= minSound && cur.noise >= minNoise {
				out = append(out, cur)
			}
		}
		cur = stretch{from: -1, after: lastWord}
	}
	for _, sg := range a.segs {
		if sg.Word >= 0 {
			flush()
			lastWord = sg.Word
			cur.after = lastWord
			continue
		}
		if cur.from < 0 {
			cur.from = sg.Start
		}
		cur.to = sg.End
		if sg.Filler != "SIL" {
			cur.noise += float64(sg.End-sg.Start) * frameSec
		}
	}
	flush()
	return out
}

// untranscribed examines each stretch of sound the path gave to the
// filler models: sentences read again there are reported as a retake
// (the transcript follows the last take); anything else as sound that is
// not in the text.
func (a *aligner) untranscribed(ctx context.Context) {
	for _, st := range a.stretches() {
		if ctx.Err() != nil {
			return
		}
		from, to := float64(st.from)*frameSec, float64(st.to)*frameSec
		nextSent := len(a.text)
		if st.after+1 < len(a.words) {
			nextSent = a.sentOf[st.after+1]
		}
		inside := st.after >= 0 && st.after+1 < len(a.words) && a.sentOf[st.after] == a.sentOf[st.after+1]
		first, last, takes, ok := a.retake(st, nextSent)
		switch {
		case ok && first >= nextSent:
			a.report.add(Issue{Kind: IssueRetake, Sentence: first + 1, Last: last + 1, Start: from, End: to,
				Message: fmt.Sprintf("%s read twice: a first take at %s–%s (%s), then again at %s; the transcript follows the last take: cut %s–%s",
					sentenceRange(first, last), clock(from), clock(to), duration(to-from), clock(a.found[first].start), clock(from), clock(to))})
		case ok:
			// A later take of sentences the path had placed earlier: the
			// transcript follows the last take.
			was := interval{a.found[first].start, a.found[last].end}
			for si := first; si <= last; si++ {
				a.found[si].words = takes[si]
				a.found[si].start, a.found[si].end = takes[si][0].start, takes[si][len(takes[si])-1].end
			}
			a.report.add(Issue{Kind: IssueRetake, Sentence: first + 1, Last: last + 1, Start: was.start, End: was.end,
				Message: fmt.Sprintf("%s read twice: a first take at %s–%s (%s), then again at %s–%s; the transcript follows the last take: cut %s–%s",
					sentenceRange(first, last), clock(was.start), clock(was.end), duration(was.end-was.start), clock(from), clock(to), clock(was.start), clock(was.end))})
		case inside:
			si := a.sentOf[st.after]
			if was, ok := a.falseStart(si, st); ok {
				a.report.add(Issue{Kind: IssueUntranscribed, Sentence: si + 1, Last: si + 1, Start: was.start, End: from,
					Message: fmt.Sprintf("a false start of sentence %d at %s–%s: begun, stopped, and read again from %s; cut %s–%s: %s",
						si+1, clock(was.start), clock(from), clock(a.found[si].start), clock(was.start), clock(a.found[si].start), quote(a.text[si].Text))})
				continue
			}
			if st.sound < minInside {
				continue
			}
			a.report.add(Issue{Kind: IssueUntranscribed, Sentence: si + 1, Last: si + 1, Start: from, End: to,
				Message: fmt.Sprintf("%s of sound that is not in the text inside sentence %d, at %s–%s (a stumble, a cough, an aside?): cut it or re-record the sentence: %s",
					duration(st.sound), si+1, clock(from), clock(to), quote(a.text[si].Text))})
		case nextSent < len(a.text):
			a.report.add(Issue{Kind: IssueUntranscribed, Sentence: nextSent + 1, Last: nextSent + 1, Start: from, End: to,
				Message: fmt.Sprintf("%s of sound that is not in the text at %s–%s, before sentence %d (music, noise, an aside or a false start?): cut it if it is not meant to be there: %s",
					duration(st.sound), clock(from), clock(to), nextSent+1, quote(a.text[nextSent].Text))})
		default:
			a.report.add(Issue{Kind: IssueUntranscribed, Start: from, End: to,
				Message: fmt.Sprintf("%s of sound that is not in the text at %s–%s, after the last sentence (music, noise, an aside?)",
					duration(st.sound), clock(from), clock(to))})
		}
	}
}

// falseStart checks whether sentence si, interrupted by the stretch st,
// was begun, stopped and read again whole: the whole sentence is aligned
// from the stretch on, and if its words fit there as well as a sentence
// of the text does, it moves there. It returns where the sentence was.
func (a *aligner) falseStart(si int, st stretch) (interval, bool) {
	w0, w1 := a.first[si], a.first[si+1]
	end := int(math.Ceil(a.found[si].end/frameSec)) + 50
	segs, _, err := a.m.Align(a.ft.Slice(st.from, end), a.words[w0:w1], hmm.Options{GarbageEntry: -1})
	if err != nil {
		return interval{}, false
	}
	var words []interval
	var llr float64
	frames := 0
	for _, sg := range segs {
		if sg.Word < 0 {
			continue
		}
		words = append(words, interval{float64(sg.Start+st.from) * frameSec, float64(sg.End+st.from) * frameSec})
		llr += float64(sg.LLR) * float64(sg.End-sg.Start)
		frames += sg.End - sg.Start
	}
	if len(words) != w1-w0 || llr/float64(max(1, frames)) < llrMid {
		return interval{}, false
	}
	was := interval{a.found[si].start, a.found[si].end}
	a.found[si].words = words
	a.found[si].start, a.found[si].end = words[0].start, words[len(words)-1].end
	return was, true
}

// retake looks for sentences of the text read in the stretch: the
// sentences around it are aligned to its frames, each free to be left out
// cheaply, and those whose words fit well are the ones read again.
func (a *aligner) retake(st stretch, nextSent int) (first, last int, takes map[int][]interval, ok bool) {
	// The window of sentences: enough of them, on both sides, to fill
	// the stretch at a brisk pace.
	secs := float64(st.to-st.from) * frameSec
	span := min(maxRetakeWindow, 2+int(secs/2))
	s0, s1 := max(0, nextSent-span), min(len(a.text), nextSent+span)
	w0, w1 := a.first[s0], a.first[s1]
	if w0 >= w1 {
		return 0, 0, nil, false
	}
	words := a.words[w0:w1]
	var skips []hmm.Skip
	for si := s0; si < s1; si++ {
		if a.first[si] < a.first[si+1] {
			skips = append(skips, hmm.Skip{From: a.first[si] - w0, To: a.first[si+1] - w0})
		}
	}
	// Everything may be skipped: from the start to the end.
	segs, _, err := a.m.Align(a.ft.Slice(st.from, st.to), words, hmm.Options{Skips: append(skips, hmm.Skip{From: 0, To: len(words)}), SkipPenalty: retakeSkip, GarbageEntry: -1})
	if err != nil {
		return 0, 0, nil, false
	}
	// Sentences found there, whole and fitting.
	takes = map[int][]interval{}
	type acc struct {
		words  int
		llr    float64
		frames int
	}
	per := map[int]*acc{}
	for _, sg := range segs {
		if sg.Word < 0 {
			continue
		}
		si := a.sentOf[sg.Word+w0]
		if per[si] == nil {
			per[si] = &acc{}
		}
		p := per[si]
		p.words++
		p.llr += float64(sg.LLR) * float64(sg.End-sg.Start)
		p.frames += sg.End - sg.Start
		takes[si] = append(takes[si], interval{float64(sg.Start+st.from) * frameSec, float64(sg.End+st.from) * frameSec})
	}
	// The first run of consecutive sentences found whole, fitting better
	// than the garbage model's threshold.
	first, last = -1, -1
	for si := s0; si < s1; si++ {
		p := per[si]
		whole := p != nil && p.words == a.first[si+1]-a.first[si]
		if whole && p.llr/float64(max(1, p.frames)) >= llrMid {
			if first < 0 {
				first = si
			}
			last = si
			continue
		}
		if first >= 0 && a.first[si] < a.first[si+1] {
			break
		}
	}
	return first, last, takes, first >= 0
}

// reportSentences reports missing and doubtful sentences.
func (a *aligner) reportSentences() {
	for si, st := range a.found {
		text := quote(a.text[si].Text)
		switch {
		case st.missing:
			a.report.add(Issue{Kind: IssueSkipped, Sentence: si + 1, Last: si + 1, Start: st.window.start, End: st.window.end,
				Message: fmt.Sprintf("sentence %d not found between %s and %s: record it and insert it there: %s", si+1, clock(st.window.start), clock(st.window.end), text)})
		case st.confidence < lowConfidence:
			a.report.add(Issue{Kind: IssueUncertain, Sentence: si + 1, Last: si + 1, Start: st.start, End: st.end,
				Message: fmt.Sprintf("sentence %d at %s–%s is uncertain (confidence %.2f): misread, or too noisy? listen and re-record it if so: %s",
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

// medianConfidence is the median confidence of the sentences.
func (a *aligner) medianConfidence() float64 {
	var c []float64
	for _, st := range a.found {
		if st.missing {
			c = append(c, 0)
		} else {
			c = append(c, st.confidence)
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
			var ws interval
			if wi < len(st.words) {
				ws = st.words[wi]
			}
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
