package narrate

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/readcast/readcast/internal/segment"
)

func TestZZProf(t *testing.T) {
	src, _ := os.ReadFile("../../episodes/recollection.txt")
	o, _ := segment.Parse(src, segment.Options{})
	e, _ := NewEngine(os.Getenv("ZZ_ENGINE"))
	began := time.Now()
	res, err := Run(context.Background(), Config{Engine: e, Dir: t.TempDir(), Episodes: []string{"02-the-official-history"}, Progress: tw{t, began}}, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res[0].Duration, time.Since(began))
}

type tw struct {
	t *testing.T
	b time.Time
}

func (w tw) Write(p []byte) (int, error) { w.t.Logf("%6.2fs %s", time.Since(w.b).Seconds(), p); return len(p), nil }
