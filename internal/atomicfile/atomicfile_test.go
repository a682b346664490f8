package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteReplacesAndLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "show.json")
	if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(p, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil || string(b) != "new" {
		t.Fatalf("read %q, %v; want new", b, err)
	}
	fi, _ := os.Stat(p)
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644 whatever the umask", fi.Mode().Perm())
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("directory holds %v, want only show.json", got)
	}
}

func TestWriteIntoMissingDirectoryFails(t *testing.T) {
	if err := Write(filepath.Join(t.TempDir(), "no", "x"), nil, 0o644); err == nil {
		t.Fatal("no error writing into a missing directory")
	}
}

// Two writers of the same file never share a temporary name: each rename
// puts one writer's whole content in place.
func TestConcurrentWritersNeverMix(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "cover.jpg")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			data := []byte(strings.Repeat(string(rune('a'+i)), 1<<16))
			if err := Write(p, data, 0o644); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	b, _ := os.ReadFile(p)
	if len(b) != 1<<16 || strings.Count(string(b), string(b[:1])) != len(b) {
		t.Fatalf("the file mixes writers (%d bytes)", len(b))
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("directory holds %v", got)
	}
}

func TestCleanupRemovesUncommitted(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.mp3")
	f, err := Create(p, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if b := filepath.Base(f.Name()); !strings.HasPrefix(b, ".") || !strings.HasSuffix(b, ".tmp") || filepath.Dir(f.Name()) != dir {
		t.Errorf("temporary file %s is not a hidden .tmp beside its target", f.Name())
	}
	f.Write([]byte("half"))
	f.Cleanup()
	if got := entries(t, dir); len(got) != 0 {
		t.Errorf("directory holds %v after Cleanup", got)
	}
}

// A temporary file written by another program through its name (lame) and
// replaced by a rename (a tag rewrite) is committed through its name.
func TestCommitAfterWritesByName(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.mp3")
	f, err := Create(p, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Cleanup()
	f.Close()
	if err := Write(f.Name(), []byte("encoded"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	f.Cleanup() // a no-op once committed
	if b, err := os.ReadFile(p); err != nil || string(b) != "encoded" {
		t.Fatalf("read %q, %v", b, err)
	}
}

func TestPrefixMarksTheOwner(t *testing.T) {
	dir := t.TempDir()
	f, err := Temps{Prefix: ".publish-"}.Create(filepath.Join(dir, "x"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Cleanup()
	if b := filepath.Base(f.Name()); !strings.HasPrefix(b, ".publish-") || !strings.HasSuffix(b, ".tmp") {
		t.Errorf("temporary name %s", b)
	}
}

func TestSymlinkReplaces(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "ep.mp3")
	for _, target := range []string{"store/a.mp3", "store/b.mp3"} {
		if err := (Temps{}).Symlink(target, link); err != nil {
			t.Fatal(err)
		}
		if got, err := os.Readlink(link); err != nil || got != target {
			t.Fatalf("link names %q, %v; want %q", got, err, target)
		}
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("directory holds %v", got)
	}
}

func TestReplaceDir(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "site")
	for _, content := range []string{"one", "two"} {
		tmp, err := MkdirTemp(out)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(tmp, "index.html"), []byte(content), 0o644)
		if err := ReplaceDir(tmp, out); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(filepath.Join(out, "index.html")); string(b) != content {
			t.Fatalf("index.html is %q, want %q", b, content)
		}
	}
	if got := entries(t, parent); len(got) != 1 {
		t.Errorf("parent holds %v", got)
	}
}

// CommitNew puts a new file in place, and leaves one that is already there
// (and no temporary file) when it lost the race.
func TestCommitNewNeverReplaces(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "cover.jpg")
	for _, content := range []string{"drawn", "drawn again"} {
		f, err := Create(p, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(content))
		err = f.CommitNew()
		f.Cleanup()
		if content == "drawn" && err != nil {
			t.Fatal(err)
		}
		if content != "drawn" && !errors.Is(err, fs.ErrExist) {
			t.Fatalf("CommitNew over an existing file: %v, want fs.ErrExist", err)
		}
	}
	if b, err := os.ReadFile(p); err != nil || string(b) != "drawn" {
		t.Fatalf("read %q, %v; want the first file kept", b, err)
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("directory holds %v", got)
	}
}

// TestRemoveStaleTakesOnlyDeadTemporaries: what a killed writer left
// beside a target goes; a temporary still being written, another target's,
// the target itself and a look-alike stay.
func TestRemoveStaleTakesOnlyDeadTemporaries(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "01-ep.mp3")
	if err := Write(target, []byte("live"), 0o644); err != nil {
		t.Fatal(err)
	}
	dead, err := Create(target, 0o644) // a run killed mid-write: never cleaned up
	if err != nil {
		t.Fatal(err)
	}
	dead.Close()
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(dead.Name(), old, old); err != nil {
		t.Fatal(err)
	}
	writing, err := Create(target, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer writing.Cleanup()
	other, err := Create(filepath.Join(dir, "02-ep.mp3"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Cleanup()
	lookalike := filepath.Join(dir, ".01-ep.mp3.notes.tmp")
	for _, p := range []string{other.Name(), lookalike} {
		os.WriteFile(p, nil, 0o644)
		os.Chtimes(p, old, old)
	}

	removed, err := RemoveStale(target, 10*time.Minute)
	if err != nil || len(removed) != 1 || removed[0] != dead.Name() {
		t.Fatalf("RemoveStale = %v, %v; want only %s", removed, err, dead.Name())
	}
	for _, p := range []string{target, writing.Name(), other.Name(), lookalike} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
	if removed, err := RemoveStale(filepath.Join(dir, "missing", "x.mp3"), time.Minute); err != nil || removed != nil {
		t.Errorf("in a missing directory: %v, %v; want nothing and no error", removed, err)
	}
}
