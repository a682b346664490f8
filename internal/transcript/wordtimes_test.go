package transcript

import (
	"strings"
	"testing"
)

// TestWordsAreTheJSONSegments checks that Words gives every written word
// the times the JSON transcript gives its segment, in the same order.
func TestWordsAreTheJSONSegments(t *testing.T) {
	d := fixtureDoc(t)
	b, err := JSON(d)
	if err != nil {
		t.Fatal(err)
	}
	segs, err := ParseJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	words := Words(d.Map)
	if len(words) != len(d.Map.Sentences) {
		t.Fatalf("%d sentences of words, want %d", len(words), len(d.Map.Sentences))
	}
	k := 0
	for i, ws := range words {
		if got, want := len(ws), len(strings.Fields(d.Map.Sentences[i].Text)); got != want {
			t.Errorf("sentence %d: %d words, want %d", i, got, want)
		}
		for _, w := range ws {
			if k >= len(segs) {
				t.Fatalf("more words than the JSON's %d segments", len(segs))
			}
			s := segs[k]
			if w.Text != strings.TrimSpace(s.Body) || w.Start != s.Start || w.End != s.End {
				t.Errorf("word %d = %+v, JSON segment %+v", k, w, s)
			}
			k++
		}
	}
	if k != len(segs) {
		t.Errorf("%d words, the JSON has %d segments", k, len(segs))
	}
}
