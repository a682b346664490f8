package narrate

import (
	"fmt"
	"math"

	"github.com/readcast/readcast/internal/audio"
	"github.com/readcast/readcast/internal/segment"
	"github.com/readcast/readcast/internal/timing"
)

// layout builds an episode's PCM, sentence by sentence, at the output rate,
// and the timing of every sentence and word on the same clock. All the
// arithmetic is in samples of the output; times are derived from them.
type layout struct {
	rate      int
	pcm       []float32
	end       float64 // seconds: where the last sentence's last word ends
	sentences []timing.Sentence
}

func newLayout(rate int, estimate float64) *layout {
	return &layout{rate: rate, pcm: make([]float32, 0, int(estimate*1.25*float64(rate))+rate)}
}

// add places a sentence pause seconds after the previous one ends (or after
// the start, for the first). The speech is cut where its first word
// becomes audible and shortly after its last word ends; what is cut off is
// the synthesizer's own silence, replaced by the layout's exact pauses.
func (l *layout) add(pause float64, sp Speech, s segment.Sentence) error {
	if sp.Rate <= 0 || len(sp.Samples) == 0 || len(sp.Words) == 0 {
		return fmt.Errorf("no speech")
	}
	first, last := sp.Words[0].Start, sp.Words[0].End
	for _, w := range sp.Words {
		first = min(first, w.Start)
		last = max(last, w.End)
	}
	x := sp.Samples
	src := float64(sp.Rate)
	cut := onset(x, sp.Rate, int(math.Round(first*src)), int(math.Round(last*src)))
	stop := min(len(x), int(math.Round(last*src))+int(speechTail.Seconds()*src))
	if stop <= cut {
		return fmt.Errorf("no audible speech between %.3f s and %.3f s", first, last)
	}
	clip := x[cut:stop]
	fadeIn(clip, sp.Rate/500) // 2 ms against a click at the cut
	if tail := stop - int(math.Round(last*src)); tail > 0 {
		fadeOut(clip, tail)
	}

	pos := int(math.Round((l.end + pause) * float64(l.rate)))
	pos = max(pos, len(l.pcm)) // never overlap the previous sentence's tail
	for len(l.pcm) < pos {
		l.pcm = append(l.pcm, 0)
	}
	l.pcm = append(l.pcm, audio.Resample(clip, sp.Rate, l.rate)...)

	// engine time t is at output time at(t)
	origin := float64(pos)/float64(l.rate) - float64(cut)/src
	at := func(t float64) float64 { return origin + t }
	start := float64(pos) / float64(l.rate)
	end := max(start, at(last))
	ts := timing.Sentence{ID: s.ID, Text: s.Text, Start: timing.Round(start), End: timing.Round(end), Confidence: 1}
	texts := make([]string, len(s.Words))
	for i, w := range s.Words {
		texts[i] = w.Text
	}
	for i, sp := range mapWords(texts, sp.Words) {
		ws := min(max(at(sp.start), start), end)
		we := min(max(at(sp.end), ws), end)
		ts.Words = append(ts.Words, timing.Word{Start: timing.Round(ws), End: timing.Round(we), Text: texts[i]})
	}
	l.sentences = append(l.sentences, ts)
	l.end = end
	return nil
}

// finish ends the episode tail seconds after the last word.
func (l *layout) finish(tail float64) {
	n := int(math.Round((l.end + tail) * float64(l.rate)))
	for len(l.pcm) < n {
		l.pcm = append(l.pcm, 0)
	}
}

// duration is the length of the PCM in seconds.
func (l *layout) duration() float64 { return float64(len(l.pcm)) / float64(l.rate) }

// onset finds where the first word becomes audible: the first millisecond
// from 10 ms before the engine's word start whose level is within 40 dB of
// the sentence's loudest millisecond (after normalization, about −45 dBFS). Engines place a word's start at its
// first phone, and a sentence that begins with a stop ("Paris") begins with
// its silent closure; starting the sentence there would leave up to 80 ms of
// silence after the time the read-along highlights it.
func onset(x []float32, rate, firstStart, lastEnd int) int {
	win := max(1, rate/1000)
	rms := func(i int) float64 {
		s := 0.0
		for _, v := range x[i:min(i+win, len(x))] {
			s += float64(v) * float64(v)
		}
		return math.Sqrt(s / float64(win))
	}
	loudest := 0.0
	for i := 0; i+win <= len(x); i += win {
		loudest = max(loudest, rms(i))
	}
	threshold := max(loudest*math.Pow(10, -40.0/20), silenceLevel/4)
	from := max(0, firstStart-rate/100)
	limit := min(len(x), lastEnd)
	for i := from; i < limit; i += max(1, win/4) {
		if rms(i) > threshold {
			// step back to the first sample above the threshold's amplitude
			for i > from && math.Abs(float64(x[i-1])) > threshold/2 {
				i--
			}
			return i
		}
	}
	return min(max(0, firstStart), len(x))
}

// fadeIn and fadeOut shape the first or last n samples with a raised cosine.
func fadeIn(x []float32, n int) {
	n = min(n, len(x))
	for i := range n {
		x[i] *= float32(0.5 - 0.5*math.Cos(math.Pi*float64(i)/float64(n)))
	}
}

func fadeOut(x []float32, n int) {
	n = min(n, len(x))
	for i := range n {
		x[len(x)-n+i] *= float32(0.5 + 0.5*math.Cos(math.Pi*float64(i+1)/float64(n)))
	}
}
