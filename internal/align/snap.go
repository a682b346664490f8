package align

import "math"

// Snapping. DTW places a boundary somewhere inside a pause: the reference's
// pause and the recording's are matched frame to frame, and where one
// sentence ends and the next begins inside them is arbitrary. A listener
// (and a read-along highlight) expects a sentence to start when its first
// word becomes audible, so sentence starts and ends move to the nearest
// edge of a pause the energy VAD found, refined to where the energy starts
// to rise. Word starts are not snapped: the pauses inside a sentence are
// short and often not silent, and snapping them made word starts worse.

// snapWindow is how far a sentence boundary may move to reach a pause edge.
const snapWindow = 0.2 // seconds

func (a *aligner) snap() {
	moved := a.snapOnce()
	if len(moved) == 0 {
		return
	}
	// A boundary that jumped over a pause leaves the words next to it
	// squeezed: time those sentences again inside their new bounds.
	parallel(len(moved), func(k int) {
		si := moved[k]
		st := a.found[si]
		rs := a.ref.sentences[si]
		i0 := max(0, int(st.start*100))
		i1 := min(a.rec.n, int(math.Ceil(st.end*100)))
		path := refine(a.rec, a.ref.feat, a.ref.filler, i0, i1, rs.span.start, rs.span.end)
		if len(path) == 0 {
			return
		}
		nt := a.timeCells(si, path)
		nt.start, nt.end = st.start, st.end
		a.found[si] = nt
	})
	a.snapOnce()
}

// snapOnce snaps every sentence's boundaries and returns the sentences
// whose boundary jumped over a pause.
func (a *aligner) snapOnce() (jumped []int) {
	pauses := a.vad.pauses(int(minPause * Rate / energyStep))
	for si := range a.found {
		st := &a.found[si]
		if len(st.words) == 0 || st.missing {
			continue
		}
		firstEnd := st.words[0].end
		if t, ok := nearestEdge(pauses, st.start, true); ok && t < firstEnd {
			st.start = a.vad.onset(t)
		}
		lastStart := st.words[len(st.words)-1].start
		if t, ok := nearestEdge(pauses, st.end, false); ok && t > max(lastStart, st.start) {
			st.end = a.vad.offset(t)
		}
		// No word holds a long pause: a first word that does began
		// after it (the path pulled the sentence into the end of the one
		// before), a last word that does ended before it.
		firstTo := st.end // where the first word gives way to the second
		if len(st.words) > 1 {
			firstTo = st.words[1].start
		}
		if p, ok := pauseInside(pauses, st.start, firstTo); ok {
			st.start = a.vad.onset(stepTime(p.end))
			jumped = append(jumped, si)
		}
		lastFrom := st.start // where the last word takes over
		if len(st.words) > 1 {
			lastFrom = st.words[len(st.words)-2].end
		}
		if p, ok := pauseInside(pauses, max(st.start, lastFrom), st.end); ok {
			st.end = a.vad.offset(stepTime(p.start))
			if len(jumped) == 0 || jumped[len(jumped)-1] != si {
				jumped = append(jumped, si)
			}
		}
		// Keep the words inside the sentence and in order.
		st.words[0].start = st.start
		at := st.start
		for wi := range st.words {
			w := &st.words[wi]
			w.start = min(st.end, max(at, w.start))
			if wi+1 < len(st.words) {
				w.end = min(st.end, max(w.start, st.words[wi+1].start))
			} else {
				w.end = st.end
			}
			at = w.start
		}
	}
	return jumped
}

// wordPause is the shortest pause no word is believed to hold.
const wordPause = 0.25 // seconds

// pauseInside finds a pause of at least wordPause that lies wholly inside
// (from, to).
func pauseInside(pauses []pause, from, to float64) (pause, bool) {
	for _, p := range pauses {
		s, e := stepTime(p.start), stepTime(p.end)
		if s > from && e < to && e-s >= wordPause {
			return p, true
		}
	}
	return pause{}, false
}

// nearestEdge finds the pause edge nearest to t: pause ends (speech
// onsets) when onset, pause starts otherwise. A t inside a pause goes to
// that pause's edge however far; otherwise the edge must be within
// snapWindow.
func nearestEdge(pauses []pause, t float64, onset bool) (float64, bool) {
	best, bestD := 0.0, snapWindow
	found := false
	for _, p := range pauses {
		s, e := stepTime(p.start), stepTime(p.end)
		edge := s
		if onset {
			edge = e
		}
		if t >= s && t <= e {
			return edge, true
		}
		if d := abs(edge - t); d <= bestD {
			best, bestD, found = edge, d, true
		}
	}
	return best, found
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
