package align

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"time"
	"unicode"

	"github.com/readcast/readcast/internal/align/hmm"
	"github.com/readcast/readcast/internal/audio"
	"github.com/readcast/readcast/internal/narrate"
	"github.com/readcast/readcast/internal/timing"
)

// Errors a caller can act on.
var (
	// ErrNoMatch is wrapped when the text does not match the recording:
	// too few of its sentences are found, or the lengths cannot agree.
	ErrNoMatch = errors.New("the text does not match the recording")
	// ErrSilent is wrapped when the recording holds no speech.
	ErrSilent = errors.New("the recording is silent")
	// ErrNoText is wrapped when the text has no words to look for.
	ErrNoText = errors.New("the text has no words")
	// ErrLanguage is wrapped when the text is not English: the acoustic
	// model and the pronouncing dictionary are, and a recording in
	// another language would be misplaced rather than aligned.
	ErrLanguage = errors.New("readcast aligns recordings in English only")
)

// checkLanguage refuses a show whose language (show.json's, a BCP 47
// tag; "" when unknown) is not English, and a text written mostly in
// letters other than Latin ones, whatever language it claims: none of its
// words is in the dictionary, and the English guesses for them say
// nothing of the sounds.
func checkLanguage(language string, text []Sentence) error {
	if language != "" && !narrate.IsEnglish(language) {
		return fmt.Errorf("%w, and the show's language is %q: its transcript cannot be synchronized to a recording", ErrLanguage, language)
	}
	latin, other := 0, 0
	var first rune
	for _, s := range text {
		for _, w := range s.Words {
			for _, r := range w {
				switch {
				case !unicode.IsLetter(r):
				case unicode.Is(unicode.Latin, r):
					latin++
				default:
					if other == 0 {
						first = r
					}
					other++
				}
			}
		}
	}
	if other <= latin {
		return nil
	}
	script := "non-Latin"
	for name, table := range unicode.Scripts {
		if unicode.Is(table, first) {
			script = name
			break
		}
	}
	return fmt.Errorf("%w, and the text is written in %s letters: its transcript cannot be synchronized to a recording", ErrLanguage, script)
}

// Stage names a step of an alignment, for progress reports.
type Stage string

// Stages, in the order they finish (decoding and the reference run at the
// same time).
const (
	StageDecode    Stage = "decode"    // Done and Total in seconds of audio
	StageReference Stage = "reference" // pronunciations: Done and Total in words
	StageAlign     Stage = "align"     // Done and Total in sentences
)

// Progress is a progress report.
type Progress struct {
	Stage       Stage
	Done, Total float64
}

// Options tune an alignment. The zero value is ready to use.
type Options struct {
	// Workers decode in parallel; 0 means runtime.GOMAXPROCS(0).
	Workers int
	// Progress, if set, is called now and then, from any goroutine but
	// never concurrently.
	Progress func(Progress)
	// TextSHA256 is copied into the timing map (narrate puts the source
	// text's digest there).
	TextSHA256 string
	// Language is the show's (a BCP 47 tag): anything but English is
	// refused with ErrLanguage. "" when unknown (readcast align): then
	// only the text's letters are checked.
	Language string
}

// Result is an alignment: the timing map and the report of what a narrator
// may want to fix.
type Result struct {
	Map    *timing.Map
	Report Report
	// Elapsed is the wall time the alignment took.
	Elapsed time.Duration
	// Timings split it into stages, for benchmarks.
	Timings Timings
}

// Timings are the wall time of an alignment's stages. Decode includes the
// front end (the cepstra are taken as the audio decodes, on all cores),
// and Features is the time of the front end alone, summed over the cores;
// Search includes Scoring, the search's own time on the Gaussians it asked
// for, while ScoringAhead is the second core's scoring of frames ahead of
// the search (it runs while the search advances); Confidence is the
// garbage model's scoring of every word; Retakes the search of
// untranscribed stretches for sentences read again.
type Timings struct {
	Decode, Features, Search, Scoring, ScoringAhead, Confidence, Retakes time.Duration
}

// AlignFile aligns the MP3 at path to text and fills the map's
// audio_sha256.
func AlignFile(ctx context.Context, path string, text []Sentence, opt Options) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("align: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("align: %w", err)
	}
	res, err := Align(ctx, f, st.Size(), text, opt)
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, st.Size())); err != nil {
		return nil, fmt.Errorf("align: %w", err)
	}
	res.Map.AudioSHA256 = hex.EncodeToString(h.Sum(nil))
	return res, nil
}

// Align finds when each sentence of text and each of its words is spoken
// in the MP3 r of size bytes. The map has every sentence of text, in order;
// a sentence that is not in the recording gets a zero-length span, a
// confidence of 0 and an issue in the report. The error wraps ErrNoMatch
// when the text does not match the recording, ErrSilent for a recording
// without speech, and audio.ErrNotMP3 for a file that is not a usable MP3.
func Align(ctx context.Context, r io.ReaderAt, size int64, text []Sentence, opt Options) (*Result, error) {
	began := time.Now()
	if err := checkLanguage(opt.Language, text); err != nil {
		return nil, fmt.Errorf("align: %w", err)
	}
	words := 0
	for _, s := range text {
		words += len(s.Words)
	}
	if words == 0 {
		return nil, fmt.Errorf("align: %w", ErrNoText)
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	report := progressReporter(opt.Progress)
	// A file that is not an MP3 is refused before anything else.
	info, err := audio.Probe(r, size)
	if err != nil {
		return nil, fmt.Errorf("align: %w", err)
	}
	m, err := acousticModel()
	if err != nil {
		return nil, fmt.Errorf("align: %w", err)
	}

	// The words are looked up (espeak-ng guesses the unknown ones) while
	// the recording decodes.
	var (
		a       = &aligner{m: m, text: text, duration: info.Duration}
		lexErr  error
		wg      sync.WaitGroup
		started = time.Now()
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		report(Progress{Stage: StageReference, Total: float64(words)})
		a.words, a.sentOf, a.first, lexErr = pronounce(text)
		report(Progress{Stage: StageReference, Done: float64(words), Total: float64(words)})
	}()
	fe0 := frontEndTime.Load()
	rec, err := decodeFeatures(ctx, r, size, info, workers, func(done, total float64) {
		report(Progress{Stage: StageDecode, Done: min(done, total), Total: total})
	})
	wg.Wait()
	if err != nil {
		return nil, fmt.Errorf("align: %w", err)
	}
	if lexErr != nil {
		return nil, fmt.Errorf("align: %w", lexErr)
	}
	report(Progress{Stage: StageDecode, Done: info.Duration, Total: info.Duration})
	a.timings.Decode = time.Since(started)
	a.timings.Features = time.Duration(frontEndTime.Load() - fe0)
	a.ft = hmm.NewFeatures(rec.mfcc)
	a.energy = rec.energy
	rec = nil
	collect() // the decoders' buffers

	if err := a.run(ctx); err != nil {
		return nil, fmt.Errorf("align: %w", err)
	}
	report(Progress{Stage: StageAlign, Done: float64(len(text)), Total: float64(len(text))})
	tm := a.timingMap()
	tm.TextSHA256 = opt.TextSHA256
	if err := tm.Validate(); err != nil {
		return nil, fmt.Errorf("align: internal error: %w", err)
	}
	return &Result{Map: tm, Report: a.report, Elapsed: time.Since(began), Timings: a.timings}, nil
}

// progressReporter serializes calls to f and drops decode reports that
// come faster than every 1% of the work.
func progressReporter(f func(Progress)) func(Progress) {
	if f == nil {
		return func(Progress) {}
	}
	var mu sync.Mutex
	last := map[Stage]float64{}
	return func(p Progress) {
		mu.Lock()
		defer mu.Unlock()
		if p.Stage == StageDecode && p.Total > 0 && p.Done < p.Total && p.Done-last[p.Stage] < p.Total/100 {
			return
		}
		if p.Done == last[p.Stage] && p.Done > 0 {
			return
		}
		last[p.Stage] = p.Done
		f(p)
	}
}

// collect runs the garbage collector between the stages of an alignment.
// Each stage leaves large buffers behind (the voice's clips, the decoders'
// buffers, the coarse levels of the DTW); collecting them before the next
// stage allocates keeps the peak memory at what is live, not twice that
// (the collector's default headroom), for a few tens of milliseconds.
func collect() { runtime.GC() }
