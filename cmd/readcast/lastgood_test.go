package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/readcast/readcast/internal/catalog"
)

// TestLastGoodIsNeverAnEditMadeWhileTheShowLoaded: save reads the show's
// files again after the load; an edit made meanwhile, a broken one even,
// must not become the copy a restart falls back on.
func TestLastGoodIsNeverAnEditMadeWhileTheShowLoaded(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, "../../episodes", dir)
	meta := filepath.Join(dir, "show.json")
	good, err := os.ReadFile(meta)
	if err != nil {
		t.Fatal(err)
	}
	load := func() (*catalog.Snapshot, string) {
		t.Helper()
		since, err := catalog.Fingerprint(dir)
		if err != nil {
			t.Fatal(err)
		}
		snap, err := catalog.Load(context.Background(), catalog.Config{Dir: dir, BaseURL: "http://127.0.0.1:8080"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return snap, since
	}
	g := newLastGood(t.TempDir())

	snap, since := load()
	must(t, os.WriteFile(meta, []byte(`{"title": `), 0o644)) // saved after the load read it
	if err := g.save(dir, snap, since); !errors.Is(err, errChangedSinceLoad) {
		t.Errorf("save after an edit made while the show loaded: %v, want errChangedSinceLoad", err)
	}
	if g.has() {
		t.Fatal("an edit made while the show loaded was kept as the last good show")
	}

	must(t, os.WriteFile(meta, good, 0o644))
	snap, since = load()
	if err := g.save(dir, snap, since); err != nil {
		t.Fatalf("save of a show unchanged since it loaded: %v", err)
	}
	if kept, err := os.ReadFile(filepath.Join(g.dir, "show.json")); err != nil || !bytes.Equal(kept, good) {
		t.Errorf("the kept show.json is not the one that loaded (%v)", err)
	}
}
