package publish

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/readcast/readcast/internal/audio"
	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/segment"
	"github.com/readcast/readcast/internal/timing"
)

// More errors a caller can act on.
var (
	// ErrBusy is returned by Upload when too many jobs are waiting.
	ErrBusy = errors.New("too many recordings are waiting to be published")
	// ErrUnknownJob is returned by Job for an id it does not know.
	ErrUnknownJob = errors.New("no such job")
)

// Episode is what a publish needs to know about an episode: its text.
type Episode struct {
	Outline segment.Episode
	// TextSHA256 is the source text's digest, recorded in the timing map.
	TextSHA256 string
	// Language is the show's, which the aligner must speak.
	Language string
}

// Progress is a progress report of an alignment: Done out of Total of a
// named stage ("decode", "reference", "align").
type Progress struct {
	Stage       string
	Done, Total float64
}

// Aligner finds when each sentence and word of an episode is spoken in the
// MP3 at path. It reports progress through progress, from any goroutine
// but never concurrently. The map it returns has every sentence of the
// episode, in order; Publisher fills in AudioSHA256 and TextSHA256.
type Aligner interface {
	Align(ctx context.Context, path string, ep Episode, progress func(Progress)) (*Alignment, error)
}

// Alignment is an aligner's result.
type Alignment struct {
	Map *timing.Map
	// Notes are what a narrator may want to fix (a skipped sentence, a
	// retake), one sentence each; the job reports them.
	Notes []string
}

// AlignerFunc is an Aligner made of a function.
type AlignerFunc func(ctx context.Context, path string, ep Episode, progress func(Progress)) (*Alignment, error)

// Align calls f.
func (f AlignerFunc) Align(ctx context.Context, path string, ep Episode, progress func(Progress)) (*Alignment, error) {
	return f(ctx, path, ep, progress)
}

// Config is what a Publisher works with.
type Config struct {
	Store   *Store
	Aligner Aligner
	// Reload rebuilds and serves the show from the directory, and returns
	// the snapshot now served. Publisher calls it after each change, rather
	// than waiting for a watcher to notice.
	Reload func(ctx context.Context, why string) (*catalog.Snapshot, error)
	// MaxUpload is the largest recording accepted, in bytes.
	MaxUpload int64
	// KeepTakes, when positive, prunes the episode's takes to that many
	// after each publish (Store.Prune); 0 keeps them all until pruned.
	KeepTakes int
	// MaxQueued bounds the jobs waiting for the aligner (default 8); each
	// holds its upload on disk.
	MaxQueued int
	// Verify, when set, loads the show as it would be served without
	// serving it. A take is published only when it succeeds: while the show
	// cannot reload (a broken show.json), publishing would change the files
	// without changing what is served, so the take is held instead.
	Verify func(ctx context.Context) error
	// Pause, when set, is called before each step of a publish, as
	// Store.Pause, and with "reload" before the reload.
	Pause func(step string)
	Log   *slog.Logger
	// Ended, when set, is told of every job that ends, done or failed
	// (for health and metrics).
	Ended func(Job)
}

// DefaultMaxUpload is the default upload limit: an hour and a half of
// speech at 320 kbit/s, more than any episode needs.
const DefaultMaxUpload = 256 << 20

// maxJobs bounds the finished jobs kept for GET /admin/jobs/{id}.
const maxJobs = 200

// Publisher runs publish jobs one at a time: alignment is heavy, and one
// change to the show at a time keeps every step simple to reason about.
type Publisher struct {
	cfg   Config
	queue chan *job

	mu    sync.Mutex
	jobs  map[string]*job
	order []string // ids, oldest first

	// publishing serializes changes to the live show (publish, restore)
	// with their reloads.
	publishing sync.Mutex
}

// JobState is where a job is.
type JobState string

// Job states, in order; a job ends done or failed.
const (
	JobQueued     JobState = "queued"
	JobAligning   JobState = "aligning"
	JobPublishing JobState = "publishing"
	JobDone       JobState = "done"
	JobFailed     JobState = "failed"
	// JobHeld: the take is aligned and kept, not published: its QA report
	// has notes, review was asked for, or the show cannot reload. It is
	// published by Publisher.PublishTake.
	JobHeld JobState = "held"
)

// Job is a snapshot of a publish job, for the admin API.
type Job struct {
	ID      string   `json:"id"`
	Episode string   `json:"episode"`
	State   JobState `json:"state"`
	// Stage names the step in progress ("validate", "decode",
	// "reference", "align", "publish", "reload").
	Stage string `json:"stage,omitempty"`
	// Progress goes from 0 to 1 over the whole job.
	Progress    float64 `json:"progress"`
	Error       string  `json:"error,omitempty"`
	AudioSHA256 string  `json:"audio_sha256"`
	Bytes       int64   `json:"bytes"`
	Duration    float64 `json:"duration"`
	AudioURL    string  `json:"audio_url,omitempty"`
	// Notes are the aligner's findings a narrator may want to fix.
	Notes []string `json:"notes,omitempty"`
	// QA says what the alignment checked, in one line: "all 43 sentences
	// found, lowest confidence 0.87" when there are no notes.
	QA string `json:"qa,omitempty"`
	// Take names the take in the store once it is kept (see GET
	// /admin/episodes/<slug>/takes).
	Take string `json:"take,omitempty"`
	// Held says why a held take is not published, and how to publish it.
	Held    string    `json:"held,omitempty"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

type job struct {
	Job
	ep     Episode
	up     *Upload
	info   audio.Info
	stages map[string]float64 // alignment stage → fraction done
	// review holds the take even when its report is clean; approved
	// publishes it even when it is not (the operator said so).
	review, approved bool
}

// UploadOptions change what happens to an upload once aligned.
type UploadOptions struct {
	// Review holds the take for approval even when its QA report is clean
	// (?review=always).
	Review bool
}

// New returns a publisher; call Run to start its worker.
func New(cfg Config) (*Publisher, error) {
	if cfg.Store == nil || cfg.Aligner == nil || cfg.Reload == nil {
		return nil, errors.New("publish: a publisher needs a store, an aligner and a reload function")
	}
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = DefaultMaxUpload
	}
	if cfg.MaxQueued <= 0 {
		cfg.MaxQueued = 8
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Pause != nil && cfg.Store.Pause == nil {
		cfg.Store.Pause = cfg.Pause
	}
	return &Publisher{cfg: cfg, queue: make(chan *job, cfg.MaxQueued), jobs: map[string]*job{}}, nil
}

// MaxUpload is the largest upload accepted, in bytes.
func (p *Publisher) MaxUpload() int64 { return p.cfg.MaxUpload }

// Store is the publisher's store.
func (p *Publisher) Store() *Store { return p.cfg.Store }

// Upload receives a recording of ep from body, validates it, and queues a
// job that aligns and publishes it. Receiving and validating happen before
// it returns, so that a bad file is refused at once: the error wraps
// ErrTooLarge or ErrInvalid then, and nothing stays on disk.
func (p *Publisher) Upload(ctx context.Context, ep Episode, body io.Reader, opt UploadOptions) (Job, error) {
	slug := ep.Outline.Slug
	if !ValidSlug(slug) {
		return Job{}, fmt.Errorf("publish: %q: %w", slug, ErrBadSlug)
	}
	up, err := p.cfg.Store.Receive(body, p.cfg.MaxUpload)
	if err != nil {
		return Job{}, err
	}
	info, err := Validate(ctx, up.Path, ep.Outline.Words)
	if err != nil {
		up.Discard()
		return Job{}, err
	}
	j := p.newJob(ep, up, info)
	j.review = opt.Review
	return p.enqueue(j)
}

func (p *Publisher) newJob(ep Episode, up *Upload, info audio.Info) *job {
	now := time.Now().UTC()
	up.TextKey = catalog.TextKey(ep.Outline)
	return &job{
		Job: Job{ID: newID(), Episode: ep.Outline.Slug, State: JobQueued, Stage: "validate", Progress: 0.05,
			AudioSHA256: up.SHA256, Bytes: up.Size, Duration: timing.Round(info.Duration), Created: now, Updated: now},
		ep: ep, up: up, info: info, stages: map[string]float64{},
	}
}

// enqueue queues a job, or refuses it when the queue is full.
func (p *Publisher) enqueue(j *job) (Job, error) {
	up, slug := j.up, j.Episode
	p.mu.Lock()
	select {
	case p.queue <- j:
	default:
		p.mu.Unlock()
		up.Discard()
		return Job{}, fmt.Errorf("publish: %w (%d); try again when one is done", ErrBusy, p.cfg.MaxQueued)
	}
	p.jobs[j.ID] = j
	p.order = append(p.order, j.ID)
	p.forgetOld()
	out := j.Job
	p.mu.Unlock()
	p.cfg.Log.Info("publish: job queued", "job", j.ID, "episode", slug, "bytes", up.Size, "duration", j.Duration, "audio_sha256", up.SHA256)
	return out, nil
}

// PublishTake queues a job that publishes the episode's take named id (a
// held take approved, or any earlier take brought back): it is aligned to
// the current text first when its timings for it are not known.
func (p *Publisher) PublishTake(ctx context.Context, ep Episode, id string) (Job, error) {
	slug := ep.Outline.Slug
	t, err := p.cfg.Store.Take(slug, id)
	if err != nil {
		return Job{}, err
	}
	path := p.cfg.Store.RecordingPath(t.SHA256)
	info, err := audio.ProbeFile(path)
	if err != nil {
		return Job{}, fmt.Errorf("publish: take %s of %s: %w", t.ID, slug, err)
	}
	j := p.newJob(ep, &Upload{Path: path, SHA256: t.SHA256, Size: t.Bytes, Kept: true}, info)
	j.approved, j.Take, j.QA, j.Notes = true, t.ID, t.QA, t.Notes
	return p.enqueue(j)
}

// forgetOld drops the oldest finished jobs past maxJobs; p.mu is held.
func (p *Publisher) forgetOld() {
	for len(p.order) > maxJobs {
		dropped := false
		for i, id := range p.order {
			if st := p.jobs[id].State; st == JobDone || st == JobFailed {
				delete(p.jobs, id)
				p.order = append(p.order[:i], p.order[i+1:]...)
				dropped = true
				break
			}
		}
		if !dropped {
			return
		}
	}
}

// Job returns the job with the given id.
func (p *Publisher) Job(id string) (Job, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	j, ok := p.jobs[id]
	if !ok {
		return Job{}, fmt.Errorf("publish: job %q: %w", id, ErrUnknownJob)
	}
	return j.Job, nil
}

// update changes a job under the lock and logs state changes.
func (p *Publisher) update(j *job, f func(*Job)) {
	p.mu.Lock()
	before := j.State
	f(&j.Job)
	j.Updated = time.Now().UTC()
	after := j.Job
	p.mu.Unlock()
	if after.State != before {
		attrs := []any{"job", after.ID, "episode", after.Episode, "state", after.State}
		if after.Error != "" {
			attrs = append(attrs, "err", after.Error)
		}
		if after.AudioURL != "" {
			attrs = append(attrs, "url", after.AudioURL)
		}
		level := slog.LevelInfo
		if after.State == JobFailed {
			level = slog.LevelError
		}
		p.cfg.Log.Log(context.Background(), level, "publish: job", attrs...)
		if (after.State == JobDone || after.State == JobFailed) && p.cfg.Ended != nil {
			p.cfg.Ended(after)
		}
	}
}

// Run works through the queue until ctx is done; uploads still waiting
// then are removed (a restart forgets jobs: their uploads would be orphans).
func (p *Publisher) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			for {
				select {
				case j := <-p.queue:
					j.up.Discard()
					p.update(j, func(s *Job) {
						s.State, s.Error = JobFailed, "the server shut down before publishing it; upload it again"
					})
				default:
					return
				}
			}
		case j := <-p.queue:
			p.run(ctx, j)
		}
	}
}

// run takes one job from its validated upload to the live show, or to a
// held take.
func (p *Publisher) run(ctx context.Context, j *job) {
	defer j.up.Discard() // a no-op once kept
	fail := func(err error) {
		p.update(j, func(s *Job) { s.State, s.Error = JobFailed, p.Public(err) })
	}
	m, err := p.timings(ctx, j)
	if err != nil {
		fail(err)
		return
	}
	p.publishing.Lock()
	defer p.publishing.Unlock()
	take := Take{ID: j.Take, Origin: OriginUpload, Bytes: j.Bytes, Duration: j.Duration, QA: j.QA, Notes: j.Notes}
	if j.approved {
		take.Origin = "" // a take of the store keeps the origin it has
	}
	hold := ""
	switch {
	case j.approved:
	case len(j.Notes) > 0:
		hold = fmt.Sprintf("the QA report has %d note(s); listen to the take on its preview page, then publish it or upload another", len(j.Notes))
	case j.review:
		hold = "review was asked for (?review=always)"
	}
	if hold == "" && p.cfg.Verify != nil {
		if err := p.cfg.Verify(ctx); err != nil {
			hold = "the show cannot reload, so nothing was published: " + err.Error()
		}
	}
	if hold != "" {
		t, err := p.cfg.Store.Hold(j.Episode, j.up, m, take)
		if err != nil {
			fail(err)
			return
		}
		p.update(j, func(s *Job) {
			s.State, s.Stage, s.Progress, s.Take = JobHeld, "", 1, t.ID
			s.Held = hold + "; publish it with POST /admin/episodes/" + j.Episode + "/takes/" + t.ID + "/publish"
		})
		return
	}
	p.update(j, func(s *Job) { s.State, s.Stage, s.Progress = JobPublishing, "publish", 0.92 })
	t, err := p.cfg.Store.Publish(j.Episode, j.up, m, take)
	if err != nil {
		fail(err)
		return
	}
	p.update(j, func(s *Job) { s.Stage, s.Progress, s.Take = "reload", 0.96, t.ID })
	if p.cfg.Pause != nil {
		p.cfg.Pause("reload")
	}
	url, err := p.reload(ctx, j.Episode, j.AudioSHA256, j.up.TextKey, "published a new recording of "+j.Episode)
	if err != nil {
		fail(err)
		return
	}
	if p.cfg.KeepTakes > 0 {
		removed, err := p.cfg.Store.Prune(j.Episode, p.cfg.KeepTakes)
		for _, t := range removed {
			p.cfg.Log.Info("publish: pruned a take (-keep-takes)", "episode", j.Episode, "take", t.ID, "audio_sha256", t.SHA256)
		}
		if err != nil {
			p.cfg.Log.Warn("publish: pruning takes failed; they stay", "episode", j.Episode, "err", err)
		}
	}
	p.update(j, func(s *Job) { s.State, s.Stage, s.Progress, s.AudioURL = JobDone, "", 1, url })
}

// timings returns the upload's timing map: the one already kept for this
// recording when there is one that fits the episode (a recording published
// before, or restored), otherwise a new alignment.
func (p *Publisher) timings(ctx context.Context, j *job) (*timing.Map, error) {
	dir := p.cfg.Store.Dir()
	for _, path := range []string{catalog.TimingPathFor(dir, j.AudioSHA256, j.up.TextKey), catalog.TimingPath(dir, j.AudioSHA256)} {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		if m, err := timing.Parse(data); err == nil && fits(m, j.ep, j.AudioSHA256, j.info) == nil {
			p.cfg.Log.Info("publish: the recording's timing map is known; no alignment needed", "job", j.ID)
			p.mu.Lock()
			if j.QA == "" {
				j.QA = qaSummary(m, nil)
			}
			p.mu.Unlock()
			return m, nil
		}
	}
	p.update(j, func(s *Job) { s.State, s.Stage, s.Progress = JobAligning, "decode", 0.1 })
	progress := func(pr Progress) {
		if pr.Total <= 0 {
			return
		}
		p.mu.Lock()
		j.stages[pr.Stage] = min(1, max(0, pr.Done/pr.Total))
		var sum float64
		for _, f := range j.stages {
			sum += f
		}
		// Three stages: decode and reference run together, then align.
		j.Progress = math.Round((0.1+0.8*sum/3)*1000) / 1000
		j.Stage = pr.Stage
		j.Updated = time.Now().UTC()
		p.mu.Unlock()
	}
	a, err := p.cfg.Aligner.Align(ctx, j.up.Path, j.ep, progress)
	if err != nil {
		return nil, fmt.Errorf("publish: align: %w", err)
	}
	if a == nil || a.Map == nil {
		return nil, errors.New("publish: align: the aligner returned no timing map")
	}
	m := a.Map
	p.mu.Lock()
	j.Notes = append([]string(nil), a.Notes...)
	j.QA = qaSummary(m, a.Notes)
	p.mu.Unlock()
	m.AudioSHA256 = j.AudioSHA256
	if m.TextSHA256 == "" {
		m.TextSHA256 = j.ep.TextSHA256
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("publish: align: %w", err)
	}
	if err := fits(m, j.ep, j.AudioSHA256, j.info); err != nil {
		return nil, fmt.Errorf("publish: align: the timing map %w", err)
	}
	return m, nil
}

// qaSummary is an alignment's report in one line, so that "no notes" never
// means "not checked".
func qaSummary(m *timing.Map, notes []string) string {
	found, lowest := 0, 1.0
	for _, s := range m.Sentences {
		if s.End > s.Start {
			found++
		}
		lowest = min(lowest, s.Confidence)
	}
	if len(notes) > 0 {
		return fmt.Sprintf("%d note(s); %d of %d sentences found, lowest confidence %.2f", len(notes), found, len(m.Sentences), lowest)
	}
	if found == len(m.Sentences) {
		return fmt.Sprintf("all %d sentences found, lowest confidence %.2f", len(m.Sentences), lowest)
	}
	return fmt.Sprintf("%d of %d sentences found, lowest confidence %.2f", found, len(m.Sentences), lowest)
}

// ErrShowBroken is wrapped when the show cannot reload, so nothing is
// published or restored.
var ErrShowBroken = errors.New("the show cannot reload")

// Restore makes the episode's previous recording live again and reloads
// the show. It returns the URL of the audio now served.
func (p *Publisher) Restore(ctx context.Context, slug string) (string, error) {
	p.publishing.Lock()
	defer p.publishing.Unlock()
	if p.cfg.Verify != nil {
		if err := p.cfg.Verify(ctx); err != nil {
			return "", fmt.Errorf("publish: nothing was restored: %w: %w", ErrShowBroken, err)
		}
	}
	sum, err := p.cfg.Store.Restore(slug)
	if err != nil {
		return "", err
	}
	p.cfg.Log.Info("publish: restored the previous recording", "episode", slug, "audio_sha256", sum)
	return p.reload(ctx, slug, sum, "", "restored the previous recording of "+slug)
}

// reload has the show reloaded and checks that it serves recording sum for
// the episode, with its timings — unless the episode's text changed since
// they were made for textKey: the recording is live then, and the server
// aligns it to the new text in the background.
func (p *Publisher) reload(ctx context.Context, slug, sum, textKey, why string) (string, error) {
	snap, err := p.cfg.Reload(ctx, why)
	if err != nil {
		return "", fmt.Errorf("publish: the recording is published, but the show did not reload (the previous show is served until a reload succeeds): %w", err)
	}
	e, err := snap.Episode(slug)
	if err != nil {
		return "", fmt.Errorf("publish: the reloaded show has no episode %s", slug)
	}
	if e.Audio == nil || e.RecordingSHA256 != sum {
		return "", fmt.Errorf("publish: the reloaded show does not serve recording %.12s… for %s", sum, slug)
	}
	if e.Timing == nil && (textKey == "" || catalog.TextKey(e.Outline) == textKey) {
		return "", fmt.Errorf("publish: the reloaded show serves %s without timings", slug)
	}
	return snap.BaseURL + e.Audio.Path, nil
}

// fits checks that a timing map times this recording of this episode, by
// the rules the catalog loads it with.
func fits(m *timing.Map, ep Episode, sum string, info audio.Info) error {
	if m.AudioSHA256 != sum {
		return fmt.Errorf("is of recording %.12s…, not %.12s…", m.AudioSHA256, sum)
	}
	if d := math.Abs(m.Duration - info.Duration); d > 0.05 {
		return fmt.Errorf("lasts %.3f s, the recording %.3f s", m.Duration, info.Duration)
	}
	i := 0
	for _, c := range ep.Outline.Chapters {
		for _, para := range c.Paragraphs {
			for _, s := range para.Sentences {
				if i >= len(m.Sentences) || m.Sentences[i].ID != s.ID {
					return fmt.Errorf("does not time sentence %d (%s) of the episode", i+1, s.ID)
				}
				i++
			}
		}
	}
	if i != len(m.Sentences) {
		return fmt.Errorf("times %d sentences, the episode has %d", len(m.Sentences), i)
	}
	return nil
}

// Public is an error's message for a client of the admin API: without the
// server's file paths (a path of a file error is cut to its base name, the
// episodes directory's path is left out).
func (p *Publisher) Public(err error) string {
	msg := err.Error()
	for e := err; e != nil; e = errors.Unwrap(e) {
		switch fe := e.(type) {
		case *fs.PathError:
			msg = strings.ReplaceAll(msg, fe.Path, filepath.Base(fe.Path))
		case *os.LinkError:
			msg = strings.ReplaceAll(msg, fe.Old, filepath.Base(fe.Old))
			msg = strings.ReplaceAll(msg, fe.New, filepath.Base(fe.New))
		}
	}
	dir := p.cfg.Store.Dir()
	if abs, err := filepath.Abs(dir); err == nil {
		msg = strings.ReplaceAll(msg, abs+string(filepath.Separator), "")
	}
	return strings.ReplaceAll(msg, filepath.Clean(dir)+string(filepath.Separator), "")
}

func newID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
