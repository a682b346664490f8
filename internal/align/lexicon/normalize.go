package lexicon

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/readcast/readcast/internal/narrate"
)

// A plan is how a word of the text is pronounced: the spoken words it
// stands for ("1941" is three), each known or to be guessed.
type plan struct {
	parts []part
}

// part is one spoken word of a plan.
type part struct {
	variants [][]string // known pronunciations
	// guess, if set, is a spelling whose guessed pronunciation is one more
	// variant (the only one when variants is empty).
	guess string
	// possessive adds the "'s" ending to every variant.
	possessive bool
}

// abbrev expands abbreviations that are written without their full stop
// once align.Words has trimmed it. An expansion follows the dictionary's
// own pronunciations of the spelling, if it has any ("gen" is a word too).
var abbrev = map[string]string{
	"vs": "versus", "etc": "et cetera", "jr": "junior", "sr": "senior",
	"mt": "mount", "ft": "feet", "lt": "lieutenant", "gen": "general",
	"col": "colonel", "capt": "captain", "sgt": "sergeant", "prof": "professor",
	"dept": "department", "govt": "government", "approx": "approximately",
	"vol": "volume", "pp": "pages",
	"ch": "chapter", "fig": "figure", "km": "kilometres", "kg": "kilograms",
	"mr": "mister", "mrs": "missus", "ms": "miz", "dr": "doctor", "st": "saint",
}

// letterNames spells a letter.
var letterNames = map[rune][]string{
	'a': {"EY"}, 'b': {"B", "IY"}, 'c': {"S", "IY"}, 'd': {"D", "IY"}, 'e': {"IY"},
	'f': {"EH", "F"}, 'g': {"JH", "IY"}, 'h': {"EY", "CH"}, 'i': {"AY"}, 'j': {"JH", "EY"},
	'k': {"K", "EY"}, 'l': {"EH", "L"}, 'm': {"EH", "M"}, 'n': {"EH", "N"}, 'o': {"OW"},
	'p': {"P", "IY"}, 'q': {"K", "Y", "UW"}, 'r': {"AA", "R"}, 's': {"EH", "S"}, 't': {"T", "IY"},
	'u': {"Y", "UW"}, 'v': {"V", "IY"}, 'w': {"D", "AH", "B", "AH", "L", "Y", "UW"},
	'x': {"EH", "K", "S"}, 'y': {"W", "AY"}, 'z': {"Z", "IY"},
}

// translit spells Cyrillic and Greek letters in Latin, which the rest of
// the lexicon reads; narrate.SpeechText would drop them.
var translit = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "yo", 'ж': "zh",
	'з': "z", 'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
	'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts",
	'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu",
	'я': "ya", 'і': "i", 'ї': "yi", 'є': "ye", 'ґ': "g",
	'α': "a", 'β': "v", 'γ': "g", 'δ': "d", 'ε': "e", 'ζ': "z", 'η': "i", 'θ': "th",
	'ι': "i", 'κ': "k", 'λ': "l", 'μ': "m", 'ν': "n", 'ξ': "x", 'ο': "o", 'π': "p",
	'ρ': "r", 'σ': "s", 'ς': "s", 'τ': "t", 'υ': "y", 'φ': "f", 'χ': "kh", 'ψ': "ps", 'ω': "o",
}

// fold spells word in ASCII: Cyrillic and Greek transliterated, then
// narrate's folding of quotes, dashes and accents.
func fold(word string) string {
	var b strings.Builder
	for _, r := range word {
		lr := unicode.ToLower(r)
		if t, ok := translit[lr]; ok {
			if r != lr && t != "" { // keep capitals: "КГБ" is an acronym
				t = strings.ToUpper(t[:1]) + t[1:]
			}
			b.WriteString(t)
			continue
		}
		b.WriteRune(r)
	}
	return narrate.SpeechText(b.String())
}

// numberRE matches the numbers the lexicon reads aloud: 1941, 1,000, 99.9,
// 3rd, 1960s.
var numberRE = regexp.MustCompile(`^(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(st|nd|rd|th|s)?$`)

// plan works out what word stands for.
func (l *Lexicon) plan(word string) plan {
	var p plan
	folded := fold(word)
	// Hyphens, slashes and other punctuation between letters separate
	// spoken words; apostrophes, full stops and commas stay for now (they
	// belong to "Trotsky's", "U.S", "1,000", "99.9").
	chunks := strings.FieldsFunc(folded, func(r rune) bool {
		return !(r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r))) && r != '\'' && r != '.' && r != ','
	})
	for _, c := range chunks {
		l.chunk(&p, c)
	}
	if len(p.parts) == 0 {
		// Letters that neither fold nor transliterate (Chinese, Arabic…):
		// a vowel per letter keeps the word's place in time.
		var ph []string
		for _, r := range word {
			if (unicode.IsLetter(r) || unicode.IsDigit(r)) && len(ph) < 8 {
				ph = append(ph, "AH")
			}
		}
		if len(ph) > 0 {
			p.parts = append(p.parts, part{variants: [][]string{ph}})
		}
	}
	return p
}

// chunk adds the spoken words of c (letters, digits, ' . ,) to p: the
// first of the readings below that applies, else a word the dictionary
// does not know.
func (l *Lexicon) chunk(p *plan, c string) {
	c = strings.Trim(c, ".,")
	// A plural possessive ("workers'") sounds as the plural.
	c = strings.Trim(c, "'")
	if c == "" {
		return
	}
	lc := strings.ToLower(c)
	for _, read := range []func(p *plan, c, lc string) bool{
		l.known, l.number, l.romanNumeral, l.abbreviation, l.dotted, l.alphanumeric, l.possessive,
	} {
		if read(p, c, lc) {
			return
		}
	}
	l.unknown(p, c, lc)
}

// known: the dictionary first; it knows "u.s.", "o'clock", "trotsky's".
func (l *Lexicon) known(p *plan, c, lc string) bool {
	if strings.Contains(lc, ".") {
		if v := l.lookup(lc + "."); v != nil {
			p.parts = append(p.parts, part{variants: v})
			return true
		}
	}
	v := l.lookup(lc)
	if v == nil {
		return false
	}
	if x, ok := abbrev[lc]; ok && !strings.Contains(x, " ") {
		v = append(v, l.lookup(x)...)
	}
	p.parts = append(p.parts, part{variants: v})
	return true
}

// number: digits, with separators, ordinal suffixes and decimals.
func (l *Lexicon) number(p *plan, c, lc string) bool {
	m := numberRE.FindStringSubmatch(lc)
	if m == nil {
		return false
	}
	p.parts = append(p.parts, part{variants: l.readings(numberWords(m[1], m[2], m[3]))})
	return true
}

// romanNumeral: "World War II", "Henry VIII": the number, its ordinal, or
// the letters.
func (l *Lexicon) romanNumeral(p *plan, c, lc string) bool {
	n, ok := roman[c]
	if !ok {
		return false
	}
	card := cardinal(n)
	ord := append(card[:len(card)-1:len(card)-1], ordinal(card[len(card)-1]))
	var spelled []string
	for _, r := range lc {
		spelled = append(spelled, letterNames[r]...)
	}
	v := l.readings([][]string{card, append([]string{"the"}, ord...), ord})
	p.parts = append(p.parts, part{variants: append(v, spelled)})
	return true
}

// abbreviation: the words an abbreviation stands for.
func (l *Lexicon) abbreviation(p *plan, c, lc string) bool {
	x, ok := abbrev[lc]
	if !ok {
		return false
	}
	for _, w := range strings.Fields(x) {
		l.chunk(p, w)
	}
	return true
}

// dotted: "i.e", "a.m": letters between full stops are spelled; anything
// else splits at the stops.
func (l *Lexicon) dotted(p *plan, c, lc string) bool {
	if !strings.ContainsAny(lc, ".,") {
		return false
	}
	pieces := strings.FieldsFunc(lc, func(r rune) bool { return r == '.' || r == ',' })
	spelled := true
	for _, s := range pieces {
		spelled = spelled && len(s) == 1 && s[0] >= 'a' && s[0] <= 'z'
	}
	for _, s := range pieces {
		if spelled {
			p.parts = append(p.parts, part{variants: [][]string{letterNames[rune(s[0])]}})
		} else {
			l.chunk(p, s)
		}
	}
	return true
}

// alphanumeric: letters and digits run together ("mp3", "B52"), each run
// on its own.
func (l *Lexicon) alphanumeric(p *plan, c, lc string) bool {
	if strings.IndexFunc(lc, unicode.IsDigit) < 0 || strings.IndexFunc(lc, unicode.IsLetter) < 0 {
		return false
	}
	for _, run := range alnumRuns(c) {
		l.chunk(p, run)
	}
	return true
}

// possessive: the word, marked to take the possessive ending.
func (l *Lexicon) possessive(p *plan, c, lc string) bool {
	if !strings.HasSuffix(lc, "'s") || len(lc) <= 2 {
		return false
	}
	before := len(p.parts)
	l.chunk(p, c[:len(c)-2])
	if len(p.parts) > before {
		p.parts[len(p.parts)-1].possessive = true
	}
	return true
}

// unknown: a word the dictionary does not know: without its apostrophes,
// a letter, an acronym spelled, or composed from known parts (espeak-ng
// guesses it later).
func (l *Lexicon) unknown(p *plan, c, lc string) {
	if strings.Contains(lc, "'") {
		bare := strings.ReplaceAll(lc, "'", "")
		if v := l.lookup(bare); v != nil {
			p.parts = append(p.parts, part{variants: v})
			return
		}
		lc, c = bare, strings.ReplaceAll(c, "'", "")
	}
	if len(lc) == 1 {
		p.parts = append(p.parts, part{variants: [][]string{letterNames[rune(lc[0])]}})
		return
	}
	if isUpper(c) || !strings.ContainsAny(lc, "aeiouy") {
		// An acronym the dictionary lacks ("PCF", "IMT"), or letters
		// without a vowel ("mp" of "mp3"), are spelled; an acronym with
		// vowels may also be read as a word.
		var spelled []string
		for _, r := range lc {
			spelled = append(spelled, letterNames[r]...)
		}
		pt := part{variants: [][]string{spelled}}
		if vowels := strings.Count(lc, "a") + strings.Count(lc, "e") + strings.Count(lc, "i") + strings.Count(lc, "o") + strings.Count(lc, "u"); vowels >= 2 && len(lc) >= 4 {
			pt.guess = lc
		}
		p.parts = append(p.parts, pt)
		return
	}
	if lc = lettersOnly(lc); lc != "" {
		p.parts = append(p.parts, part{variants: l.compose(c), guess: lc})
	}
}

// readings pronounces the readings of a token, each a sequence of spoken
// words ("1900": nineteen hundred, or one thousand nine hundred), as the
// variants of one part, at most maxVariants.
func (l *Lexicon) readings(readings [][]string) [][]string {
	var variants [][]string
	for _, words := range readings {
		var sub plan
		for _, w := range words {
			l.chunk(&sub, w)
		}
		variants = append(variants, assemble(sub, nil)...) // number words are all in the dictionary
	}
	variants = dedupe(variants)
	return variants[:min(len(variants), maxVariants)]
}

// roman are the Roman numerals read as numbers: two letters or more (a
// lone "I" is the pronoun, "V" and "X" letters).
var roman = map[string]uint64{
	"II": 2, "III": 3, "IV": 4, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "XI": 11, "XII": 12,
	"XIII": 13, "XIV": 14, "XV": 15, "XVI": 16, "XVII": 17, "XVIII": 18, "XIX": 19, "XX": 20,
	"XXI": 21,
}

// isUpper reports whether s has two or more letters, all capitals.
func isUpper(s string) bool {
	n := 0
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsUpper(r) {
			n++
		}
	}
	return n >= 2
}

// lettersOnly keeps the a–z of s.
func lettersOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r
		}
		return -1
	}, s)
}

// alnumRuns splits s into runs of letters and runs of digits.
func alnumRuns(s string) []string {
	var out []string
	start := 0
	for i := 1; i <= len(s); i++ {
		if i == len(s) || isDigit(s[i]) != isDigit(s[i-1]) {
			out = append(out, s[start:i])
			start = i
		}
	}
	return out
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// assemble multiplies out the variants of a plan's parts, most likely
// first, at most maxVariants.
func assemble(p plan, guesses map[string][]string) [][]string {
	out := [][]string{nil}
	for _, pt := range p.parts {
		vs := pt.variants
		if pt.guess != "" {
			if g := guesses[pt.guess]; len(g) > 0 {
				vs = append(vs[:len(vs):len(vs)], g)
			}
		}
		if len(vs) == 0 {
			continue
		}
		var next [][]string
		for _, o := range out {
			for _, v := range vs {
				if len(next) == maxVariants {
					break
				}
				if pt.possessive {
					v = append(v[:len(v):len(v)], possessive(v)...)
				}
				next = append(next, append(o[:len(o):len(o)], v...))
			}
		}
		out = next
	}
	if len(out) == 1 && len(out[0]) == 0 {
		return nil
	}
	return dedupe(out)
}

// possessive is the "'s" ending after pronunciation v: IH Z after a
// sibilant, S after another voiceless sound, else Z.
func possessive(v []string) []string {
	if len(v) == 0 {
		return []string{"Z"}
	}
	switch v[len(v)-1] {
	case "S", "Z", "SH", "ZH", "CH", "JH":
		return []string{"IH", "Z"}
	case "P", "T", "K", "F", "TH":
		return []string{"S"}
	}
	return []string{"Z"}
}

// dedupe drops repeated pronunciations, keeping the first.
func dedupe(vs [][]string) [][]string {
	seen := map[string]bool{}
	out := vs[:0]
	for _, v := range vs {
		k := strings.Join(v, " ")
		if !seen[k] {
			seen[k] = true
			out = append(out, v)
		}
	}
	return out
}
