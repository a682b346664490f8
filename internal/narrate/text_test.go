package narrate

import (
	"math"
	"strings"
	"testing"
)

func TestSpeechText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Trotsky’s “ideas” – and (Révolution)…", `Trotsky's "ideas" - and (Revolution)...`},
		{"99.9 percent\u00a0of\tthe  vote", "99.9 percent of the vote"},
		{"Marx & Engels, 100%", "Marx and Engels, 100 percent"},
		{"emoji 🙂 and ✓ dropped", "emoji and dropped"},
		{"", ""},
	} {
		if got := SpeechText(c.in); got != c.want {
			t.Errorf("SpeechText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSchemeString(t *testing.T) {
	got := schemeString(`He said "no" \ then (left)`)
	want := `"He said \"no\" \\ then (left)"`
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestMapWords(t *testing.T) {
	w := func(text string, start, end float64) Word { return Word{text, start, end} }
	for _, c := range []struct {
		name    string
		outline []string
		engine  []Word
		want    []span
	}{{
		name:    "same words",
		outline: []string{"Hello", "world"},
		engine:  []Word{w("Hello", 0.1, 0.4), w("world", 0.5, 0.9)},
		want:    []span{{0.1, 0.4}, {0.5, 0.9}},
	}, {
		name:    "a number spoken as three words",
		outline: []string{"in", "1956", "Paris"},
		engine:  []Word{w("in", 0, 0.2), w("nineteen", 0.2, 0.6), w("fifty", 0.6, 0.9), w("six", 0.9, 1.2), w("paris", 1.2, 1.6)},
		want:    []span{{0, 0.2}, {0.2, 1.2}, {1.2, 1.6}},
	}, {
		name:    "curly apostrophe and a possessive spoken apart",
		outline: []string{"Trotsky’s", "ideas"},
		engine:  []Word{w("trotsky", 0, 0.5), w("'s", 0.5, 0.6), w("ideas", 0.6, 1)},
		want:    []span{{0, 0.6}, {0.6, 1}},
	}, {
		name:    "two words the engine ran together",
		outline: []string{"born", "in", "the", "USSR"},
		engine:  []Word{w("born", 0, 0.3), w("in the", 0.3, 0.5), w("USSR", 0.5, 1.1)},
		want:    []span{{0, 0.3}, {0.3, 0.3 + 0.2*3/7}, {0.3 + 0.2*3/7, 0.5}, {0.5, 1.1}}, // by letters
	}, {
		name:    "a symbol not spoken",
		outline: []string{"a", "§", "b"},
		engine:  []Word{w("a", 0, 0.2), w("b", 0.3, 0.5)},
		want:    []span{{0, 0.2}, {0.2, 0.2}, {0.3, 0.5}},
	}, {
		name:    "engine words where the outline has none before the first",
		outline: []string{"world"},
		engine:  []Word{w("uh", 0, 0.1), w("world", 0.1, 0.5)},
		want:    []span{{0, 0.5}},
	}} {
		t.Run(c.name, func(t *testing.T) {
			got := mapWords(c.outline, c.engine)
			if len(got) != len(c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			for i := range got {
				if math.Abs(got[i].start-c.want[i].start) > 1e-9 || math.Abs(got[i].end-c.want[i].end) > 1e-9 {
					t.Errorf("word %d %q: got %v, want %v", i, c.outline[i], got[i], c.want[i])
				}
			}
		})
	}
}

// FuzzMapWords: whatever the words, the spans are ordered, inside the
// engine's speech, and one per outline word.
func FuzzMapWords(f *testing.F) {
	f.Add("I was born in 1965", "i was born in nineteen sixty five")
	f.Add("a b c", "")
	f.Add("", "x y")
	f.Fuzz(func(t *testing.T, outline, engine string) {
		ow := strings.Fields(outline)
		var ew []Word
		for i, e := range strings.Fields(engine) {
			ew = append(ew, Word{Text: e, Start: float64(i), End: float64(i) + 0.8})
		}
		got := mapWords(ow, ew)
		if len(got) != len(ow) {
			t.Fatalf("%d spans for %d words", len(got), len(ow))
		}
		prev := math.Inf(-1)
		for i, s := range got {
			if s.end < s.start || s.start < prev-1e-9 {
				t.Fatalf("span %d %v out of order (previous end %v): %v", i, s, prev, got)
			}
			if len(ew) > 0 && (s.start < ew[0].Start-1e-9 || s.end > ew[len(ew)-1].End+1e-9) {
				t.Fatalf("span %d %v outside the speech", i, s)
			}
			prev = s.end
		}
	})
}

func TestAlignPhones(t *testing.T) {
	// "trotsky 's ideas": the lookup says "eh s" for the lone 's, the
	// sentence has "z".
	words := []string{"trotsky", "'s", "ideas"}
	groups := [][]string{{"t", "r", "aa", "t", "s", "k", "iy"}, {"eh", "s"}, {"ay", "d", "iy", "ax", "z"}}
	spoken, err := parsePhoneTimes("pau:0.2 t:0.26 r:0.31 aa:0.39 t:0.44 s:0.53 k:0.59 iy:0.75 z:0.83 ay:0.95 d:1.02 iy:1.12 ax:1.16 z:1.24 pau:1.4")
	if err != nil {
		t.Fatal(err)
	}
	got := alignPhones(words, groups, spoken)
	want := []Word{{"trotsky", 0.2, 0.75}, {"'s", 0.75, 0.83}, {"ideas", 0.83, 1.24}}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range got {
		if got[i].Text != want[i].Text || math.Abs(got[i].Start-want[i].Start) > 1e-9 || math.Abs(got[i].End-want[i].End) > 1e-9 {
			t.Errorf("word %d: got %v, want %v", i, got[i], want[i])
		}
	}
}

func TestGroupSegments(t *testing.T) {
	// "I was born in the USSR in 1965": espeak runs "in the" together and
	// says 1965 as three gap-separated words.
	tokens := strings.Fields("I was born in the USSR in 1965")
	durs := []float64{2308, 4608, 6530, 4808, 14013, 2991, 18383, 9317, 9649}
	got := groupSegments(tokens, durs)
	// "in" or "the" may take the merged segment: either way the pair
	// starts where espeak's word does.
	want := []int{1, 1, 1, 0, 1, 1, 1, 3}
	alt := []int{1, 1, 1, 1, 0, 1, 1, 3}
	same := func(a, b []int) bool {
		for i := range a {
			if a[i] != b[i] {
				return false
			}
		}
		return true
	}
	if !same(got, want) && !same(got, alt) {
		t.Fatalf("got %v, want %v or %v", got, want, alt)
	}
}

// TestWordKey: words compare as letters, marks and digits in lower case,
// folded to ASCII where the English voices are given ASCII, and kept in
// their own script otherwise.
func TestWordKey(t *testing.T) {
	for w, want := range map[string]string{
		"Trotsky’s": "trotskys", "i.e.": "ie", "café,": "cafe", "&": "and", "1956": "1956",
		"«Москва»": "москва", "नदी।": "नदी", "カタカナ": "カタカナ", "—": "",
	} {
		if got := wordKey(w); got != want {
			t.Errorf("wordKey(%q) = %q, want %q", w, got, want)
		}
	}
}
