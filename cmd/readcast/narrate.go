package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/readcast/readcast/internal/artwork"
	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/narrate"
	"github.com/readcast/readcast/internal/show"
)

func runNarrate(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "narrate")
	dir := fs.String("dir", envOr(e, "READCAST_DIR", "episodes"), "the show's episodes `directory`")
	voice := fs.String("voice", narrate.Festival, "speech synthesizer: "+strings.Join(narrate.Engines, ", "))
	episode := fs.String("episode", "", "narrate only these episodes (`slugs`, comma-separated); default all")
	jobs := fs.Int("jobs", 0, "episodes narrated at once; default one per core")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("narrate: unexpected argument %q", fs.Arg(0))
	}
	engine, err := narrate.NewEngine(*voice)
	if err != nil {
		return err
	}
	sh, _, err := show.Load(*dir)
	if err != nil {
		return err
	}
	o, err := loadOutline(*dir, "", 0, 0)
	if err != nil {
		return err
	}
	cover, err := writeCover(*dir, sh)
	if err != nil {
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
	}
	if *episode != "" {
		cfg.Episodes = strings.Split(*episode, ",")
	}
	start := time.Now()
	results, err := narrate.Run(ctx, cfg, o)
	if err != nil {
		return err
	}
	wall := time.Since(start)
	audioSec := 0.0
	for _, r := range results {
		audioSec += r.Duration
		fmt.Fprintf(e.stdout, "%-55s %7.1f s audio  %3d sentences  %6.1f LUFS  %5.1f dBTP  RTF %.3f\n",
			r.Slug, r.Duration, r.Sentences, r.Loudness, r.TruePeak, r.RealTimeFactor())
	}
	fmt.Fprintf(e.stdout, "narrated %d episodes with %s: %.1f s of audio in %.1f s (real-time factor %.3f)\n",
		len(results), engine.Name(), audioSec, wall.Seconds(), wall.Seconds()/max(audioSec, 1e-9))
	return nil
}

// writeCover draws the cover from the show metadata and writes it to the
// episodes directory when it changed (write aside, then rename), so a fresh
// clone serves the committed cover without drawing it at startup.
func writeCover(dir string, sh *show.Show) ([]byte, error) {
	img, err := artwork.JPEG(artwork.Cover{Title: sh.Title, Subtitle: sh.Subtitle, Author: sh.Author})
	if err != nil {
		return nil, fmt.Errorf("narrate: %w", err)
	}
	path := filepath.Join(dir, catalog.CoverFile)
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, img) {
		return img, nil
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, img, 0o644); err != nil {
		return nil, fmt.Errorf("narrate: cover: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, fmt.Errorf("narrate: cover: %w", err)
	}
	return img, nil
}

func yearOf(date string) int {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return 0
	}
	return t.Year()
}
