package publish

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/readcast/readcast/internal/catalog"
)

// badRecordings are uploads Validate must refuse, each with words of text
// and what its message must say.
func badRecordings(tb testing.TB) []struct {
	name  string
	body  []byte
	words int
	want  string
} {
	seedMP3, err := os.ReadFile(filepath.Join(seed, catalog.AudioDir, slug2+".mp3"))
	if err != nil {
		tb.Fatal(err)
	}
	// A recording whose frames are overwritten with noise after the first
	// 2 KB: headers that start well, then nothing an MP3 decoder can read.
	corrupt := append([]byte(nil), seedMP3...)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 2048; i < len(corrupt); i++ {
		corrupt[i] = byte(rng.Uint32())
	}
	return []struct {
		name  string
		body  []byte
		words int
		want  string
	}{
		{"zero bytes", nil, 368, "empty file (0 bytes); recording.mp3 holds no recording: copy it again"},
		{"a WAV named .mp3", wav(2), 5, `this is a WAV (RIFF WAVE) file, not an MP3; convert recording.mp3 to MP3 with ffmpeg -i "recording.mp3"`},
		{"an ID3 tag with no audio", id3Only(), 368, "only an ID3v2 tag"},
		{"truncated", seedMP3[:len(seedMP3)/2+77], 368, "recording.mp3 was cut short"},
		{"corrupt", corrupt, 368, "not a usable MP3"},
		{"random bytes", corrupt[4096:8192], 368, "not a usable MP3"},
		{"too short for the text", seedMP3, 2000, "the episode's 2000 words take 5:00 to 33:20"},
		{"too long for the text", seedMP3, 50, "it plays 2:21, but the episode's 50 words take 0:08 to 0:50"},
	}
}

func TestValidateRefusesBadRecordings(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range badRecordings(t) {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+".mp3")
			must(t, os.WriteFile(p, tt.body, 0o644))
			_, err := Validate(context.Background(), p, tt.words)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Validate: %v, want ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate: %q, want it to say %q", err, tt.want)
			}
			if strings.Contains(err.Error(), dir) {
				t.Errorf("the message names a server path: %q", err)
			}
		})
	}
}

func TestValidateRefusesSilence(t *testing.T) {
	p := filepath.Join(t.TempDir(), "silence.mp3")
	must(t, os.WriteFile(p, silentMP3(t, 30), 0o644))
	_, err := Validate(context.Background(), p, 100)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "silent") {
		t.Errorf("Validate(30 s of silence): %v, want ErrInvalid saying it is silent", err)
	}
}

// TestValidateAcceptsTheSeed validates the seed's shortest recording (a
// full decode of each would take seconds apiece).
func TestValidateAcceptsTheSeed(t *testing.T) {
	snap := load(t, seed)
	for _, e := range snap.Episodes {
		if e.Slug() != slug2 {
			continue
		}
		info, err := Validate(context.Background(), e.Audio.File, e.Outline.Words)
		if err != nil {
			t.Errorf("%s: %v", e.Slug(), err)
			continue
		}
		if info.Duration != e.Info.Duration {
			t.Errorf("%s: duration %v, the catalog's probe %v", e.Slug(), info.Duration, e.Info.Duration)
		}
	}
}

func TestValidateStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Validate(ctx, filepath.Join(seed, catalog.AudioDir, slug2+".mp3"), 368)
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrInvalid) {
		t.Errorf("Validate with a cancelled context: %v, want context.Canceled and not ErrInvalid", err)
	}
}

// FuzzValidate feeds Validate arbitrary uploads: it must never panic, and
// anything it refuses must be refused as ErrInvalid (the uploader's fault),
// never as a server error.
func FuzzValidate(f *testing.F) {
	tone, err := os.ReadFile("../audio/testdata/tone.mp3")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(tone)
	f.Add(id3Only())
	f.Add(wav(0.01))
	f.Add([]byte{})
	f.Add(tone[:len(tone)/2])
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "upload.mp3")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Validate(context.Background(), p, 1); err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("Validate refused %d bytes with a server error: %v", len(b), err)
		}
	})
}
