package align

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/readcast/readcast/internal/audio"
	"github.com/readcast/readcast/internal/narrate"
	"github.com/readcast/readcast/internal/testtool"
	"github.com/readcast/readcast/internal/timing"
)

// The conditions of acceptance 2: recordings made from the festival
// narration of the first episode, whose word times are exact, with what
// real recordings bring (music, pauses, retakes, stutters, fillers, noise,
// false starts, low bitrates). Each generator knows where every word of
// the text now starts and what the report must say.

// take is a stretch [from, to) of the source placed at output sample at.
type take struct {
	from, to float64
	at       int
}

// recording is built from a source by copying stretches of it and adding
// other sound; it maps the source's times to its own.
type recording struct {
	x     []float32 // the source
	rate  int
	out   []float32
	takes []take
}

// copy appends the source's [from, to) seconds.
func (r *recording) copy(from, to float64) {
	a, b := sampleAt(from, r.rate), min(sampleAt(to, r.rate), len(r.x))
	r.takes = append(r.takes, take{from, to, len(r.out)})
	r.out = append(r.out, r.x[a:b]...)
}

// add appends sound that is not in the source.
func (r *recording) add(y []float32) { r.out = append(r.out, y...) }

// silence appends d seconds of silence.
func (r *recording) silence(d float64) { r.add(make([]float32, sampleAt(d, r.rate))) }

// splice copies the source with sound added at each of the source times
// at, in order: insert adds it, after the source up to at[i].
func (r *recording) splice(at []float64, insert func(i int)) {
	from := 0.0
	for i, a := range at {
		r.copy(from, a)
		insert(i)
		from = a
	}
	r.copy(from, r.duration())
}

// time maps a time of the source to the recording: into the last take
// that holds it (a stutter or a false start comes before the word), NaN if
// none does.
func (r *recording) time(t float64) float64 {
	for i := len(r.takes) - 1; i >= 0; i-- {
		if v := r.takes[i].time(t, r.rate); !math.IsNaN(v) {
			return v
		}
	}
	return math.NaN()
}

// firstTime maps a time of the source into the first take that holds it.
func (r *recording) firstTime(t float64) float64 {
	for _, k := range r.takes {
		if v := k.time(t, r.rate); !math.IsNaN(v) {
			return v
		}
	}
	return math.NaN()
}

// time maps t into the take, NaN if the take does not hold it.
func (k take) time(t float64, rate int) float64 {
	if t >= k.from-1e-6 && t <= k.to+1e-6 {
		return float64(k.at)/float64(rate) + t - k.from
	}
	return math.NaN()
}

// truth is the exact map moved into the recording; sentences with a word
// the recording lacks are in skip.
func (r *recording) truth(m *timing.Map) (*timing.Map, map[string]bool) {
	out := shifted(m, r.time)
	skip := map[string]bool{}
	for _, s := range out.Sentences {
		for _, w := range s.Words {
			if math.IsNaN(w.Start) {
				skip[s.ID] = true
			}
		}
	}
	return out, skip
}

// wantNote is a note the report must hold: of kind (any if ""), naming
// sentences first to last (1-based; the note may name more), starting
// within 1 s of one of at (of either reading, for a retake).
type wantNote struct {
	kind        IssueKind
	first, last int
	at          []float64
	// only: no other note of this kind may be in the report.
	only bool
	what string
}

// condition is a recording made for a test, with its truth.
type condition struct {
	name  string
	mp3   string
	text  []Sentence
	truth *timing.Map
	// firstTake, if set, is the truth when sentences read twice are
	// placed on their first reading: a retake may be timed on either, as
	// long as the report says which.
	firstTake *timing.Map
	skip      map[string]bool
	want      []wantNote
	// not are kinds of note the report must not hold.
	not []IssueKind
}

// conditionSource is the first festival episode, decoded.
func conditionSource(t *testing.T) (seedEpisode, *recording) {
	t.Helper()
	if testing.Short() {
		t.Skip("aligns several minutes of audio")
	}
	testtool.Require(t, "lame", "lame")
	e := seedEpisodes(t)[0]
	x, rate := decodeAll(t, e.mp3)
	return e, &recording{x: x, rate: rate}
}

// finish encodes the recording as the narration is encoded and fills in
// the condition's truth.
func (c *condition) finish(t *testing.T, e seedEpisode, r *recording) {
	t.Helper()
	c.mp3 = encodeMP3(t, t.TempDir(), r.out, r.rate)
	c.text = e.text
	c.truth, c.skip = r.truth(e.exact)
}

// duration is the source's length in seconds.
func (r *recording) duration() float64 { return float64(len(r.x)) / float64(r.rate) }

// middleSentence is a sentence of at least 8 words near the middle of the
// episode, not its first or last.
func middleSentence(t *testing.T, m *timing.Map) int {
	t.Helper()
	n := len(m.Sentences)
	for d := 0; d < n/2; d++ {
		for _, k := range []int{n/2 + d, n/2 - d} {
			if k > 0 && k < n-1 && len(m.Sentences[k].Words) >= 8 {
				return k
			}
		}
	}
	t.Fatal("no sentence of 8 words")
	return 0
}

// condMusic: (a) 15 s of music-like sound (chords, a beat, noise) before
// the speech.
func condMusic(t *testing.T) condition {
	e, r := conditionSource(t)
	m := chords(15*r.rate, r.rate)
	rng := rand.New(rand.NewPCG(1, 15))
	pink := pinkNoise(len(m), rng)
	for i := range m {
		fade := min(1, float64(len(m)-i)/float64(2*r.rate)) // the music fades out over 2 s
		m[i] = float32(fade) * (m[i] + 0.02*pink[i])
	}
	r.add(m)
	r.copy(0, r.duration())
	c := condition{name: "music-intro", not: []IssueKind{IssueSkipped, IssueRetake}}
	c.finish(t, e, r)
	return c
}

// condPauses: (b) 3 s of silence between every two sentences.
func condPauses(t *testing.T) condition {
	e, r := conditionSource(t)
	ss := e.exact.Sentences
	var at []float64
	for i := 1; i < len(ss); i++ {
		at = append(at, (ss[i-1].End+ss[i].Start)/2)
	}
	r.splice(at, func(int) { r.silence(3) })
	c := condition{name: "pauses-3s", not: []IssueKind{IssueUntranscribed, IssueSkipped, IssueRetake}}
	c.finish(t, e, r)
	return c
}

// condRetake: (c) one sentence read twice; the later reading counts.
func condRetake(t *testing.T) condition {
	e, r := conditionSource(t)
	k := middleSentence(t, e.exact)
	ss := e.exact.Sentences
	r.copy(0, ss[k+1].Start)
	r.copy(ss[k].Start, r.duration())
	c := condition{name: "retake", not: []IssueKind{IssueSkipped}, want: []wantNote{{
		kind: IssueRetake, first: k + 1, last: k + 1, at: []float64{ss[k].Start, ss[k+1].Start}, // the two readings
		what: fmt.Sprintf("the retake of sentence %d", k+1),
	}}}
	c.finish(t, e, r)
	c.firstTake = shifted(e.exact, r.firstTime)
	return c
}

// condStutter: (d) stutters: a word's first syllable (its first 40%, at
// most 150 ms) said twice before the word, in three sentences.
func condStutter(t *testing.T) condition {
	e, r := conditionSource(t)
	ss := e.exact.Sentences
	var at, syl []float64
	for _, k := range []int{len(ss) / 5, len(ss) / 2, 4 * len(ss) / 5} {
		for _, w := range ss[k].Words[1:] {
			if d := w.End - w.Start; d >= 0.35 {
				at, syl = append(at, w.Start), append(syl, min(0.15, 0.4*d))
				break
			}
		}
	}
	r.splice(at, func(i int) {
		for range 2 {
			r.copy(at[i], at[i]+syl[i])
			r.silence(0.12)
		}
	})
	c := condition{name: "stutter", not: []IssueKind{IssueSkipped, IssueRetake}}
	c.finish(t, e, r)
	return c
}

// condUm: (e) "um", in the narrator's voice, where the text has none:
// before two sentences and between two words of a third.
func condUm(t *testing.T) condition {
	e, r := conditionSource(t)
	um := trimSilence(festivalSays(t, "Um.", r.rate), r.rate)
	if n := len(um); n < r.rate/10 || n > r.rate {
		t.Fatalf("festival's um is %.2f s long", float64(n)/float64(r.rate))
	}
	ss := e.exact.Sentences
	var at []float64
	for _, k := range []int{len(ss) / 4, 3 * len(ss) / 4} {
		at = append(at, (ss[k-1].End+ss[k].Start)/2)
	}
	mid := ss[len(ss)/2]
	at = append(at, mid.Words[len(mid.Words)/2].Start)
	slices.Sort(at)
	r.splice(at, func(int) {
		r.silence(0.15)
		r.add(um)
		r.silence(0.15)
	})
	c := condition{name: "um", not: []IssueKind{IssueSkipped, IssueRetake}}
	c.finish(t, e, r)
	return c
}

// condRoomNoise: (f) room noise (pink noise and mains hum) 20 dB under the
// speech.
func condRoomNoise(t *testing.T) condition {
	e, r := conditionSource(t)
	rng := rand.New(rand.NewPCG(20, 20))
	n := pinkNoise(len(r.x), rng)
	for i := range n {
		tt := float64(i) / float64(r.rate)
		n[i] += float32(0.3*math.Sin(2*math.Pi*50*tt) + 0.15*math.Sin(2*math.Pi*150*tt))
	}
	scale := float32(math.Sqrt(speechPower(r.x, r.rate) / 100 / power(n)))
	y := make([]float32, len(r.x))
	for i, v := range r.x {
		y[i] = v + scale*n[i]
	}
	r.x = y
	r.copy(0, r.duration())
	c := condition{name: "room-noise-20dB", not: []IssueKind{IssueSkipped, IssueRetake}}
	c.finish(t, e, r)
	return c
}

// condTwice: (g) the whole episode read twice, a second apart: one note
// must span every sentence.
func condTwice(t *testing.T) condition {
	e, r := conditionSource(t)
	r.copy(0, r.duration())
	r.silence(1)
	r.copy(0, r.duration())
	n := len(e.exact.Sentences)
	c := condition{name: "read-twice", not: []IssueKind{IssueSkipped}, want: []wantNote{{
		kind: IssueRetake, first: 1, last: n, at: []float64{0, r.duration() + 1}, only: true,
		what: fmt.Sprintf("one retake of sentences 1–%d", n),
	}}}
	c.finish(t, e, r)
	c.firstTake = shifted(e.exact, r.firstTime)
	return c
}

// condFalseStart: (h) the first half of a sentence, a pause, then the
// sentence.
func condFalseStart(t *testing.T) condition {
	e, r := conditionSource(t)
	k := middleSentence(t, e.exact)
	s := e.exact.Sentences[k]
	half := s.Words[len(s.Words)/2].Start
	r.copy(0, s.Start)
	r.copy(s.Start, half)
	r.silence(1.2)
	r.copy(s.Start, r.duration())
	c := condition{name: "false-start", not: []IssueKind{IssueSkipped}, want: []wantNote{{
		first: k + 1, last: k + 1, at: []float64{s.Start},
		what: fmt.Sprintf("the false start of sentence %d", k+1),
	}}}
	c.finish(t, e, r)
	return c
}

// lowBitrate is the narration as lame encodes it at kbps kbit/s, resampled
// to khz kHz, mono: (i) is lame's 32 kbit/s at 22.05 kHz; the issue asks
// for 32–64 kbit/s at 16–24 kHz, so the two ends are there too.
func lowBitrate(kbps, khz string) func(*testing.T) condition {
	return func(t *testing.T) condition {
		e, r := conditionSource(t)
		lame := testtool.Require(t, "lame", "lame")
		dir := t.TempDir()
		wav := filepath.Join(dir, "in.wav")
		writeWAV(t, wav, r.x, r.rate)
		mp3 := filepath.Join(dir, "low.mp3")
		if b, err := exec.Command(lame, "--quiet", "-m", "m", "-b", kbps, "--resample", khz, wav, mp3).CombinedOutput(); err != nil {
			t.Fatalf("lame: %v: %s", err, b)
		}
		// Where lame's frames are too small for its Info tag (32 kbit/s at
		// 16 kHz), no decoder knows its delay (1105 samples), and every
		// listener hears the speech that much later: the truth moves with
		// it. The delay is measured against the project's decoder.
		y, rate := decodeAll(t, mp3)
		delay := lag(audio.Resample(r.x, r.rate, rate), y, rate/10)
		t.Logf("lame -b %s --resample %s: the decoded speech is %.1f ms late", kbps, khz, 1000*float64(delay)/float64(rate))
		r.silence(float64(delay) / float64(rate))
		r.copy(0, r.duration())
		c := condition{name: kbps + "kbps-" + khz + "kHz", mp3: mp3, text: e.text, not: []IssueKind{IssueSkipped, IssueRetake}}
		c.truth, c.skip = r.truth(e.exact)
		return c
	}
}

// lag is how many samples (0 to most) y is behind x, by cross-correlation
// over 4 s of speech; 0 if y does not resemble x (a broken decode).
func lag(x, y []float32, most int) int {
	from := len(x) / 3
	n := min(4*most*10, len(x)-from, len(y)-from-most)
	best, at := 0.0, 0
	for d := 0; d <= most; d++ {
		var s, sx, sy float64
		for i := from; i < from+n; i++ {
			a, b := float64(x[i]), float64(y[i+d])
			s, sx, sy = s+a*b, sx+a*a, sy+b*b
		}
		if c := s / math.Sqrt(sx*sy+1e-30); c > best {
			best, at = c, d
		}
	}
	if best < 0.5 {
		return 0
	}
	return at
}

// conditions are the generators of acceptance 2, by letter.
var conditions = []struct {
	letter string
	make   func(*testing.T) condition
}{
	{"a", condMusic}, {"b", condPauses}, {"c", condRetake}, {"d", condStutter}, {"e", condUm},
	{"f", condRoomNoise}, {"g", condTwice}, {"h", condFalseStart},
	{"i", lowBitrate("32", "22.05")}, {"i-16kHz", lowBitrate("32", "16")}, {"i-24kHz", lowBitrate("64", "24")},
}

// TestConditions (acceptance 2): each condition aligned, not refused,
// ≥ 95% of word starts within 100 ms of the truth, and the report says
// what the condition calls for.
func TestConditions(t *testing.T) {
	for _, cc := range conditions {
		t.Run(cc.letter, func(t *testing.T) {
			t.Parallel() // two at a time (GOMAXPROCS on the 2-core CI machine): the search runs on one core
			c := cc.make(t)
			res, err := AlignFile(context.Background(), c.mp3, c.text, Options{})
			if err != nil {
				t.Fatalf("(%s) %s: refused: %v", cc.letter, c.name, err)
			}
			truth := c.truth
			if c.firstTake != nil {
				truth = closerTake(res.Map, c.truth, c.firstTake)
			}
			_, words := compare(res.Map, truth, c.skip)
			t.Logf("(%s) %s: %d words, median %.0f ms, %.1f%% within 50 ms, %.1f%% within 100 ms; aligned in %s",
				cc.letter, c.name, len(words), 1000*words.median(), 100*words.within(0.05), 100*words.within(0.1), res.Elapsed.Round(1e6))
			t.Logf("report:\n%s", res.Report)
			recordFigure(t, "condition_"+c.name, fmt.Sprintf("%d\t%s\t%s\t%s", len(words), ms(words.median()), pct(words.within(0.05)), pct(words.within(0.1))))
			if got := words.within(0.1); got < 0.95 {
				t.Errorf("(%s) %s: %.1f%% of word starts within 100 ms of the truth, want ≥ 95%%", cc.letter, c.name, 100*got)
			}
			checkReport(t, res.Report, c)
		})
	}
}

// closerTake is the truth with each sentence taken from whichever of two
// truths (two readings) got placed it nearer to.
func closerTake(got, a, b *timing.Map) *timing.Map {
	out := *a
	out.Sentences = nil
	for i, s := range a.Sentences {
		if i < len(b.Sentences) && i < len(got.Sentences) {
			ea, _ := compare(&timing.Map{Sentences: got.Sentences[i : i+1]}, &timing.Map{Sentences: a.Sentences[i : i+1]}, nil)
			eb, _ := compare(&timing.Map{Sentences: got.Sentences[i : i+1]}, &timing.Map{Sentences: b.Sentences[i : i+1]}, nil)
			if eb.median() < ea.median() {
				s = b.Sentences[i]
			}
		}
		out.Sentences = append(out.Sentences, s)
	}
	return &out
}

// checkReport holds a report to a condition's wants.
func checkReport(t *testing.T, rep Report, c condition) {
	t.Helper()
	for _, is := range rep.Issues {
		for _, k := range c.not {
			if is.Kind == k {
				t.Errorf("%s: a %s note where there is none: %s", c.name, k, is.Message)
			}
		}
	}
	for _, w := range c.want {
		found, others := false, 0
		for _, is := range rep.Issues {
			if w.kind != "" && is.Kind != w.kind {
				continue
			}
			last := max(is.Last, is.Sentence)
			near := false
			for _, at := range w.at {
				near = near || math.Abs(is.Start-at) <= 1
			}
			if is.Sentence >= 1 && is.Sentence <= w.first && last >= w.last && near {
				found = true
			} else {
				others++
			}
		}
		if !found {
			t.Errorf("%s: the report does not name %s (sentences %d–%d, at %s): %v", c.name, w.what, w.first, w.last, clock(w.at[0]), rep.Issues)
		}
		if w.only && others > 0 {
			t.Errorf("%s: want one %s note for %s, the report has %d more: %v", c.name, w.kind, w.what, others, rep.Issues)
		}
	}
}

// chords is n samples of music: three-note chords changing every 2 s with
// a beat every half second.
func chords(n, rate int) []float32 {
	y := make([]float32, n)
	cs := [][]float64{{220, 277.2, 329.6}, {196, 246.9, 293.7}, {174.6, 220, 261.6}, {196, 246.9, 311.1}}
	for i := range y {
		tt := float64(i) / float64(rate)
		c := cs[int(tt/2)%len(cs)]
		beat := 0.5 + 0.5*math.Exp(-8*math.Mod(tt, 0.5))
		var v float64
		for _, f := range c {
			v += math.Sin(2 * math.Pi * f * tt)
		}
		y[i] = float32(0.05 * beat * v)
	}
	return y
}

// pinkNoise is n samples of 1/f noise (Paul Kellet's filter over white
// noise), of about unit power.
func pinkNoise(n int, rng *rand.Rand) []float32 {
	y := make([]float32, n)
	var b0, b1, b2, b3, b4, b5, b6 float64
	for i := range y {
		w := rng.NormFloat64()
		b0 = 0.99886*b0 + w*0.0555179
		b1 = 0.99332*b1 + w*0.0750759
		b2 = 0.96900*b2 + w*0.1538520
		b3 = 0.86650*b3 + w*0.3104856
		b4 = 0.55000*b4 + w*0.5329522
		b5 = -0.7616*b5 - w*0.0168980
		y[i] = float32((b0 + b1 + b2 + b3 + b4 + b5 + b6 + w*0.5362) * 0.11)
		b6 = w * 0.115926
	}
	return y
}

// power is the mean square of x.
func power(x []float32) float64 {
	var p float64
	for _, v := range x {
		p += float64(v) * float64(v)
	}
	return p / float64(max(1, len(x)))
}

// speechPower is the mean power of the 10 ms frames of x that hold sound
// (above −50 dBFS): the speech's, for a signal-to-noise ratio.
func speechPower(x []float32, rate int) float64 {
	var sum float64
	n := 0
	step := rate / 100
	for i := 0; i+step <= len(x); i += step {
		if p := power(x[i : i+step]); p > 1e-5 {
			sum += p
			n++
		}
	}
	return sum / float64(max(1, n))
}

// festivalSays is text in the narration's voice, at rate.
func festivalSays(t *testing.T, text string, rate int) []float32 {
	t.Helper()
	testtool.Require(t, "festival", "festival festvox-us-slt-hts")
	eng, err := narrate.NewEngine(narrate.Festival, "en")
	if err != nil {
		t.Fatal(err)
	}
	var y []float32
	err = eng.Synthesize(context.Background(), []string{text}, func(_ int, s narrate.Speech) error {
		y = audio.Resample(s.Samples, s.Rate, rate)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return y
}

// trimSilence cuts the silence (under −50 dBFS in 10 ms frames) off both
// ends of x.
func trimSilence(x []float32, rate int) []float32 {
	step := rate / 100
	loud := func(i int) bool { return power(x[i:min(i+step, len(x))]) > 1e-5 }
	a, b := 0, len(x)
	for a < b && !loud(a) {
		a += step
	}
	for b-step > a && !loud(b-step) {
		b -= step
	}
	return x[a:b]
}
