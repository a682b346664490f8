package narrate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/readcast/readcast/internal/espeak"
)

// EspeakEngine speaks with espeak-ng. The espeak-ng program reports no
// times (its library's word events are not printed), so narrate measures
// them: it synthesizes each sentence twice, as it is and with a long gap
// after every word (-g), where each word's length in context can be read
// between the silences. Those lengths, laid out and pinned to the real
// sentence's ends and pauses, give the word times. Measured against
// libespeak-ng's own word events (TestEspeakWordStarts), word starts are off
// by 30 ms on average and 0.2 s at worst, where espeak runs a short word into
// the next; sentence times, found from the waveform, are exact.
type EspeakEngine struct {
	Voice string // espeak-ng -v, default "en-us"
	// Unicode gives espeak-ng the text as written (UnicodeSpeechText), for
	// a voice of another language than English, rather than folded to
	// the ASCII the English voices read best (SpeechText).
	Unicode bool
}

func (e *EspeakEngine) voice() string {
	if e.Voice == "" {
		return "en-us"
	}
	return e.Voice
}

// Name returns "espeak-ng".
func (e *EspeakEngine) Name() string { return EspeakNG }

// Check looks for espeak-ng and its voice.
func (e *EspeakEngine) Check(ctx context.Context) error {
	path, err := lookPath(espeak.Program, espeak.Program)
	if err != nil {
		return err
	}
	if err := espeak.Speak(ctx, path, e.voice(), "", os.DevNull, 0); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("narrate: espeak-ng has no voice %q (the show's language, show.json): `espeak-ng --voices` lists the languages it speaks: %w: %w", e.voice(), err, ErrMissingProgram)
	}
	return nil
}

// espeakGap is the word gap, in espeak-ng's 10 ms units, of the measuring
// run: longer than any pause or stop closure inside a word.
const espeakGap = 50

// Synthesize runs espeak-ng twice per text.
func (e *EspeakEngine) Synthesize(ctx context.Context, texts []string, emit func(int, Speech) error) error {
	path, err := lookPath(espeak.Program, espeak.Program)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "readcast-espeak-")
	if err != nil {
		return fmt.Errorf("narrate: espeak-ng: %w", err)
	}
	defer os.RemoveAll(dir)
	for i, text := range texts {
		spoken := SpeechText(text)
		if e.Unicode {
			spoken = UnicodeSpeechText(text)
		}
		sp, err := e.say(ctx, path, dir, spoken)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return &SentenceError{Index: i, Err: err}
		}
		if err := emit(i, sp); err != nil {
			return err
		}
	}
	return nil
}

func (e *EspeakEngine) run(ctx context.Context, path, wav, text string, wordGap int) ([]float32, int, error) {
	if err := espeak.Speak(ctx, path, e.voice(), text, wav, wordGap); err != nil {
		if ee, ok := errors.AsType[*espeak.Error](err); ok {
			return nil, 0, fmt.Errorf("espeak-ng: %w: %s", ee.Err, lastLines(ee.Output, 3))
		}
		return nil, 0, err
	}
	return readWAV(wav)
}

func (e *EspeakEngine) say(ctx context.Context, path, dir, text string) (Speech, error) {
	var tokens []string
	for _, t := range strings.Fields(text) {
		if wordKey(t) != "" {
			tokens = append(tokens, t)
		}
	}
	if len(tokens) == 0 {
		return Speech{}, errors.New("espeak-ng: nothing to say")
	}
	x, rate, err := e.run(ctx, path, filepath.Join(dir, "s.wav"), text, 0)
	if err != nil {
		return Speech{}, err
	}
	gapped, grate, err := e.run(ctx, path, filepath.Join(dir, "g.wav"), text, espeakGap)
	if err != nil {
		return Speech{}, err
	}
	if grate != rate {
		return Speech{}, fmt.Errorf("espeak-ng wrote %d Hz and then %d Hz", rate, grate)
	}
	onset, offset, ok := speechBounds(x, rate)
	if !ok {
		return Speech{}, errors.New("espeak-ng produced silence")
	}
	words := espeakWords(tokens, x, gapped, rate, onset, offset)
	return Speech{Samples: x, Rate: rate, Words: words}, nil
}

// silenceLevel is the amplitude below which engine output counts as silent:
// −66 dBFS, far under speech and above the engines' dithering-free zeros.
const silenceLevel = 1.0 / 2048

// speechBounds returns the first and last sample louder than silenceLevel.
func speechBounds(x []float32, rate int) (first, last int, ok bool) {
	first, last = -1, -1
	for i, v := range x {
		if abs(float64(v)) > silenceLevel {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	return first, last + 1, first >= 0
}

// silences returns the runs of silence at least minLen samples long inside
// x[from:to], as [start, end) pairs.
func silences(x []float32, from, to, minLen int) [][2]int {
	var out [][2]int
	start := -1
	for i := from; i <= to; i++ {
		quiet := i < to && abs(float64(x[i])) <= silenceLevel
		switch {
		case quiet && start < 0:
			start = i
		case !quiet && start >= 0:
			if i-start >= minLen {
				out = append(out, [2]int{start, i})
			}
			start = -1
		}
	}
	return out
}

// espeakWords times tokens on x from their lengths in gapped, the same text
// spoken with a long gap after every word.
func espeakWords(tokens []string, x, gapped []float32, rate, onset, offset int) []Word {
	whole := []Word{{Text: strings.Join(tokens, " "), Start: float64(onset) / float64(rate), End: float64(offset) / float64(rate)}}
	segs, baseGap, ok := gappedSegments(gapped, rate, len(tokens))
	if !ok {
		return whole // the gaps did not come out: nothing to measure
	}
	durs := make([]float64, len(segs))
	for i, sg := range segs {
		durs[i] = float64(sg.end - sg.start)
	}
	groups := groupSegments(tokens, durs)
	line, total := timeline(segs, groups, baseGap)
	if total <= 0 {
		return whole
	}
	at := pinTimeline(line, total, x, rate, onset, offset)
	words := tokenWords(tokens, groups, line, at)
	if len(words) == 0 {
		return whole
	}
	return words
}

// sampleSpan is [start, end) in samples.
type sampleSpan struct{ start, end int }

// gappedSegments finds espeak's segments in the gapped run: the speech
// between its inserted gaps (a number's words each make one), and the
// shortest gap, which is the inserted part of every gap. ok is false when
// the gaps did not come out for about half the tokens.
func gappedSegments(gapped []float32, rate, tokens int) (segs []sampleSpan, baseGap int, ok bool) {
	gs, ge, ok := speechBounds(gapped, rate)
	if !ok {
		return nil, 0, false
	}
	gaps := silences(gapped, gs, ge, espeakGap*rate/100*6/10)
	if len(gaps)+1 < tokens/2 {
		return nil, 0, false
	}
	segs = make([]sampleSpan, 0, len(gaps)+1)
	prev := gs
	baseGap = math.MaxInt
	for _, g := range gaps {
		segs = append(segs, sampleSpan{prev, g[0]})
		prev = g[1]
		baseGap = min(baseGap, g[1]-g[0])
	}
	return append(segs, sampleSpan{prev, ge}), baseGap, true
}

// interval is a token's [start, end) on the timeline, in samples.
type interval struct{ start, end float64 }

// timeline lays the tokens out as the gapped run spoke them, with the
// inserted gaps taken out: what remains of each gap is the pause espeak
// would have made anyway. It returns each token's interval and the length.
func timeline(segs []sampleSpan, groups []int, baseGap int) ([]interval, float64) {
	line := make([]interval, len(groups))
	t := 0.0
	k := 0
	for ti, n := range groups {
		line[ti].start = t
		for j := range n {
			s := segs[k+j]
			t += float64(s.end - s.start)
			if j < n-1 && k+j+1 < len(segs) {
				t += float64(max(0, segs[k+j+1].start-s.end-baseGap))
			}
		}
		line[ti].end = t
		k += n
		if k < len(segs) && k > 0 {
			t += float64(max(0, segs[k].start-segs[k-1].end-baseGap))
		}
	}
	return line, t
}

// pin maps a timeline sample to a real one.
type pin struct{ from, to float64 }

// pinTimeline pins the timeline to the real sentence x: its ends, and each
// pause of the timeline to the real pause that lies near it and is about as
// long. It returns the map from timeline samples to real seconds, linear
// between pins.
func pinTimeline(line []interval, total float64, x []float32, rate, onset, offset int) func(float64) float64 {
	scale := float64(offset-onset) / total
	pins := []pin{{0, float64(onset)}}
	real := silences(x, onset, offset, rate/25)
	used := -1 // real pauses are matched in order
	for ti := 0; ti+1 < len(line); ti++ {
		gap := line[ti+1].start - line[ti].end
		if gap <= 0 {
			continue
		}
		mid := float64(onset) + scale*(line[ti].end+line[ti+1].start)/2
		if best := nearestPause(real, used, mid, gap*scale, rate); best >= 0 {
			pins = append(pins, pin{line[ti].end, float64(real[best][0])}, pin{line[ti+1].start, float64(real[best][1])})
			used = best
		}
	}
	pins = append(pins, pin{total, float64(offset)})
	return func(v float64) float64 {
		for i := 1; i < len(pins); i++ {
			a, b := pins[i-1], pins[i]
			if v <= b.from || i == len(pins)-1 {
				if b.from == a.from {
					return b.to / float64(rate)
				}
				return (a.to + (v-a.from)*(b.to-a.to)/(b.from-a.from)) / float64(rate)
			}
		}
		return float64(offset) / float64(rate)
	}
}

// nearestPause returns the index of the real pause after used whose middle
// is within 0.15 s of mid and whose length is closest to length (both in
// samples), or -1.
func nearestPause(real [][2]int, used int, mid, length float64, rate int) int {
	best, bestCost := -1, math.Inf(1)
	for k := used + 1; k < len(real); k++ {
		rm := float64(real[k][0]+real[k][1]) / 2
		d := abs(rm-mid) / float64(rate)
		if d > 0.15 {
			continue
		}
		c := d + 0.5*abs(float64(real[k][1]-real[k][0])-length)/float64(rate)
		if c < bestCost {
			best, bestCost = k, c
		}
	}
	return best
}

// tokenWords makes the words of the tokens at their pinned times. A token
// espeak ran into the next one is spoken with it: "in the".
func tokenWords(tokens []string, groups []int, line []interval, at func(float64) float64) []Word {
	words := make([]Word, 0, len(tokens))
	pending := ""
	for ti, tok := range tokens {
		if groups[ti] == 0 {
			pending += tok + " "
			continue
		}
		words = append(words, Word{Text: pending + tok, Start: at(line[ti].start), End: at(line[ti].end)})
		pending = ""
	}
	if pending != "" && len(words) > 0 {
		words[len(words)-1].Text += " " + strings.TrimSpace(pending)
	}
	return words
}

// groupSegments decides how many of espeak's gap-separated segments each
// token became: one for an ordinary word, several for a number or letters
// spelled out, and none for a short word espeak ran into the next one ("in
// the" is one word to espeak; the 0 goes to "in"). It is the cheapest such
// split by dynamic programming over runs of tokens ending in one that has
// segments, where the cost counts the unusual splits and how far each run's
// length strays from what its letters predict.
func groupSegments(tokens []string, durs []float64) []int {
	n, nseg := len(tokens), len(durs)
	cost := runCost(tokens, durs)
	inf := math.Inf(1)
	// best[t][s]: cheapest way to give tokens[t:] the segments s…nseg-1.
	best := make([][]float64, n+1)
	choice := make([][]runStep, n+1)
	for t := range best {
		best[t] = make([]float64, nseg+1)
		choice[t] = make([]runStep, nseg+1)
		for s := range best[t] {
			best[t][s] = inf
		}
	}
	best[n][nseg] = 0
	for t := n - 1; t >= 0; t-- {
		for s := 0; s < nseg; s++ {
			for r := 1; r <= maxRun && t+r <= n; r++ {
				for k := 1; k <= maxSegs && s+k <= nseg; k++ {
					if c := cost(t, r, s, k) + best[t+r][s+k]; c < best[t][s] {
						best[t][s], choice[t][s] = c, runStep{r, k}
					}
				}
			}
		}
	}
	out := make([]int, n)
	if math.IsInf(best[0][0], 1) {
		// No split works (more tokens than segments can absorb): one
		// segment each while they last.
		for t := range min(n, nseg) {
			out[t] = 1
		}
		if n < nseg {
			out[n-1] += nseg - n
		}
		return out
	}
	for t, s := 0, 0; t < n; {
		st := choice[t][s]
		out[t+st.r-1] = st.k
		t += st.r
		s += st.k
	}
	return out
}

// The longest run of tokens spoken as one (short words run into the
// next), and the most segments one token can become.
const maxRun, maxSegs = 3, 12

// runStep is one choice of groupSegments: the next r tokens take the next
// k segments.
type runStep struct{ r, k int }

// runCost returns the cost of tokens t…t+r-1 spoken as segments s…s+k-1:
// one for each token run into the next, the squared log of how far the
// segments' length strays from what the letters predict, and a charge for
// each extra segment, small for a token that expands (a number) and large
// for one that should not.
func runCost(tokens []string, durs []float64) func(t, r, s, k int) float64 {
	units := make([]float64, len(tokens))
	totalUnits, totalDur := 0.0, 0.0
	for t, tok := range tokens {
		units[t] = speechUnits(tok)
		totalUnits += units[t]
	}
	for _, d := range durs {
		totalDur += d
	}
	perUnit := totalDur / totalUnits
	return func(t, r, s, k int) float64 {
		c, u := 0.0, 0.0
		for _, x := range units[t : t+r-1] {
			if x > 4 {
				return math.Inf(1) // only short words run into the next
			}
			c++
			u += x
		}
		u += units[t+r-1]
		d := 0.0
		for _, v := range durs[s : s+k] {
			d += v
		}
		l := math.Log(d / (u * perUnit))
		c += 2 * l * l
		if k > 1 {
			if expands(tokens[t+r-1]) {
				c += 0.1 * float64(k-1)
			} else {
				c += 4 * float64(k-1)
			}
		}
		return c
	}
}

// speechUnits estimates how long a token takes to say, in letters: a digit
// is spoken as about four letters ("1965", nineteen sixty-five), a capital
// of an abbreviation as three ("USSR", you ess ess ar).
func speechUnits(tok string) float64 {
	u := 1.0 // the transition into the word
	acronym := expands(tok) && !strings.ContainsFunc(tok, unicode.IsDigit)
	for _, r := range tok {
		switch {
		case unicode.IsDigit(r):
			u += 4
		case acronym && unicode.IsUpper(r):
			u += 3
		case unicode.IsLetter(r):
			u++
		}
	}
	return u
}

// expands reports whether a token is likely spoken as several words: it has
// digits, inner full stops, or is an abbreviation in capitals.
func expands(tok string) bool {
	caps := 0
	letters := 0
	for i, r := range tok {
		switch {
		case unicode.IsDigit(r):
			return true
		case r == '.' && i < len(tok)-1:
			return true
		case unicode.IsUpper(r):
			caps++
			letters++
		case unicode.IsLetter(r):
			letters++
		}
	}
	return letters >= 2 && caps == letters
}
