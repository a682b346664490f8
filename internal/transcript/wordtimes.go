package transcript

import "github.com/readcast/readcast/internal/timing"

// Word is a written word of a sentence (a run of non-space, punctuation
// attached) and when it is spoken, in seconds to the millisecond.
type Word struct {
	Text       string
	Start, End float64
}

// Words times the written words of every sentence of m, as every transcript
// writer times them: Words(m)[i] are the words of m.Sentences[i], in order,
// never overlapping. The JSON transcript has one segment a word, with these
// times; the player's page carries the same, so the two agree to the
// millisecond without one being parsed back from the other.
func Words(m *timing.Map) [][]Word {
	sents := timeSentences(m)
	out := make([][]Word, len(sents))
	for i, s := range sents {
		ws := make([]Word, len(s.tokens))
		for k, t := range s.tokens {
			ws[k] = Word{Text: t, Start: seconds(s.from[k]), End: seconds(s.to[k])}
		}
		out[i] = ws
	}
	return out
}
