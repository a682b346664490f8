package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"time"

	"github.com/readcast/readcast/internal/align"
	"github.com/readcast/readcast/internal/audio"
	"github.com/readcast/readcast/internal/segment"
	"github.com/readcast/readcast/internal/show"
	"github.com/readcast/readcast/internal/timing"
)

// Soft memory limits. go-mp3 allocates about 1.5 MB of short-lived memory
// per second of audio it decodes. Left to the collector's default (collect
// when the heap doubles) aligning an hour of audio would peak at twice what
// alignment keeps; a soft limit makes it collect sooner. The server aligns
// recordings in the background (uploads, recordings dropped in without
// timings) beside its own 30 MB or so.
const (
	alignMemoryLimit = 200 << 20
	serveMemoryLimit = 256 << 20
)

// softMemoryLimit sets the Go runtime's soft memory limit to limit bytes,
// unless GOMEMLIMIT says otherwise. It is soft: past it the collector works
// harder, and nothing fails.
func softMemoryLimit(e env, limit int64) {
	if e.getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(limit)
	}
}

func runAlign(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "align")
	audioPath := fs.String("audio", "", "the recording: an MP3 `file`")
	textPath := fs.String("text", "", "the text it reads: a plain text or Markdown `file`")
	lines := fs.Bool("lines", false, "treat each non-empty line of the text as one fragment")
	episode := fs.String("episode", "", "align only this episode of the text (`slug`, as readcast outline names it)")
	asJSON := fs.Bool("json", false, "print the timing map as JSON (the QA report goes to standard error)")
	quiet := fs.Bool("quiet", false, "do not report progress on standard error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("align: unexpected argument %q", fs.Arg(0))
	}
	if *audioPath == "" || *textPath == "" {
		fs.Usage()
		return fmt.Errorf("align: -audio and -text are both required")
	}
	if *lines && *episode != "" {
		return fmt.Errorf("align: -episode picks an episode of an outline; it does not go with -lines")
	}
	src, err := show.ReadText(*textPath)
	if err != nil {
		return err
	}
	text, err := alignText(src, *lines, *episode)
	if err != nil {
		return show.TextError(*textPath, err)
	}
	softMemoryLimit(e, alignMemoryLimit)
	sum := sha256.Sum256(src)
	opt := align.Options{TextSHA256: hex.EncodeToString(sum[:])}
	if !*quiet {
		opt.Progress = progressPrinter(e.stderr)
	}
	res, err := align.AlignFile(ctx, *audioPath, text, opt)
	if fix := audio.Remedy(*audioPath, err); fix != "" {
		return fmt.Errorf("%w\n%s", err, fix)
	}
	if err != nil {
		return withEpisodeHint(err, src, *lines, *episode)
	}
	if !*quiet {
		t := res.Timings
		fmt.Fprintf(e.stderr, "align: stages: decode %.1f s (front end %.1f s of CPU in it), search %.1f s (scoring %.1f s in it), confidence %.1f s, retakes %.1f s\n",
			t.Decode.Seconds(), t.Features.Seconds(), t.Search.Seconds(), t.Scoring.Seconds(), t.Confidence.Seconds(), t.Retakes.Seconds())
	}
	if *asJSON {
		b, err := timing.Marshal(res.Map)
		if err != nil {
			return err
		}
		if _, err := e.stdout.Write(b); err != nil {
			return err
		}
		_, err = io.WriteString(e.stderr, res.Report.String())
		return err
	}
	writeAlignTable(e.stdout, res)
	return nil
}

// alignText reads the fragments to align from a text file.
func alignText(src []byte, lines bool, episode string) ([]align.Sentence, error) {
	if lines {
		text := align.Lines(string(src))
		if len(text) == 0 {
			return nil, align.ErrNoText
		}
		return text, nil
	}
	o, err := segment.Parse(src, segment.Options{})
	if err != nil {
		return nil, err
	}
	if episode == "" {
		return align.Outline(o), nil
	}
	var slugs []string
	for _, ep := range o.Episodes {
		if ep.Slug == episode {
			return align.Episode(ep), nil
		}
		slugs = append(slugs, ep.Slug)
	}
	return nil, fmt.Errorf("no episode %q; the text has %s", episode, strings.Join(slugs, ", "))
}

// withEpisodeHint adds the likely fix to a mismatch between a whole text
// of several episodes and a recording: the recording is of one episode,
// which -episode picks.
func withEpisodeHint(err error, src []byte, lines bool, episode string) error {
	if !errors.Is(err, align.ErrNoMatch) || lines || episode != "" {
		return err
	}
	o, perr := segment.Parse(src, segment.Options{})
	if perr != nil || len(o.Episodes) < 2 {
		return err
	}
	var slugs []string
	for _, ep := range o.Episodes {
		slugs = append(slugs, ep.Slug)
	}
	return fmt.Errorf("%w\nThe text has %d episodes; if the recording is one of them, name it: readcast align -episode SLUG …, with SLUG one of %s (readcast outline lists them)",
		err, len(o.Episodes), strings.Join(slugs, ", "))
}

// progressPrinter reports each stage as it starts and ends, and decoding
// every quarter.
func progressPrinter(w io.Writer) func(align.Progress) {
	began := time.Now()
	lastQuarter := -1
	return func(p align.Progress) {
		at := time.Since(began).Seconds()
		switch p.Stage {
		case align.StageDecode:
			if p.Total <= 0 {
				return
			}
			q := int(4 * p.Done / p.Total)
			if q == lastQuarter {
				return
			}
			lastQuarter = q
			fmt.Fprintf(w, "align: %5.1f s  decoded %3.0f%% of %.1f s of audio\n", at, 100*p.Done/p.Total, p.Total)
		case align.StageReference:
			if p.Done == 0 {
				fmt.Fprintf(w, "align: %5.1f s  pronouncing %.0f words\n", at, p.Total)
			} else {
				fmt.Fprintf(w, "align: %5.1f s  words pronounced\n", at)
			}
		case align.StageAlign:
			fmt.Fprintf(w, "align: %5.1f s  timed %.0f sentences\n", at, p.Done)
		}
	}
}

// writeAlignTable prints the timing map as a table a person reads, then
// the QA report.
func writeAlignTable(w io.Writer, res *align.Result) {
	m := res.Map
	fmt.Fprintf(w, "%4s  %-9s  %-9s  %4s  %s\n", "#", "start", "end", "conf", "sentence")
	words := 0
	for i, s := range m.Sentences {
		words += len(s.Words)
		text := []rune(s.Text)
		if len(text) > 70 {
			text = append(text[:69], '…')
		}
		fmt.Fprintf(w, "%4d  %-9s  %-9s  %4.2f  %s\n", i+1, clockTime(s.Start), clockTime(s.End), s.Confidence, string(text))
	}
	fmt.Fprintf(w, "\n%d sentences, %d words in %s of audio, aligned in %.1f s (%.0f× real time)\n\n",
		len(m.Sentences), words, clockTime(m.Duration), res.Elapsed.Seconds(), m.Duration/max(res.Elapsed.Seconds(), 1e-9))
	io.WriteString(w, res.Report.String())
}

// clockTime formats seconds as m:ss.sss.
func clockTime(t float64) string {
	ms := int64(t*1000 + 0.5)
	return fmt.Sprintf("%d:%02d.%03d", ms/60000, ms/1000%60, ms%1000)
}
