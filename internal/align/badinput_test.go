package align

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/readcast/readcast/internal/audio"
)

// TestMismatchedText: the recording of one episode against the text of
// another is refused with ErrNoMatch, not timed with confidence.
func TestMismatchedText(t *testing.T) {
	needEspeak(t)
	eps := seedEpisodes(t)
	_, err := AlignFile(context.Background(), eps[0].mp3, eps[1].text, Options{})
	if !errors.Is(err, ErrNoMatch) {
		t.Fatalf("got %v, want ErrNoMatch", err)
	}
	if !strings.Contains(err.Error(), "does not match") {
		t.Errorf("the error does not say the text does not match: %v", err)
	}
	t.Log(err)
	recordFigure(t, "bad_mismatch", err)
}

// TestSilentRecording: ten seconds of silence hold no speech.
func TestSilentRecording(t *testing.T) {
	needEspeak(t)
	mp3 := encodeMP3(t, t.TempDir(), make([]float32, 10*Rate), Rate)
	_, err := AlignFile(context.Background(), mp3, selfText, Options{})
	if !errors.Is(err, ErrSilent) {
		t.Fatalf("got %v, want ErrSilent", err)
	}
	t.Log(err)
	recordFigure(t, "bad_silent", err)
}

// TestTooShortRecording: two seconds of speech cannot hold a hundred
// sentences.
func TestTooShortRecording(t *testing.T) {
	needEspeak(t)
	out, err := exec.Command("espeak-ng", "-v", "en-us", "--stdout", "I was born in the USSR.").Output()
	if err != nil {
		t.Fatal(err)
	}
	x, rate, err := parseWAV(out)
	if err != nil {
		t.Fatal(err)
	}
	x = audio.Resample(x, rate, Rate)
	x = append(x, make([]float32, max(0, 2*Rate-len(x)))...)[:2*Rate]
	mp3 := encodeMP3(t, t.TempDir(), x, Rate)
	var text []Sentence
	for _, e := range seedEpisodes(t) {
		text = append(text, e.text...)
	}
	text = text[:100]
	_, err = AlignFile(context.Background(), mp3, text, Options{})
	if !errors.Is(err, ErrNoMatch) {
		t.Fatalf("got %v, want ErrNoMatch", err)
	}
	t.Log(err)
	recordFigure(t, "bad_short", err)
}

// TestNotAnMP3: a WAV given as the recording is refused as not an MP3.
func TestNotAnMP3(t *testing.T) {
	path := t.TempDir() + "/x.mp3"
	writeWAV(t, path, make([]float32, Rate), Rate)
	_, err := AlignFile(context.Background(), path, selfText, Options{Voice: noVoice{}})
	if !errors.Is(err, audio.ErrNotMP3) {
		t.Fatalf("got %v, want audio.ErrNotMP3", err)
	}
}

// TestEmptyText: a text without words is refused before any work.
func TestEmptyText(t *testing.T) {
	_, err := Align(context.Background(), nil, 0, Lines("***\n\n—"), Options{Voice: noVoice{}})
	if !errors.Is(err, ErrNoText) {
		t.Fatalf("got %v, want ErrNoText", err)
	}
}

// TestCanceled: a canceled context stops the alignment.
func TestCanceled(t *testing.T) {
	needEspeak(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := AlignFile(ctx, seedEpisodes(t)[0].mp3, seedEpisodes(t)[0].text, Options{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

// noVoice says nothing; for tests that fail before the reference matters.
type noVoice struct{}

func (noVoice) Words(_ context.Context, words []string) ([][]float32, int, error) {
	return make([][]float32, len(words)), Rate, nil
}

// TestVoiceFailureStopsDecoding: when the voice fails, the alignment
// returns its error (not the cancellation of the decoding it causes).
func TestVoiceFailureStopsDecoding(t *testing.T) {
	_, err := AlignFile(context.Background(), seedEpisodes(t)[3].mp3, seedEpisodes(t)[3].text, Options{Voice: failingVoice{}})
	if !errors.Is(err, ErrMissingVoice) {
		t.Fatalf("got %v, want ErrMissingVoice", err)
	}
}

type failingVoice struct{}

func (failingVoice) Words(context.Context, []string) ([][]float32, int, error) {
	return nil, 0, fmt.Errorf("align: no voice here: %w", ErrMissingVoice)
}
