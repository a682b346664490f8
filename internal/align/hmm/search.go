package hmm

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"time"
)

// Word is one word of the text to align: its pronunciations, each a list
// of the model's phone names.
type Word struct {
	Prons [][]string
}

// Skip lets the search leave out words [From, To) (a sentence the reader
// skipped) at a price.
type Skip struct {
	From, To int
}

// Options tune a search. The zero value uses the defaults.
type Options struct {
	// Beam is how far under the best path, in nats, a path may fall and
	// still be followed.
	Beam float32
	// Skips are the runs of words the reader may have left out.
	Skips []Skip
	// SkipPenalty is what leaving a run out costs (nats, positive).
	SkipPenalty float32
	// Fillers are the filler phones allowed between words, with the
	// cost of inserting each (nats, positive). Nil means DefaultFillers.
	Fillers map[string]float32
	// GarbageEntry and GarbagePerFrame price the garbage model between
	// words (0: the defaults; GarbageEntry < 0: no garbage model).
	GarbageEntry, GarbagePerFrame float32
	// ConfidenceStride is every how many frames of a word its LLR is
	// sampled (0: DefaultConfidenceStride; every word gets at least one).
	ConfidenceStride int
	// Inside marks the gaps inside a sentence (gap g is before word g):
	// there the garbage model costs InsideFactor times as much to enter,
	// so that sound which is not the text goes between sentences.
	Inside []bool
}

// InsideFactor multiplies the garbage model's entry cost inside a
// sentence.
const InsideFactor = 4

// Garbage is the Filler name of the garbage model's segments.
const Garbage = "*garbage*"

// The garbage model of the search stands for speech that is not the
// text's words: a frame scores as the best context-independent phone
// state among the codebooks the search has evaluated for that frame (the
// phones of the words within the beam, and the fillers), less
// DefaultGarbagePerFrame. It keeps the right path alive through sound the
// fillers explain badly (a retake, an intro with other words), where the
// words would otherwise pull every path onto the wrong speech; the right
// words still fit their frames better than it.
const (
	DefaultGarbagePerFrame = 2.5
	DefaultGarbageEntry    = 10
)

// DefaultFillers are the noise models of the Sphinx models and what
// inserting one costs: silence is cheap, the noise and spoken-noise
// models dearer, so that they take what neither the words nor silence
// explain.
var DefaultFillers = map[string]float32{"SIL": 4, "+NSN+": 12, "+SPN+": 12}

const (
	defaultBeam = 250
	// gcEvery is how often (in frames) the backpointers that no path
	// uses any more are dropped.
	gcEvery = 2000
)

// Segment is a stretch of the recording the path gave to one word or one
// filler, in frames [Start, End).
type Segment struct {
	Word   int    // index into the words, or -1 for a filler
	Pron   int    // which pronunciation
	Filler string // the filler phone when Word is -1
	// Start and End are frames; a word starts with its first phone.
	Start, End int
	// Score is the log likelihood the path gained over the segment
	// (acoustics and transitions).
	Score float32
	// Phones are the frames the word's phones start at.
	Phones []int
	// LLR is how much better, per frame, a word's frames fit its phones
	// than the garbage model (the best context-independent phone state
	// of each frame): about 0 or above for a word that is there, well
	// under for words forced onto other sounds.
	LLR float32
}

// Stats describe a search, for benchmarks.
type Stats struct {
	Frames, MaxActive int
	CodebookEvals     int
	Records           int // backpointer records alive at the end
	// Scoring is the wall time the search spent on the Gaussians it
	// asked for (what the second core had not scored, and waiting for
	// it); ScoringAhead the second core's scoring, which runs while the
	// search advances. Confidence is the garbage model's scoring of the
	// words afterwards.
	Scoring, ScoringAhead, Confidence time.Duration
}

// ErrNoPath is returned when no path through all the words fits the
// recording within the beam.
var ErrNoPath = errors.New("no path through the text fits the recording")

type node struct {
	u     unit
	word  int32 // word index; -1 for fillers
	phone int16 // phone index in the pronunciation; the filler phone id for fillers
	pron  int16
	gap   int32 // fillers: their gap; last phones: the gap they lead to; else -1
	next  int32 // the next phone of the word; -1 if last
	pen   float32
}

type record struct {
	node  int32
	frame int32
	prev  int32
	score float32
}

type search struct {
	m     *Model
	sc    *scorer
	nodes []node
	// per gap: its fillers and the first phones of the word after it
	gapFillers [][]int32
	gapWords   [][]int32
	skipsFrom  [][]Skip
	skipPen    float32
	// the garbage model: its nodes active this frame, what a frame of it
	// costs on top of its score, and what entering it costs
	garbageNodes []int32
	garbagePen   float32
	confStride   int
	// per node
	score  [][States]float32
	hist   [][States]int32
	entry  []float32
	entryH []int32
	stamp  []int32 // frame the node's entry was set for
	inAct  []bool
	active []int32
	exits  []int32 // the active nodes after pruning (prune's buffer)
	recs   []record
	jscore []float32
	jhist  []int32
	jstamp []int32
	// codebooks to evaluate this frame, and the second core's work
	need      []int
	needStamp []int
	work      chan lookahead
	done      chan scored
	aheadTime time.Duration // the second core's scoring time so far
	ahead     bool          // the second core is scoring the next batch
	jobCBs    []int         // the codebooks it scores
	// the final gap at the last frame
	last     int32
	finalV   float32
	finalH   int32
	finalGap int32
}

var negInf = float32(math.Inf(-1))

// Align finds the best path of words (in order, each once, with fillers
// between them) through the features.
func (m *Model) Align(ft *Features, words []Word, opt Options) ([]Segment, Stats, error) {
	if ft.N == 0 || len(words) == 0 {
		return nil, Stats{}, ErrNoPath
	}
	s, err := m.newSearch(ft, words, opt)
	if err != nil {
		return nil, Stats{}, err
	}
	defer s.stop()
	beam := opt.Beam
	if beam <= 0 {
		beam = defaultBeam
	}
	return s.run(beam, len(words))
}

func (m *Model) newSearch(ft *Features, words []Word, opt Options) (*search, error) {
	s := &search{m: m, sc: newScorer(m, ft), skipPen: opt.SkipPenalty, needStamp: make([]int, m.nCB)}
	for i := range s.needStamp {
		s.needStamp[i] = -1
	}
	nGap := len(words) + 1
	s.gapFillers = make([][]int32, nGap)
	s.gapWords = make([][]int32, nGap)
	s.skipsFrom = make([][]Skip, nGap)
	for _, sk := range opt.Skips {
		if sk.From < 0 || sk.To > len(words) || sk.From >= sk.To {
			return nil, fmt.Errorf("hmm: bad skip %v", sk)
		}
		s.skipsFrom[sk.From] = append(s.skipsFrom[sk.From], sk)
	}
	ids, err := m.phoneIDs(words)
	if err != nil {
		return nil, err
	}
	s.confStride = opt.ConfidenceStride
	if s.confStride <= 0 {
		s.confStride = DefaultConfidenceStride
	}
	s.garbagePen = cmp.Or(opt.GarbagePerFrame, DefaultGarbagePerFrame)
	fill, fillPen := m.fillerPhones(opt.Fillers)
	for g := range nGap {
		s.addFillers(g, fill, fillPen, opt)
		if g == len(words) {
			break
		}
		s.addWord(g, ids)
	}
	s.allocate(nGap)
	return s, nil
}

// fillerPhones are the filler phones of the model that fillers (or
// DefaultFillers) name, and what entering each costs.
func (m *Model) fillerPhones(fillers map[string]float32) ([]int, []float32) {
	if fillers == nil {
		fillers = DefaultFillers
	}
	var fill []int
	var fillPen []float32
	for _, name := range []string{"SIL", "+NSN+", "+SPN+", "+BREATH+", "+COUGH+", "+UM+", "+UH+", "+SMACK+"} {
		pen, ok := fillers[name]
		if !ok {
			continue
		}
		id, ok := m.PhoneID(name)
		if !ok {
			continue
		}
		fill = append(fill, id)
		fillPen = append(fillPen, pen)
	}
	return fill, fillPen
}

// phoneIDs are the phone ids of every pronunciation of every word.
func (m *Model) phoneIDs(words []Word) ([][][]int, error) {
	ids := make([][][]int, len(words))
	for w, word := range words {
		if len(word.Prons) == 0 {
			return nil, fmt.Errorf("hmm: word %d has no pronunciation", w)
		}
		for _, p := range word.Prons {
			var pid []int
			for _, ph := range p {
				id, ok := m.PhoneID(ph)
				if !ok {
					return nil, fmt.Errorf("hmm: word %d: phone %q is not in the model", w, ph)
				}
				pid = append(pid, id)
			}
			if len(pid) == 0 {
				return nil, fmt.Errorf("hmm: word %d has an empty pronunciation", w)
			}
			ids[w] = append(ids[w], pid)
		}
	}
	return ids, nil
}

// addFillers adds gap g's filler nodes, the garbage model's among them.
func (s *search) addFillers(g int, fill []int, fillPen []float32, opt Options) {
	m := s.m
	for k, f := range fill {
		s.gapFillers[g] = append(s.gapFillers[g], int32(len(s.nodes)))
		s.nodes = append(s.nodes, node{u: m.ci[f], word: -1, phone: int16(f), gap: int32(g), next: -1, pen: fillPen[k]})
	}
	garbageEntry := cmp.Or(opt.GarbageEntry, DefaultGarbageEntry)
	if garbageEntry <= 0 {
		return
	}
	if g < len(opt.Inside) && opt.Inside[g] {
		garbageEntry *= InsideFactor
	}
	garbageUnit := unit{sen: [States]int32{-1, -1, -1}, tmat: m.ci[m.Sil].tmat}
	s.gapFillers[g] = append(s.gapFillers[g], int32(len(s.nodes)))
	s.nodes = append(s.nodes, node{u: garbageUnit, word: -1, phone: -1, gap: int32(g), next: -1, pen: garbageEntry})
}

// addWord adds the chains of triphones of word g (after gap g), one per
// pronunciation, with the cross-word contexts of the neighbours' first
// pronunciations.
func (s *search) addWord(g int, ids [][][]int) {
	m := s.m
	left := m.Sil
	if g > 0 {
		p := ids[g-1][0]
		left = p[len(p)-1]
	}
	right := m.Sil
	if g+1 < len(ids) {
		right = ids[g+1][0][0]
	}
	for v, p := range ids[g] {
		s.gapWords[g] = append(s.gapWords[g], int32(len(s.nodes)))
		for i, ph := range p {
			l, r := left, right
			if i > 0 {
				l = p[i-1]
			}
			if i+1 < len(p) {
				r = p[i+1]
			}
			pos := byte(PosInternal)
			switch {
			case len(p) == 1:
				pos = PosSingle
			case i == 0:
				pos = PosBegin
			case i == len(p)-1:
				pos = PosEnd
			}
			n := node{u: m.unit(ph, l, r, pos), word: int32(g), phone: int16(i), pron: int16(v), gap: -1, next: int32(len(s.nodes) + 1)}
			if i == len(p)-1 {
				n.next, n.gap = -1, int32(g+1)
			}
			s.nodes = append(s.nodes, n)
		}
	}
}

// allocate makes the per-node and per-gap state of the search.
func (s *search) allocate(nGap int) {
	n := len(s.nodes)
	s.score = make([][States]float32, n)
	s.hist = make([][States]int32, n)
	s.entry = make([]float32, n)
	s.entryH = make([]int32, n)
	s.stamp = make([]int32, n)
	s.inAct = make([]bool, n)
	for i := range s.stamp {
		s.stamp[i] = -1
	}
	s.jscore = make([]float32, nGap)
	s.jhist = make([]int32, nGap)
	s.jstamp = make([]int32, nGap)
	for i := range s.jstamp {
		s.jstamp[i] = -2
	}
}

// enter offers node n the score v (with history h) for frame t.
func (s *search) enter(n int32, t int32, v float32, h int32) {
	if s.stamp[n] != t || v > s.entry[n] {
		s.stamp[n], s.entry[n], s.entryH[n] = t, v, h
		if !s.inAct[n] {
			s.inAct[n] = true
			for k := range States {
				s.score[n][k], s.hist[n][k] = negInf, -1
			}
			s.active = append(s.active, n)
		}
	}
}

// junction offers gap g the score v at frame t.
func (s *search) junction(g int32, t int32, v float32, h int32) {
	if s.jstamp[g] != t || v > s.jscore[g] {
		s.jstamp[g], s.jscore[g], s.jhist[g] = t, v, h
	}
}

func (s *search) run(beam float32, nWords int) ([]Segment, Stats, error) {
	T := s.sc.ft.N
	st := Stats{Frames: T}
	s.last, s.finalV, s.finalH, s.finalGap = int32(T)-1, negInf, -1, int32(nWords)
	// Before the first frame: gap 0 at score 0.
	var gaps []int32
	s.junction(0, -1, 0, -1)
	gaps = append(gaps, 0)
	s.expandGaps(gaps, -1)
	for t := int32(0); t < int32(T); t++ {
		began := time.Now()
		s.sc.setFrame(int(t))
		s.prescore()
		st.Scoring += time.Since(began)
		best := s.emit(t)
		if best == negInf {
			return nil, st, ErrNoPath
		}
		thresh := best - beam
		exits := s.prune(thresh)
		st.MaxActive = max(st.MaxActive, len(s.active))
		gaps = s.passOn(exits, t, thresh, gaps[:0])
		s.expandGaps(gaps, t)
		if t%gcEvery == gcEvery-1 {
			s.gc()
		}
	}
	if s.finalV == negInf {
		return nil, st, ErrNoPath
	}
	st.ScoringAhead = s.aheadTime
	st.CodebookEvals = s.sc.Evals
	st.Records = len(s.recs)
	segs, nodes := s.backtrace(s.finalH, s.finalV, T)
	began := time.Now()
	s.garbage(segs, nodes, s.confStride)
	st.Confidence = time.Since(began)
	return segs, st, nil
}

// emit advances every active node by frame t and returns the best score;
// the garbage nodes go last, once the codebooks of the frame are known.
func (s *search) emit(t int32) float32 {
	best := negInf
	garbage := s.garbageNodes[:0]
	for _, n := range s.active {
		u := &s.nodes[n].u
		if u.sen[0] < 0 {
			garbage = append(garbage, n)
			continue
		}
		var e [States]float32
		for k := range States {
			e[k] = s.sc.senone(u.sen[k])
		}
		best = max(best, s.advance(n, t, e))
	}
	if len(garbage) > 0 {
		g := s.sc.localGarbage(s.need) - s.garbagePen
		e := [States]float32{g, g, g}
		for _, n := range garbage {
			best = max(best, s.advance(n, t, e))
		}
	}
	s.garbageNodes = garbage
	return best
}

// prune drops the states under thresh and the nodes left without one, and
// returns the nodes still active (whose last states may be left).
func (s *search) prune(thresh float32) []int32 {
	keep := s.active[:0]
	exits := s.exits[:0]
	for _, n := range s.active {
		sc := &s.score[n]
		alive := false
		for k := range States {
			if sc[k] >= thresh {
				alive = true
			} else {
				sc[k] = negInf
			}
		}
		if !alive {
			s.inAct[n] = false
			continue
		}
		keep = append(keep, n)
		exits = append(exits, n)
	}
	s.active = keep
	s.exits = exits
	return exits
}

// passOn passes what leaves each of the nodes at frame t on to the next
// phone of its word (at t+1) or to its gap, and returns gaps with the
// gaps reached added.
func (s *search) passOn(nodes []int32, t int32, thresh float32, gaps []int32) []int32 {
	for _, n := range nodes {
		nd := &s.nodes[n]
		tp := &s.m.tmat[nd.u.tmat]
		sc, hi := &s.score[n], &s.hist[n]
		v, h := sc[States-1]+tp[States-1][States], hi[States-1]
		if w := sc[States-2] + tp[States-2][States]; w > v {
			v, h = w, hi[States-2]
		}
		if v < thresh {
			continue
		}
		if nd.next >= 0 {
			s.enter(nd.next, t+1, v, h)
			continue
		}
		if s.jstamp[nd.gap] != t {
			gaps = append(gaps, nd.gap)
		}
		s.junction(nd.gap, t, v, h)
	}
	return gaps
}

// advance moves node n's states on by frame t with emissions e and
// returns the best of them.
func (s *search) advance(n int32, t int32, e [States]float32) float32 {
	tp := &s.m.tmat[s.nodes[n].u.tmat]
	sc, hi := &s.score[n], &s.hist[n]
	var ns [States]float32
	var nh [States]int32
	for j := States - 1; j >= 0; j-- {
		v, h := sc[j]+tp[j][j], hi[j]
		if j >= 1 {
			if w := sc[j-1] + tp[j-1][j]; w > v {
				v, h = w, hi[j-1]
			}
		}
		if j >= 2 {
			if w := sc[j-2] + tp[j-2][j]; w > v {
				v, h = w, hi[j-2]
			}
		}
		ns[j], nh[j] = v+e[j], h
	}
	if s.stamp[n] == t {
		if v := s.entry[n] + e[0]; v > ns[0] {
			s.recs = append(s.recs, record{node: n, frame: t, prev: s.entryH[n], score: s.entry[n]})
			ns[0], nh[0] = v, int32(len(s.recs)-1)
		}
	}
	*sc, *hi = ns, nh
	return max(ns[0], ns[1], ns[2])
}

// expandGaps passes the junction scores of frame t on: skips to later
// gaps, and entries into the fillers and the next word at t+1.
func (s *search) expandGaps(gaps []int32, t int32) {
	for i := 0; i < len(gaps); i++ {
		g := gaps[i]
		v, h := s.jscore[g], s.jhist[g]
		for _, sk := range s.skipsFrom[g] {
			to := int32(sk.To)
			if s.jstamp[to] != t {
				gaps = append(gaps, to)
			}
			s.junction(to, t, v-s.skipPen, h)
		}
	}
	for _, g := range gaps {
		if s.jstamp[g] != t {
			continue
		}
		v, h := s.jscore[g], s.jhist[g]
		if t == s.last && g == s.finalGap && v > s.finalV {
			s.finalV, s.finalH = v, h
		}
		for _, n := range s.gapFillers[g] {
			s.enter(n, t+1, v-s.nodes[n].pen, h)
		}
		for _, n := range s.gapWords[g] {
			s.enter(n, t+1, v, h)
		}
		s.jstamp[g] = -2 // used; a gap reached again later starts afresh
	}
}

// gc drops the records no active path leads back to.
func (s *search) gc() {
	live := make([]bool, len(s.recs))
	mark := func(h int32) {
		for h >= 0 && !live[h] {
			live[h] = true
			h = s.recs[h].prev
		}
	}
	for _, n := range s.active {
		for k, h := range s.hist[n] {
			if s.score[n][k] > negInf {
				mark(h)
			}
		}
		if s.stamp[n] >= 0 {
			mark(s.entryH[n])
		}
	}
	mark(s.finalH)
	remap := make([]int32, len(s.recs))
	k := int32(0)
	for i, r := range s.recs {
		if !live[i] {
			remap[i] = -1
			continue
		}
		if r.prev >= 0 {
			r.prev = remap[r.prev]
		}
		s.recs[k] = r
		remap[i] = k
		k++
	}
	s.recs = s.recs[:k]
	fix := func(h int32) int32 {
		if h < 0 {
			return h
		}
		return remap[h]
	}
	for _, n := range s.active {
		for j := range s.hist[n] {
			if s.score[n][j] > negInf {
				s.hist[n][j] = fix(s.hist[n][j])
			} else {
				s.hist[n][j] = -1
			}
		}
		s.entryH[n] = fix(s.entryH[n])
	}
	s.finalH = fix(s.finalH)
	// Entries of inactive nodes are stale (their stamps are past).
}

func (s *search) backtrace(h int32, final float32, T int) ([]Segment, [][]int32) {
	var chain []record
	for ; h >= 0; h = s.recs[h].prev {
		chain = append(chain, s.recs[h])
	}
	for i, j := 0, len(chain)-1; i < j; i, j = i+1, j-1 {
		chain[i], chain[j] = chain[j], chain[i]
	}
	var out []Segment
	var nodes [][]int32
	for i, r := range chain {
		end, endScore := int32(T), final
		if i+1 < len(chain) {
			end, endScore = chain[i+1].frame, chain[i+1].score
		}
		nd := s.nodes[r.node]
		if nd.word < 0 {
			name := Garbage
			if nd.phone >= 0 {
				name = s.m.Phones[nd.phone]
			}
			out = append(out, Segment{Word: -1, Filler: name, Start: int(r.frame), End: int(end), Score: endScore - r.score})
			nodes = append(nodes, nil)
			continue
		}
		if nd.phone == 0 {
			out = append(out, Segment{Word: int(nd.word), Pron: int(nd.pron), Start: int(r.frame)})
			nodes = append(nodes, nil)
		}
		nodes[len(nodes)-1] = append(nodes[len(nodes)-1], r.node)
		w := &out[len(out)-1]
		w.Phones = append(w.Phones, int(r.frame))
		w.End = int(end)
		w.Score = endScore - chain[i+1-len(w.Phones)].score
	}
	return out, nodes
}

// DefaultConfidenceStride is every how many frames of a word the garbage
// model is scored (a frame of it costs four times a frame of the search):
// about once a phone, and at least once a word.
const DefaultConfidenceStride = 6

// garbage fills in each word's LLR: how much better, per frame, the
// senones of the phones the path gave its frames score than the garbage
// model. The words are shared between two scorers on two cores.
func (s *search) garbage(segs []Segment, nodes [][]int32, garbageStride int) {
	const workers = 2
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := newScorer(s.m, s.sc.ft)
			for i := range segs {
				sg := &segs[i]
				if sg.Word < 0 || i%workers != w {
					continue
				}
				var sum float32
				n := 0
				p := 0
				for t := sg.Start + min(garbageStride, sg.End-sg.Start)/2; t < sg.End; t += garbageStride {
					for p+1 < len(sg.Phones) && sg.Phones[p+1] <= t {
						p++
					}
					sc.setFrame(t)
					u := s.nodes[nodes[i][p]].u
					forced := negInf
					for _, sen := range u.sen {
						forced = max(forced, sc.senone(sen))
					}
					sum += forced - sc.garbageScore()
					n++
				}
				sg.LLR = sum / float32(max(1, n))
			}
		}()
	}
	wg.Wait()
}

// lookaheadFrames is how many frames the second core scores at a time.
// Handing it work costs a wake-up, which on a loaded machine can cost
// more than a frame's scoring: batches keep the handovers few.
const lookaheadFrames = 8

// prescore evaluates the codebooks the active nodes need for the frame
// before the nodes ask for their senones. A second core scores the frames
// of the next batch (the codebooks needed at the start of this one: the
// set changes a phone or two at a time) while the search advances through
// this batch; what it did not score is scored here.
func (s *search) prescore() {
	sc := s.sc
	t := sc.frame
	start := t%lookaheadFrames == 0
	if start && s.ahead {
		r := <-s.done
		sc.Evals += r.evals
		s.aheadTime += r.took
		s.ahead = false
	}
	need := s.need[:0]
	for _, n := range s.active {
		u := &s.nodes[n].u
		if u.sen[0] < 0 {
			continue
		}
		for _, sen := range u.sen {
			cb := int(s.m.senCB[sen])
			if s.needStamp[cb] != t {
				s.needStamp[cb] = t
				need = append(need, cb)
			}
		}
	}
	s.need = need
	for _, cb := range need {
		if !sc.scored(cb) {
			sc.codebook(cb)
		}
	}
	if !start || t+lookaheadFrames >= sc.ft.N || len(need) == 0 || runtime.GOMAXPROCS(0) < 2 {
		return
	}
	if s.work == nil {
		s.work = make(chan lookahead)
		s.done = make(chan scored)
		go s.scoreAhead()
	}
	s.jobCBs = append(s.jobCBs[:0], need...) // the worker's until done
	s.work <- lookahead{from: t + lookaheadFrames, to: min(t+2*lookaheadFrames, sc.ft.N), cbs: s.jobCBs}
	s.ahead = true
}

// lookahead is the second core's work: codebooks to score for frames
// [from, to).
type lookahead struct {
	from, to int
	cbs      []int
}

// scored is what the second core reports of a batch: codebooks scored
// and the time it took.
type scored struct {
	evals int
	took  time.Duration
}

// scoreAhead is the second core's goroutine. Its first frame does not
// warm-start from the frame before, which the search may still be
// scoring.
func (s *search) scoreAhead() {
	sc := s.sc
	var x [3 * Ceps]float32
	for job := range s.work {
		began := time.Now()
		for t := job.from; t < job.to; t++ {
			sc.ft.vector(t, &x)
			for _, cb := range job.cbs {
				sc.codebookAt(cb, t, &x, t > job.from)
			}
		}
		s.done <- scored{evals: (job.to - job.from) * len(job.cbs), took: time.Since(began)}
	}
}

// stop ends the second core's goroutine.
func (s *search) stop() {
	if s.ahead {
		<-s.done
		s.ahead = false
	}
	if s.work != nil {
		close(s.work)
		s.work = nil
	}
}
