package catalog

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"
)

// Fingerprint summarizes the names, sizes and modification times of every
// file under dir (temp files of writers in progress and hidden directories
// excluded): it changes when anything a snapshot is built from changes.
func Fingerprint(dir string) (string, error) {
	h := sha256.New()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && path != dir && strings.HasPrefix(name, ".") {
			return fs.SkipDir // .git, serve's state (.readcast): not the show
		}
		if d.IsDir() || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".tmp") {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil // removed while walking: the next poll sees it
		}
		fmt.Fprintf(h, "%s\x00%d\x00%d\n", path, fi.Size(), fi.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("catalog: %w", err)
	}
	return fmt.Sprintf("%x", h.Sum(nil)), nil
}

// Watch polls dir every interval and calls changed when its fingerprint
// differs from since and then holds still for one more interval, so that a
// file being copied in is read once, whole. since is the Fingerprint taken
// before the show being served was loaded: an edit made while it loaded, or
// before this goroutine first ran, is seen, not taken as the starting
// state. Polling needs no platform support and one show's directory is
// small; it returns when ctx is done.
func Watch(ctx context.Context, dir, since string, interval time.Duration, changed func()) {
	last, pending := since, ""
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		fp, err := Fingerprint(dir)
		if err != nil {
			continue
		}
		switch {
		case fp == last:
			pending = ""
		case fp == pending:
			last, pending = fp, ""
			changed()
		default:
			pending = fp
		}
	}
}
