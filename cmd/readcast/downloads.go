package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/readcast/readcast/internal/atomicfile"
	"github.com/readcast/readcast/internal/metrics"
)

// saveDownloadsEvery is how often the day's download listeners are saved;
// a crash loses at most this much of the dedup (a clean exit saves all).
const saveDownloadsEvery = 10 * time.Second

// keepDownloads takes up the day's download listeners an earlier process
// saved at path, and saves them there every saveDownloadsEvery until ctx
// is done. The function it returns waits for that and saves once more: call
// it when the last request has been answered.
func keepDownloads(ctx context.Context, reg *metrics.Registry, path string, log *slog.Logger) func() {
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := reg.RestoreDownloads(data); err != nil {
			log.Warn("the saved download listeners cannot be read; counting the day afresh", "path", path, "err", err)
		}
	case !errors.Is(err, os.ErrNotExist):
		log.Warn("the saved download listeners cannot be read; counting the day afresh", "path", path, "err", err)
	}
	var mu sync.Mutex // one save at a time: an older state never replaces a newer one
	save := func() {
		mu.Lock()
		defer mu.Unlock()
		if st := reg.DownloadState(); st != nil {
			err := os.MkdirAll(filepath.Dir(path), 0o755)
			if err == nil {
				err = atomicfile.Write(path, st, 0o644)
			}
			if err != nil {
				log.Error("cannot save the day's download listeners; a restart would count them again", "path", path, "err", err)
			}
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		every(ctx, saveDownloadsEvery, save)
	}()
	return func() { <-done; save() }
}
