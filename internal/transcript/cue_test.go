package transcript

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/readcast/readcast/internal/segment"
	"github.com/readcast/readcast/internal/timing"
)

// cueTexts lays out text as one sentence and returns each cue's lines joined
// by " / ".
func cueTexts(text string, lay layout) []string {
	m, _, _ := buildMap([]para{{segment.KindText, 0, []string{text}}}, []string{"x"})
	var out []string
	for _, c := range cues(timeSentences(m), lay, "") {
		out = append(out, strings.Join(c.Lines, " / "))
	}
	return out
}

func TestSplitAtClauses(t *testing.T) {
	vtt, srt := vttLayout(DefaultSpeaker), srtLayout()
	for _, tc := range []struct {
		name string
		lay  layout
		text string
		want []string
	}{
		{"short stays whole", vtt, "I was born in the USSR.", []string{"I was born in the USSR."}},
		{"two lines balanced", vtt,
			"I was born in the USSR in 1965, grew up there, and studied in the Brezhnev era.",
			[]string{"I was born in the USSR in 1965, grew up there, / and studied in the Brezhnev era."}},
		{"cut at the semicolon", vtt,
			"The regime preached internationalism in theory and in every speech it made; in practice it conveyed a narrowly nationalist point of view to all.",
			[]string{
				"The regime preached internationalism in theory / and in every speech it made;",
				"in practice it conveyed a narrowly / nationalist point of view to all.",
			}},
		{"cut before a conjunction when no punctuation", srt,
			"The manager asked us to mix the fresh potatoes and the rotten ones in the same packages",
			[]string{"The manager asked us / to mix the fresh potatoes", "and the rotten ones / in the same packages"}},
		{"a dash is a clause boundary", srt,
			"This divide – for or against Stalin – was found at the university faculty too.",
			[]string{"This divide – / for or against Stalin –", "was found at the university / faculty too."}},
		{"a word longer than a line gets its own line", srt,
			"See https://example.com/a/very/long/address/that/never/ends for more.",
			[]string{"See / https://example.com/a/very/long/address/that/never/ends", "for more."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := cueTexts(tc.text, tc.lay); !slices.Equal(got, tc.want) {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestWordTimes(t *testing.T) {
	w := func(s, e float64, text string) timing.Word { return timing.Word{Start: s, End: e, Text: text} }
	for _, tc := range []struct {
		name     string
		text     string
		words    []timing.Word
		from, to []float64
	}{
		{"words without punctuation", "“Hello, world!”",
			[]timing.Word{w(1, 1.5, "Hello"), w(1.6, 2, "world")},
			[]float64{1, 1.6}, []float64{1.5, 2}},
		{"hyphenated word split in the map", "re-elected twice",
			[]timing.Word{w(1, 1.2, "re"), w(1.2, 1.7, "elected"), w(1.8, 2, "twice")},
			[]float64{1, 1.8}, []float64{1.7, 2}},
		{"a dash is not spoken", "for – against",
			[]timing.Word{w(1, 1.2, "for"), w(1.5, 2, "against")},
			[]float64{1, 1.2, 1.5}, []float64{1.2, 1.2, 2}},
		{"spelled differently, same count: paired", "in 1965 too",
			[]timing.Word{w(1, 1.1, "in"), w(1.2, 2.2, "nineteen-sixty-five"), w(2.3, 2.5, "too")},
			[]float64{1, 1.2, 2.3}, []float64{1.1, 2.2, 2.5}},
		{"spelled differently, other count: proportional", "1965 ab",
			[]timing.Word{w(1, 2, "nineteen"), w(2, 3, "sixty"), w(3, 3.5, "five"), w(4, 4.2, "ab")},
			[]float64{1, 4}, []float64{3.5, 4.2}},
		{"no words: proportional over the sentence", "ab cd",
			nil, []float64{1, 1.5}, []float64{1.5, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := timing.Sentence{ID: "s", Text: tc.text, Start: 1, End: 2, Words: tc.words}
			if len(tc.words) > 0 {
				s.End = tc.words[len(tc.words)-1].End
			}
			from, to := wordTimes(s, strings.Fields(tc.text))
			if !approx(from, tc.from) || !approx(to, tc.to) {
				t.Errorf("got from %v to %v, want from %v to %v", from, to, tc.from, tc.to)
			}
		})
	}
}

func approx(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return x-y < 1e-9 && y-x < 1e-9 })
}

// randomSentences makes n sentences of random words with the punctuation,
// quotes, symbols and the occasional very long word of real text.
func randomSentences(r *rand.Rand, n int) []string {
	const letters = "abcdefghijklmnopqrstuvwxyzéöАБВ"
	alphabet := []rune(letters)
	word := func() string {
		n := 1 + r.IntN(12)
		if r.IntN(200) == 0 {
			n = 30 + r.IntN(60)
		}
		b := make([]rune, n)
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(b)
	}
	out := make([]string, n)
	for i := range out {
		var ws []string
		for range 1 + r.IntN(70) {
			w := word()
			switch r.IntN(30) {
			case 0:
				w += ","
			case 1:
				w += ";"
			case 2:
				w = "“" + w + "”"
			case 3:
				w = "&"
			case 4:
				w = "<" + w + ">"
			case 5:
				w = "–"
			case 6:
				w = w + "&amp;"
			}
			ws = append(ws, w)
		}
		out[i] = strings.Join(ws, " ") + "."
	}
	return out
}

// randomDoc is a Doc of n random sentences in one chapter.
func randomDoc(tb testing.TB, seed uint64, n int) Doc {
	tb.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	var ps []para
	sents := randomSentences(r, n)
	for i := 0; i < len(sents); i += 5 {
		ps = append(ps, para{segment.KindText, 0, sents[i:min(i+5, len(sents))]})
	}
	m, paragraphs, marks := buildMap(ps, []string{"All"})
	chapters, err := timing.Chapters(m, marks)
	if err != nil {
		tb.Fatal(err)
	}
	d := Doc{Title: "Random", Language: "en", Map: m, Paragraphs: paragraphs, Chapters: chapters}
	if err := d.Validate(); err != nil {
		tb.Fatal(err)
	}
	return d
}

// checkCues checks cues against the sentences of m: cues in order without
// overlap, each inside its sentence, and the words of each sentence's cues
// the sentence's words.
func checkCues(tb testing.TB, m *timing.Map, cs []Cue) {
	tb.Helper()
	prevEnd := 0.0
	k := 0
	for _, s := range m.Sentences {
		words := strings.Fields(s.Text)
		var got []string
		for ; k < len(cs) && (cs[k].ID == s.ID || strings.HasPrefix(cs[k].ID, s.ID+"-")); k++ {
			c := cs[k]
			if c.Start < prevEnd || c.End < c.Start {
				tb.Fatalf("cue %s [%v, %v] overlaps the cue before it (ends %v) or is reversed", c.ID, c.Start, c.End, prevEnd)
			}
			if c.Start < timing.Round(s.Start) || c.End > timing.Round(s.End) {
				tb.Fatalf("cue %s [%v, %v] is outside its sentence [%v, %v]", c.ID, c.Start, c.End, s.Start, s.End)
			}
			prevEnd = c.End
			got = append(got, strings.Fields(c.Text())...)
		}
		if !slices.Equal(got, words) {
			tb.Fatalf("sentence %s: cues hold %q, want %q", s.ID, got, words)
		}
	}
	if k != len(cs) {
		tb.Fatalf("cue %s belongs to no sentence", cs[k].ID)
	}
}

// checkLines checks a caption file as written: at most MaxCueLines text
// lines a cue, each at most limit characters unless it is a single word.
func checkLines(tb testing.TB, file []byte, limit int, strip func(string) string) {
	tb.Helper()
	ls := lines(file)
	for i := 0; i < len(ls); i++ {
		if !strings.Contains(ls[i], "-->") {
			continue
		}
		n := 0
		for i++; i < len(ls) && ls[i] != ""; i++ {
			n++
			l := ls[i]
			if utf8.RuneCountInString(l) > limit && strings.Contains(strings.TrimSpace(strip(l)), " ") {
				tb.Fatalf("line %d has %d characters, over %d: %q", i+1, utf8.RuneCountInString(l), limit, l)
			}
		}
		if n > MaxCueLines || n == 0 {
			tb.Fatalf("cue ending on line %d has %d lines", i, n)
		}
	}
}

func stripVoice(l string) string { return strings.TrimPrefix(l, voiceTag(DefaultSpeaker)) }

func TestCueLimits(t *testing.T) {
	d := randomDoc(t, 1, 3000)
	vtt, err := VTT(d)
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, vtt, MaxVTTLine, stripVoice)
	vc, err := ParseVTT(vtt)
	if err != nil {
		t.Fatal(err)
	}
	checkCues(t, d.Map, vc)

	srt, err := SRT(d)
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, srt, MaxSRTLine, func(s string) string { return s })
	sc, err := ParseSRT(srt)
	if err != nil {
		t.Fatal(err)
	}
	want := cues(timeSentences(d.Map), srtLayout(), "")
	for i := range sc {
		sc[i].ID = want[i].ID // SRT numbers its cues
	}
	// SRT writes a '<' that starts a tag as '‹' (srtText).
	m := *d.Map
	m.Sentences = slices.Clone(m.Sentences)
	for i := range m.Sentences {
		m.Sentences[i].Text = srtText(m.Sentences[i].Text)
	}
	checkCues(t, &m, sc)
}

// FuzzCues lays out any text as a sentence, with word timings that match
// its words or not, and checks the layout rules and that no word is lost.
func FuzzCues(f *testing.F) {
	f.Add("In each election, the ballot had only one name, and Brezhnev was re-elected with 99.9 percent of the vote; this gave rise to sarcastic remarks.", true, 3.0)
	f.Add("“Where are — the & other <candidates>?”", false, 0.0)
	f.Add(strings.Repeat("x", 200)+" a b", true, 1.0)
	f.Add("a\u00a0b\tc\nd", true, 0.001)
	f.Fuzz(func(t *testing.T, text string, matching bool, length float64) {
		if length != length || length < 0 || length > 1e6 {
			length = 1
		}
		s := timing.Sentence{ID: "s1", Text: text, Start: 1, End: 1 + length}
		if matching {
			toks := strings.Fields(text)
			for i, tok := range toks {
				a := 1 + length*float64(i)/float64(len(toks))
				s.Words = append(s.Words, timing.Word{Start: a, End: a + length/float64(len(toks))/2, Text: tok})
			}
		} else if length > 0 {
			s.Words = []timing.Word{{Start: 1, End: 1 + length/2, Text: "something"}, {Start: 1 + length/2, End: 1 + length, Text: "else"}}
		}
		m := &timing.Map{Method: timing.MethodAligned, Duration: 2 + length, Sentences: []timing.Sentence{s}}
		if err := m.Validate(); err != nil {
			t.Skip(err)
		}
		for _, lay := range []struct {
			name  string
			lay   layout
			voice string
		}{{"vtt", vttLayout(DefaultSpeaker), DefaultSpeaker}, {"srt", srtLayout(), ""}} {
			cs := cues(timeSentences(m), lay.lay, lay.voice)
			checkCues(t, m, cs)
			for _, c := range cs {
				if len(c.Lines) > MaxCueLines {
					t.Fatalf("%s cue %s has %d lines", lay.name, c.ID, len(c.Lines))
				}
				for i, l := range c.Lines {
					limit := lay.lay.rest
					if i == 0 {
						limit = lay.lay.first
					}
					width := 0
					for _, w := range strings.Fields(l) {
						width += lay.lay.width(w) + 1
					}
					if width-1 > limit && len(strings.Fields(l)) > 1 {
						t.Fatalf("%s cue %s line %q is %d wide, over %d", lay.name, c.ID, l, width-1, limit)
					}
				}
			}
		}
		d := Doc{Map: m}
		vtt, err := VTT(d)
		if err != nil {
			t.Fatal(err)
		}
		checkLines(t, vtt, MaxVTTLine, stripVoice)
		back, err := ParseVTT(vtt)
		if err != nil {
			t.Fatalf("VTT does not parse: %v\n%s", err, vtt)
		}
		if want := cues(timeSentences(m), vttLayout(DefaultSpeaker), DefaultSpeaker); !slices.EqualFunc(back, want, cueEqual) {
			t.Fatalf("VTT round trip:\ngot  %+v\nwant %+v", back, want)
		}
	})
}

// cuesEqual compares cue lists with cueEqual.
func cuesEqual(a, b []Cue) bool { return slices.EqualFunc(a, b, cueEqual) }

func cueEqual(a, b Cue) bool {
	return a.ID == b.ID && a.Start == b.Start && a.End == b.End && a.Voice == b.Voice && slices.Equal(a.Lines, b.Lines)
}
