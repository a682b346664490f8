package narrate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/readcast/readcast/internal/audio"
	"github.com/readcast/readcast/internal/segment"
	"github.com/readcast/readcast/internal/timing"
)

// Result is what narrating one episode made.
type Result struct {
	Slug      string
	Audio     string  // path of the MP3
	Sidecar   string  // path of the timing sidecar
	Duration  float64 // seconds of audio
	Sentences int
	Elapsed   time.Duration // wall time
	Loudness  float64       // integrated, LUFS, of the MP3 as decoded
	TruePeak  float64       // dBTP, of the MP3 as decoded
	Limited   float64       // the limiter's deepest gain reduction in dB; 0 if unused
}

// RealTimeFactor is the wall time per second of audio: 0.1 means ten
// times faster than real time.
func (r Result) RealTimeFactor() float64 { return r.Elapsed.Seconds() / r.Duration }

// Run narrates the selected episodes of o with cfg.Engine, cfg.Jobs at a
// time, and writes each episode's MP3 and timing sidecar to cfg.Dir. Each
// pair replaces the previous one only when both are complete: an error or a
// cancelled ctx leaves the previous files as they were. The first error
// stops the other episodes.
func Run(ctx context.Context, cfg Config, o *segment.Outline) ([]Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	episodes, err := selectEpisodes(o, cfg.Episodes)
	if err != nil {
		return nil, err
	}
	if err := cfg.Engine.Check(ctx); err != nil {
		return nil, err
	}
	if _, err := lookPath("lame", "lame"); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("narrate: %w", err)
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	p := &progress{w: cfg.Progress}
	results := make([]Result, len(episodes))
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(cfg.Jobs, len(episodes)) {
		wg.Go(func() {
			for i := range work {
				r, err := narrateEpisode(ctx, cfg, o, episodes[i], p)
				if err != nil {
					cancel(err)
					continue
				}
				results[i] = r
			}
		})
	}
feed:
	for i := range episodes {
		select {
		case work <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return results, nil
}

// selectEpisodes returns the episodes named by slugs, in outline order, or
// all of them.
func selectEpisodes(o *segment.Outline, slugs []string) ([]*segment.Episode, error) {
	if o == nil || len(o.Episodes) == 0 {
		return nil, errors.New("narrate: the outline has no episodes")
	}
	want := map[string]bool{}
	for _, s := range slugs {
		want[s] = true
	}
	var out []*segment.Episode
	found := map[string]bool{}
	for i := range o.Episodes {
		e := &o.Episodes[i]
		if len(want) == 0 || want[e.Slug] {
			out = append(out, e)
			found[e.Slug] = true
		}
	}
	if len(found) < len(want) {
		var unknown, known []string
		for _, s := range slugs {
			if !found[s] {
				unknown = append(unknown, s)
			}
		}
		for _, e := range o.Episodes {
			known = append(known, e.Slug)
		}
		return nil, fmt.Errorf("narrate: no episode %s (episodes: %s)", strings.Join(unknown, ", "), strings.Join(known, ", "))
	}
	return out, nil
}

// narrateEpisode synthesizes, lays out, normalizes, encodes, tags and
// writes one episode.
func narrateEpisode(ctx context.Context, cfg Config, o *segment.Outline, ep *segment.Episode, p *progress) (Result, error) {
	began := time.Now()
	fail := func(err error) (Result, error) {
		if ctx.Err() != nil {
			return Result{}, context.Cause(ctx)
		}
		return Result{}, &episodeError{ep.Slug, err}
	}

	// Every sentence with the pause before it and the chapter marks.
	type item struct {
		s     segment.Sentence
		pause time.Duration
	}
	var items []item
	var marks []timing.ChapterMark
	for ci, ch := range ep.Chapters {
		firstOfChapter := true
		for _, par := range ch.Paragraphs {
			for si, s := range par.Sentences {
				pause := cfg.Pauses.Sentence
				switch {
				case len(items) == 0:
					pause = cfg.Pauses.LeadIn
				case firstOfChapter && ci > 0:
					pause = cfg.Pauses.Chapter
				case si == 0:
					pause = cfg.Pauses.Paragraph
				}
				if firstOfChapter {
					marks = append(marks, timing.ChapterMark{Title: ch.Title, FirstSentence: s.ID})
				}
				firstOfChapter = false
				items = append(items, item{s, pause})
			}
		}
	}
	if len(items) == 0 {
		return fail(errors.New("no sentences to narrate"))
	}

	rate := cfg.Encoding.SampleRate
	lay := newLayout(rate, ep.Estimate)
	texts := make([]string, len(items))
	for i, it := range items {
		texts[i] = it.s.Text
	}
	err := cfg.Engine.Synthesize(ctx, texts, func(i int, sp Speech) error {
		it := items[i]
		// The first sentence starts LeadIn after 0, the layout's start.
		if err := lay.add(it.pause.Seconds(), sp, it.s); err != nil {
			return &SentenceError{Index: i, Err: err}
		}
		p.sentences(ep.Slug, i+1, len(items))
		return nil
	})
	if err != nil {
		if se, ok := errors.AsType[*SentenceError](err); ok && se.Index < len(items) {
			s := items[se.Index].s
			return fail(fmt.Errorf("%s failed on sentence %s %q: %w", cfg.Engine.Name(), s.ID, s.Text, se.Err))
		}
		return fail(err)
	}
	if len(lay.sentences) != len(items) {
		return fail(fmt.Errorf("%s returned %d of %d sentences", cfg.Engine.Name(), len(lay.sentences), len(items)))
	}
	lay.finish(cfg.Pauses.Tail.Seconds())

	m := &timing.Map{
		TextSHA256: o.SourceSHA,
		Method:     timing.MethodSynthesis,
		Duration:   timing.Round(lay.duration()),
		Sentences:  lay.sentences,
	}
	chapters, err := timing.Chapters(m, marks)
	if err != nil {
		return fail(err)
	}

	p.line(ep.Slug, "encoding %s of audio", fmtSeconds(lay.duration()))
	mp3Path, sidecarPath := AudioPath(cfg.Dir, ep.Slug), SidecarPath(cfg.Dir, ep.Slug)
	tmpMP3, err := tempPath(cfg.Dir, ep.Slug+".mp3")
	if err != nil {
		return fail(err)
	}
	defer os.Remove(tmpMP3) // a no-op once renamed
	lv, err := master(ctx, lay.pcm, rate, cfg, tmpMP3)
	if err != nil {
		return fail(err)
	}
	duration := lay.duration()
	lay.pcm = nil // the episode's PCM is no longer needed
	tags := audio.Tags{
		Title: ep.Title, Artist: cfg.Tags.Artist, Album: cfg.Tags.Album, Genre: cfg.Tags.Genre,
		Comment: cfg.Tags.Comment, Track: ep.Number, TrackTotal: len(o.Episodes), Year: cfg.Tags.Year,
		Cover: cfg.Tags.Cover, CoverMIME: cfg.Tags.CoverMIME,
	}
	for i, c := range chapters {
		tags.Chapters = append(tags.Chapters, audio.Chapter{
			ID: fmt.Sprintf("chp%d", i+1), Title: c.Title,
			Start: time.Duration(math.Round(c.Start*1000)) * time.Millisecond,
			End:   time.Duration(math.Round(c.End*1000)) * time.Millisecond,
		})
	}
	if err := audio.WriteTags(tmpMP3, tags); err != nil {
		return fail(err)
	}
	// The sidecar's clock is the player's only if lame's tag lets players
	// trim the encoder delay: check that the file says what we made.
	info, err := audio.ProbeFile(tmpMP3)
	if err != nil {
		return fail(err)
	}
	if d := math.Abs(info.Duration - duration); d > 0.026 {
		return fail(fmt.Errorf("the MP3 lasts %.3f s, the PCM %.3f s: lame's gapless trim is missing", info.Duration, duration))
	}
	sum, err := fileSHA256(tmpMP3)
	if err != nil {
		return fail(err)
	}
	m.AudioSHA256 = sum
	if err := m.Validate(); err != nil {
		return fail(err)
	}
	side, err := timing.Marshal(m)
	if err != nil {
		return fail(err)
	}
	tmpSide, err := tempPath(cfg.Dir, ep.Slug+".timing.json")
	if err != nil {
		return fail(err)
	}
	defer os.Remove(tmpSide)
	if err := writeSynced(tmpSide, side); err != nil {
		return fail(err)
	}
	if err := syncFile(tmpMP3); err != nil {
		return fail(err)
	}
	// The last moment to stop without touching the previous pair.
	if ctx.Err() != nil {
		return fail(ctx.Err())
	}
	// MP3 first, sidecar last: a crash between the renames leaves a new MP3
	// beside the old sidecar, whose audio_sha256 no longer matches, which
	// the catalog detects; never an old MP3 with a new sidecar.
	if err := os.Rename(tmpMP3, mp3Path); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmpSide, sidecarPath); err != nil {
		return fail(err)
	}
	syncDir(cfg.Dir)

	r := Result{
		Slug: ep.Slug, Audio: mp3Path, Sidecar: sidecarPath, Duration: duration, Sentences: len(items),
		Elapsed: time.Since(began), Loudness: lv.Loudness, TruePeak: lv.TruePeak, Limited: lv.Limited,
	}
	limited := ""
	if r.Limited > 0 {
		limited = fmt.Sprintf(", peaks limited by up to %.1f dB", lv.Limited)
	}
	encodes := ""
	if lv.Encodes > 1 {
		encodes = fmt.Sprintf(", encoded %d times to meet them", lv.Encodes)
	}
	p.line(ep.Slug, "%s of audio in %s (%.2f× real time), %.1f LUFS, %.1f dBTP%s%s → %s",
		fmtSeconds(duration), r.Elapsed.Round(100*time.Millisecond), r.RealTimeFactor(), lv.Loudness, lv.TruePeak, limited, encodes, mp3Path)
	return r, nil
}

// episodeError is an error narrating one episode; the engines' own
// "narrate: " prefix is not repeated.
type episodeError struct {
	slug string
	err  error
}

func (e *episodeError) Error() string {
	return "narrate: episode " + e.slug + ": " + strings.TrimPrefix(e.err.Error(), "narrate: ")
}

func (e *episodeError) Unwrap() error { return e.err }

// tempPath returns an unused hidden path in dir for the new version of name.
func tempPath(dir, name string) (string, error) {
	f, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return "", err
	}
	f.Close()
	// CreateTemp makes the file private (0600); the published files must be
	// readable by whatever serves them (nginx, a CDN sync).
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return "", err
	}
	return f.Name(), nil
}

func writeSynced(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes the renames durable; where directories cannot be synced it
// does nothing.
func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		f.Sync()
		f.Close()
	}
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func fmtSeconds(s float64) string {
	return (time.Duration(s*10) * time.Second / 10).String()
}

// progress writes progress lines from many episodes at once, whole lines
// only, and at most about one line per tenth of an episode's sentences.
type progress struct {
	mu sync.Mutex
	w  io.Writer
}

func (p *progress) sentences(slug string, done, total int) {
	if done == total || done*10/total != (done-1)*10/total {
		p.line(slug, "%d/%d sentences", done, total)
	}
}

func (p *progress) line(slug, format string, args ...any) {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "%s: %s\n", slug, fmt.Sprintf(format, args...))
}
