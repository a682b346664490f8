package catalog

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestWatchSeesAChangeOnceItSettles(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "show.json"), []byte("{}"), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changes := make(chan struct{}, 10)
	since, err := Fingerprint(dir)
	if err != nil {
		t.Fatal(err)
	}
	go Watch(ctx, dir, since, 20*time.Millisecond, func() { changes <- struct{}{} })
	// The edit is renamed into place: written in place, a loaded machine
	// could hold the emptied file still for two polls, a change of its
	// own, and the edit's change would then come during the check below.
	tmp := filepath.Join(dir, "show.json.tmp")
	os.WriteFile(tmp, []byte(`{"title":"x"}`), 0o644)
	if err := os.Rename(tmp, filepath.Join(dir, "show.json")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changes:
	case <-time.After(5 * time.Second):
		t.Fatal("no change reported")
	}
	// A temp file of a writer in progress is not a change.
	os.WriteFile(filepath.Join(dir, "audio.mp3.tmp"), []byte("partial"), 0o644)
	select {
	case <-changes:
		t.Fatal("a .tmp file was reported as a change")
	case <-time.After(200 * time.Millisecond):
	}
}
