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
	"github.com/readcast/readcast/internal/atomicfile"
	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/timing"
)

// backgroundAligner aligns recordings that have no valid timing map for
// their episode's text — a person's recording dropped into episodes/audio,
// or any recording after its episode's text was edited — one at a time,
// writes each timing map where the catalog finds it by the recording's hash
// and the text's key, and reloads the show so the synchronized transcript is
// served as soon as it is ready. It also writes the published copies that
// carry an episode's chapters as ID3 frames (catalog.Untagged).
type backgroundAligner struct {
	dir    string
	log    *slog.Logger
	reload func(ctx context.Context, why string)
	queue  chan any // catalog.Untimed or catalog.Untagged
	// ended, when set, is told how each alignment ended (for metrics).
	ended func(err error)

	mu   sync.Mutex
	seen map[string]bool // work queued or tried in this process, by key
}

func newBackgroundAligner(dir string, log *slog.Logger) *backgroundAligner {
	return &backgroundAligner{dir: dir, log: log, queue: make(chan any, 64), seen: map[string]bool{}}
}

// Enqueue is the catalog's Untimed hook: it never blocks a load, and asks
// once for each pair of recording and text (a pair that cannot be aligned
// is not tried again until the server restarts). Every text an episode
// takes, a revert included, is a pair of its own, aligned the same way.
func (b *backgroundAligner) Enqueue(u catalog.Untimed) {
	b.add("align "+u.AudioSHA256+" "+u.TextKey, u, u.Slug, func() {
		b.log.Info("queued for alignment", "episode", u.Slug, "audio", u.Audio, "why", u.Reason)
	})
}

// EnqueueTags is the catalog's Untagged hook.
func (b *backgroundAligner) EnqueueTags(u catalog.Untagged) {
	b.add("tag "+u.Path, u, u.Slug, func() {
		b.log.Info("queued for ID3 chapters", "episode", u.Slug, "audio", u.Audio)
	})
}

func (b *backgroundAligner) add(key string, work any, slug string, queued func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.seen[key] {
		return
	}
	select {
	case b.queue <- work:
		b.seen[key] = true
		queued()
	default:
		b.log.Warn("background queue full; will retry on the next reload", "episode", slug)
	}
}

// Run works through the queue until ctx is done.
func (b *backgroundAligner) Run(ctx context.Context) {
	if err := catalog.CleanTagged(b.dir); err != nil {
		b.log.Warn("cannot remove what an interrupted write of an ID3-tagged copy left", "err", err)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case w := <-b.queue:
			switch u := w.(type) {
			case catalog.Untimed:
				err := b.align(ctx, u)
				if b.ended != nil && ctx.Err() == nil {
					b.ended(err)
				}
				if err != nil {
					b.log.Error("alignment failed; the episode is served without a synchronized transcript", "episode", u.Slug, "err", err)
					continue
				}
				b.reload(ctx, "timings of "+u.Slug+" are ready")
			case catalog.Untagged:
				if err := catalog.WriteTagged(u); err != nil {
					b.log.Error("writing the episode's ID3 chapters failed; the recording is served as it is", "episode", u.Slug, "err", err)
					continue
				}
				b.log.Info("wrote the published copy with the episode's ID3 chapters", "episode", u.Slug, "path", u.Path)
				b.reload(ctx, "ID3 chapters of "+u.Slug+" are ready")
			}
		}
	}
}

func (b *backgroundAligner) align(ctx context.Context, u catalog.Untimed) error {
	start := time.Now()
	last := time.Time{}
	res, err := align.AlignFile(ctx, u.Audio, align.Episode(u.Episode), align.Options{
		Language: u.Language,
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
	path := catalog.TimingPathFor(b.dir, u.AudioSHA256, u.TextKey)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := atomicfile.Write(path, data, 0o644); err != nil {
		return err
	}
	b.log.Info("aligned", "episode", u.Slug, "sentences", len(res.Map.Sentences), "took", time.Since(start).Round(time.Millisecond), "timings", path)
	return nil
}
