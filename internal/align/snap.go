package align

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
