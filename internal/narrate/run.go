package narrate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/readcast/readcast/internal/atomicfile"
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
	items, marks := script(ep, cfg.Pauses)
	if len(items) == 0 {
		return fail(errors.New("no sentences to narrate"))
	}
	lay, err := speak(ctx, cfg, ep, items, p)
	if err != nil {
		return fail(err)
	}
	duration := lay.duration()
	m := &timing.Map{
		TextSHA256: o.SourceSHA,
		Method:     timing.MethodSynthesis,
		Duration:   timing.Round(duration),
		Sentences:  lay.sentences,
	}
	chapters, err := timing.Chapters(m, marks)
	if err != nil {
		return fail(err)
	}

	p.line(ep.Slug, "encoding %s of audio", fmtSeconds(duration))
	if err := removeLeftovers(cfg.Dir, ep.Slug, p); err != nil {
		return fail(err)
	}
	mp3, err := atomicfile.Create(AudioPath(cfg.Dir, ep.Slug), 0o644)
	if err != nil {
		return fail(err)
	}
	defer mp3.Cleanup()
	mp3.Close() // lame writes it by name
	lv, err := master(ctx, lay.pcm, cfg.Encoding.SampleRate, cfg, mp3.Name())
	if err != nil {
		return fail(err)
	}
	lay.pcm = nil // the episode's PCM is no longer needed
	if err := tagAndCheck(mp3.Name(), episodeTags(cfg, o, ep, chapters), duration); err != nil {
		return fail(err)
	}
	if err := commitPair(ctx, mp3, m, SidecarPath(cfg.Dir, ep.Slug)); err != nil {
		return fail(err)
	}
	r := Result{
		Slug: ep.Slug, Audio: AudioPath(cfg.Dir, ep.Slug), Sidecar: SidecarPath(cfg.Dir, ep.Slug),
		Duration: duration, Sentences: len(items), Elapsed: time.Since(began),
		Loudness: lv.Loudness, TruePeak: lv.TruePeak, Limited: lv.Limited,
	}
	p.done(r, lv)
	return r, nil
}

// scriptLine is one sentence to speak with the pause before it.
type scriptLine struct {
	s     segment.Sentence
	pause time.Duration
}

// script lists every sentence of the episode with the pause before it
// (lead-in, chapter, paragraph or sentence), and the chapter marks.
func script(ep *segment.Episode, pauses Pauses) ([]scriptLine, []timing.ChapterMark) {
	var lines []scriptLine
	var marks []timing.ChapterMark
	for ci, ch := range ep.Chapters {
		firstOfChapter := true
		for _, par := range ch.Paragraphs {
			for si, s := range par.Sentences {
				pause := pauses.Sentence
				switch {
				case len(lines) == 0:
					pause = pauses.LeadIn
				case firstOfChapter && ci > 0:
					pause = pauses.Chapter
				case si == 0:
					pause = pauses.Paragraph
				}
				if firstOfChapter {
					marks = append(marks, timing.ChapterMark{Title: ch.Title, FirstSentence: s.ID})
				}
				firstOfChapter = false
				lines = append(lines, scriptLine{s, pause})
			}
		}
	}
	return lines, marks
}

// speak synthesizes the lines with cfg.Engine and lays them out, with
// their pauses and the tail, on one clock.
func speak(ctx context.Context, cfg Config, ep *segment.Episode, lines []scriptLine, p *progress) (*layout, error) {
	lay := newLayout(cfg.Encoding.SampleRate, ep.Estimate)
	texts := make([]string, len(lines))
	for i, l := range lines {
		texts[i] = l.s.Text
	}
	err := cfg.Engine.Synthesize(ctx, texts, func(i int, sp Speech) error {
		// The first sentence starts LeadIn after 0, the layout's start.
		if err := lay.add(lines[i].pause.Seconds(), sp, lines[i].s); err != nil {
			return &SentenceError{Index: i, Err: err}
		}
		p.sentences(ep.Slug, i+1, len(lines))
		return nil
	})
	if err != nil {
		if se, ok := errors.AsType[*SentenceError](err); ok && se.Index < len(lines) {
			s := lines[se.Index].s
			return nil, fmt.Errorf("%s failed on sentence %s %q: %w", cfg.Engine.Name(), s.ID, s.Text, se.Err)
		}
		return nil, err
	}
	if len(lay.sentences) != len(lines) {
		return nil, fmt.Errorf("%s returned %d of %d sentences", cfg.Engine.Name(), len(lay.sentences), len(lines))
	}
	lay.finish(cfg.Pauses.Tail.Seconds())
	return lay, nil
}

// episodeTags are the ID3 tags of the episode: the show's, its title and
// number, and its chapters.
func episodeTags(cfg Config, o *segment.Outline, ep *segment.Episode, chapters []timing.Chapter) audio.Tags {
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
	return tags
}

// tagAndCheck writes the tags into the encoded MP3 at path and checks that
// it lasts duration seconds: the sidecar's clock is the player's only if
// lame's tag lets players trim the encoder delay.
func tagAndCheck(path string, tags audio.Tags, duration float64) error {
	if err := audio.WriteTags(path, tags); err != nil {
		return err
	}
	info, err := audio.ProbeFile(path)
	if err != nil {
		return err
	}
	if d := math.Abs(info.Duration - duration); d > 0.026 {
		return fmt.Errorf("the MP3 lasts %.3f s, the PCM %.3f s: lame's gapless trim is missing", info.Duration, duration)
	}
	return nil
}

// commitPair writes m, made the map of the finished MP3, as the sidecar,
// and puts both in place: the MP3 first, the sidecar last, so a crash
// between the renames leaves a new MP3 beside the old sidecar, whose
// audio_sha256 no longer matches, which the catalog detects; never an old
// MP3 with a new sidecar. A cancelled ctx stops it before the first rename.
// Each Commit syncs its file before the rename and the directory after it,
// so the MP3's rename is durable before the sidecar's is made.
func commitPair(ctx context.Context, mp3 *atomicfile.File, m *timing.Map, sidecarPath string) error {
	sum, err := timing.HashFile(mp3.Name())
	if err != nil {
		return err
	}
	m.AudioSHA256 = sum
	if err := m.Validate(); err != nil {
		return err
	}
	data, err := timing.Marshal(m)
	if err != nil {
		return err
	}
	side, err := atomicfile.Create(sidecarPath, 0o644)
	if err != nil {
		return err
	}
	defer side.Cleanup()
	if _, err := side.Write(data); err != nil {
		return err
	}
	// The last moment to stop without touching the previous pair.
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err := mp3.Commit(); err != nil {
		return err
	}
	return side.Commit()
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

// done reports a finished episode.
func (p *progress) done(r Result, lv level) {
	limited := ""
	if r.Limited > 0 {
		limited = fmt.Sprintf(", peaks limited by up to %.1f dB", lv.Limited)
	}
	encodes := ""
	if lv.Encodes > 1 {
		encodes = fmt.Sprintf(", encoded %d times to meet them", lv.Encodes)
	}
	p.line(r.Slug, "%s of audio in %s (%.2f× real time), %.1f LUFS, %.1f dBTP%s%s → %s",
		fmtSeconds(r.Duration), r.Elapsed.Round(100*time.Millisecond), r.RealTimeFactor(), lv.Loudness, lv.TruePeak, limited, encodes, r.Audio)
}

func (p *progress) line(slug, format string, args ...any) {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "%s: %s\n", slug, fmt.Sprintf(format, args...))
}

// leftoverAge is how long a temporary file of an episode's MP3 or timing
// map must have gone unwritten to be taken for a killed run's: lame writes
// its output as it encodes, an hour of audio in about a minute.
const leftoverAge = 10 * time.Minute

// removeLeftovers removes what a narrate killed while it wrote the episode
// (SIGKILL, a crash) left hidden beside its MP3 and timing map: a
// half-written MP3 can be tens of megabytes, and nothing else would ever
// remove it.
func removeLeftovers(dir, slug string, p *progress) error {
	for _, path := range []string{AudioPath(dir, slug), SidecarPath(dir, slug)} {
		removed, err := atomicfile.RemoveStale(path, leftoverAge)
		for _, r := range removed {
			p.line(slug, "removed %s, left by an interrupted narrate", filepath.Base(r))
		}
		if err != nil {
			return fmt.Errorf("narrate: removing what an interrupted run left: %w", err)
		}
	}
	return nil
}
