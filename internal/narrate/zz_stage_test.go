package narrate

import (
	"context"
	"math"
	"path/filepath"
	"testing"
	"time"
)

func TestZZStages(t *testing.T) {
	rate := 44100
	x := make([]float32, 140*rate)
	for i := range x {
		tt := float64(i) / float64(rate)
		if math.Mod(tt, 3) < 2 {
			x[i] = float32(0.1 * math.Sin(2*math.Pi*220*tt) * math.Abs(math.Sin(2*math.Pi*2*tt)))
		}
	}
	b := time.Now()
	normalize(x, rate, -16, -1.3)
	t.Log("normalize", time.Since(b))
	b = time.Now()
	p := filepath.Join(t.TempDir(), "a.mp3")
	encode(context.Background(), x, rate, DefaultEncoding, p)
	t.Log("encode", time.Since(b))
	b = time.Now()
	measureMP3(p, rate)
	t.Log("measure", time.Since(b))
}
