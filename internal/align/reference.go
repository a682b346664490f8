package align

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/readcast/readcast/internal/audio"
	"github.com/readcast/readcast/internal/narrate"
)

// The reference's layout, in seconds.
const (
	// refPad is the silence before the first and after the last sentence.
	// Digital silence against a real room pulled the first fragment to 0 s;
	// dither and half a second of it do not.
	refPad = 0.5
	// refPause is the pause between sentences, refParagraph between
	// paragraphs (or lines).
	refPause     = 0.3
	refParagraph = 0.45
	// refDither is the standard deviation of the noise added everywhere
	// (−80 dBFS): a quiet room, not digital zero.
	refDither = 1e-4
	// refEmpty is the length of a word the voice could not say.
	refEmpty = 0.05
	// refComma is the pause laid after a word that punctuation follows
	// (a comma, a dash, a bracket), refWordGap the one between other
	// words. Both are pause frames: a narrator's pause there, a breath or
	// an "uh" is absorbed by them instead of being warped onto a word.
	// Without them a pause before an "um" shifted the following words by
	// one (MFA corpus: 87.9% → 91.4% within 100 ms with them).
	refComma   = 0.1
	refWordGap = 0.02
)

// reference is the synthetic narration of the text: each word spoken alone
// by the voice, words run together inside a sentence, pauses between
// sentences. Its features and where every word lies are all that is kept.
type reference struct {
	feat  *features
	words []span // frames of each word, over all sentences in order
	// wordShift is how far each word's exact start and end lie from the
	// centres of its first and end frames, in seconds (under half a frame).
	wordShift []interval
	sentences []refSentence
	pause     []bool // frames of silence laid between words and sentences
	// filler is, for each frame, the most a step along one signal may cost
	// there (see dtw.go): fillerCost between sentences, fillerInside in
	// the pauses inside a sentence, +Inf in speech.
	filler []float32
}

// span is a half-open range of frames.
type span struct{ start, end int }

type refSentence struct {
	firstWord, words int
	span             span // from its first word's start to its last word's end
}

// speakWords speaks the distinct words of the text with the voice and
// returns each one's clip at Rate, trimmed to its sound.
func speakWords(ctx context.Context, v Voice, text []Sentence) (map[string][]float32, error) {
	seen := map[string]bool{}
	var vocab []string
	for _, s := range text {
		for _, w := range s.Words {
			k := narrate.SpeechText(w)
			if !seen[k] {
				seen[k] = true
				vocab = append(vocab, k)
			}
		}
	}
	clips, rate, err := v.Words(ctx, vocab)
	if err != nil {
		return nil, err
	}
	if len(clips) != len(vocab) {
		return nil, fmt.Errorf("align: the voice returned %d clips for %d words", len(clips), len(vocab))
	}
	out := make(map[string][]float32, len(vocab))
	for i, w := range vocab {
		x := clips[i]
		clips[i] = nil // the voice's copy goes as soon as it is resampled
		if s, e, ok := soundBounds(x); ok {
			x = x[s:e]
		} else {
			x = nil
		}
		if rate != Rate && len(x) > 0 {
			x = audio.Resample(x, rate, Rate)
		} else {
			x = append([]float32(nil), x...) // not a window on the voice's buffer
		}
		out[w] = x
	}
	return out, nil
}

// buildReference lays out the words and computes the reference's
// features, streaming: the whole reference signal is never held.
func buildReference(text []Sentence, clips map[string][]float32) *reference {
	lay := layOut(text, clips)
	n := framesFor(lay.total)
	ref := &reference{feat: newFeatures(n, false), sentences: lay.sentences}
	fe := newFrontEnd(ref.feat, lay.total, 0, n)
	lay.render(fe.feed)
	fe.finish()
	ref.feat.normalize()

	toFrame := func(sample int64) int { return int((sample + FrameStep/2) / FrameStep) }
	ref.words = make([]span, len(lay.words))
	for i, w := range lay.words {
		ref.words[i] = span{toFrame(w.start), max(toFrame(w.end), toFrame(w.start)+1)}
		ref.wordShift = append(ref.wordShift, interval{
			float64(w.start)/Rate - frameTime(ref.words[i].start),
			float64(w.end)/Rate - frameTime(ref.words[i].end),
		})
	}
	for i := range ref.sentences {
		rs := &ref.sentences[i]
		if rs.words == 0 {
			rs.span = span{toFrame(lay.empty[i].start), toFrame(lay.empty[i].end)}
			continue
		}
		rs.span = span{ref.words[rs.firstWord].start, ref.words[rs.firstWord+rs.words-1].end}
	}
	ref.pause = make([]bool, n)
	ref.filler = make([]float32, n)
	for f := range ref.filler {
		ref.filler[f] = float32(math.Inf(1))
	}
	for k, p := range lay.pauses {
		cost := float32(fillerInside)
		if lay.between[k] {
			cost = fillerCost
		}
		for f := toFrame(p.start); f < min(n, toFrame(p.end)); f++ {
			ref.pause[f] = true
			ref.filler[f] = min(ref.filler[f], cost)
		}
	}
	return ref
}

// sampleSpan is a half-open range of samples at Rate.
type sampleSpan struct{ start, end int64 }

// layout is where everything of the reference lies, in samples.
type layout struct {
	pieces    []piece
	total     int64
	words     []sampleSpan
	pauses    []sampleSpan
	between   []bool             // pauses[k] lies between sentences (or is padding)
	empty     map[int]sampleSpan // sentences without words: their stand-in silence
	sentences []refSentence
}

type piece struct {
	clip    []float32 // nil: silence
	samples int
}

func layOut(text []Sentence, clips map[string][]float32) *layout {
	l := &layout{empty: map[int]sampleSpan{}}
	silence := func(sec float64) sampleSpan {
		n := int(sec * Rate)
		l.pieces = append(l.pieces, piece{samples: n})
		l.total += int64(n)
		return sampleSpan{l.total - int64(n), l.total}
	}
	l.pauses = append(l.pauses, silence(refPad))
	l.between = append(l.between, true)
	for si, s := range text {
		if si > 0 {
			gap := refPause
			if s.Paragraph != text[si-1].Paragraph {
				gap = refParagraph
			}
			l.pauses = append(l.pauses, silence(gap))
			l.between = append(l.between, true)
		}
		rs := refSentence{firstWord: len(l.words), words: len(s.Words)}
		if len(s.Words) == 0 {
			l.empty[si] = silence(refEmpty)
		}
		breaks := punctuationAfter(s)
		for wi, w := range s.Words {
			if wi > 0 && breaks[wi-1] {
				l.pauses = append(l.pauses, silence(refComma))
				l.between = append(l.between, false)
			} else if wi > 0 {
				l.pauses = append(l.pauses, silence(refWordGap))
				l.between = append(l.between, false)
			}
			c := clips[narrate.SpeechText(w)]
			if len(c) == 0 {
				l.words = append(l.words, silence(refEmpty))
				continue
			}
			l.pieces = append(l.pieces, piece{clip: c, samples: len(c)})
			l.total += int64(len(c))
			l.words = append(l.words, sampleSpan{l.total - int64(len(c)), l.total})
		}
		l.sentences = append(l.sentences, rs)
	}
	l.pauses = append(l.pauses, silence(refPad))
	l.between = append(l.between, true)
	return l
}

// punctuationAfter reports, for each word of s, whether punctuation
// follows it in the text (a comma, a dash, a bracket): a place where a
// narrator may pause inside a sentence.
func punctuationAfter(s Sentence) []bool {
	out := make([]bool, len(s.Words))
	at := 0
	for i, w := range s.Words {
		k := strings.Index(s.Text[at:], w)
		if k < 0 {
			continue
		}
		at += k + len(w)
		if i+1 == len(s.Words) {
			break
		}
		next := strings.Index(s.Text[at:], s.Words[i+1])
		if next < 0 {
			continue
		}
		out[i] = strings.ContainsAny(s.Text[at:at+next], ",;:()—–-\"“”")
	}
	return out
}

// render produces the reference signal, dithered, in order.
func (l *layout) render(sink func(g int64, x []float32)) {
	rng := rand.New(rand.NewPCG(0x5eed, 0xa11))
	buf := make([]float32, 0, 4096)
	var g int64
	for _, p := range l.pieces {
		for off := 0; off < p.samples; off += cap(buf) {
			k := min(cap(buf), p.samples-off)
			buf = buf[:k]
			for i := range buf {
				d := float32(rng.NormFloat64() * refDither)
				if p.clip != nil {
					d += p.clip[off+i]
				}
				buf[i] = d
			}
			sink(g, buf)
			g += int64(k)
		}
	}
}
