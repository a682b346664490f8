package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/readcast/readcast/internal/align"
	"github.com/readcast/readcast/internal/testtool"
	"github.com/readcast/readcast/internal/timing"
)

const alignTestdata = "../../internal/align/testdata/"

func TestAlignJSON(t *testing.T) {
	testtool.Require(t, "espeak-ng", "espeak-ng")
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"align", "-quiet", "-json", "-lines",
		"-audio", alignTestdata + "sonnet001/sonnet001.mp3", "-text", alignTestdata + "sonnet001/sonnet001.lines.txt"},
		func(string) string { return "" }, &out, &errOut)
	if err != nil {
		t.Fatalf("align: %v\n%s", err, errOut.String())
	}
	m, err := timing.Parse(out.Bytes())
	if err != nil {
		t.Fatalf("the output is not a valid timing map: %v", err)
	}
	if m.Method != timing.MethodAligned || len(m.Sentences) != 15 || len(m.AudioSHA256) != 64 || len(m.TextSHA256) != 64 {
		t.Errorf("map: method %q, %d sentences, audio_sha256 %q, text_sha256 %q", m.Method, len(m.Sentences), m.AudioSHA256, m.TextSHA256)
	}
	if !strings.Contains(errOut.String(), "QA:") {
		t.Errorf("no QA report on standard error: %q", errOut.String())
	}
}

func TestAlignTable(t *testing.T) {
	testtool.Require(t, "espeak-ng", "espeak-ng")
	out, err := runCmd(t, "align", "-audio", "../../episodes/audio/02-the-official-history.mp3",
		"-text", "../../episodes/recollection.txt", "-episode", "02-the-official-history")
	if err != nil {
		t.Fatalf("align: %v\n%s", err, out)
	}
	for _, want := range []string{"The official history", "19 sentences", "QA:", "decoded 100%"} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
}

func TestAlignMismatch(t *testing.T) {
	testtool.Require(t, "espeak-ng", "espeak-ng")
	out, err := runCmd(t, "align", "-quiet", "-audio", "../../episodes/audio/01-my-youth-in-the-ussr.mp3",
		"-text", "../../episodes/recollection.txt", "-episode", "02-the-official-history")
	if !errors.Is(err, align.ErrNoMatch) || !strings.Contains(err.Error(), "does not match") {
		t.Fatalf("got %v, want a \"does not match\" error\n%s", err, out)
	}
	if strings.Contains(err.Error(), "-episode SLUG") {
		t.Errorf("an -episode mismatch suggests -episode: %v", err)
	}
	// One episode's recording against the whole text: the error says to
	// name the episode.
	out, err = runCmd(t, "align", "-quiet", "-audio", "../../episodes/audio/02-the-official-history.mp3",
		"-text", "../../episodes/recollection.txt")
	if !errors.Is(err, align.ErrNoMatch) || !strings.Contains(err.Error(), "readcast align -episode SLUG") || !strings.Contains(err.Error(), "02-the-official-history") {
		t.Fatalf("got %v, want a mismatch that suggests -episode\n%s", err, out)
	}
}

func TestAlignUsage(t *testing.T) {
	for _, args := range [][]string{
		{"align"},
		{"align", "-audio", "x.mp3"},
		{"align", "-audio", "x.mp3", "-text", "missing.txt"},
		{"align", "-audio", "x.mp3", "-text", "x.txt", "-lines", "-episode", "a"},
	} {
		if _, err := runCmd(t, args...); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
	_, err := runCmd(t, "align", "-audio", "x.mp3", "-text", "../../episodes/recollection.txt", "-episode", "nope")
	if err == nil || !strings.Contains(err.Error(), "01-my-youth-in-the-ussr") {
		t.Errorf("an unknown episode should list the episodes: %v", err)
	}
}

// TestAlignUnusableAudio gives align files that are not a usable MP3: the
// error names the file and says how to make one that is.
func TestAlignUnusableAudio(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		data []byte
		want []string
	}{
		{"wav.mp3", []byte("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00"), []string{"WAV", "convert", "wav.mp3", "ffmpeg -i", "libmp3lame"}},
		{"empty.mp3", nil, []string{"empty file", "empty.mp3", "copy it again"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, c.name)
			if err := os.WriteFile(path, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := runCmd(t, "align", "-quiet", "-audio", path, "-text", "../../episodes/recollection.txt", "-episode", "02-the-official-history")
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}
