package narrate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// FliteEngine speaks with flite. Flite prints the end time of every phone
// it synthesized (-psdur) and the words it spoke (-pw) but not which phones
// belong to which word, so narrate asks flite for each word's phones on its
// own (one more run, the words separated by full stops so that flite puts a
// pause between them) and aligns those phones to the synthesized ones by edit
// distance. Word boundaries are then the synthesizer's own phone boundaries:
// exact wherever the phones agree, which is nearly everywhere (an isolated
// "'s" is "eh s" where the sentence has "z"; the alignment absorbs it).
type FliteEngine struct {
	// Voice is flite's -voice, default "slt" (the same speaker as festival's
	// default voice, in flite's smaller statistical model).
	Voice string
}

func (e *FliteEngine) voice() string {
	if e.Voice == "" {
		return "slt"
	}
	return e.Voice
}

// Name returns "flite".
func (e *FliteEngine) Name() string { return Flite }

// Check looks for flite.
func (e *FliteEngine) Check(ctx context.Context) error {
	_, err := lookPath("flite", "flite")
	return err
}

// Synthesize runs flite three times per text: synthesis with phone times,
// the word list, and the words' phones.
func (e *FliteEngine) Synthesize(ctx context.Context, texts []string, emit func(int, Speech) error) error {
	path, err := lookPath("flite", "flite")
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "readcast-flite-")
	if err != nil {
		return fmt.Errorf("narrate: flite: %w", err)
	}
	defer os.RemoveAll(dir)
	for i, text := range texts {
		sp, err := e.say(ctx, path, filepath.Join(dir, strconv.Itoa(i)+".wav"), SpeechText(text))
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

func (e *FliteEngine) say(ctx context.Context, flite, wav, text string) (Speech, error) {
	if strings.TrimSpace(text) == "" {
		return Speech{}, errors.New("flite: nothing to say")
	}
	out, err := runOutput(ctx, flite, "-voice", e.voice(), "-psdur", "-t", text, "-o", wav)
	if err != nil {
		return Speech{}, err
	}
	phones, err := parsePhoneTimes(string(out))
	if err != nil {
		return Speech{}, fmt.Errorf("flite -psdur: %w", err)
	}
	x, rate, err := readWAV(wav)
	if err != nil {
		return Speech{}, fmt.Errorf("flite: %w", err)
	}
	out, err = runOutput(ctx, flite, "-voice", e.voice(), "-pw", "-t", text, "-o", "none")
	if err != nil {
		return Speech{}, err
	}
	words := strings.Fields(string(out))
	if len(words) == 0 {
		return Speech{}, errors.New("flite spoke no words")
	}
	// Full stops make each word a phrase of its own, bounded by pauses.
	out, err = runOutput(ctx, flite, "-voice", e.voice(), "-ps", "-t", strings.Join(words, ". ")+".", "-o", "none")
	if err != nil {
		return Speech{}, err
	}
	groups := phoneGroups(strings.Fields(string(out)))
	var timed []Word
	if len(groups) == len(words) {
		timed = alignPhones(words, groups, phones)
	} else {
		// The lookup did not give one phrase per word: time the whole
		// sentence as one word, which mapWords shares out by length.
		first, last := speechSpan(phones)
		timed = []Word{{Text: strings.Join(words, " "), Start: first, End: last}}
	}
	if len(timed) == 0 {
		return Speech{}, errors.New("flite spoke no words")
	}
	return Speech{Samples: x, Rate: rate, Words: timed}, nil
}

// phone is a synthesized phone and when it is spoken.
type phone struct {
	name       string
	start, end float64
}

// parsePhoneTimes reads flite's -psdur line, "pau:0.164 hh:0.255 …", which
// gives each phone's end time; each starts where the one before ends.
func parsePhoneTimes(s string) ([]phone, error) {
	var out []phone
	prev := 0.0
	for _, f := range strings.Fields(s) {
		name, t, ok := strings.Cut(f, ":")
		if !ok {
			continue
		}
		end, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return nil, fmt.Errorf("phone %q: %w", f, err)
		}
		out = append(out, phone{name, prev, end})
		prev = end
	}
	if len(out) == 0 {
		return nil, errors.New("no phones")
	}
	return out, nil
}

// phoneGroups splits a phone list at pauses.
func phoneGroups(phones []string) [][]string {
	var groups [][]string
	var cur []string
	for _, p := range phones {
		if p == "pau" {
			if len(cur) > 0 {
				groups = append(groups, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, p)
	}
	if len(cur) > 0 {
		groups = append(groups, cur)
	}
	return groups
}

// speechSpan returns the start of the first and the end of the last phone
// that is not a pause.
func speechSpan(phones []phone) (float64, float64) {
	first, last := -1.0, 0.0
	for _, p := range phones {
		if p.name == "pau" {
			continue
		}
		if first < 0 {
			first = p.start
		}
		last = p.end
	}
	return max(first, 0), last
}

// alignPhones times words from the synthesized phones: the words' expected
// phones (groups) are aligned to the spoken phones with a minimal edit
// script, and each spoken phone belongs to the word of the expected phone it
// is matched or substituted with (an inserted phone to the word before it).
func alignPhones(words []string, groups [][]string, spoken []phone) []Word {
	var ref []string
	var owner []int
	for w, g := range groups {
		for _, p := range g {
			ref = append(ref, p)
			owner = append(owner, w)
		}
	}
	var hyp []phone
	for _, p := range spoken {
		if p.name != "pau" {
			hyp = append(hyp, p)
		}
	}
	n, m := len(ref), len(hyp)
	// d[i][j]: edit distance between ref[i:] and hyp[j:].
	d := make([][]int32, n+1)
	for i := range d {
		d[i] = make([]int32, m+1)
	}
	for i := n; i >= 0; i-- {
		for j := m; j >= 0; j-- {
			switch {
			case i == n:
				d[i][j] = int32(m - j)
			case j == m:
				d[i][j] = int32(n - i)
			default:
				sub := d[i+1][j+1]
				if ref[i] != hyp[j].name {
					sub++
				}
				d[i][j] = min(sub, d[i+1][j]+1, d[i][j+1]+1)
			}
		}
	}
	assign := make([]int, m) // word of each spoken phone
	i, j, last := 0, 0, 0
	for j < m {
		switch {
		case i < n && d[i][j] == d[i+1][j+1]+boolInt(ref[i] != hyp[j].name):
			last = owner[i]
			assign[j] = last
			i, j = i+1, j+1
		case i < n && d[i][j] == d[i+1][j]+1:
			i++ // an expected phone not spoken
		default:
			assign[j] = last // a spoken phone not expected
			j++
		}
	}
	out := make([]Word, len(words))
	for w := range out {
		out[w] = Word{Text: words[w], Start: -1, End: -1}
	}
	for j, p := range hyp {
		w := &out[assign[j]]
		if w.Start < 0 {
			w.Start = p.start
		}
		w.End = p.end
	}
	timed := out[:0]
	for _, w := range out {
		if w.Start >= 0 {
			timed = append(timed, w)
		}
	}
	return timed
}

func boolInt(b bool) int32 {
	if b {
		return 1
	}
	return 0
}
