package align

import (
	"context"
	"encoding/binary"
	"errors"
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
	_, err := AlignFile(context.Background(), path, selfText, Options{})
	if !errors.Is(err, audio.ErrNotMP3) {
		t.Fatalf("got %v, want audio.ErrNotMP3", err)
	}
}

// TestEmptyText: a text without words is refused before any work.
func TestEmptyText(t *testing.T) {
	_, err := Align(context.Background(), nil, 0, Lines("***\n\n—"), Options{})
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

// selfText is a few sentences of the seed's kind.
var selfText = Lines(`I was born in the USSR in 1965, grew up there, and studied in the Brezhnev era.
Leonid Brezhnev was the most-known figure of power.
In each election, the ballot had only one name, and Brezhnev was re-elected with 99.9 percent of the vote.
Jokes targeting leaders of the regime and the KGB were very common.`)

// parseWAV reads the 16-bit mono PCM WAV espeak-ng writes.
func parseWAV(b []byte) ([]float32, int, error) {
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, 0, errors.New("not a WAV")
	}
	rate := 0
	for off := 12; off+8 <= len(b); {
		id, n := string(b[off:off+4]), int(binary.LittleEndian.Uint32(b[off+4:]))
		body := b[off+8 : min(len(b), off+8+n)]
		switch id {
		case "fmt ":
			rate = int(binary.LittleEndian.Uint32(body[4:]))
		case "data":
			x := make([]float32, len(body)/2)
			for i := range x {
				x[i] = float32(int16(binary.LittleEndian.Uint16(body[2*i:]))) / 32768
			}
			return x, rate, nil
		}
		off += 8 + n + n&1
	}
	return nil, 0, errors.New("no data chunk")
}
