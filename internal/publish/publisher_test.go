package publish

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/timing"
)

// testPublisher publishes into a copy of the seed show, reloading it as
// serve does.
type testPublisher struct {
	*Publisher
	dir string
	mu  sync.Mutex
	cur *catalog.Snapshot
}

func newTestPublisher(tb testing.TB, aligner Aligner, run bool) *testPublisher {
	tb.Helper()
	dir := copyShow(tb)
	st, _, err := Open(dir)
	must(tb, err)
	tp := &testPublisher{dir: dir, cur: load(tb, dir)}
	pub, err := New(Config{
		Store: st, Aligner: aligner, MaxQueued: 1,
		Reload: func(ctx context.Context, why string) (*catalog.Snapshot, error) {
			snap, err := catalog.Load(ctx, catalog.Config{Dir: dir, BaseURL: "http://readcast.test"}, nil)
			if err == nil {
				tp.mu.Lock()
				tp.cur = snap
				tp.mu.Unlock()
			}
			return snap, err
		},
	})
	must(tb, err)
	tp.Publisher = pub
	if run {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { pub.Run(ctx); close(done) }()
		tb.Cleanup(func() { cancel(); <-done })
	}
	return tp
}

func (tp *testPublisher) episode(tb testing.TB, slug string) Episode {
	tb.Helper()
	tp.mu.Lock()
	defer tp.mu.Unlock()
	e, err := tp.cur.Episode(slug)
	must(tb, err)
	return Episode{Outline: e.Outline, TextSHA256: tp.cur.Outline.SourceSHA}
}

// wait polls a job until it ends; it bounds the wait, it does not time it.
func (tp *testPublisher) wait(tb testing.TB, id string) Job {
	tb.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		j, err := tp.Job(id)
		must(tb, err)
		if j.State == JobDone || j.State == JobFailed || j.State == JobHeld {
			return j
		}
	}
	tb.Fatalf("job %s did not end", id)
	return Job{}
}

func TestUploadAlignsAndPublishes(t *testing.T) {
	t.Parallel()
	calls := 0
	tp := newTestPublisher(t, sidecarAligner(&calls), true)
	take := retake(t, slug2, "person")
	j, err := tp.Upload(context.Background(), tp.episode(t, slug2), bytes.NewReader(take), UploadOptions{})
	must(t, err)
	if j.State != JobQueued || j.AudioSHA256 != sha(take) || j.Bytes != int64(len(take)) {
		t.Errorf("the new job is %+v", j)
	}
	j = tp.wait(t, j.ID)
	// The aligner has a note: the take is held, the show unchanged.
	if j.State != JobHeld || j.Take != "take-1" || j.Held == "" || !strings.HasPrefix(j.QA, "1 note(s)") {
		t.Fatalf("job with a note ended %+v, want held as take-1", j)
	}
	if len(j.Notes) != 1 || j.Notes[0] != "sentence 3 was read twice" {
		t.Errorf("job notes %q, want the aligner's", j.Notes)
	}
	if e, _ := tp.cur.Episode(slug2); e.RecordingSHA256 == sha(take) {
		t.Fatal("a held take was published")
	}
	j, err = tp.PublishTake(context.Background(), tp.episode(t, slug2), "take-1")
	must(t, err)
	j = tp.wait(t, j.ID)
	if j.State != JobDone || j.Progress != 1 || j.Error != "" || calls != 1 {
		t.Fatalf("approved job ended %+v after %d alignments", j, calls)
	}
	e, _ := tp.cur.Episode(slug2)
	if e.RecordingSHA256 != sha(take) || e.Timing == nil || e.Timing.Method != timing.MethodAligned {
		t.Fatalf("the show serves %.12s, want the upload %.12s with aligned timings", e.RecordingSHA256, sha(take))
	}
	if j.AudioURL != tp.cur.BaseURL+e.Audio.Path {
		t.Errorf("job says the audio is at %s, the show serves %s", j.AudioURL, e.Audio.Path)
	}
	if e.Timing.TextSHA256 != tp.cur.Outline.SourceSHA {
		t.Errorf("the timing map's text_sha256 is %q, want the source's", e.Timing.TextSHA256)
	}

	// The same recording again needs no alignment: its timings are kept.
	j, err = tp.Upload(context.Background(), tp.episode(t, slug2), bytes.NewReader(take), UploadOptions{})
	must(t, err)
	if j = tp.wait(t, j.ID); j.State != JobDone || calls != 1 {
		t.Errorf("re-uploading a published recording: job %s, %d alignments; want done, 1", j.State, calls)
	}

	url, err := tp.Restore(context.Background(), slug2)
	must(t, err)
	if e, _ := tp.cur.Episode(slug2); e.RecordingSHA256 == sha(take) || url != tp.cur.BaseURL+e.Audio.Path {
		t.Errorf("after Restore the show serves %s (%s)", e.Audio.Path, url)
	}
	if l := leftovers(t, tp.dir); len(l) > 0 {
		t.Errorf("temporary files left: %v", l)
	}
}

func TestFailedAlignmentLeavesTheShow(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		aligner Aligner
		want    string
	}{
		{"aligner error", AlignerFunc(func(context.Context, string, Episode, func(Progress)) (*Alignment, error) {
			return nil, errors.New("the text does not match the recording")
		}), "does not match"},
		{"a map of other sentences", AlignerFunc(func(ctx context.Context, p string, ep Episode, pr func(Progress)) (*Alignment, error) {
			a, err := sidecarAligner(nil).Align(ctx, p, ep, pr)
			if err == nil {
				a.Map.Sentences = a.Map.Sentences[1:]
			}
			return a, err
		}), "does not time sentence 1"},
		{"a map of another length", AlignerFunc(func(ctx context.Context, p string, ep Episode, pr func(Progress)) (*Alignment, error) {
			a, err := sidecarAligner(nil).Align(ctx, p, ep, pr)
			if err == nil {
				a.Map.Duration += 1
			}
			return a, err
		}), "lasts"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tp := newTestPublisher(t, tt.aligner, true)
			before := state(t, tp.dir)
			j, err := tp.Upload(context.Background(), tp.episode(t, slug2), bytes.NewReader(retake(t, slug2, "bad")), UploadOptions{})
			must(t, err)
			j = tp.wait(t, j.ID)
			if j.State != JobFailed || !strings.Contains(j.Error, tt.want) {
				t.Errorf("job ended %s %q, want failed saying %q", j.State, j.Error, tt.want)
			}
			if got := state(t, tp.dir); got != before {
				t.Errorf("a failed job changed the show:\n%s\nwant\n%s", got, before)
			}
		})
	}
}

func TestUploadRefusals(t *testing.T) {
	t.Parallel()
	tp := newTestPublisher(t, sidecarAligner(nil), false)
	tp.cfg.MaxUpload = 1 << 20
	before := state(t, tp.dir)
	ep := tp.episode(t, slug2)
	for _, tt := range badRecordings(t) {
		if tt.words != ep.Outline.Words {
			continue
		}
		if _, err := tp.Upload(context.Background(), ep, bytes.NewReader(tt.body), UploadOptions{}); !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: %v, want ErrInvalid or ErrTooLarge", tt.name, err)
		}
	}
	if _, err := tp.Upload(context.Background(), ep, bytes.NewReader(make([]byte, 1<<20+1)), UploadOptions{}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("past the limit: %v, want ErrTooLarge", err)
	}
	if state(t, tp.dir) != before {
		t.Error("a refused upload changed the show or left a file")
	}

	// With no worker running, one job fills the queue and the next is
	// refused as busy, its upload removed.
	tp.cfg.MaxUpload = DefaultMaxUpload
	take := retake(t, slug2, "one")
	if _, err := tp.Upload(context.Background(), ep, bytes.NewReader(take), UploadOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := tp.Upload(context.Background(), ep, bytes.NewReader(retake(t, slug2, "two")), UploadOptions{}); !errors.Is(err, ErrBusy) {
		t.Errorf("a second upload with a full queue: %v, want ErrBusy", err)
	}
	if n := len(leftovers(t, tp.dir)); n != 1 {
		t.Errorf("%d uploads on disk, want the queued one only", n)
	}
	// Shutting down discards what is queued.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tp.Run(ctx)
	if l := leftovers(t, tp.dir); len(l) != 0 {
		t.Errorf("uploads left after shutdown: %v", l)
	}
	if _, err := tp.Job("nope"); !errors.Is(err, ErrUnknownJob) {
		t.Errorf("Job(nope): %v, want ErrUnknownJob", err)
	}
}

// TestKeepTakesPrunesAfterEachPublish: with KeepTakes (serve -keep-takes)
// the episode keeps that many takes after each publish, never the live one
// nor the one restore brings back; held takes wait for approval.
func TestKeepTakesPrunesAfterEachPublish(t *testing.T) {
	t.Parallel()
	tp := newTestPublisher(t, sidecarAligner(nil), true)
	tp.cfg.KeepTakes = 2
	for i, name := range []string{"one", "two", "three"} {
		j, err := tp.Upload(context.Background(), tp.episode(t, slug2), bytes.NewReader(retake(t, slug2, name)), UploadOptions{})
		must(t, err)
		if j = tp.wait(t, j.ID); j.State != JobHeld {
			t.Fatalf("take %d with a note ended %s, want held", i+1, j.State)
		}
		j, err = tp.PublishTake(context.Background(), tp.episode(t, slug2), j.Take)
		must(t, err)
		if j = tp.wait(t, j.ID); j.State != JobDone {
			t.Fatalf("approving take %d ended %+v", i+1, j)
		}
	}
	ts, err := tp.Store().Takes(slug2)
	must(t, err)
	var ids []string
	for _, tk := range ts {
		ids = append(ids, tk.ID)
	}
	if strings.Join(ids, " ") != "take-2 take-3" || !ts[1].Live {
		t.Errorf("takes kept: %v, want take-2 (previous) and take-3 (live)", ids)
	}
	if _, err := os.Stat(tp.Store().RecordingPath(sha(retake(t, slug2, "one")))); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the pruned take-1 is still stored: %v", err)
	}
}
