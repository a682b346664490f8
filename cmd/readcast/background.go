package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/readcast/readcast/internal/align"
	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/timing"
)

// backgroundAligner aligns recordings that have no valid timing map — a
// person's recording dropped into episodes/audio — one at a time, writes
// each timing map where the catalog finds it by the recording's hash, and
// reloads the show so the synchronized transcript is served as soon as it
// is ready. Until then the episode is served without timings.
type backgroundAligner struct {
	dir    string
	log    *slog.Logger
	reload func(ctx context.Context, why string)
	// ended, when set, is told how each alignment ended (for metrics).
	ended func(err error)
	queue chan catalog.Untimed

	mu   sync.Mutex
	seen map[string]bool // recording hashes queued or tried in this process
}

func newBackgroundAligner(dir string, log *slog.Logger) *backgroundAligner {
	return &backgroundAligner{dir: dir, log: log, queue: make(chan catalog.Untimed, 64), seen: map[string]bool{}}
}

// Enqueue is the catalog's Untimed hook: it never blocks a load, and asks
// for each recording once (a recording that cannot be aligned is not tried
// again until the server restarts).
func (b *backgroundAligner) Enqueue(u catalog.Untimed) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.seen[u.AudioSHA256] {
		return
	}
	select {
	case b.queue <- u:
		b.seen[u.AudioSHA256] = true
		b.log.Info("queued for alignment", "episode", u.Slug, "audio", u.Audio, "why", u.Reason)
	default:
		b.log.Warn("alignment queue full; will retry on the next reload", "episode", u.Slug)
	}
}

// Run aligns queued recordings until ctx is done.
func (b *backgroundAligner) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case u := <-b.queue:
			err := b.align(ctx, u)
			if b.ended != nil && ctx.Err() == nil {
				b.ended(err)
			}
			if err != nil {
				b.log.Error("alignment failed; the episode is served without a synchronized transcript", "episode", u.Slug, "err", err)
				continue
			}
			b.reload(ctx, "timings of "+u.Slug+" are ready")
		}
	}
}

func (b *backgroundAligner) align(ctx context.Context, u catalog.Untimed) error {
	start := time.Now()
	last := time.Time{}
	res, err := align.AlignFile(ctx, u.Audio, align.Episode(u.Episode), align.Options{
		Progress: func(p align.Progress) {
			if time.Since(last) < 2*time.Second && p.Done < p.Total {
				return
			}
			last = time.Now()
			b.log.Info("aligning", "episode", u.Slug, "stage", p.Stage, "done", fmt.Sprintf("%.0f/%.0f", p.Done, p.Total))
		},
	})
	if err != nil {
		return err
	}
	if res.Map.AudioSHA256 != u.AudioSHA256 {
		return fmt.Errorf("%s changed while it was aligned; the next reload queues it again", u.Audio)
	}
	for _, is := range res.Report.Issues {
		b.log.Warn("narration check", "episode", u.Slug, "issue", is.Message)
	}
	data, err := timing.Marshal(res.Map)
	if err != nil {
		return err
	}
	path := catalog.TimingPath(b.dir, u.AudioSHA256)
	if err := writeAtomic(path, data); err != nil {
		return err
	}
	b.log.Info("aligned", "episode", u.Slug, "sentences", len(res.Map.Sentences), "took", time.Since(start).Round(time.Millisecond), "timings", path)
	return nil
}

// writeAtomic writes data to path through a synced temp file and a rename,
// so a reader sees the old file or the whole new one.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
