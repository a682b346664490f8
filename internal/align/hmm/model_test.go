package hmm

import (
	"io/fs"
	"math"
	"testing"
	"testing/fstest"

	"github.com/readcast/readcast/internal/align/acoustic"
)

// TestModelShape: the Debian model as its README and mdef header describe
// it, with mixture weights that sum to about one (sendump's quantization
// floors the smallest) and transition rows that do.
func TestModelShape(t *testing.T) {
	m := testModel(t)
	if len(m.Phones) != 42 || m.nSen != 5126 || m.nCB != 42 || m.nDens != 128 {
		t.Fatalf("%d phones, %d senones, %d codebooks of %d: want 42, 5126, 42 of 128", len(m.Phones), m.nSen, m.nCB, m.nDens)
	}
	for _, name := range []string{"SIL", "+NSN+", "+SPN+", "AH", "ZH"} {
		if _, ok := m.PhoneID(name); !ok {
			t.Errorf("no phone %s", name)
		}
	}
	for sen := 0; sen < m.nSen; sen += 97 {
		for f := range 3 {
			var sum float64
			for d := range m.nDens {
				sum += math.Exp(float64(m.weight(sen, f, d)))
			}
			if sum < 0.8 || sum > 1.2 {
				t.Fatalf("senone %d stream %d: weights sum to %.3f", sen, f, sum)
			}
		}
	}
	for i, tm := range m.tmat {
		for j, row := range tm {
			var sum float64
			for _, v := range row {
				sum += math.Exp(float64(v))
			}
			if math.Abs(sum-1) > 1e-3 {
				t.Fatalf("tmat %d row %d sums to %.4f", i, j, sum)
			}
		}
	}
	// A triphone in context differs from its context-independent phone.
	ah, _ := m.PhoneID("AH")
	k, _ := m.PhoneID("K")
	tt, _ := m.PhoneID("T")
	if u := m.unit(ah, k, tt, PosInternal); u == m.ci[ah] {
		t.Error("K-AH-T maps to the context-independent AH")
	}
}

// TestLoadBadModel: a damaged model file is an error, never a panic
// (feat.params may be cut: what it does not say takes Sphinx's defaults).
func TestLoadBadModel(t *testing.T) {
	good := fstest.MapFS{}
	for _, name := range []string{"feat.params", "mdef", "means", "variances", "sendump", "transition_matrices"} {
		b, err := fs.ReadFile(acoustic.Files, "en-us/"+name)
		if err != nil {
			t.Fatal(err)
		}
		good["m/"+name] = &fstest.MapFile{Data: b}
	}
	if _, err := Load(good, "m"); err != nil {
		t.Fatalf("the model itself: %v", err)
	}
	for name, f := range good {
		for _, cut := range []int{0, 3, 40, 1000, len(f.Data) / 2, len(f.Data) - 1} {
			if cut >= len(f.Data) {
				continue
			}
			bad := fstest.MapFS{}
			for k, v := range good {
				bad[k] = v
			}
			bad[name] = &fstest.MapFile{Data: f.Data[:cut]}
			if _, err := Load(bad, "m"); err == nil && name != "m/feat.params" {
				t.Errorf("%s cut to %d bytes: no error", name, cut)
			}
		}
	}
}

// TestAlignSegments: the search on the synthetic test signal's frames
// with a two-word text gives the two words in order, and with the fillers
// they tile every frame; an empty text or an unknown phone is an error.
func TestAlignSegments(t *testing.T) {
	m := testModel(t)
	ft := signalFeatures(m, 2*Rate)
	words := []Word{{Prons: [][]string{{"AH"}}}, {Prons: [][]string{{"M"}, {"N"}}}}
	segs, st, err := m.Align(ft, words, Options{})
	if err != nil {
		t.Fatal(err)
	}
	next, end := 0, 0
	for _, sg := range segs {
		if sg.Start != end || sg.End < sg.Start {
			t.Fatalf("segments do not tile the frames: %+v", segs)
		}
		end = sg.End
		if sg.Word >= 0 {
			if sg.Word != next {
				t.Fatalf("word %d where %d was due: %+v", sg.Word, next, segs)
			}
			next++
		}
	}
	if next != 2 || end != ft.N {
		t.Fatalf("%d words, frames to %d of %d: %+v", next, end, ft.N, segs)
	}
	t.Logf("%d segments, stats %+v", len(segs), st)
	if _, _, err := m.Align(ft, nil, Options{}); err == nil {
		t.Error("an empty text found a path")
	}
	if _, _, err := m.Align(ft, []Word{{Prons: [][]string{{"XX"}}}}, Options{}); err == nil {
		t.Error("a phone the model lacks was accepted")
	}
}
