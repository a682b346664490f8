package align

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"

	"github.com/readcast/readcast/internal/audio"
)

// selfText is a few sentences of the seed's kind.
var selfText = Lines(`I was born in the USSR in 1965, grew up there, and studied in the Brezhnev era.
Leonid Brezhnev was the most-known figure of power.
In each election, the ballot had only one name, and Brezhnev was re-elected with 99.9 percent of the vote.
Jokes targeting leaders of the regime and the KGB were very common.`)

// TestSelfAlignment: the reference itself, encoded as an MP3, aligns to its
// own text within 10 ms, every word.
func TestSelfAlignment(t *testing.T) {
	needEspeak(t)
	clips, err := speakWords(context.Background(), Espeak{}, selfText)
	if err != nil {
		t.Fatal(err)
	}
	lay := layOut(selfText, clips)
	var pcm []float32
	lay.render(func(_ int64, x []float32) { pcm = append(pcm, x...) })
	mp3 := encodeMP3(t, t.TempDir(), pcm, Rate)
	res := alignFile(t, mp3, selfText)
	var worst float64
	for si, s := range res.Map.Sentences {
		for wi, w := range s.Words {
			want := float64(lay.words[lay.sentences[si].firstWord+wi].start) / Rate
			if d := abs(w.Start - want); d > worst {
				worst = d
			}
			if d := abs(w.Start - want); d > 0.010 {
				t.Errorf("sentence %d word %d %q starts at %.3f, want %.3f", si+1, wi+1, w.Text, w.Start, want)
			}
		}
	}
	t.Logf("worst word start error %.1f ms", 1000*worst)
	recordFigure(t, "self_word_worst_ms", fmt.Sprintf("%.1f", 1000*worst))
}

// TestEspeakSentencesAlignToThemselves: sentences spoken by espeak-ng as
// whole sentences (not word by word) are found within 10 ms of where their
// sound starts and ends.
func TestEspeakSentencesAlignToThemselves(t *testing.T) {
	needEspeak(t)
	rng := rand.New(rand.NewPCG(1, 2))
	pcm := make([]float32, Rate/2)
	var want []interval
	for _, s := range selfText {
		out, err := exec.Command("espeak-ng", "-v", "en-us", "--stdout", s.Text).Output()
		if err != nil {
			t.Fatal(err)
		}
		x, rate, err := parseWAV(out)
		if err != nil {
			t.Fatal(err)
		}
		start, end, _ := soundBounds(x)
		x = audio.Resample(x[start:end], rate, Rate)
		want = append(want, interval{float64(len(pcm)) / Rate, float64(len(pcm)+len(x)) / Rate})
		pcm = append(pcm, x...)
		pcm = append(pcm, make([]float32, Rate*(5+rng.IntN(5))/10)...)
	}
	mp3 := encodeMP3(t, t.TempDir(), pcm, Rate)
	res := alignFile(t, mp3, selfText)
	worst := 0.0
	for i, s := range res.Map.Sentences {
		worst = max(worst, abs(s.Start-want[i].start), abs(s.End-want[i].end))
		var b strings.Builder
		fmt.Fprintf(&b, "sentence %d: [%.3f, %.3f], want [%.3f, %.3f]", i+1, s.Start, s.End, want[i].start, want[i].end)
		if abs(s.Start-want[i].start) > 0.010 || abs(s.End-want[i].end) > 0.010 {
			t.Error(b.String())
		} else {
			t.Log(b.String())
		}
	}
	recordFigure(t, "self_sentence_worst_ms", fmt.Sprintf("%.1f", 1000*worst))
}
