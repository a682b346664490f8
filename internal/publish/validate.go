package publish

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/readcast/readcast/internal/audio"
)

// ErrInvalid is wrapped by every error that says an upload cannot be an
// episode's recording: not an MP3, damaged, silent, or of a length no
// reading of the text could have.
var ErrInvalid = errors.New("the recording cannot be published")

// Narration speeds a recording's length is held to: slower than the
// slowest reading or faster than the fastest speech is another recording,
// or a broken one.
const (
	MinWordsPerMinute = 60
	MaxWordsPerMinute = 400
)

// silence is the peak below which a recording holds no audible sound
// (about -60 dBFS).
const silence = 1e-3

// Validate checks that the file at path is a recording of a text of words
// words: it probes the frames, checks that the length is plausible for the
// text, decodes all of it (streaming: memory stays small whatever the
// length; go-mp3 decodes about 70 times faster than real time here) and
// finds sound in it. Its errors wrap ErrInvalid, with a message
// meant for the person who uploaded the file; other errors are the
// server's.
func Validate(ctx context.Context, path string, words int) (audio.Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return audio.Info{}, fmt.Errorf("publish: validate: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return audio.Info{}, fmt.Errorf("publish: validate: %w", err)
	}
	info, err := audio.Probe(f, st.Size())
	if err != nil {
		return info, invalid(err, "it is not a usable MP3")
	}
	// The length first: it is known without decoding, and a wrong file
	// is refused at once.
	if err := plausible(info.Duration, words); err != nil {
		return info, err
	}
	pcm, err := audio.Decode(f, 0)
	if err != nil {
		return info, invalid(err, "it does not decode")
	}
	buf := make([]float32, 8192)
	var peak float32
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return info, fmt.Errorf("publish: validate: %w", err)
		}
		k, err := pcm.Read(buf)
		for _, v := range buf[:k] {
			if v > peak {
				peak = v
			} else if -v > peak {
				peak = -v
			}
		}
		n += int64(k)
		if err == io.EOF {
			break
		}
		if err != nil {
			return info, invalid(err, fmt.Sprintf("it does not decode past %s", clock(float64(n)/float64(pcm.SampleRate()))))
		}
	}
	if n == 0 {
		return info, fmt.Errorf("%w: it holds no audio samples", ErrInvalid)
	}
	if peak < silence {
		return info, fmt.Errorf("%w: it is silent (peak %.1f dBFS over %s)", ErrInvalid, 20*math.Log10(float64(max(peak, 1e-9))), clock(info.Duration))
	}
	return info, nil
}

// plausible checks a recording of seconds against a text of words.
func plausible(seconds float64, words int) error {
	if words <= 0 {
		return nil
	}
	shortest := float64(words) / MaxWordsPerMinute * 60
	longest := float64(words) / MinWordsPerMinute * 60
	if seconds < shortest || seconds > longest {
		return fmt.Errorf("%w: it plays %s, but the episode's %d words take %s to %s to read (%d to %d words a minute): is it the right file?",
			ErrInvalid, clock(seconds), words, clock(shortest), clock(longest), MinWordsPerMinute, MaxWordsPerMinute)
	}
	return nil
}

// uploadName stands for the uploaded file in what to do about it: the
// server's own path means nothing to the person who sent it.
const uploadName = "recording.mp3"

// invalid wraps an audio error as ErrInvalid, without the package prefix
// and sentinel text a person has no use for, and with what to do.
func invalid(err error, what string) error {
	msg := strings.TrimPrefix(err.Error(), "audio: ")
	msg = strings.TrimPrefix(msg, "decode: ")
	msg = strings.TrimSuffix(msg, ": "+audio.ErrNotMP3.Error())
	if fix := audio.Remedy(uploadName, err); fix != "" {
		return fmt.Errorf("%w: %s: %s; %s", ErrInvalid, what, msg, fix)
	}
	return fmt.Errorf("%w: %s: %s", ErrInvalid, what, msg)
}

// clock formats seconds as m:ss, or h:mm:ss.
func clock(seconds float64) string {
	t := int(math.Round(seconds))
	if t >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", t/3600, t/60%60, t%60)
	}
	return fmt.Sprintf("%d:%02d", t/60, t%60)
}
