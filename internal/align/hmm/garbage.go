package hmm

// The garbage model is what a stretch of speech scores when it is not the
// words the path gave it: the best context-independent phone state, frame
// by frame (an unconstrained phone loop without its transitions). It needs
// every codebook, four times what the search evaluates in a frame, so it
// is scored on a sample of a word's frames only.

// garbageScore is the garbage model's log likelihood of the scorer's frame.
func (s *scorer) garbageScore() float32 {
	m := s.m
	best := negInf
	for p, u := range m.ci {
		if m.Fillers[p] && m.Phones[p] != "SIL" && m.Phones[p] != "+NSN+" && m.Phones[p] != "+SPN+" {
			continue
		}
		for _, sen := range u.sen {
			best = max(best, s.senone(sen))
		}
	}
	return best
}

// localGarbage is the best context-independent phone state among the
// codebooks cbs, those the search evaluated for the frame.
func (s *scorer) localGarbage(cbs []int) float32 {
	m := s.m
	best := negInf
	for _, cb := range cbs {
		if cb >= len(m.ci) {
			continue
		}
		for _, sen := range m.ci[cb].sen {
			best = max(best, s.senone(sen))
		}
	}
	return best
}
