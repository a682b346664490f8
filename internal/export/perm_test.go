//go:build unix

package export

import (
	"context"
	"io/fs"
	"path/filepath"
	"syscall"
	"testing"
)

// TestExportPermissions: every directory of the export, its root included,
// is 0755 and every file 0644 under the usual umask, so a web server
// running as another user can read the whole site.
func TestExportPermissions(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	h, _ := seedHandler(t)
	out := filepath.Join(t.TempDir(), "site")
	if _, err := Export(context.Background(), h, base, out); err != nil {
		t.Fatal(err)
	}
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o644)
		if d.IsDir() {
			want = 0o755
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", p, fi.Mode().Perm(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
