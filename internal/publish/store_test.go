package publish

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/timing"
)

// publishRetake receives b and publishes it as slug's recording.
func publishRetake(tb testing.TB, st *Store, slug string, b []byte) {
	tb.Helper()
	up, err := st.Receive(bytes.NewReader(b), int64(len(b)))
	must(tb, err)
	_, err = st.Publish(slug, up, timingFor(tb, slug, b), Take{Origin: OriginUpload})
	must(tb, err)
}

func TestPublishThenRestore(t *testing.T) {
	dir := copyShow(t)
	st, removed, err := Open(dir)
	must(t, err)
	if len(removed) != 0 {
		t.Errorf("Open removed %v from a clean show", removed)
	}
	before := load(t, dir)
	old, _ := before.Episode(slug2)
	other, _ := before.Episode("01-my-youth-in-the-ussr")

	take := retake(t, slug2, "take 2")
	publishRetake(t, st, slug2, take)
	snap := load(t, dir)
	e, _ := snap.Episode(slug2)
	if e.Audio.SHA256 != sha(take) || e.Timing == nil || e.Timing.AudioSHA256 != sha(take) {
		t.Fatalf("after publish the show serves %.12s (timed %v), want %.12s with its timings", e.Audio.SHA256, e.Timing != nil, sha(take))
	}
	if e.Audio.Path == old.Audio.Path {
		t.Error("the new recording kept the old URL; players cache audio by URL")
	}
	// The snapshot serves the store's file, not the symlink: a later flip
	// cannot change what this snapshot's URL, length and ETag describe.
	if want := st.RecordingPath(sha(take)); e.Audio.File != want {
		t.Errorf("the snapshot serves %s, want the store's %s", e.Audio.File, want)
	}
	if o, _ := snap.Episode("01-my-youth-in-the-ussr"); o.Audio.SHA256 != other.Audio.SHA256 {
		t.Error("publishing one episode changed another")
	}
	if prev, _ := st.Previous(slug2); prev != old.Audio.SHA256 {
		t.Errorf("previous is %.12s, want the seed's %.12s", prev, old.Audio.SHA256)
	}

	got, err := st.Restore(slug2)
	must(t, err)
	if got != old.Audio.SHA256 {
		t.Errorf("Restore brought back %.12s, want %.12s", got, old.Audio.SHA256)
	}
	e, _ = load(t, dir).Episode(slug2)
	if e.Audio.SHA256 != old.Audio.SHA256 || e.Audio.Path != old.Audio.Path || e.Timing == nil {
		t.Errorf("after restore the show serves %s, want the seed's %s", e.Audio.Path, old.Audio.Path)
	}
	// Restoring again undoes the restore.
	if got, err := st.Restore(slug2); err != nil || got != sha(take) {
		t.Errorf("a second Restore = %.12s, %v; want the retake %.12s", got, err, sha(take))
	}

	// A third recording: the seed's stays as the previous one, and the
	// retake two publishes back stays too, as a take, until pruned.
	take3 := retake(t, slug2, "take 3")
	if _, err := st.Restore(slug2); err != nil {
		t.Fatal(err)
	}
	publishRetake(t, st, slug2, take3)
	if prev, _ := st.Previous(slug2); prev != old.Audio.SHA256 {
		t.Errorf("previous is %.12s, want the seed's %.12s", prev, old.Audio.SHA256)
	}
	if _, err := os.Stat(st.RecordingPath(sha(take))); err != nil {
		t.Errorf("the recording two publishes back was removed: %v", err)
	}
	if _, _, err := Open(dir); err != nil {
		t.Fatal(err)
	}
	ts, err := st.Takes(slug2)
	must(t, err)
	if len(ts) != 3 || ts[0].ID != "original" || ts[0].SHA256 != old.Audio.SHA256 || ts[1].SHA256 != sha(take) || ts[2].SHA256 != sha(take3) || !ts[2].Live {
		t.Fatalf("takes after three recordings and a restart: %+v", ts)
	}
	// Only an explicit prune removes a take: never the live one nor the
	// previous one.
	pruned, err := st.Prune(slug2, 1)
	must(t, err)
	if len(pruned) != 1 || pruned[0].SHA256 != sha(take) {
		t.Errorf("Prune(1) removed %+v, want only the retake", pruned)
	}
	if _, err := os.Stat(st.RecordingPath(sha(take))); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the pruned take is still stored: %v", err)
	}
	for _, keep := range []string{old.Audio.SHA256, sha(take3)} {
		if _, err := os.Stat(st.RecordingPath(keep)); err != nil {
			t.Errorf("Prune removed the live or previous recording %.12s: %v", keep, err)
		}
	}
	if l := leftovers(t, dir); len(l) > 0 {
		t.Errorf("temporary files left: %v", l)
	}
}

func TestRestoreWithoutPrevious(t *testing.T) {
	dir := copyShow(t)
	st, _, err := Open(dir)
	must(t, err)
	before := state(t, dir)
	if _, err := st.Restore(slug2); !errors.Is(err, ErrNoPrevious) {
		t.Errorf("Restore of a never published episode: %v, want ErrNoPrevious", err)
	}
	if _, err := st.Restore("../show"); !errors.Is(err, ErrBadSlug) {
		t.Errorf("Restore(../show): %v, want ErrBadSlug", err)
	}
	if state(t, dir) != before {
		t.Error("a refused restore changed the show")
	}
}

// TestCrashAtEveryStep stops a publish before each of its steps, as a
// crash would, then reopens the directory as a restarted server does: the
// show is the old one before the symlink's rename and the new one after,
// complete either way, and nothing temporary is left.
func TestCrashAtEveryStep(t *testing.T) {
	type crash struct{ step string }
	for _, tt := range []struct {
		step  string
		isNew bool
	}{
		{"timing", false}, {"recording", false}, {"previous", false}, {"link", false}, {"", true},
	} {
		t.Run("before "+tt.step, func(t *testing.T) {
			dir := copyShow(t)
			st, _, err := Open(dir)
			must(t, err)
			old, _ := load(t, dir).Episode(slug2)
			take := retake(t, slug2, "crash")
			up, err := st.Receive(bytes.NewReader(take), int64(len(take)))
			must(t, err)
			st.Pause = func(step string) {
				if step == tt.step {
					panic(crash{step})
				}
			}
			func() {
				defer func() {
					if v := recover(); v != nil {
						if _, ok := v.(crash); !ok {
							panic(v)
						}
					}
				}()
				_, err := st.Publish(slug2, up, timingFor(t, slug2, take), Take{Origin: OriginUpload})
				must(t, err)
			}()
			// What a write cut short by the crash leaves: a temporary file
			// in each directory publish writes to.
			for _, d := range []string{"audio", "audio/store", "audio/timings"} {
				must(t, os.WriteFile(filepath.Join(dir, d, tempPrefix+"x.tmp"), []byte("half"), 0o644))
			}

			_, removed, err := Open(dir)
			must(t, err)
			if l := leftovers(t, dir); len(l) > 0 {
				t.Errorf("after restart, temporary files remain: %v (removed %v)", l, removed)
			}
			e, _ := load(t, dir).Episode(slug2)
			want := old.Audio.SHA256
			if tt.isNew {
				want = sha(take)
			}
			if e.Audio.SHA256 != want || e.Timing == nil || e.Timing.AudioSHA256 != want {
				t.Errorf("after restart the show serves %.12s (timing of %v), want %.12s with its timing", e.Audio.SHA256, e.Timing != nil && e.Timing.AudioSHA256 != "", want)
			}
			// Before the take is listed, the recording provably belongs to
			// an unfinished publish and goes; once listed, it is a take of
			// the episode the operator can publish, and stays. The live
			// recording always stays.
			_, err = os.Stat(st.RecordingPath(sha(take)))
			switch tt.step {
			case "timing", "recording":
				if !errors.Is(err, os.ErrNotExist) {
					t.Errorf("the unlisted recording is still stored after restart: %v", err)
				}
			default:
				if err != nil {
					t.Errorf("the listed take was removed by the restart: %v", err)
				}
			}
			if _, err := os.Stat(st.RecordingPath(old.Audio.SHA256)); err != nil && tt.step != "timing" && tt.step != "recording" {
				t.Errorf("the recording live before the publish is not in the store: %v", err)
			}
		})
	}
}

func TestOpenRemovesLeftovers(t *testing.T) {
	dir := copyShow(t)
	st, _, err := Open(dir)
	must(t, err)
	publishRetake(t, st, slug2, retake(t, slug2, "kept"))
	orphan := retake(t, slug2, "orphan")
	mustWrite := func(p string, b []byte) { t.Helper(); must(t, os.WriteFile(p, b, 0o644)) }
	mustWrite(st.RecordingPath(sha(orphan)), orphan)
	mustWrite(catalog.TimingPath(dir, sha(orphan)), []byte("{}"))
	mustWrite(filepath.Join(dir, "audio", "store", uploadPrefix+"1.tmp"), []byte("partial"))
	mustWrite(filepath.Join(dir, "audio", tempPrefix+"2.tmp"), nil)
	// Files of the operator's are left alone, whatever they are called.
	mustWrite(filepath.Join(dir, "audio", "notes.txt"), []byte("mine"))
	before := load(t, dir)

	_, removed, err := Open(dir)
	must(t, err)
	if len(removed) != 4 {
		t.Errorf("Open removed %d files, want 4: %v", len(removed), removed)
	}
	for _, p := range []string{st.RecordingPath(sha(orphan)), catalog.TimingPath(dir, sha(orphan))} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s survived Open", p)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "audio", "notes.txt")); err != nil {
		t.Errorf("Open removed a file it does not own: %v", err)
	}
	after := load(t, dir)
	if string(after.Feed.Body) != string(before.Feed.Body) {
		t.Error("Open changed the show")
	}
}

func TestReceive(t *testing.T) {
	dir := copyShow(t)
	st, _, err := Open(dir)
	must(t, err)
	before := state(t, dir)
	body := bytes.Repeat([]byte("x"), 1000)

	if _, err := st.Receive(bytes.NewReader(body), 999); !errors.Is(err, ErrTooLarge) {
		t.Errorf("a body one byte past the limit: %v, want ErrTooLarge", err)
	}
	cut := io.MultiReader(bytes.NewReader(body[:500]), errReader{io.ErrUnexpectedEOF})
	if _, err := st.Receive(cut, 1000); err == nil || !strings.Contains(err.Error(), "after 500 bytes") {
		t.Errorf("a body cut off: %v, want an error saying where", err)
	}
	if state(t, dir) != before {
		t.Error("a refused upload left something behind")
	}

	up, err := st.Receive(bytes.NewReader(body), 1000)
	must(t, err)
	if up.Size != 1000 || up.SHA256 != sha(body) {
		t.Errorf("upload %d bytes %.12s, want 1000 %.12s", up.Size, up.SHA256, sha(body))
	}
	if fi, err := os.Stat(up.Path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("upload file: %v, mode %v; want readable by all", err, fi.Mode())
	}
	up.Discard()
	if state(t, dir) != before {
		t.Error("Discard left the upload behind")
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func TestPublishRefusesAMapOfAnotherRecording(t *testing.T) {
	dir := copyShow(t)
	st, _, err := Open(dir)
	must(t, err)
	take := retake(t, slug2, "x")
	up, err := st.Receive(bytes.NewReader(take), int64(len(take)))
	must(t, err)
	defer up.Discard()
	before := state(t, dir)
	m := timingFor(t, slug2, []byte("another recording"))
	if _, err := st.Publish(slug2, up, m, Take{}); err == nil {
		t.Error("Publish accepted a timing map of another recording")
	}
	if _, err := st.Publish("../escape", up, &timing.Map{AudioSHA256: up.SHA256}, Take{}); !errors.Is(err, ErrBadSlug) {
		t.Errorf("Publish(../escape): %v, want ErrBadSlug", err)
	}
	if state(t, dir) != before {
		t.Error("a refused publish changed the show")
	}
}

func TestValidSlug(t *testing.T) {
	for s, want := range map[string]bool{
		"01-my-youth-in-the-ussr": true, "a": true, "05-part-2": true,
		"": false, "..": false, "../x": false, "a/b": false, "A-b": false, "-a": false, "a-": false,
		"a--b": false, "a.mp3": false, "a\x00": false, ".hidden": false, "a b": false, "ä": false,
		strings.Repeat("a", 129): false,
	} {
		if got := ValidSlug(s); got != want {
			t.Errorf("ValidSlug(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestOpenKeepsARecordingNoLinkNamesAnyMore is the other direction of the
// crash clean-up: a published recording whose symlink was replaced (by
// readcast narrate, by the operator) is still a take of the episode, and
// the next Open keeps it.
func TestOpenKeepsARecordingNoLinkNamesAnyMore(t *testing.T) {
	dir := copyShow(t)
	st, _, err := Open(dir)
	must(t, err)
	take := retake(t, slug2, "published")
	publishRetake(t, st, slug2, take)
	link := filepath.Join(dir, catalog.AudioDir, slug2+".mp3")
	must(t, os.Remove(link))
	must(t, os.WriteFile(link, retake(t, slug2, "narrated over it"), 0o644))
	must(t, os.Remove(filepath.Join(dir, catalog.AudioDir, StoreDir, slug2+previousExt)))
	_, removed, err := Open(dir)
	must(t, err)
	if len(removed) > 0 {
		t.Errorf("Open removed %v", removed)
	}
	b, err := os.ReadFile(st.RecordingPath(sha(take)))
	if err != nil || !bytes.Equal(b, take) {
		t.Fatalf("the published recording is gone after its link was replaced: %v", err)
	}
	if tk, err := st.Take(slug2, "take-1"); err != nil || tk.SHA256 != sha(take) {
		t.Errorf("take-1 is %+v, %v", tk, err)
	}
}
