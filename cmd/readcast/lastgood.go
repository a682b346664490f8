package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"

	"github.com/readcast/readcast/internal/atomicfile"
	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/show"
)

// lastGood keeps a copy of what the last show that loaded was built from
// besides its recordings — show.json, overrides.json, the source text and
// the cover — in the state directory, so that a restart after an edit that
// broke the show serves the last good show instead of failing (the
// recordings and timings are read from the episodes directory as always).
type lastGood struct{ dir string }

const lastGoodDir = "last-good"

func newLastGood(stateDir string) lastGood { return lastGood{filepath.Join(stateDir, lastGoodDir)} }

// files are the show's own files a snapshot was loaded from, relative to
// the episodes directory; the metadata last, so that a copy with it is
// complete.
func lastGoodFiles(snap *catalog.Snapshot) []string {
	return []string{snap.Show.Source, catalog.CoverFile, show.OverridesFile, show.MetadataFile}
}

// save copies the files of a show that loaded from dir, those that
// changed since the last copy. A file the show does not have (no
// overrides, no cover) is removed from the copy.
func (g lastGood) save(dir string, snap *catalog.Snapshot) error {
	if err := os.MkdirAll(g.dir, 0o755); err != nil {
		return err
	}
	for _, name := range lastGoodFiles(snap) {
		dst := filepath.Join(g.dir, name)
		data, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) {
			if err := os.Remove(dst); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		if old, err := os.ReadFile(dst); err == nil && bytes.Equal(old, data) {
			continue
		}
		if err := atomicfile.Write(dst, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// has reports whether a copy was kept.
func (g lastGood) has() bool {
	_, err := os.Stat(filepath.Join(g.dir, show.MetadataFile))
	return err == nil
}
