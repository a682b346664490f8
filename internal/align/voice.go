package align

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"unicode"

	"github.com/readcast/readcast/internal/audio"
	"github.com/readcast/readcast/internal/narrate"
)

// Voice speaks the words of the reference. Each word is spoken on its own:
// cutting a sentence's synthesis in proportion to its words' lengths put
// word starts six times further off than concatenating words spoken alone.
type Voice interface {
	// Words speaks each word on its own and returns one clip per word, at
	// the rate returned. A clip may carry silence around the word (the
	// reference trims it) and is empty when the voice has nothing to say.
	Words(ctx context.Context, words []string) (clips [][]float32, rate int, err error)
}

// Espeak is the default voice: espeak-ng, run once for a batch of words
// with a long SSML break after each, so that a few processes speak an
// episode's vocabulary (one process per word would cost 20 ms each). The
// breaks cut the output back into words; a batch whose cut does not give
// one piece per word is split and spoken again, down to single words.
type Espeak struct {
	Voice string // espeak-ng -v; default "en-us"
}

const (
	espeakBatch = 50
	espeakBreak = 500 // ms of SSML break after each word
	// espeakCut is the shortest silence taken for a break: longer than
	// any stop closure or pause espeak makes inside a word, shorter than
	// the break.
	espeakCut = 0.3 // seconds
	// silent is the amplitude under which a synthesizer's sample counts as
	// silence: −66 dBFS.
	silent = 1.0 / 2048
)

// ErrMissingVoice is wrapped when the reference voice's program is not
// installed.
var ErrMissingVoice = errors.New("voice not installed")

// Words speaks words with espeak-ng, batches on all cores.
func (e Espeak) Words(ctx context.Context, words []string) ([][]float32, int, error) {
	path, err := exec.LookPath("espeak-ng")
	if err != nil {
		return nil, 0, fmt.Errorf("align: espeak-ng not found: install the Debian package espeak-ng: %w", ErrMissingVoice)
	}
	voice := e.Voice
	if voice == "" {
		voice = "en-us"
	}
	clips := make([][]float32, len(words))
	type job struct{ from, to int }
	jobs := make(chan job)
	var (
		mu       sync.Mutex
		firstErr error
		rate     int
		wg       sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
	}
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				r, err := espeakRange(ctx, path, voice, words[j.from:j.to], clips[j.from:j.to])
				if err != nil {
					fail(err)
					continue
				}
				mu.Lock()
				if rate == 0 {
					rate = r
				} else if r != 0 && r != rate {
					firstErr = fmt.Errorf("align: espeak-ng wrote %d Hz and then %d Hz", rate, r)
				}
				mu.Unlock()
			}
		}()
	}
	for from := 0; from < len(words); from += espeakBatch {
		select {
		case jobs <- job{from, min(from+espeakBatch, len(words))}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(jobs)
	wg.Wait()
	if ctx.Err() != nil {
		return nil, 0, ctx.Err()
	}
	if firstErr != nil {
		return nil, 0, firstErr
	}
	if rate == 0 {
		rate = 22050 // nothing was spoken; any rate will do
	}
	return clips, rate, nil
}

// espeakRange speaks words into clips, splitting the batch when its breaks
// do not cut it into one piece per word. It returns the rate (0 if nothing
// was spoken).
func espeakRange(ctx context.Context, path, voice string, words []string, clips [][]float32) (int, error) {
	var b strings.Builder
	b.WriteString("<speak>")
	spoken := 0
	for _, w := range words {
		t := narrate.SpeechText(w)
		if !speakable(t) {
			continue
		}
		spoken++
		xmlEscape(&b, t)
		fmt.Fprintf(&b, `<break time="%dms"/>`, espeakBreak)
	}
	b.WriteString("</speak>")
	if spoken == 0 {
		return 0, nil
	}
	cmd := exec.CommandContext(ctx, path, "-m", "-v", voice, "--stdout", "--stdin")
	cmd.Stdin = strings.NewReader(b.String())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, fmt.Errorf("align: espeak-ng: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	x, rate, err := parseWAV(out)
	if err != nil {
		return 0, fmt.Errorf("align: espeak-ng: %w", err)
	}
	pieces := splitOnSilence(x, int(espeakCut*float64(rate)))
	if len(pieces) == spoken {
		k := 0
		for i, w := range words {
			if !speakable(narrate.SpeechText(w)) {
				continue
			}
			clips[i] = append([]float32(nil), x[pieces[k][0]:pieces[k][1]]...)
			k++
		}
		return rate, nil
	}
	if len(words) == 1 {
		// One word that espeak spoke with a long pause inside it (or not
		// at all): all of it is the word.
		if s, e, ok := soundBounds(x); ok {
			clips[0] = append([]float32(nil), x[s:e]...)
		}
		return rate, nil
	}
	h := len(words) / 2
	r1, err := espeakRange(ctx, path, voice, words[:h], clips[:h])
	if err != nil {
		return 0, err
	}
	r2, err := espeakRange(ctx, path, voice, words[h:], clips[h:])
	if err != nil {
		return 0, err
	}
	return max(r1, r2), nil
}

// speakable reports whether a synthesizer has something to say for t: a
// letter or a digit.
func speakable(t string) bool {
	return strings.ContainsFunc(t, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) })
}

func xmlEscape(b *strings.Builder, s string) {
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&apos;")
		default:
			b.WriteRune(r)
		}
	}
}

// soundBounds returns the first and one past the last sample louder than
// silent.
func soundBounds(x []float32) (int, int, bool) {
	first, last := -1, -1
	for i, v := range x {
		if v > silent || v < -silent {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	return first, last + 1, first >= 0
}

// splitOnSilence returns the stretches of sound in x separated by at least
// minGap samples of silence, as [start, end) pairs.
func splitOnSilence(x []float32, minGap int) [][2]int {
	var out [][2]int
	start, last := -1, -1
	for i, v := range x {
		if v <= silent && v >= -silent {
			continue
		}
		if start >= 0 && i-last > minGap {
			out = append(out, [2]int{start, last + 1})
			start = -1
		}
		if start < 0 {
			start = i
		}
		last = i
	}
	if start >= 0 {
		out = append(out, [2]int{start, last + 1})
	}
	return out
}

// parseWAV reads 16-bit PCM WAV as espeak-ng writes it to a pipe (the data
// size is a placeholder: the data runs to the end).
func parseWAV(b []byte) ([]float32, int, error) {
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, 0, errors.New("output is not a WAV file")
	}
	rate, channels, bitsPer := 0, 0, 0
	p := 12
	for p+8 <= len(b) {
		id := string(b[p : p+4])
		size := int(binary.LittleEndian.Uint32(b[p+4:]))
		body := b[p+8:]
		switch id {
		case "fmt ":
			if len(body) < 16 {
				return nil, 0, errors.New("short fmt chunk")
			}
			channels = int(binary.LittleEndian.Uint16(body[2:]))
			rate = int(binary.LittleEndian.Uint32(body[4:]))
			bitsPer = int(binary.LittleEndian.Uint16(body[14:]))
		case "data":
			if rate <= 0 || channels < 1 || bitsPer != 16 {
				return nil, 0, fmt.Errorf("unsupported WAV: %d Hz, %d channels, %d bits", rate, channels, bitsPer)
			}
			if size > len(body) || size <= 0 {
				size = len(body)
			}
			n := size / (2 * channels)
			x := make([]float32, n)
			for i := range n {
				var s float32
				for c := range channels {
					s += float32(int16(binary.LittleEndian.Uint16(body[2*(i*channels+c):])))
				}
				x[i] = s / float32(channels) / 32768
			}
			return x, rate, nil
		}
		if size < 0 || p+8+size > len(b) {
			break
		}
		p += 8 + size + size&1
	}
	return nil, 0, errors.New("WAV has no data chunk")
}

// EngineVoice speaks the reference with any narrate engine (festival,
// flite, espeak-ng), one word per text. It is slower than Espeak (each
// engine starts per word) and exists to compare voices.
type EngineVoice struct{ Engine narrate.Engine }

// Words speaks each word with the engine.
func (v EngineVoice) Words(ctx context.Context, words []string) ([][]float32, int, error) {
	clips := make([][]float32, len(words))
	rate := 0
	var texts []string
	var index []int
	for i, w := range words {
		if speakable(narrate.SpeechText(w)) {
			texts = append(texts, w)
			index = append(index, i)
		}
	}
	err := v.Engine.Synthesize(ctx, texts, func(i int, s narrate.Speech) error {
		if rate == 0 {
			rate = s.Rate
		}
		x := s.Samples
		if s.Rate != rate {
			x = audio.Resample(x, s.Rate, rate)
		}
		clips[index[i]] = x
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("align: %s: %w", v.Engine.Name(), err)
	}
	if rate == 0 {
		rate = Rate
	}
	return clips, rate, nil
}
