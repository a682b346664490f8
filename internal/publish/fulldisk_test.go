package publish

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
)

// TestPublishOnAFullDisk fails a publish at its first write (the timing
// map) and at a later one (keeping the live recording), on a real full
// disk: a small tmpfs, where the machine lets the test mount one, else a
// write error injected by putting a file where the timings directory was.
// Either way the store must be as it was before the upload, at once, not
// after a restart.
func TestPublishOnAFullDisk(t *testing.T) {
	for _, step := range []string{"timing", "previous"} {
		t.Run(step, func(t *testing.T) {
			root, fill := fullDisk(t, step)
			dir := filepath.Join(root, "show")
			copyShowTo(t, dir)
			st, _, err := Open(dir)
			must(t, err)
			before := state(t, dir)
			take := retake(t, slug2, "take on a full disk")
			up, err := st.Receive(bytes.NewReader(take), int64(len(take)))
			must(t, err)
			var undoFill func()
			st.Pause = func(s string) {
				if s == step {
					undoFill = fill(dir)
				}
			}
			_, err = st.Publish(slug2, up, timingFor(t, slug2, take), Take{})
			if undoFill != nil {
				undoFill()
			}
			up.Discard() // as Publisher.run does
			if err == nil {
				t.Fatal("the publish succeeded on a full disk")
			}
			t.Logf("publish failed as it should: %v", err)
			if after := state(t, dir); after != before {
				t.Errorf("the failed publish changed the store:\nbefore:\n%s\nafter:\n%s", before, after)
			}
			if l := leftovers(t, dir); len(l) > 0 {
				t.Errorf("left behind: %v", l)
			}
			if cur, _ := st.Current(slug2); cur == sha(take) {
				t.Error("the failed take is live")
			}
		})
	}
}

// fullDisk returns a directory on a file system the test can fill, and
// the function that fills it (returning the function that frees it again).
// Without a tmpfs, the error the step gets is injected: the timings
// directory becomes a file, or a directory takes the previous pointer's
// place.
func fullDisk(t *testing.T, step string) (string, func(showDir string) func()) {
	root := t.TempDir()
	if runtime.GOOS == "linux" && os.Geteuid() == 0 {
		mnt := filepath.Join(root, "tmpfs")
		must(t, os.Mkdir(mnt, 0o755))
		out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=32m,nr_inodes=2048", "tmpfs", mnt).CombinedOutput()
		if err == nil {
			t.Cleanup(func() { exec.Command("umount", "-l", mnt).Run() })
			t.Log("publishing on a 32 MB tmpfs, filled before the step")
			return mnt, func(string) func() { return fillUp(t, mnt) }
		}
		t.Logf("cannot mount a tmpfs (%v: %s); injecting the write error instead", err, bytes.TrimSpace(out))
	} else {
		t.Log("not root: injecting the write error instead of filling a tmpfs")
	}
	return root, func(showDir string) func() {
		if step == "previous" {
			prev := filepath.Join(showDir, "audio", StoreDir, slug2+previousExt)
			must(t, os.MkdirAll(filepath.Join(prev, "x"), 0o755))
			return func() { must(t, os.RemoveAll(prev)) }
		}
		timings := filepath.Join(showDir, "audio", "timings")
		must(t, os.Rename(timings, timings+".away"))
		must(t, os.WriteFile(timings, nil, 0o644))
		return func() {
			must(t, os.Remove(timings))
			must(t, os.Rename(timings+".away", timings))
		}
	}
}

// fillUp takes every free byte and inode of the file system at mnt.
func fillUp(t *testing.T, mnt string) func() {
	filler := filepath.Join(mnt, "filler")
	must(t, os.Mkdir(filler, 0o755))
	f, err := os.Create(filepath.Join(filler, "bytes"))
	must(t, err)
	block := make([]byte, 64<<10)
	for {
		if _, err := f.Write(block); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	f.Close()
	for i := 0; ; i++ {
		g, err := os.Create(filepath.Join(filler, fmt.Sprint(i)))
		if err != nil {
			break
		}
		g.Close()
	}
	return func() { must(t, os.RemoveAll(filler)) }
}

// copyShowTo copies the seed show into dir.
func copyShowTo(t *testing.T, dir string) {
	src := copyShow(t)
	must(t, os.CopyFS(dir, os.DirFS(src)))
}
