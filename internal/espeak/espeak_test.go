package espeak

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/readcast/readcast/internal/testtool"
)

func TestSpeakWritesAWAV(t *testing.T) {
	path := testtool.Require(t, Program, Program)
	ctx := context.Background()
	dir := t.TempDir()
	plain, gapped := filepath.Join(dir, "s.wav"), filepath.Join(dir, "g.wav")
	if err := Speak(ctx, path, "en-us", "The river rose.", plain, 0); err != nil {
		t.Fatal(err)
	}
	if err := Speak(ctx, path, "en-us", "The river rose.", gapped, 50); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(plain)
	b, _ := os.ReadFile(gapped)
	if len(a) < 1000 || string(a[:4]) != "RIFF" {
		t.Fatalf("espeak-ng wrote %d bytes, not a WAV", len(a))
	}
	if len(b) <= len(a) {
		t.Errorf("the run with word gaps is %d bytes, the plain one %d: -g did not lengthen it", len(b), len(a))
	}
}

func TestSpeakFailureSaysWhy(t *testing.T) {
	path := testtool.Require(t, Program, Program)
	err := Speak(context.Background(), path, "nosuch", "x", filepath.Join(t.TempDir(), "x.wav"), 0)
	if err == nil || !strings.Contains(err.Error(), "voice does not exist") {
		t.Fatalf("err = %v, want espeak-ng's complaint", err)
	}
}

func TestPhonemesOneLinePerWord(t *testing.T) {
	path := testtool.Require(t, Program, Program)
	got, err := Phonemes(context.Background(), path, "en-us", []string{"cat", "Tukhachevsky"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !strings.Contains(got[0], "k_") || !strings.Contains(got[1], "_") {
		t.Fatalf("Phonemes = %q, want two lines of _-separated phonemes, the first k…", got)
	}
}

func TestMissingProgram(t *testing.T) {
	_, err := Phonemes(context.Background(), filepath.Join(t.TempDir(), "none"), "en-us", []string{"a"})
	if err == nil {
		t.Fatal("no error running a program that does not exist")
	}
}
