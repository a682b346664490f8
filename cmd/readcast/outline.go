package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/readcast/readcast/internal/segment"
	"github.com/readcast/readcast/internal/show"
)

func runOutline(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "outline")
	dir := fs.String("dir", envOr(e, "READCAST_DIR", "episodes"), "the show's episodes `directory`")
	source := fs.String("source", "", "segment this text `file` instead of the show's source (plain text or Markdown)")
	asJSON := fs.Bool("json", false, "print every episode, chapter, paragraph, sentence and dropped line as JSON")
	maxMin := fs.Float64("max-minutes", 0, "longest estimated episode in minutes (default 8, or the overrides file's)")
	wpm := fs.Float64("wpm", 0, "narration speed for estimates, in words a minute (default 155)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("outline: unexpected argument %q", fs.Arg(0))
	}
	o, err := loadOutline(*dir, *source, *maxMin, *wpm)
	if err != nil {
		return err
	}
	if *asJSON {
		b, err := json.MarshalIndent(o, "", " ")
		if err != nil {
			return fmt.Errorf("outline: %w", err)
		}
		_, err = e.stdout.Write(append(b, '\n'))
		return err
	}
	return o.WriteText(e.stdout)
}

// loadOutline segments a text: the show's own source with its overrides, or
// any file given with -source (then the show's overrides do not apply).
func loadOutline(dir, source string, maxMinutes, wpm float64) (*segment.Outline, error) {
	var opt segment.Options
	if source == "" {
		s, ov, err := show.Load(dir)
		if err != nil {
			return nil, err
		}
		source = filepath.Join(dir, s.Source)
		opt = segment.Options{
			WordsPerMinute: ov.WordsPerMinute,
			MaxEpisode:     ov.MaxEpisodeMinutes * 60,
			ChapterTitles:  ov.ChapterTitles,
			SplitBefore:    ov.SplitBefore,
		}
	}
	if maxMinutes > 0 {
		opt.MaxEpisode = maxMinutes * 60
	}
	if wpm > 0 {
		opt.WordsPerMinute = wpm
	}
	src, err := show.ReadText(source)
	if err != nil {
		return nil, err
	}
	o, err := segment.Parse(src, opt)
	if err != nil {
		return nil, show.TextError(source, err)
	}
	return o, nil
}
