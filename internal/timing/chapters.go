package timing

import "fmt"

// Chapter is a chapter placed on the audio clock.
type Chapter struct {
	Title string
	Start float64 // seconds, rounded to the millisecond
	End   float64
}

// ChapterMark names a chapter and the ID of the sentence it begins with.
type ChapterMark struct {
	Title         string
	FirstSentence string
}

// Chapters places chapters on the clock of m. The first chapter starts at 0
// (so the whole file is covered, as ID3 CTOC readers expect); every other
// chapter starts when its first sentence is spoken. Each chapter ends where
// the next starts; the last ends with the audio. Every chapter source (ID3,
// JSON chapters, psc:chapters) is made from this one function so that they
// agree to the millisecond.
func Chapters(m *Map, marks []ChapterMark) ([]Chapter, error) {
	out := make([]Chapter, len(marks))
	for i, mk := range marks {
		out[i].Title = mk.Title
		if i == 0 {
			continue
		}
		j := m.Find(mk.FirstSentence)
		if j < 0 {
			return nil, fmt.Errorf("timing: chapter %q begins with sentence %s, which the timing map lacks", mk.Title, mk.FirstSentence)
		}
		out[i].Start = Round(m.Sentences[j].Start)
		if out[i].Start <= out[i-1].Start {
			return nil, fmt.Errorf("timing: chapter %q starts at %.3f, not after chapter %q", mk.Title, out[i].Start, out[i-1].Title)
		}
	}
	for i := range out {
		if i+1 < len(out) {
			out[i].End = out[i+1].Start
		} else {
			out[i].End = Round(m.Duration)
		}
	}
	return out, nil
}
