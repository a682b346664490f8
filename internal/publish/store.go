package publish

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/readcast/readcast/internal/atomicfile"
	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/timing"
)

// Names inside the episodes directory.
const (
	// StoreDir, under catalog.AudioDir, holds recordings by content hash.
	StoreDir = "store"
	// previousExt names the symlink to an episode's previous recording.
	previousExt = ".previous"
	// uploadPrefix and tempPrefix start the names of files being written;
	// the leading dot keeps catalog.Watch from reloading for them, and Open
	// removes any a crash left behind. Nothing else in the directory uses
	// these prefixes.
	uploadPrefix = ".upload-"
	tempPrefix   = ".publish-"
)

// The store's temporary files, by their prefixes (see Open).
var (
	temps   = atomicfile.Temps{Prefix: tempPrefix}
	uploads = atomicfile.Temps{Prefix: uploadPrefix}
)

// Errors a caller can act on.
var (
	// ErrTooLarge is returned by Receive for a body past the limit.
	ErrTooLarge = errors.New("the upload is larger than the limit")
	// ErrNoPrevious is returned by Restore when there is nothing to go
	// back to.
	ErrNoPrevious = errors.New("no previous recording to restore")
	// ErrBadSlug is wrapped when a slug could name a path outside the
	// audio directory, or is not a slug at all.
	ErrBadSlug = errors.New("not an episode slug")
)

// slugPattern is what segment makes: lowercase ASCII letters and digits
// joined by hyphens. Nothing matching it can step out of a directory.
var slugPattern = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// ValidSlug reports whether s is shaped like an episode slug.
func ValidSlug(s string) bool { return len(s) <= 128 && slugPattern.MatchString(s) }

// hashPattern is a content address.
var hashPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Store keeps an episodes directory's recordings. Its methods are safe for
// concurrent use; changes to the directory are made one at a time.
type Store struct {
	dir                   string // the episodes directory
	audio, store, timings string

	// Pause, when set, is called before each step of Publish with the
	// step's name ("timing", "recording", "previous", "link"); tests use it
	// to stop a process in the middle of a publish.
	Pause func(step string)

	mu sync.Mutex
}

// Open returns the store of the episodes directory dir, creating its
// folders. It first undoes what an interrupted upload or publish can leave:
// it removes partial uploads and temporary files, and recordings in the
// store that no episode names (written by a publish that did not reach its
// final rename). It returns the paths it removed.
func Open(dir string) (*Store, []string, error) {
	s := &Store{
		dir:     dir,
		audio:   filepath.Join(dir, catalog.AudioDir),
		store:   filepath.Join(dir, catalog.AudioDir, StoreDir),
		timings: catalog.TimingsPath(dir),
	}
	for _, d := range []string{s.store, s.timings} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, nil, fmt.Errorf("publish: %w", err)
		}
	}
	var removed []string
	for _, d := range []string{s.audio, s.store, s.timings} {
		entries, err := os.ReadDir(d)
		if err != nil {
			return nil, nil, fmt.Errorf("publish: %w", err)
		}
		for _, e := range entries {
			if n := e.Name(); strings.HasPrefix(n, uploadPrefix) || strings.HasPrefix(n, tempPrefix) {
				p := filepath.Join(d, n)
				if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return nil, nil, fmt.Errorf("publish: remove a leftover temporary file: %w", err)
				}
				removed = append(removed, p)
			}
		}
	}
	pruned, err := s.prune()
	if err != nil {
		return nil, nil, err
	}
	return s, append(removed, pruned...), nil
}

// Dir is the episodes directory.
func (s *Store) Dir() string { return s.dir }

// Upload is a received body on disk, not yet published.
type Upload struct {
	Path   string // a temporary file in the store
	SHA256 string
	Size   int64
	// TextKey names the episode text the timing map is for
	// (catalog.TextKey); the map is kept under it.
	TextKey string
	// Kept marks a take already in the store: Discard leaves it.
	Kept bool
}

// Discard removes an upload that will not be published. It is safe to call
// after Publish, and more than once; it never removes a kept take.
func (u *Upload) Discard() {
	if u != nil && u.Path != "" && !u.Kept {
		os.Remove(u.Path)
	}
}

// Receive streams r to a temporary file in the store, hashing it on the
// way, and syncs it to disk. It reads at most limit bytes: a body past the
// limit is ErrTooLarge. On any error nothing is left on disk.
func (s *Store) Receive(r io.Reader, limit int64) (*Upload, error) {
	f, err := uploads.Create(filepath.Join(s.store, "upload"), 0o644)
	if err != nil {
		return nil, fmt.Errorf("publish: receive: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			f.Cleanup()
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("publish: receive: after %d bytes: %w", n, err)
	}
	if n > limit {
		return nil, fmt.Errorf("publish: receive: %w (%d bytes)", ErrTooLarge, limit)
	}
	// The upload stays a temporary file until Publish moves it to the
	// name its hash gives (atomicfile.Move).
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("publish: receive: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("publish: receive: %w", err)
	}
	ok = true
	return &Upload{Path: f.Name(), SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}, nil
}

// linkPath is the episode's live audio/<slug>.mp3.
func (s *Store) linkPath(slug string) string { return filepath.Join(s.audio, slug+".mp3") }

// RecordingPath is where the recording with the given content hash is kept.
func (s *Store) RecordingPath(sum string) string { return filepath.Join(s.store, sum+".mp3") }

func (s *Store) previousPath(slug string) string { return filepath.Join(s.store, slug+previousExt) }

// Current returns the content hash of the episode's live recording, or ""
// when it has none.
func (s *Store) Current(slug string) (string, error) {
	if !ValidSlug(slug) {
		return "", fmt.Errorf("publish: %q: %w", slug, ErrBadSlug)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sum, _, err := s.current(slug)
	return sum, err
}

// Previous returns the content hash of the recording Restore would bring
// back, or "".
func (s *Store) Previous(slug string) (string, error) {
	if !ValidSlug(slug) {
		return "", fmt.Errorf("publish: %q: %w", slug, ErrBadSlug)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.previous(slug)
}

// current reads audio/<slug>.mp3: the hash its symlink names, or, for a
// regular file, the hash of its bytes (linked reports which).
func (s *Store) current(slug string) (sum string, linked bool, err error) {
	p := s.linkPath(slug)
	fi, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("publish: %w", err)
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		if sum, ok := s.storeTarget(p, StoreDir); ok {
			return sum, true, nil
		}
		// A symlink of the operator's own: its target is read like a
		// regular file, and copied into the store when adopted.
	}
	sum, err = timing.HashFile(p)
	if err != nil {
		return "", false, fmt.Errorf("publish: %w", err)
	}
	return sum, false, nil
}

// storeTarget reads the symlink at p and returns the hash of the store
// recording it names; dir is the store's path relative to the link's
// directory: StoreDir for links in audio/, "." for links in the store. A
// link anywhere else is not one of ours.
func (s *Store) storeTarget(p, dir string) (string, bool) {
	t, err := os.Readlink(p)
	if err != nil || filepath.Dir(t) != dir {
		return "", false
	}
	sum, ok := strings.CutSuffix(filepath.Base(t), ".mp3")
	if !ok || !hashPattern.MatchString(sum) {
		return "", false
	}
	return sum, true
}

func (s *Store) previous(slug string) (string, error) {
	p := s.previousPath(slug)
	if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	sum, ok := s.storeTarget(p, ".")
	if !ok {
		return "", fmt.Errorf("publish: %s does not name a recording in the store", p)
	}
	return sum, nil
}

// Publish makes up the episode's live recording, with m its timing map. In
// order, each step durable before the next: the timing map at its
// content-addressed path, the recording in the store and in the episode's
// takes, the previous pointer, and last the symlink audio/<slug>.mp3,
// replaced by one rename. A crash before that rename leaves the old
// recording live; after it, the new one with its timings. t says what the
// take is (origin, QA); Publish returns it as recorded.
//
// A publish that fails removes at once what it wrote (the timing map, the
// recording, the previous pointer it moved, the takes it listed), so the
// store is as before.
func (s *Store) Publish(slug string, up *Upload, m *timing.Map, t Take) (Take, error) {
	return s.store1(slug, up, m, t, true)
}

// Hold keeps the upload as a held take of the episode, with its timing
// map, without publishing it: the show is not changed.
func (s *Store) Hold(slug string, up *Upload, m *timing.Map, t Take) (Take, error) {
	t.State = TakeHeld
	return s.store1(slug, up, m, t, false)
}

func (s *Store) store1(slug string, up *Upload, m *timing.Map, t Take, live bool) (_ Take, err error) {
	if !ValidSlug(slug) {
		return Take{}, fmt.Errorf("publish: %q: %w", slug, ErrBadSlug)
	}
	if m.AudioSHA256 != up.SHA256 {
		return Take{}, fmt.Errorf("publish: the timing map is of recording %.12s…, the upload is %.12s…", m.AudioSHA256, up.SHA256)
	}
	data, err := timing.Marshal(m)
	if err != nil {
		return Take{}, fmt.Errorf("publish: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tp := catalog.TimingPath(s.dir, up.SHA256)
	if up.TextKey != "" {
		tp = catalog.TimingPathFor(s.dir, up.SHA256, up.TextKey)
	}
	undo := s.undoer(slug, up.SHA256, tp)
	defer func() {
		if err != nil {
			undo()
		}
	}()
	s.pause("timing")
	if err := temps.Write(tp, data, 0o644); err != nil {
		return Take{}, fmt.Errorf("publish: timing map: %w", err)
	}
	s.pause("recording")
	rec := s.RecordingPath(up.SHA256)
	if up.Path != rec {
		if err := atomicfile.Move(up.Path, rec); err != nil {
			return Take{}, fmt.Errorf("publish: %w", err)
		}
		up.Path = ""
	}
	// The recording it replaces is kept first, then the new one is listed:
	// once listed, no clean-up removes it.
	cur, err := s.adopt(slug)
	if err != nil {
		return Take{}, err
	}
	if live && t.State == TakeHeld {
		t.State = TakeKept
	}
	if t.State == "" {
		t.State = TakeKept
	}
	t.SHA256 = up.SHA256
	if t, err = s.addTake(slug, t); err != nil {
		return Take{}, err
	}
	if !live {
		return t, nil
	}
	s.pause("previous")
	if cur != "" && cur != up.SHA256 {
		if err := temps.Symlink(cur+".mp3", s.previousPath(slug)); err != nil {
			return Take{}, fmt.Errorf("publish: %w", err)
		}
	}
	s.pause("link")
	if err := temps.Symlink(filepath.Join(StoreDir, up.SHA256+".mp3"), s.linkPath(slug)); err != nil {
		return Take{}, fmt.Errorf("publish: %w", err)
	}
	// The new recording is live. What pruning cannot remove now, the next
	// Open will: it is no reason to call the publish failed.
	s.prune()
	return t, nil
}

// undoer notes what a publish of recording sum for slug may change, and
// returns the function that puts it back: the files the publish creates
// (its timing map and recording, and the copies adopt keeps of the live
// recording) are removed when they were not there before, and the
// previous pointer and the list of takes are as they were. s.mu is held.
func (s *Store) undoer(slug, sum, timingPath string) func() {
	made := []string{timingPath, s.RecordingPath(sum)}
	if cur, linked, err := s.current(slug); err == nil && cur != "" && !linked {
		made = append(made, s.RecordingPath(cur), catalog.TimingPath(s.dir, cur))
	}
	var absent []string
	for _, p := range made {
		if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
			absent = append(absent, p)
		}
	}
	prev := s.previousPath(slug)
	prevTarget, prevErr := os.Readlink(prev)
	takes, takesErr := os.ReadFile(s.takesPath(slug))
	return func() {
		switch {
		case takesErr == nil:
			temps.Write(s.takesPath(slug), takes, 0o644)
		case errors.Is(takesErr, fs.ErrNotExist):
			os.Remove(s.takesPath(slug))
		}
		for _, p := range absent {
			os.Remove(p)
		}
		switch {
		case prevErr == nil:
			if t, err := os.Readlink(prev); err != nil || t != prevTarget {
				temps.Symlink(prevTarget, prev)
			}
		case errors.Is(prevErr, fs.ErrNotExist):
			if _, err := os.Readlink(prev); err == nil {
				os.Remove(prev)
			}
		}
	}
}

// Restore makes the episode's previous recording live again, and the one
// it replaces the previous: restoring twice undoes a restore. It returns
// the hash of the recording now live.
func (s *Store) Restore(slug string) (string, error) {
	if !ValidSlug(slug) {
		return "", fmt.Errorf("publish: %q: %w", slug, ErrBadSlug)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	prev, err := s.previous(slug)
	if err != nil {
		return "", err
	}
	cur, _, err := s.current(slug)
	if err != nil {
		return "", err
	}
	if prev == "" || prev == cur {
		return "", fmt.Errorf("publish: episode %s: %w", slug, ErrNoPrevious)
	}
	if _, err := os.Stat(s.RecordingPath(prev)); err != nil {
		return "", fmt.Errorf("publish: episode %s: %w: %w", slug, ErrNoPrevious, err)
	}
	if maps, _ := filepath.Glob(filepath.Join(s.timings, prev+"*.json")); len(maps) == 0 {
		return "", fmt.Errorf("publish: episode %s: the previous recording has no timing map", slug)
	}
	if cur, err = s.adopt(slug); err != nil {
		return "", err
	}
	if cur != "" {
		if err := temps.Symlink(cur+".mp3", s.previousPath(slug)); err != nil {
			return "", fmt.Errorf("publish: %w", err)
		}
	}
	if err := temps.Symlink(filepath.Join(StoreDir, prev+".mp3"), s.linkPath(slug)); err != nil {
		return "", fmt.Errorf("publish: %w", err)
	}
	return prev, nil
}

// adopt makes sure the episode's live recording is in the store, so that
// it can be restored once replaced: a regular audio/<slug>.mp3 is
// hard-linked (or copied) there, with its sidecar copied to TimingPath when
// the sidecar is of this recording. It returns the recording's hash, "" when
// the episode has none.
func (s *Store) adopt(slug string) (string, error) {
	sum, linked, err := s.current(slug)
	if err != nil || sum == "" {
		return sum, err
	}
	if linked {
		_, err := s.addTake(slug, Take{SHA256: sum, Origin: OriginAdopted})
		return sum, err
	}
	rec := s.RecordingPath(sum)
	if _, err := os.Stat(rec); errors.Is(err, fs.ErrNotExist) {
		if err := linkOrCopy(s.linkPath(slug), rec); err != nil {
			return "", fmt.Errorf("publish: keep the live recording of %s: %w", slug, err)
		}
		if err := atomicfile.SyncDir(s.store); err != nil {
			return "", fmt.Errorf("publish: %w", err)
		}
	}
	if _, err := s.addTake(slug, Take{SHA256: sum, Origin: OriginAdopted}); err != nil {
		return "", err
	}
	tp := catalog.TimingPath(s.dir, sum)
	if _, err := os.Stat(tp); errors.Is(err, fs.ErrNotExist) {
		data, err := os.ReadFile(filepath.Join(s.audio, slug+catalog.TimingExt))
		if err == nil {
			if m, err := timing.Parse(data); err == nil && m.AudioSHA256 == sum {
				if err := temps.Write(tp, data, 0o644); err != nil {
					return "", fmt.Errorf("publish: keep the timing map of %s: %w", slug, err)
				}
			}
		}
	}
	return sum, nil
}

// prune removes the recordings in the store that no episode's live symlink,
// previous pointer or list of takes names: what a publish that did not
// reach its end left (a take is listed before the link to it is made), or
// a take the operator pruned. Their timing maps go too, unless a regular
// recording in audio/ has the same bytes. Only what a publish made is in
// the store, so nothing else is touched.
func (s *Store) prune() ([]string, error) {
	keep, err := s.taken()
	if err != nil {
		// An unreadable list of takes: remove nothing rather than guess.
		return nil, err
	}
	entries, err := os.ReadDir(s.audio)
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	regular := map[int64][]string{} // regular recordings in audio/ by size
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".mp3") {
			continue
		}
		p := filepath.Join(s.audio, e.Name())
		if e.Type()&fs.ModeSymlink != 0 {
			if sum, ok := s.storeTarget(p, StoreDir); ok {
				keep[sum] = true
			}
		} else if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() {
			regular[fi.Size()] = append(regular[fi.Size()], p)
		}
	}
	stored, err := os.ReadDir(s.store)
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	for _, e := range stored {
		if strings.HasSuffix(e.Name(), previousExt) {
			if sum, ok := s.storeTarget(filepath.Join(s.store, e.Name()), "."); ok {
				keep[sum] = true
			}
		}
	}
	var removed []string
	for _, e := range stored {
		sum, ok := strings.CutSuffix(e.Name(), ".mp3")
		if !ok || !hashPattern.MatchString(sum) || keep[sum] {
			continue
		}
		p := filepath.Join(s.store, e.Name())
		fi, err := e.Info()
		if err != nil {
			continue
		}
		if err := os.Remove(p); err != nil {
			return removed, fmt.Errorf("publish: prune: %w", err)
		}
		removed = append(removed, p)
		if sameAsAny(sum, regular[fi.Size()]) {
			continue
		}
		tp := catalog.TimingPath(s.dir, sum)
		if err := os.Remove(tp); err == nil {
			removed = append(removed, tp)
		}
	}
	return removed, nil
}

// sameAsAny reports whether any of the files has content hash sum.
func sameAsAny(sum string, files []string) bool {
	for _, f := range files {
		if h, err := timing.HashFile(f); err == nil && h == sum {
			return true
		}
	}
	return false
}

func (s *Store) pause(step string) {
	if s.Pause != nil {
		s.Pause(step)
	}
}

// linkOrCopy makes dst a hard link of the regular file src, or a synced
// copy where the file system has no hard links or src is a symlink.
func linkOrCopy(src, dst string) error {
	if fi, err := os.Lstat(src); err == nil && fi.Mode().IsRegular() {
		if err := os.Link(src, dst); err == nil {
			return nil
		}
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := temps.Create(dst, 0o644)
	if err != nil {
		return err
	}
	defer out.Cleanup()
	if _, err := io.Copy(out, in); err != nil {
		return err
	}
	return out.Commit()
}
