package narrate

import (
	"strings"
	"unicode"
)

// asciiFold spells the non-ASCII characters of English prose in ASCII. The
// synthesizers read bytes in Latin-1 or ASCII, so a curly quote or an accent
// left in the text is spoken as noise or, worse, as its character name.
var asciiFold = map[rune]string{
	'‘': "'", '’': "'", '‚': "'", '‛': "'", '′': "'", '`': "'",
	'“': `"`, '”': `"`, '„': `"`, '‟': `"`, '″': `"`, '«': `"`, '»': `"`,
	'‐': "-", '‑': "-", '‒': " - ", '–': " - ", '—': " - ", '―': " - ", '−': "-",
	'…': "...", '•': " ", '·': " ",
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'ā': "a",
	'À': "A", 'Á': "A", 'Â': "A", 'Ã': "A", 'Ä': "A", 'Å': "A",
	'æ': "ae", 'Æ': "AE", 'ç': "c", 'Ç': "C", 'č': "c", 'Č': "C", 'ć': "c",
	'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ē': "e", 'ě': "e",
	'È': "E", 'É': "E", 'Ê': "E", 'Ë': "E",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'Ì': "I", 'Í': "I", 'Î': "I", 'Ï': "I",
	'ñ': "n", 'Ñ': "N", 'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o",
	'Ò': "O", 'Ó': "O", 'Ô': "O", 'Õ': "O", 'Ö': "O", 'Ø': "O", 'œ': "oe", 'Œ': "OE",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'Ù': "U", 'Ú': "U", 'Û': "U", 'Ü': "U",
	'ý': "y", 'ÿ': "y", 'Ý': "Y", 'ß': "ss", 'š': "s", 'Š': "S", 'ž': "z", 'Ž': "Z",
	'&': " and ", '%': " percent",
}

// SpeechText returns text as the plain ASCII a synthesizer reads best:
// typographic quotes and dashes made ASCII, accents removed, other symbols
// dropped and whitespace collapsed. It is only what the engine is given; the
// timing map keeps the outline's own text.
func SpeechText(text string) string {
	var b strings.Builder
	for _, r := range text {
		switch {
		case asciiFold[r] != "":
			b.WriteString(asciiFold[r])
		case r < 0x80 && (unicode.IsPrint(r) || r == ' '):
			b.WriteRune(r)
		default: // control characters, non-breaking spaces, symbols
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// UnicodeSpeechText returns text as a voice of another language than
// English reads it: as written, with control characters and symbols
// dropped and whitespace collapsed. Letters, their marks (Devanagari's
// vowel signs, Arabic's vowel points), digits and punctuation stay.
func UnicodeSpeechText(text string) string {
	var b strings.Builder
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || unicode.IsPunct(r) {
			b.WriteRune(r)
		} else {
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// wordKey is the form in which an outline word and an engine word are
// compared: lower case, letters, marks and digits only, with the letters
// SpeechText folds to ASCII folded the same way, so that "Trotsky’s"
// matches festival's token "Trotsky's", "i.e." its "i.e" and "café" its
// "cafe"; a word in another script keeps its letters ("Москва").
func wordKey(w string) string {
	var b strings.Builder
	key := func(r rune) {
		if unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	for _, r := range w {
		if f, ok := asciiFold[r]; ok {
			for _, c := range f {
				key(c)
			}
			continue
		}
		key(r)
	}
	return b.String()
}

// span is a time interval in seconds.
type span struct{ start, end float64 }

// mapWords times each of the outline's words from the words an engine
// reports, which need not be the same words: engines expand numbers and
// abbreviations ("1956" is spoken as three words) and split or join tokens.
// Words that match are anchors (a longest common subsequence of keys); the
// words between two anchors share the time the engine spent between them, one
// to one when the counts agree, else at the engine's word boundaries or in
// proportion to their length. Engine time that no outline word claims (a
// possessive "'s" spoken as its own word) joins the word before it.
func mapWords(outline []string, engine []Word) []span {
	out := make([]span, len(outline))
	if len(outline) == 0 || len(engine) == 0 {
		t := 0.0
		if len(engine) > 0 {
			t = engine[0].Start
		}
		for i := range out {
			out[i] = span{t, t}
		}
		return out
	}
	a := make([]string, len(outline))
	for i, w := range outline {
		a[i] = wordKey(w)
	}
	b := make([]string, len(engine))
	for j, w := range engine {
		b[j] = wordKey(w.Text)
	}
	// lcs[i][j] is the longest common subsequence of a[i:] and b[j:].
	n, m := len(a), len(b)
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			switch {
			case a[i] != "" && a[i] == b[j]:
				lcs[i][j] = lcs[i+1][j+1] + 1
			case lcs[i+1][j] >= lcs[i][j+1]:
				lcs[i][j] = lcs[i+1][j]
			default:
				lcs[i][j] = lcs[i][j+1]
			}
		}
	}
	i, j := 0, 0
	i0, j0 := 0, 0
	for i < n && j < m {
		switch {
		case a[i] != "" && a[i] == b[j]:
			fillGap(out, a, engine, i0, i, j0, j)
			out[i] = span{engine[j].Start, engine[j].End}
			i, j = i+1, j+1
			i0, j0 = i, j
		case lcs[i+1][j] >= lcs[i][j+1]:
			i++
		default:
			j++
		}
	}
	fillGap(out, a, engine, i0, n, j0, m)
	absorbUnclaimed(out, engine)
	return out
}

// fillGap times outline words a[i0:i1] from engine words [j0:j1], the
// unmatched stretch between two anchors.
func fillGap(out []span, a []string, engine []Word, i0, i1, j0, j1 int) {
	nOut, nEng := i1-i0, j1-j0
	switch {
	case nOut == 0:
		return
	case nEng == 0:
		// Not spoken (a symbol the engine skips): an instant where it would be.
		t := 0.0
		switch {
		case j0 > 0:
			t = engine[j0-1].End
		case j0 < len(engine):
			t = engine[j0].Start
		}
		for i := i0; i < i1; i++ {
			out[i] = span{t, t}
		}
	case nOut == nEng:
		for k := range nOut {
			out[i0+k] = span{engine[j0+k].Start, engine[j0+k].End}
		}
	case nOut < nEng:
		// Place each boundary at the engine word boundary nearest to where
		// the characters put it; keep at least one engine word per outline word.
		total := 0
		for i := i0; i < i1; i++ {
			total += len(a[i]) + 1
		}
		start, end := engine[j0].Start, engine[j1-1].End
		cut := j0 // first engine word of the current outline word
		acc := 0
		for k := range nOut {
			i := i0 + k
			if k == nOut-1 {
				out[i] = span{engine[cut].Start, end}
				break
			}
			acc += len(a[i]) + 1
			ideal := start + (end-start)*float64(acc)/float64(total)
			// candidate next cuts leave room for the remaining words
			best := cut + 1
			for c := cut + 1; c <= j1-(nOut-k-1); c++ {
				if abs(engine[c].Start-ideal) < abs(engine[best].Start-ideal) {
					best = c
				}
			}
			out[i] = span{engine[cut].Start, engine[best-1].End}
			cut = best
		}
	default:
		// More outline words than engine words: share the time by length.
		total := 0
		for i := i0; i < i1; i++ {
			total += len(a[i]) + 1
		}
		start, end := engine[j0].Start, engine[j1-1].End
		acc := 0
		for i := i0; i < i1; i++ {
			s := start + (end-start)*float64(acc)/float64(total)
			acc += len(a[i]) + 1
			out[i] = span{s, start + (end-start)*float64(acc)/float64(total)}
		}
	}
}

// absorbUnclaimed widens the outline words over engine words that no
// outline word claimed, so that together they cover all the speech: such a
// word joins the outline word before it (the first outline word reaches back
// to the first engine word).
func absorbUnclaimed(out []span, engine []Word) {
	n := len(out)
	if first := engine[0].Start; first < out[0].start {
		out[0].start = first
		out[0].end = max(out[0].end, first)
	}
	for _, w := range engine {
		if w.End <= w.Start {
			continue
		}
		// the last outline word that starts at or before w
		k := -1
		for i := range n {
			if out[i].start <= w.Start {
				k = i
			}
		}
		if k < 0 {
			continue
		}
		next := -1.0
		if k+1 < n {
			next = out[k+1].start
		}
		if w.End > out[k].end && (next < 0 || w.End <= next+1e-9) {
			out[k].end = w.End
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
