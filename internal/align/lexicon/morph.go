package lexicon

import "strings"

// suffixes and prefixes let the lexicon pronounce an unknown word made of a
// dictionary word and an affix ("Trotskyists", "antisemitism"), which is
// surer than a guess from its spelling. Longest first.
var suffixes = []struct {
	spelling string
	phones   []string // nil: the "s"/"es"/"ed" endings, which depend on the base
}{
	{"isation", []string{"AH", "Z", "EY", "SH", "AH", "N"}},
	{"ization", []string{"AH", "Z", "EY", "SH", "AH", "N"}},
	{"ists", []string{"IH", "S", "T", "S"}},
	{"isms", []string{"IH", "Z", "AH", "M", "Z"}},
	{"ness", []string{"N", "AH", "S"}},
	{"ites", []string{"AY", "T", "S"}},
	{"ians", []string{"IY", "AH", "N", "Z"}},
	{"ing", []string{"IH", "NG"}},
	{"ist", []string{"IH", "S", "T"}},
	{"ism", []string{"IH", "Z", "AH", "M"}},
	{"ite", []string{"AY", "T"}},
	{"ian", []string{"IY", "AH", "N"}},
	{"ers", []string{"ER", "Z"}},
	{"ly", []string{"L", "IY"}},
	{"er", []string{"ER"}},
	{"es", nil},
	{"ed", nil},
	{"s", nil},
}

var prefixes = []struct {
	spelling string
	phones   []string
}{
	{"counter", []string{"K", "AW", "N", "T", "ER"}},
	{"ultra", []string{"AH", "L", "T", "R", "AH"}},
	{"anti", []string{"AE", "N", "T", "IY"}},
	{"semi", []string{"S", "EH", "M", "IY"}},
	{"over", []string{"OW", "V", "ER"}},
	{"post", []string{"P", "OW", "S", "T"}},
	{"non", []string{"N", "AA", "N"}},
	{"pre", []string{"P", "R", "IY"}},
	{"dys", []string{"D", "IH", "S"}},
	{"re", []string{"R", "IY"}},
	{"y", []string{"Y"}}, // "yknow" (y'know)
	{"un", []string{"AH", "N"}},
}

// compose pronounces an unknown lower-case word from the dictionary:
// British spellings as American ("organised"), a dictionary word with a
// suffix or a prefix, or two dictionary words run together at a change of
// case ("militantUSSR", a missing space). It returns nil if it cannot.
func (l *Lexicon) compose(c string) [][]string {
	lc := strings.ToLower(c)
	if v := l.american(lc); v != nil {
		return v
	}
	if v := l.withSuffix(lc); v != nil {
		return v
	}
	if v := l.withPrefix(lc); v != nil {
		return v
	}
	return l.runTogether(c)
}

// knownOrAmerican looks w up as it is spelled, then as American spelling.
func (l *Lexicon) knownOrAmerican(w string) [][]string {
	if v := l.lookup(w); v != nil {
		return v
	}
	return l.american(w)
}

// withSuffix: a dictionary word and one of the suffixes.
func (l *Lexicon) withSuffix(lc string) [][]string {
	for _, s := range suffixes {
		base, ok := strings.CutSuffix(lc, s.spelling)
		if !ok || len(base) < 3 {
			continue
		}
		for _, b := range suffixBases(base, s.spelling) {
			v := l.knownOrAmerican(b)
			if v == nil {
				continue
			}
			for i := range v {
				end := s.phones
				if end == nil {
					end = ending(s.spelling, v[i])
				}
				v[i] = append(v[i][:len(v[i]):len(v[i])], end...)
			}
			return v
		}
	}
	return nil
}

// suffixBases are the words base may be spelled from before suffix:
// before a suffix that starts with a vowel, a silent e drops ("riper":
// ripe) and a final consonant doubles ("stopping"); y turns to i
// ("happiness").
func suffixBases(base, suffix string) []string {
	bases := []string{base, strings.TrimSuffix(base, "i") + "y"}
	if strings.ContainsAny(suffix[:1], "aeiou") {
		n := len(base)
		if base[n-1] == base[n-2] && !isVowel(base[n-1]) {
			bases = append([]string{base[:n-1]}, bases...)
		} else if !isVowel(base[n-1]) {
			bases = append([]string{base + "e"}, bases...)
		}
	}
	return bases
}

// withPrefix: one of the prefixes and a dictionary word.
func (l *Lexicon) withPrefix(lc string) [][]string {
	for _, p := range prefixes {
		rest, ok := strings.CutPrefix(lc, p.spelling)
		if !ok || len(rest) < 3 {
			continue
		}
		v := l.knownOrAmerican(rest)
		for i := range v {
			v[i] = append(append([]string(nil), p.phones...), v[i]...)
		}
		if v != nil {
			return v
		}
	}
	return nil
}

// runTogether: "AgencyUnder", two words whose space was lost.
func (l *Lexicon) runTogether(c string) [][]string {
	for i := 1; i < len(c); i++ {
		if isLowerASCII(c[i-1]) && c[i] >= 'A' && c[i] <= 'Z' {
			a, b := l.lookup(strings.ToLower(c[:i])), l.lookup(strings.ToLower(c[i:]))
			if a == nil || b == nil {
				continue
			}
			return [][]string{append(append([]string(nil), a[0]...), b[0]...)}
		}
	}
	return nil
}

func isLowerASCII(b byte) bool { return b >= 'a' && b <= 'z' }

// american looks up a British spelling as the American one the dictionary
// has: -ise/-isation → -ize/-ization, -our → -or, -tre → -ter, -ogue → -og.
func (l *Lexicon) american(lc string) [][]string {
	for _, r := range [][2]string{{"is", "iz"}, {"ys", "yz"}, {"our", "or"}, {"tre", "ter"}, {"ck", "k"}, {"ll", "l"}} {
		if !strings.Contains(lc, r[0]) {
			continue
		}
		if v := l.lookup(strings.Replace(lc, r[0], r[1], 1)); v != nil {
			return v
		}
		i := strings.LastIndex(lc, r[0])
		if v := l.lookup(lc[:i] + r[1] + lc[i+len(r[0]):]); v != nil {
			return v
		}
	}
	return nil
}

// ending is the sound of an "s", "es" or "ed" ending after pronunciation v.
func ending(spelling string, v []string) []string {
	last := ""
	if len(v) > 0 {
		last = v[len(v)-1]
	}
	if spelling == "ed" {
		switch last {
		case "T", "D":
			return []string{"IH", "D"}
		case "P", "K", "F", "TH", "S", "SH", "CH":
			return []string{"T"}
		}
		return []string{"D"}
	}
	return possessive(v)
}
