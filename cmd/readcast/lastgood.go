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

// errChangedSinceLoad is save's refusal to copy a show whose directory
// changed after it began to load.
var errChangedSinceLoad = errors.New("the show's directory changed while it loaded")

// save copies the files of a show that loaded from dir, those that
// changed since the last copy. A file the show does not have (no
// overrides, no cover) is removed from the copy. The files are read
// again, after the load: since is dir's catalog.Fingerprint taken before
// it began, and when dir no longer has it, an edit made meanwhile (a
// broken one, even) would be copied as good, so save copies nothing and
// returns errChangedSinceLoad; the reload that edit brings saves.
func (g lastGood) save(dir string, snap *catalog.Snapshot, since string) error {
	files := map[string][]byte{} // absent: the show has no such file
	for _, name := range lastGoodFiles(snap) {
		data, err := os.ReadFile(filepath.Join(dir, name))
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			return err
		default:
			files[name] = data
		}
	}
	if fp, err := catalog.Fingerprint(dir); err != nil || fp != since {
		return errChangedSinceLoad
	}
	if err := os.MkdirAll(g.dir, 0o755); err != nil {
		return err
	}
	for _, name := range lastGoodFiles(snap) {
		dst := filepath.Join(g.dir, name)
		data, ok := files[name]
		if !ok {
			if err := os.Remove(dst); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
			continue
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
