package align

import (
	"context"
	"math"
	"os"
	"testing"

	"github.com/readcast/readcast/internal/audio"
)

// TestParallelDecodeMatchesSequential checks that decoding in parts gives
// the features of decoding in one piece.
func TestParallelDecodeMatchesSequential(t *testing.T) {
	path := seedEpisodes(t)[3].mp3
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	info, err := audio.Probe(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	one, err := decodeFeatures(context.Background(), f, st.Size(), info, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	many, err := decodeFeatures(context.Background(), f, st.Size(), info, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	if one.n != many.n {
		t.Fatalf("frames: sequential %d, parallel %d", one.n, many.n)
	}
	// The parts are placed to within half a sample (31 µs), which moves
	// each analysis window a little: frames of speech must still point
	// the same way, all but a few of them exactly.
	worst, at := 1.0, 0
	var sum float64
	n := 0
	for f := range one.n {
		if one.energy[2*f] < -35 {
			continue // silence: its direction is rounding noise
		}
		d := cosine(one.frame(f), many.frame(f))
		sum += d
		n++
		if d < worst {
			worst, at = d, f
		}
	}
	mean := sum / float64(n)
	t.Logf("cosine similarity over %d frames of speech: mean %.5f, lowest %.4f at %.2f s", n, mean, worst, frameTime(at))
	if mean < 0.999 || worst < 0.9 {
		t.Errorf("parallel decoding differs from sequential: mean similarity %.5f, %.4f at %.2f s", mean, worst, frameTime(at))
	}
	var diffs errorStats
	for i, v := range one.energy {
		if v > -50 {
			diffs = append(diffs, abs(float64(v-many.energy[i])))
		}
	}
	p999, worstE := diffs.quantile(0.999), diffs.quantile(1)
	t.Logf("energy differences: 99.9th percentile %.3f dB, largest %.3f dB", p999, worstE)
	if p999 > 0.5 || worstE > 6 {
		t.Errorf("energy differs by %.3f dB (99.9th percentile), %.3f dB at most", p999, worstE)
	}
}

func cosine(a, b []float32) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += float64(a[i]) * float64(b[i])
		aa += float64(a[i]) * float64(a[i])
		bb += float64(b[i]) * float64(b[i])
	}
	return ab / math.Sqrt(aa*bb+1e-30)
}
