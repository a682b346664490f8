package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/readcast/readcast/internal/atomicfile"
	"github.com/readcast/readcast/internal/segment"
	"github.com/readcast/readcast/internal/show"
)

// runInit is `readcast init [-dir DIR] -source FILE [-title T] [-author A]
// [-email E] [-language L]`: it starts a show from a text file. It copies
// the text into DIR, writes a complete show.json (every field, with
// defaults a new user can keep), prints the outline and the commands that
// come next. It writes nothing when the text cannot make a show, and it
// never overwrites a show.
func runInit(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "init")
	dir := fs.String("dir", envOr(e, "READCAST_DIR", "episodes"), "make the show in this `directory` (created if needed)")
	source := fs.String("source", "", "the recollection: a plain-text or Markdown `file` (copied into the show)")
	title := fs.String("title", "", "the show's `title`; default the text's first heading")
	author := fs.String("author", "", "who wrote the text (`name`); default \"Anonymous\"")
	email := fs.String("email", "", "the feed owner's email `address`, which directories show; default a placeholder to replace")
	lang := fs.String("language", "en", "the text's language `code` (ISO 639, e.g. en, fr, pl)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("init: unexpected argument %q", fs.Arg(0))
	}
	if *source == "" {
		fs.Usage()
		return errors.New("init: -source is required: name the text file to make the show from, e.g. readcast init -dir myshow -source recollection.md")
	}
	meta := filepath.Join(*dir, show.MetadataFile)
	if _, err := os.Stat(meta); err == nil {
		return fmt.Errorf("init: %s already exists: a show is there; edit it, or choose another -dir", meta)
	}

	// Everything is checked before anything is written.
	text, err := show.ReadText(*source)
	if err != nil {
		return err
	}
	o, err := segment.Parse(text, segment.Options{})
	if err != nil {
		return show.TextError(*source, err)
	}
	name := filepath.Base(*source)
	if name == show.MetadataFile || name == show.OverridesFile {
		name = "recollection" + filepath.Ext(name)
	}
	dst := filepath.Join(*dir, name)
	if old, err := os.ReadFile(dst); err == nil && string(old) != string(text) {
		return fmt.Errorf("init: %s already exists with another text: move it away, or choose another -dir", dst)
	}
	sh := newShow(o, name, *title, *author, *email, *lang, time.Now())
	if p := sh.Problems(); len(p) > 0 {
		return &show.Error{Path: "init: the show.json it would write (give other flags)", Problems: p}
	}
	var data bytes.Buffer
	enc := json.NewEncoder(&data)
	enc.SetEscapeHTML(false) // "Society & Culture", as a person would write it
	enc.SetIndent("", "  ")
	if err := enc.Encode(sh); err != nil {
		return fmt.Errorf("init: %w", err)
	}

	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	if err := atomicfile.Write(dst, text, 0o644); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	if err := atomicfile.Write(meta, data.Bytes(), 0o644); err != nil {
		return fmt.Errorf("init: %w", err)
	}

	fmt.Fprintf(e.stdout, "Made a show in %s: %s (the text) and %s.\n\n", *dir, dst, meta)
	if err := o.WriteText(e.stdout); err != nil {
		return err
	}
	flagDir := ""
	if *dir != "episodes" {
		flagDir = " -dir " + shellWord(*dir)
	}
	fmt.Fprintf(e.stdout, `
Next:
  1. Edit %s: the description, author, owner's email, categories (docs/your-own-show.md says what each field means).
  2. readcast outline%s                        # the episodes and chapters, again after each edit
  3. readcast narrate%s -voice espeak-ng       # record every episode (festival is the default voice)
  4. readcast serve%s                          # listen and read along on http://127.0.0.1:8080
  5. readcast check http://127.0.0.1:8080/feed.xml
`, meta, flagDir, flagDir, flagDir)
	return nil
}

// newShow is the show.json init writes: every field present, defaults a
// show can be published with, and placeholders that are plainly that.
func newShow(o *segment.Outline, source, title, author, email, lang string, now time.Time) *show.Show {
	if title == "" {
		title = o.Title
	}
	if title == "" {
		base := strings.TrimSuffix(source, filepath.Ext(source))
		title = strings.TrimSpace(strings.NewReplacer("-", " ", "_", " ").Replace(base))
	}
	if author == "" {
		author = "Anonymous"
	}
	if email == "" {
		email = "owner@example.invalid"
	}
	episodes := "one episode"
	if n := len(o.Episodes); n != 1 {
		episodes = fmt.Sprintf("%d episodes", n)
	}
	return &show.Show{
		Title:       title,
		Subtitle:    "",
		Description: fmt.Sprintf("%s, a recollection by %s, read aloud in %s with a transcript that follows the narration.", title, author, episodes),
		Author:      author,
		Owner:       show.Owner{Name: author, Email: email},
		Language:    lang,
		Categories:  []show.Category{{Name: "Society & Culture", Subcategory: "Personal Journals"}},
		Type:        "serial",
		Copyright:   fmt.Sprintf("© %d %s", now.Year(), author),
		Source:      source,
		Synthetic:   true,
		// FirstPublished is today: episode n is dated n-1 days later.
		FirstPublished: now.UTC().Format(time.DateOnly),
	}
}

// shellWord quotes s for a shell command line when it needs it.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
