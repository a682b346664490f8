package narrate

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"time"
)

// Config says what to narrate and how. The zero value of every field means
// its default.
type Config struct {
	// Engine speaks the text; default festival with cmu_us_slt_arctic_hts.
	Engine Engine
	// Dir is where the MP3s and their timing sidecars go; default
	// episodes/audio.
	Dir string
	// Episodes lists the slugs to narrate; empty means all of them.
	Episodes []string
	// Jobs is how many episodes are narrated at once; default
	// runtime.NumCPU(). Each job holds one episode's PCM: float32 at
	// 44.1 kHz is 10.6 MB a minute.
	Jobs     int
	Pauses   Pauses
	Loudness Loudness
	Encoding Encoding
	Tags     ShowTags
	// Progress receives one line per step of each episode
	// ("02-the-official-history: 14/37 sentences"); nil for none.
	Progress io.Writer
}

// Pauses lays out the silence between sentences: each is measured from the
// end of the last word of one sentence to the first word of the next.
type Pauses struct {
	LeadIn    time.Duration // before the first sentence; default 0.5 s
	Sentence  time.Duration // inside a paragraph; default 0.35 s
	Paragraph time.Duration // default 0.8 s
	Chapter   time.Duration // default 1.5 s
	Tail      time.Duration // after the last sentence; default 0.5 s
}

// DefaultPauses are the pauses of a zero Pauses.
var DefaultPauses = Pauses{
	LeadIn:    500 * time.Millisecond,
	Sentence:  350 * time.Millisecond,
	Paragraph: 800 * time.Millisecond,
	Chapter:   1500 * time.Millisecond,
	Tail:      500 * time.Millisecond,
}

// Loudness is the level each episode is normalized to.
type Loudness struct {
	// Target is the integrated loudness in LUFS; default −16, the podcast
	// norm (Apple, Spotify) for spoken word.
	Target float64
	// MaxTruePeak in dBTP; default −1. The PCM is held 0.5 dB lower so that
	// the MP3 encoder's small overshoots stay under it.
	MaxTruePeak float64
}

// DefaultLoudness is the loudness of a zero Loudness.
var DefaultLoudness = Loudness{Target: -16, MaxTruePeak: -1}

// Encoding chooses the MP3 format.
type Encoding struct {
	// SampleRate in Hz; default 44100, what every player and Apple expect.
	SampleRate int
	// Bitrate in kbit/s, constant; default 64. Constant bitrate lets
	// browsers and apps seek to an exact time (the read-along needs that);
	// 64 kbit/s mono is Apple's recommendation for spoken word.
	Bitrate int
}

// DefaultEncoding is the encoding of a zero Encoding.
var DefaultEncoding = Encoding{SampleRate: 44100, Bitrate: 64}

// ShowTags are the ID3 fields every episode shares.
type ShowTags struct {
	Artist    string // the author, or the narrator
	Album     string // the show's title
	Genre     string // default "Podcast"
	Comment   string // e.g. that the narration is synthesized, and by what
	Year      int
	Cover     []byte // front cover image, JPEG or PNG
	CoverMIME string // "image/jpeg" or "image/png"; sniffed when empty
}

// withDefaults returns c with every zero field set to its default, or an
// error for a setting that cannot work.
func (c Config) withDefaults() (Config, error) {
	if c.Engine == nil {
		c.Engine = &FestivalEngine{}
	}
	if c.Dir == "" {
		c.Dir = filepath.Join("episodes", "audio")
	}
	if c.Jobs <= 0 {
		c.Jobs = runtime.NumCPU()
	}
	if c.Pauses == (Pauses{}) {
		c.Pauses = DefaultPauses
	}
	if c.Loudness == (Loudness{}) {
		c.Loudness = DefaultLoudness
	}
	if c.Encoding.SampleRate == 0 {
		c.Encoding.SampleRate = DefaultEncoding.SampleRate
	}
	if c.Encoding.Bitrate == 0 {
		c.Encoding.Bitrate = DefaultEncoding.Bitrate
	}
	if c.Tags.Genre == "" {
		c.Tags.Genre = "Podcast"
	}
	p := c.Pauses
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"sentence", p.Sentence}, {"paragraph", p.Paragraph}, {"chapter", p.Chapter}, {"lead-in", p.LeadIn}} {
		if d.v < minPause {
			return c, fmt.Errorf("narrate: %s pause %v is shorter than %v: a sentence needs %v of silence before it", d.name, d.v, minPause, minPause-speechTail)
		}
	}
	if p.Tail < speechTail {
		return c, fmt.Errorf("narrate: tail %v is shorter than %v", p.Tail, speechTail)
	}
	switch c.Encoding.SampleRate {
	case 16000, 22050, 24000, 32000, 44100, 48000:
	default:
		return c, fmt.Errorf("narrate: MP3 sample rate %d Hz: want 16000, 22050, 24000, 32000, 44100 or 48000", c.Encoding.SampleRate)
	}
	if c.Encoding.Bitrate < 8 || c.Encoding.Bitrate > 320 {
		return c, fmt.Errorf("narrate: MP3 bitrate %d kbit/s is outside 8-320", c.Encoding.Bitrate)
	}
	if c.Loudness.MaxTruePeak > 0 || c.Loudness.Target >= c.Loudness.MaxTruePeak {
		return c, errors.New("narrate: loudness target must be below the true-peak ceiling, which must be at most 0 dBTP")
	}
	return c, nil
}

// speechTail is how much of the synthesizer's output narrate keeps after a
// sentence's last word ends (fading it out): the release of a final
// consonant. minPause leaves 100 ms of silence before every sentence after
// that tail and the MP3 encoder's pre-echo (up to one 13 ms granule).
const (
	speechTail = 30 * time.Millisecond
	minPause   = 150 * time.Millisecond
)

// AudioPath is where Run writes the MP3 of the episode with the given slug.
func AudioPath(dir, slug string) string { return filepath.Join(dir, slug+".mp3") }

// SidecarPath is where Run writes the timing sidecar of the episode.
func SidecarPath(dir, slug string) string { return filepath.Join(dir, slug+".timing.json") }
