package lexicon

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/readcast/readcast/internal/testtool"
)

// withEspeak is the default lexicon, which must have espeak-ng.
func withEspeak(t testing.TB) *Lexicon {
	t.Helper()
	testtool.Require(t, "espeak-ng", "espeak-ng")
	l, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if l.espeak == "" {
		t.Fatal("Default did not find espeak-ng")
	}
	return l
}

// rulesOnly is a lexicon without espeak-ng, as on a machine without it.
func rulesOnly(t testing.TB) *Lexicon {
	t.Helper()
	l, err := load("")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func has(vs [][]string, want string) bool {
	for _, v := range vs {
		if strings.Join(v, " ") == want {
			return true
		}
	}
	return false
}

// TestPronounce: dictionary words and their variants, and the spellings
// the text's words come in. Each want must be one of the pronunciations.
func TestPronounce(t *testing.T) {
	for _, l := range []*Lexicon{withEspeak(t), rulesOnly(t)} {
		for _, c := range []struct{ word, want string }{
			{"hello", "HH AH L OW"},
			{"hello", "HH EH L OW"}, // hello(2)
			{"Hello", "HH AH L OW"},
			{"HELLO", "HH AH L OW"},
			{"either", "IY DH ER"},
			{"either", "AY DH ER"},
			{"Trotsky’s", "T R AA T S K IY Z"}, // curly apostrophe
			{"Trotsky's", "T R AA T S K IY Z"},
			{"Lenin’s", "L EH N IH N Z"},    // possessive of a dictionary word
			{"Stalin's", "S T AA L IH N Z"}, // in the dictionary itself
			{"workers'", "W ER K ER Z"},     // plural possessive
			{"Marx's", "M AA R K S IH Z"},
			{"don’t", "D OW N T"},
			{"o'clock", "AH K L AA K"},
			{"re-elected", "R IY IH L EH K T IH D"}, // hyphenated: the parts
			{"most-known", "M OW S T N OW N"},
			{"counter-revolutionary", "K AW N T ER R EH V AH L UW SH AH N EH R IY"},
			{"1941", "N AY N T IY N F AO R T IY W AH N"},
			{"1965", "N AY N T IY N S IH K S T IY F AY V"},
			{"1900", "N AY N T IY N HH AH N D R AH D"},
			{"1905", "N AY N T IY N OW F AY V"},
			{"2006", "T UW TH AW Z AH N D S IH K S"},
			{"23", "T W EH N T IY TH R IY"},
			{"1,000", "W AH N TH AW Z AH N D"},
			{"2,500,000", "T UW M IH L Y AH N F AY V HH AH N D R AH D TH AW Z AH N D"},
			{"99.9", "N AY N T IY N AY N P OY N T N AY N"},
			{"0.1", "Z IH R OW P OY N T W AH N"},
			{"3rd", "TH ER D"},
			{"21st", "T W EH N T IY F ER S T"},
			{"20th", "T W EH N T IY AH TH"},
			{"1960s", "N AY N T IY N S IH K S T IY Z"},
			{"9-10", "N AY N T EH N"},
			{"mp3", "EH M P IY TH R IY"},
			{"Mr", "M IH S T ER"},
			{"Mr.", "M IH S T ER"},
			{"Dr", "D AA K T ER"},
			{"vs", "V ER S AH S"},
			{"U.S", "Y UW EH S"},
			{"USSR", "Y UW EH S EH S AA R"},
			{"PCF", "P IY S IY EH F"}, // an acronym the dictionary lacks: spelled
			{"IMT", "AY EH M T IY"},
			{"КГБ", "K EY JH IY B IY"},
			{"organised", "AO R G AH N AY Z D"}, // British spelling
			{"criticise", "K R IH T IH S AY Z"},
			{"Trotskyists", "T R AA T S K IY IH S T S"}, // dictionary word + suffix
			{"antisemitism", "AE N T IY S EH M IH T IH Z AH M"},
			{"AgencyUnder", "EY JH AH N S IY AH N D ER"}, // a lost space
			{"yknow", "Y N OW"},
			{"riper", "R AY P ER"},
			{"Révolution", "R EH V AH L UW SH AH N"},
			{"1066", "T EH N S IH K S T IY S IH K S"},
			{"1900", "W AH N TH AW Z AH N D N AY N HH AH N D R AH D"}, // a quantity
			{"II", "T UW"},
			{"VIII", "DH AH EY T TH"},
			{"XIV", "F AO R T IY N"},
		} {
			got, err := l.Pronounce(c.word)
			if err != nil {
				t.Errorf("Pronounce(%q): %v", c.word, err)
				continue
			}
			if !has(got, c.want) {
				t.Errorf("Pronounce(%q) (espeak %q) = %v, want %q among them", c.word, l.espeak, got, c.want)
			}
		}
	}
}

// TestUnknownWords: names the dictionary lacks get a pronunciation that
// begins and ends as the name does, from espeak-ng and from the rules.
func TestUnknownWords(t *testing.T) {
	for _, l := range []*Lexicon{withEspeak(t), rulesOnly(t)} {
		for _, c := range []struct{ word, first, last string }{
			{"Tukhachevsky", "T", "IY"},
			{"Zinoviev", "Z", "F V"},
			{"Kamenev", "K", "F V"},
			{"Bukharin", "B", "N"},
			{"Kolkhozes", "K", "Z"},
			{"Brest-Litovsk", "B", "K"},
			{"Sverdlovsk", "S", "K"},
			{"Qwxyz", "K", "Z"},
			{"Gluttonish", "G", "SH"},
			{"Москва", "M", "AH AA"},
		} {
			got, err := l.Pronounce(c.word)
			if err != nil || len(got) == 0 {
				t.Errorf("Pronounce(%q) = %v, %v", c.word, got, err)
				continue
			}
			p := got[len(got)-1] // the guess is the last variant
			if p[0] != c.first || !slices.Contains(strings.Fields(c.last), p[len(p)-1]) {
				t.Errorf("Pronounce(%q) (espeak %q) = %v: want it to start %s and end in one of %s", c.word, l.espeak, got, c.first, c.last)
			}
			for _, v := range got {
				for _, ph := range v {
					if !slices.Contains(Phones, ph) {
						t.Errorf("Pronounce(%q) = %v: %q is not a model phone", c.word, got, ph)
					}
				}
			}
		}
	}
}

// TestNoWord: a token without a letter or digit is an error, not an empty
// pronunciation.
func TestNoWord(t *testing.T) {
	l := rulesOnly(t)
	for _, w := range []string{"", "—", "...", "'", "?!"} {
		if p, err := l.Pronounce(w); err == nil {
			t.Errorf("Pronounce(%q) = %v, want ErrNoWord", w, p)
		}
	}
	all, err := l.PronounceAll([]string{"one", "—", "two"})
	if err == nil || len(all[0]) == 0 || len(all[2]) == 0 || len(all[1]) != 0 {
		t.Errorf("PronounceAll(one — two) = %v, %v: want the two words and an error for the dash", all, err)
	}
}

// TestDictionaryPhones: the dictionary speaks only the model's phones.
func TestDictionaryPhones(t *testing.T) {
	l := rulesOnly(t)
	if len(l.dict) < 120000 {
		t.Fatalf("%d dictionary words", len(l.dict))
	}
	bad := 0
	for w, v := range l.dict {
		for _, ph := range strings.Fields(strings.ReplaceAll(v, "|", " ")) {
			if !slices.Contains(Phones, ph) && bad < 10 {
				bad++
				t.Errorf("%s: phone %q is not a model phone", w, ph)
			}
		}
	}
}

// agreement guesses every 60th plain dictionary word as if it were
// unknown and returns the phone error rate against the dictionary's
// closest variant.
func agreement(t *testing.T, l *Lexicon) float64 {
	var words []string
	keys := make([]string, 0, len(l.dict))
	for w := range l.dict {
		if len(w) >= 3 && strings.Trim(w, "abcdefghijklmnopqrstuvwxyz") == "" {
			keys = append(keys, w)
		}
	}
	slices.Sort(keys)
	for i := 0; i < len(keys); i += 60 {
		words = append(words, keys[i])
	}
	// Guess them with an empty dictionary so nothing is looked up.
	g := &Lexicon{espeak: l.espeak, guessed: map[string][]string{}}
	guesses := g.guess(words)
	errs, total := 0, 0
	for _, w := range words {
		best := -1
		var ref []string
		for _, v := range l.lookup(w) {
			if e := testtool.EditDistance(guesses[w], v); best < 0 || e < best {
				best, ref = e, v
			}
		}
		errs += best
		total += len(ref)
	}
	return float64(errs) / float64(total)
}

// TestGuessAgreement measures the fallbacks on words whose pronunciation
// is known: espeak-ng's phonemes mapped to the model's phones, and the
// spelling rules.
func TestGuessAgreement(t *testing.T) {
	if testing.Short() {
		t.Skip("runs espeak-ng on 2,000 words")
	}
	espeak := agreement(t, withEspeak(t))
	rules := agreement(t, rulesOnly(t))
	t.Logf("phone error rate against the dictionary: espeak-ng %.1f%%, rules %.1f%%", 100*espeak, 100*rules)
	if espeak > 0.15 {
		t.Errorf("espeak-ng's guesses: %.1f%% phone errors, want ≤ 15%%", 100*espeak)
	}
	if rules > 0.35 {
		t.Errorf("the rules' guesses: %.1f%% phone errors, want ≤ 35%%", 100*rules)
	}
}

// TestMemoirWords pronounces every word of the memoir: each must have a
// pronunciation, and the ones the dictionary lacks are listed.
func TestMemoirWords(t *testing.T) {
	l := withEspeak(t)
	files, err := filepath.Glob("../../../episodes/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no episodes/*.txt: %v", err)
	}
	seen := map[string]bool{}
	var words []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range strings.Fields(string(b)) {
			w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
			if w != "" && !seen[w] {
				seen[w] = true
				words = append(words, w)
			}
		}
	}
	all, err := l.PronounceAll(words)
	if err != nil {
		t.Fatal(err)
	}
	unknown := 0
	for i, w := range words {
		if len(all[i]) == 0 || len(all[i][0]) == 0 {
			t.Errorf("%q: no pronunciation", w)
		}
		for _, pt := range l.plan(w).parts {
			if pt.guess != "" && len(pt.variants) == 0 {
				unknown++
				t.Logf("not in the dictionary: %s → %v", w, all[i])
			}
		}
	}
	t.Logf("%d distinct words, %d guessed from spelling", len(words), unknown)
}

// FuzzPronounce: Pronounce never panics, and a word with a letter or digit
// always gets a non-empty pronunciation of model phones.
func FuzzPronounce(f *testing.F) {
	for _, s := range []string{"hello", "Trotsky’s", "1,000", "3rd", "re-elected", "U.S.", "Москва", "日本",
		"99.9.9", "'s", "s'", "x'y'z", "1st2nd", "00000000000000000000000", "a-b-c-d-e-f-g-h", "ÆØÅ", "--", "0.", ".5"} {
		f.Add(s)
	}
	l, err := Default()
	if err != nil {
		f.Fatal(err)
	}
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		f.Log("espeak-ng missing: fuzzing the spelling rules")
	}
	f.Fuzz(func(t *testing.T, w string) {
		got, err := l.Pronounce(w)
		hasLetter := strings.IndexFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
		if hasLetter && (err != nil || len(got) == 0) {
			t.Fatalf("Pronounce(%q) = %v, %v", w, got, err)
		}
		for _, v := range got {
			if len(v) == 0 {
				t.Fatalf("Pronounce(%q) = %v: an empty variant", w, got)
			}
			for _, ph := range v {
				if !slices.Contains(Phones, ph) {
					t.Fatalf("Pronounce(%q) = %v: %q is not a model phone", w, got, ph)
				}
			}
		}
	})
}

// BenchmarkLoad: reading the embedded dictionary.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := load(""); err != nil {
			b.Fatal(err)
		}
	}
}

// TestGuessesBounded: a lexicon that meets ever new names keeps at most
// maxGuessed guesses, and every word still gets its pronunciation.
func TestGuessesBounded(t *testing.T) {
	l := rulesOnly(t)
	var words []string
	for i := range maxGuessed + maxGuessed/2 {
		words = append(words, "zq"+strings.Map(func(r rune) rune { return 'a' + (r-'0')%26 }, strconv.Itoa(i*7919)))
	}
	all, err := l.PronounceAll(words)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range all {
		if len(p) == 0 || len(p[0]) == 0 {
			t.Fatalf("%q: no pronunciation", words[i])
		}
	}
	if _, err := l.PronounceAll(words[:maxGuessed/2]); err != nil {
		t.Fatal(err)
	}
	if n := len(l.guessed); n > maxGuessed {
		t.Errorf("%d guesses kept, want ≤ %d", n, maxGuessed)
	}
}
