package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/readcast/readcast/internal/artwork"
	"github.com/readcast/readcast/internal/atomicfile"
	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/narrate"
	"github.com/readcast/readcast/internal/publish"
	"github.com/readcast/readcast/internal/segment"
	"github.com/readcast/readcast/internal/show"
)

func runNarrate(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "narrate")
	dir := fs.String("dir", envOr(e, "READCAST_DIR", "episodes"), "the show's episodes `directory`")
	voice := fs.String("voice", narrate.Festival, "speech synthesizer: "+strings.Join(narrate.Engines, ", "))
	episode := fs.String("episode", "", "narrate only these episodes (`slugs`, comma-separated); default all")
	force := fs.String("force", "", "narrate these episodes (`slugs`, comma-separated) even though their audio is a person's recording; the recording is kept in episodes/audio/store and reported")
	jobs := fs.Int("jobs", 0, "episodes narrated at once; default one per core")
	if err := fs.Parse(args); err != nil {
		return err
	}
	forced := forcedSlugs(*force, fs.Args())
	if *force == "" && fs.NArg() > 0 {
		return fmt.Errorf("narrate: unexpected argument %q", fs.Arg(0))
	}
	sh, _, err := show.Load(*dir)
	if err != nil {
		return err
	}
	engine, err := narrate.NewEngine(*voice, sh.Language)
	if err != nil {
		return err
	}
	o, err := loadOutline(*dir, "", 0, 0)
	if err != nil {
		return err
	}
	cover, err := coverFor(*dir, sh, e)
	if err != nil {
		return err
	}
	selected, err := selectForNarration(o, *episode, forced)
	if err != nil {
		return err
	}
	todo, err := narratable(*dir, selected, forced, e)
	if err != nil || len(todo) == 0 {
		return err
	}
	cfg := narrate.Config{
		Engine:   engine,
		Dir:      filepath.Join(*dir, catalog.AudioDir),
		Jobs:     *jobs,
		Progress: e.stderr,
		Tags: narrate.ShowTags{
			Artist: sh.Author, Album: sh.Title, Comment: sh.Narrator,
			Year: yearOf(sh.FirstPublished), Cover: cover, CoverMIME: "image/jpeg",
		},
		Episodes: todo,
	}
	start := time.Now()
	results, err := narrate.Run(ctx, cfg, o)
	if err != nil {
		return err
	}
	reportNarration(e, engine.Name(), results, time.Since(start))
	return nil
}

// forcedSlugs are the episodes -force names (and the arguments after it).
func forcedSlugs(force string, args []string) map[string]bool {
	forced := map[string]bool{}
	for _, a := range append(strings.Split(force, ","), args...) {
		if a = strings.TrimSpace(a); a != "" {
			forced[a] = true
		}
	}
	return forced
}

// selectForNarration returns the episodes -episode names (all when it is
// ""), after checking that every forced slug is an episode of the show.
func selectForNarration(o *segment.Outline, episode string, forced map[string]bool) ([]segment.Episode, error) {
	known := map[string]bool{}
	for _, ep := range o.Episodes {
		known[ep.Slug] = true
	}
	for slug := range forced {
		if !known[slug] {
			return nil, fmt.Errorf("narrate: -force names no episode of the show: %q", slug)
		}
	}
	if episode == "" {
		return o.Episodes, nil
	}
	want := map[string]bool{}
	for _, s := range strings.Split(episode, ",") {
		want[s] = true
	}
	var selected []segment.Episode
	for _, ep := range o.Episodes {
		if want[ep.Slug] {
			selected = append(selected, ep)
		}
	}
	return selected, nil
}

// narratable returns the slugs of the selected episodes narrate may
// replace. A person's recording is never overwritten: skipped unless
// -force names it, and then kept in the store first. It says so on
// stdout, and when nothing is left to narrate.
func narratable(dir string, selected []segment.Episode, forced map[string]bool, e env) ([]string, error) {
	var todo []string
	for _, ep := range selected {
		rec, err := catalog.ReadRecording(dir, ep.Slug)
		if err != nil {
			return nil, fmt.Errorf("narrate: %w", err)
		}
		if !rec.Person() {
			todo = append(todo, ep.Slug)
			continue
		}
		if !forced[ep.Slug] {
			fmt.Fprintf(e.stdout, "%s: skipped: %s is a person's recording (%.12s…), not readcast's narration; narrate -force %s replaces it and keeps it in the store\n",
				ep.Slug, rec.Path, rec.SHA256, ep.Slug)
			continue
		}
		kept, err := keepRecording(dir, ep.Slug)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(e.stdout, "%s: kept the person's recording as %s (take %q; publish it again with POST /admin/episodes/%s/takes/%s/publish)\n",
			ep.Slug, kept.path, kept.take, ep.Slug, kept.take)
		todo = append(todo, ep.Slug)
	}
	if len(todo) == 0 {
		fmt.Fprintln(e.stdout, "nothing to narrate: every selected episode has a person's recording")
	}
	return todo, nil
}

// reportNarration prints a line per episode and the totals.
func reportNarration(e env, engine string, results []narrate.Result, wall time.Duration) {
	audioSec := 0.0
	for _, r := range results {
		audioSec += r.Duration
		fmt.Fprintf(e.stdout, "%-55s %7.1f s audio  %3d sentences  %6.1f LUFS  %5.1f dBTP  RTF %.3f\n",
			r.Slug, r.Duration, r.Sentences, r.Loudness, r.TruePeak, r.RealTimeFactor())
	}
	fmt.Fprintf(e.stdout, "narrated %d episodes with %s: %.1f s of audio in %.1f s (real-time factor %.3f)\n",
		len(results), engine, audioSec, wall.Seconds(), wall.Seconds()/max(audioSec, 1e-9))
}

// coverFor returns the show's cover: the author's file when there is one
// (show.json's "cover", else cover.jpg), used as it is; otherwise one drawn
// from the show metadata and written as cover.jpg (atomically), so a fresh
// clone serves it without drawing it at startup.
func coverFor(dir string, sh *show.Show, e env) ([]byte, error) {
	path, err := catalog.CoverPath(dir, sh)
	if err != nil {
		return nil, err
	}
	if img, err := os.ReadFile(path); err == nil {
		return img, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("narrate: cover: %w", err)
	}
	img, err := artwork.JPEG(artwork.Cover{Title: sh.Title, Subtitle: sh.Subtitle, Author: sh.Author})
	if err != nil {
		return nil, fmt.Errorf("narrate: %w", err)
	}
	// Never over a cover the author put there while this one was drawn.
	f, err := atomicfile.Create(path, 0o644)
	if err != nil {
		return nil, fmt.Errorf("narrate: cover: %w", err)
	}
	defer f.Cleanup()
	if _, err := f.Write(img); err != nil {
		return nil, fmt.Errorf("narrate: cover: %w", err)
	}
	if err := f.CommitNew(); errors.Is(err, fs.ErrExist) {
		if img, err = os.ReadFile(path); err != nil {
			return nil, fmt.Errorf("narrate: cover: %w", err)
		}
		return img, nil
	} else if err != nil {
		return nil, fmt.Errorf("narrate: cover: %w", err)
	}
	fmt.Fprintf(e.stdout, "the show had no cover: drew %s from show.json\n", path)
	return img, nil
}

type keptRecording struct{ path, take string }

// keepRecording puts an episode's person's recording in the store, as a
// take, before narrate replaces it.
func keepRecording(dir, slug string) (keptRecording, error) {
	st, _, err := publish.Open(dir)
	if err != nil {
		return keptRecording{}, fmt.Errorf("narrate: keep the recording of %s: %w", slug, err)
	}
	t, path, err := st.Keep(slug, publish.OriginNarrateForce)
	if err != nil {
		return keptRecording{}, fmt.Errorf("narrate: keep the recording of %s: %w", slug, err)
	}
	return keptRecording{path: path, take: t.ID}, nil
}

func yearOf(date string) int {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return 0
	}
	return t.Year()
}
