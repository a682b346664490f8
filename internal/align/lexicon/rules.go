package lexicon

import "strings"

// graphemes are the spelling rules used where espeak-ng is missing: the
// longest spelling that matches at a position is read, so "tch" wins over
// "t". They are a fallback that keeps every word alignable, not a
// pronouncer: measured on dictionary words (TestGuessAgreement) they get
// 26% of phones wrong, espeak-ng 11%.
var graphemes = map[string][]string{
	"tion": {"SH", "AH", "N"}, "sion": {"ZH", "AH", "N"}, "ough": {"AO"}, "eigh": {"EY"},
	"augh": {"AO"}, "shch": {"SH", "CH"},
	"tch": {"CH"}, "igh": {"AY"}, "sch": {"SH"}, "dge": {"JH"}, "kh": {"K"}, "zh": {"ZH"},
	"ch": {"CH"}, "sh": {"SH"}, "th": {"TH"}, "ph": {"F"}, "ck": {"K"}, "ng": {"NG"},
	"qu": {"K", "W"}, "wh": {"W"}, "gh": {"G"}, "ts": {"T", "S"}, "ee": {"IY"}, "ea": {"IY"},
	"oo": {"UW"}, "ou": {"AW"}, "ow": {"OW"}, "ai": {"EY"}, "ay": {"EY"}, "ei": {"EY"},
	"ey": {"EY"}, "oa": {"OW"}, "oi": {"OY"}, "oy": {"OY"}, "au": {"AO"}, "aw": {"AO"},
	"ie": {"IY"}, "ue": {"UW"}, "ew": {"UW"}, "ar": {"AA", "R"}, "er": {"ER"}, "ir": {"ER"},
	"ur": {"ER"}, "or": {"AO", "R"}, "ce": {"S", "EH"}, "ci": {"S", "IH"}, "cy": {"S", "IY"},
	"ya": {"Y", "AA"}, "yu": {"Y", "UW"}, "yo": {"Y", "OW"},
	"a": {"AE"}, "b": {"B"}, "c": {"K"}, "d": {"D"}, "e": {"EH"}, "f": {"F"}, "g": {"G"},
	"h": {"HH"}, "i": {"IH"}, "j": {"JH"}, "k": {"K"}, "l": {"L"}, "m": {"M"}, "n": {"N"},
	"o": {"AA"}, "p": {"P"}, "q": {"K"}, "r": {"R"}, "s": {"S"}, "t": {"T"}, "u": {"AH"},
	"v": {"V"}, "w": {"W"}, "x": {"K", "S"}, "y": {"IY"}, "z": {"Z"},
}

// rules pronounces a lower-case a–z spelling by the grapheme rules; every
// letter gives at least one phone, so a word with letters is never empty.
func rules(word string) []string {
	w := word
	// A final e after a consonant is silent ("ate"), unless it is the only
	// vowel ("the" is in the dictionary; "be" would be).
	if len(w) > 3 && w[len(w)-1] == 'e' && !isVowel(w[len(w)-2]) && strings.ContainsAny(w[:len(w)-2], "aeiouy") {
		w = w[:len(w)-1]
	}
	// A final "es" is IH Z after a hissing sound ("boxes"), else Z
	// ("tones"); a final "a" is a schwa ("Moskva").
	var end []string
	switch {
	case len(w) > 3 && strings.HasSuffix(w, "es"):
		if strings.ContainsAny(w[len(w)-3:len(w)-2], "sxzh") {
			end = []string{"IH", "Z"}
		} else {
			end = []string{"Z"}
		}
		w = w[:len(w)-2]
	case len(w) > 2 && w[len(w)-1] == 'a':
		end = []string{"AH"}
		w = w[:len(w)-1]
	}
	var out []string
	for i := 0; i < len(w); {
		n := min(4, len(w)-i)
		for ; n > 0; n-- {
			if ph, ok := graphemes[w[i:i+n]]; ok {
				// A doubled consonant is one sound ("ll", "ss").
				if n == 1 && i > 0 && w[i] == w[i-1] && !isVowel(w[i]) {
					break
				}
				// y before a vowel at the start is a consonant ("yes").
				if n == 1 && w[i] == 'y' && i == 0 {
					ph = []string{"Y"}
				}
				out = append(out, ph...)
				break
			}
		}
		i += max(n, 1)
	}
	out = append(out, end...)
	if len(out) == 0 {
		// Only repeated letters were left out; say the first.
		out = append(out, graphemes[word[:1]]...)
	}
	return out
}

func isVowel(b byte) bool { return strings.IndexByte("aeiou", b) >= 0 }
