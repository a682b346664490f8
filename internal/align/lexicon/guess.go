package lexicon

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/readcast/readcast/internal/espeak"
)

// espeakBatch is the most words one espeak-ng run pronounces: a batch whose
// output does not come back one line per word is split and run again, so a
// smaller batch wastes less when that happens.
const espeakBatch = 200

// espeakTimeout bounds one espeak-ng run (200 words take ~0.1 s).
const espeakTimeout = 30 * time.Second

// maxGuessed bounds the guesses a lexicon keeps: a server that aligns
// many texts meets ever new names.
const maxGuessed = 20000

// guess pronounces the spellings (lower-case a–z) the dictionary lacks:
// espeak-ng's phonemes mapped to the model's phones, or the spelling rules
// where espeak-ng is missing or says nothing. It returns a pronunciation
// for every spelling and keeps them for the next call.
func (l *Lexicon) guess(spellings []string) map[string][]string {
	out := make(map[string][]string, len(spellings))
	var todo []string
	l.mu.Lock()
	for _, s := range spellings {
		if _, ok := out[s]; ok {
			continue
		}
		if g, ok := l.guessed[s]; ok {
			out[s] = g
		} else {
			out[s] = nil
			todo = append(todo, s)
		}
	}
	l.mu.Unlock()
	if len(todo) == 0 {
		return out
	}
	got := make([][]string, len(todo))
	if l.espeak != "" {
		for from := 0; from < len(todo); from += espeakBatch {
			to := min(from+espeakBatch, len(todo))
			l.espeakRange(todo[from:to], got[from:to])
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.guessed)+len(todo) > maxGuessed {
		l.guessed = map[string][]string{} // start afresh rather than grow
	}
	for i, s := range todo {
		if len(got[i]) == 0 {
			got[i] = rules(s)
		}
		out[s] = got[i]
		if len(l.guessed) < maxGuessed {
			l.guessed[s] = got[i]
		}
	}
	return out
}

// espeakRange fills out[i] with espeak-ng's pronunciation of words[i],
// splitting the batch when its output does not have one line per word.
func (l *Lexicon) espeakRange(words []string, out [][]string) {
	lines, err := l.runEspeak(words)
	if err != nil {
		slog.Warn("lexicon: espeak-ng failed; guessing pronunciations from spelling", "words", len(words), "err", err)
		return
	}
	if len(lines) != len(words) {
		if len(words) == 1 {
			return
		}
		h := len(words) / 2
		l.espeakRange(words[:h], out[:h])
		l.espeakRange(words[h:], out[h:])
		return
	}
	for i, line := range lines {
		out[i] = fromEspeak(line)
	}
}

// runEspeak has espeak-ng print the phonemes of words, one line each.
func (l *Lexicon) runEspeak(words []string) ([]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), espeakTimeout)
	defer cancel()
	return espeak.Phonemes(ctx, l.espeak, "en-us", words)
}

// espeakPhones maps espeak-ng's English phoneme names (en-us) to the
// model's phones. Stress marks and the syllable marks are dropped before.
var espeakPhones = map[string][]string{
	// consonants
	"p": {"P"}, "b": {"B"}, "t": {"T"}, "t#": {"T"}, "t2": {"T"}, "d": {"D"}, "d#": {"D"},
	"k": {"K"}, "g": {"G"}, "x": {"K"}, "f": {"F"}, "v": {"V"}, "T": {"TH"}, "D": {"DH"},
	"s": {"S"}, "z": {"Z"}, "S": {"SH"}, "Z": {"ZH"}, "h": {"HH"}, "tS": {"CH"}, "dZ": {"JH"},
	"m": {"M"}, "n": {"N"}, "N": {"NG"}, "l": {"L"}, "l#": {"L"}, "r": {"R"}, "w": {"W"},
	"j": {"Y"}, "n-": {"AH", "N"}, "m-": {"AH", "M"}, "l-": {"AH", "L"}, "r-": {"ER"},
	"?":  {"T"}, // a glottal stop is American English's t before a syllabic n ("button")
	"ts": {"T", "S"}, "dz": {"D", "Z"}, "c": {"K"}, "J": {"Y"}, "R": {"R"}, "*": {"T"},
	// vowels
	"@": {"AH"}, "@2": {"AH"}, "@5": {"AH"}, "@-": {"AH"}, "a#": {"AH"}, "V": {"AH"},
	"@L": {"AH", "L"}, "3": {"ER"}, "3:": {"ER"}, "a": {"AE"}, "aa": {"AE"}, "a2": {"AE"},
	"A:": {"AA"}, "A": {"AA"}, "0": {"AA"}, "A@": {"AA", "R"}, "A~": {"AA", "N"},
	"O:": {"AO"}, "O": {"AO"}, "O2": {"AO"}, "O@": {"AO", "R"}, "o@": {"AO", "R"},
	"E": {"EH"}, "E2": {"EH"}, "e@": {"EH", "R"}, "e": {"EH"},
	"I": {"IH"}, "I2": {"IH"}, "I#": {"IH"}, "i": {"IY"}, "i:": {"IY"},
	"i@": {"IY", "AH"}, "i@3": {"IH", "R"}, "U": {"UH"}, "u:": {"UW"}, "u": {"UW"},
	"U@": {"UH", "R"}, "aI": {"AY"}, "aI@": {"AY", "ER"}, "aI3": {"AY", "ER"},
	"aU": {"AW"}, "aU@": {"AW", "ER"}, "eI": {"EY"}, "oU": {"OW"}, "o": {"OW"},
	"OI": {"OY"}, "o:": {"OW"}, "E:": {"EH"}, "a:": {"AA"},
}

// fromEspeak maps one line of espeak-ng's phonemes to the model's phones.
// Names it does not know (a language switch "(fr)") are dropped.
func fromEspeak(line string) []string {
	var out []string
	for _, word := range strings.Fields(line) {
		if strings.HasPrefix(word, "(") {
			continue // "(fr)" marks a change of language
		}
		var names []string
		for _, ph := range strings.Split(word, "_") {
			ph = strings.Map(func(r rune) rune {
				switch r {
				case '\'', ',', '%', '=', ';', '!', '|':
					return -1
				}
				return r
			}, ph)
			if _, ok := espeakPhones[ph]; !ok {
				ph = strings.TrimSuffix(ph, ":")
			}
			if _, ok := espeakPhones[ph]; ok {
				names = append(names, ph)
			}
		}
		for i, ph := range names {
			m := espeakPhones[ph]
			rNext := i+1 < len(names) && names[i+1] == "r"
			switch {
			case ph == "i@" && rNext:
				m = []string{"IH"} // "theory": the r that follows is the R
			case ph == "r" && i > 0 && strings.HasSuffix(strings.Join(espeakPhones[names[i-1]], " "), "R"):
				continue // "A@_r": the vowel brought its R
			}
			out = append(out, m...)
		}
	}
	return out
}
