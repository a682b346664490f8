package atomicfile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Temps makes the temporary files of one owner. The zero value names them
// after their target; the package functions use it.
type Temps struct {
	// Prefix, when set, starts every temporary name instead of
	// "."+base+".": the owner's mark, by which it finds its own leftovers.
	// It should start with a dot.
	Prefix string
}

// tries bounds the attempts at an unused name: with 64 random bits a
// second attempt is already a sign that something else is wrong.
const tries = 100

// name is a fresh temporary name beside path.
func (t Temps) name(path string) string {
	dir, base := filepath.Split(path)
	prefix := t.Prefix
	if prefix == "" {
		prefix = defaultPrefix(base)
	}
	var b [randomBytes]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	return filepath.Join(dir, prefix+hex.EncodeToString(b[:])+tempSuffix)
}

// A temporary name is a prefix, randomBytes in hex and tempSuffix.
const (
	randomBytes = 8
	tempSuffix  = ".tmp"
)

// defaultPrefix starts the temporary names of the target base when the
// owner sets no Temps.Prefix.
func defaultPrefix(base string) string { return "." + base + "." }

// File is the new version of a file being written aside: a temporary file
// in the target's directory. Write to it (or let another program write to
// its Name), then Commit to put it in place; Cleanup, safe to defer,
// removes it if it was not committed.
type File struct {
	*os.File
	path         string
	closed, done bool
}

// Create opens a new, empty temporary file beside path, with permissions
// perm whatever the umask (what is published must be readable by whatever
// serves it: nginx, a CDN sync).
func (t Temps) Create(path string, perm fs.FileMode) (*File, error) {
	for range tries {
		f, err := os.OpenFile(t.name(path), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if err := f.Chmod(perm); err != nil {
			f.Close()
			os.Remove(f.Name())
			return nil, err
		}
		return &File{File: f, path: path}, nil
	}
	return nil, fmt.Errorf("no unused temporary name beside %s", path)
}

// Create is Temps{}.Create.
func Create(path string, perm fs.FileMode) (*File, error) { return Temps{}.Create(path, perm) }

// Close closes the temporary file without putting it in place; Commit
// still can. Closing twice is not an error.
func (f *File) Close() error {
	if f.closed {
		return nil
	}
	f.closed = true
	return f.File.Close()
}

// Commit syncs the temporary file, renames it over the target and syncs
// the directory: when it returns nil the new content is at the target and
// stays there across a crash. A file closed before (written by another
// program through its Name, or itself replaced by a rename) is synced
// through its name.
func (f *File) Commit() error {
	if err := f.sync(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), f.path); err != nil {
		return err
	}
	f.done = true
	return SyncDir(filepath.Dir(f.path))
}

// CommitNew is Commit for a file that must not replace one already at the
// target (an author's own, put there meanwhile): it links the synced
// temporary file to the target, which fails with an error matching
// fs.ErrExist when something is there, and removes the temporary name.
// Where the file system has no hard links it renames, as Commit does.
func (f *File) CommitNew() error {
	if err := f.sync(); err != nil {
		return err
	}
	err := os.Link(f.Name(), f.path)
	if errors.Is(err, fs.ErrExist) {
		return err
	}
	if err != nil {
		return f.Commit()
	}
	f.done = true
	os.Remove(f.Name())
	return SyncDir(filepath.Dir(f.path))
}

func (f *File) sync() error {
	if f.closed {
		return syncPath(f.Name())
	}
	err := f.File.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Cleanup closes and removes the temporary file unless it was committed.
func (f *File) Cleanup() {
	if f.done {
		return
	}
	f.Close()
	os.Remove(f.Name())
}

// Write replaces path with data, permissions perm, through a temporary file.
func (t Temps) Write(path string, data []byte, perm fs.FileMode) error {
	f, err := t.Create(path, perm)
	if err != nil {
		return err
	}
	defer f.Cleanup()
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Commit()
}

// Write is Temps{}.Write.
func Write(path string, data []byte, perm fs.FileMode) error {
	return Temps{}.Write(path, data, perm)
}

// Symlink points the symlink link at target, replacing whatever was at link
// by one rename, and syncs the directory.
func (t Temps) Symlink(target, link string) error {
	for range tries {
		tmp := t.name(link)
		err := os.Symlink(target, tmp)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return err
		}
		if err := os.Rename(tmp, link); err != nil {
			os.Remove(tmp)
			return err
		}
		return SyncDir(filepath.Dir(link))
	}
	return fmt.Errorf("no unused temporary name beside %s", link)
}

// Move renames a finished file (synced, as a File is once closed after a
// Sync) to path, replacing what was there, and syncs path's directory: the
// second half of a Commit, for an owner that decides the target only after
// writing (the publish store names a recording by its hash).
func Move(from, path string) error {
	if err := os.Rename(from, path); err != nil {
		return err
	}
	return SyncDir(filepath.Dir(path))
}

// MkdirTemp makes a new, empty temporary directory beside path, to be
// filled and put in place by ReplaceDir. Its mode is 0755 less the umask:
// os.MkdirTemp's 0700 would keep a web server running as another user out
// of a whole exported site once it is renamed into place.
func MkdirTemp(path string) (string, error) {
	for range tries {
		name := Temps{}.name(path)
		err := os.Mkdir(name, 0o755)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		return name, nil
	}
	return "", fmt.Errorf("no unused temporary name beside %s", path)
}

// ReplaceDir puts the finished directory tmp at path. A directory cannot be
// renamed over another, so the previous one is moved aside first (to
// path+".old") and removed only after the rename succeeded; on a failure
// it is moved back.
func ReplaceDir(tmp, path string) error {
	old := ""
	if _, err := os.Stat(path); err == nil {
		old = path + ".old"
		os.RemoveAll(old)
		if err := os.Rename(path, old); err != nil {
			return err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		if old != "" {
			os.Rename(old, path)
		}
		return err
	}
	if old != "" {
		os.RemoveAll(old)
	}
	return SyncDir(filepath.Dir(path))
}

// SyncDir makes a directory's entries (a rename, a new file or link)
// durable.
func SyncDir(dir string) error { return syncPath(dir) }

func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// RemoveStale removes the temporary files Create left beside path (default
// names, "."+base+".<random>.tmp") that nothing has written for olderThan:
// what a run killed mid-write (SIGKILL, a crash, power loss) left, which
// no deferred Cleanup ran for. One still being written is newer and stays.
// It returns the names it removed.
func RemoveStale(path string, olderThan time.Duration) ([]string, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	prefix := defaultPrefix(base)
	var removed []string
	for _, e := range entries {
		name := e.Name()
		rest, ok := strings.CutPrefix(name, prefix)
		if !ok || !e.Type().IsRegular() || !isTempSuffix(rest) {
			continue
		}
		fi, err := e.Info()
		if err != nil || time.Since(fi.ModTime()) < olderThan {
			continue // gone meanwhile, or still being written
		}
		p := filepath.Join(dir, name)
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, err
		}
		removed = append(removed, p)
	}
	return removed, nil
}

// isTempSuffix reports whether s is what name adds after the prefix.
func isTempSuffix(s string) bool {
	hexPart, ok := strings.CutSuffix(s, tempSuffix)
	if !ok || len(hexPart) != 2*randomBytes {
		return false
	}
	_, err := hex.DecodeString(hexPart)
	return err == nil
}
