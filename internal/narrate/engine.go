package narrate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"golang.org/x/text/language"
)

// Engine is a speech synthesizer run as a program.
type Engine interface {
	// Name is the engine's name on the command line: festival, flite or
	// espeak-ng.
	Name() string
	// Check reports whether the programs and voice the engine needs are
	// installed; the error names the Debian packages to install.
	Check(ctx context.Context) error
	// Synthesize speaks each text in order and calls emit with its speech
	// as soon as it is ready, so that a whole episode never waits in the
	// engine. A text the engine fails on gives a *SentenceError.
	Synthesize(ctx context.Context, texts []string, emit func(i int, s Speech) error) error
}

// Speech is one synthesized sentence.
type Speech struct {
	Samples []float32 // mono PCM, full scale ±1
	Rate    int       // samples per second, as the engine wrote them
	// Words are the words the engine spoke, in order, in seconds from
	// Samples[0]. They are the engine's words ("nineteen", "fifty", "six"
	// or the token "1956"), which narrate maps onto the outline's words.
	Words []Word
}

// Word is a word as an engine spoke it.
type Word struct {
	Text       string
	Start, End float64 // seconds from the start of the speech
}

// Engine names.
const (
	Festival = "festival"
	Flite    = "flite"
	EspeakNG = "espeak-ng"
)

// Engines lists the engines NewEngine knows, the default first.
var Engines = []string{Festival, Flite, EspeakNG}

// NewEngine returns the engine with the given name that speaks language,
// the show's (a BCP 47 tag such as "en", "fr" or "pt-BR"; "" is English).
// festival and flite have English voices only; espeak-ng speaks a hundred
// languages and is given the show's when it is not English.
func NewEngine(name, language string) (Engine, error) {
	english := IsEnglish(language)
	switch name {
	case Festival, "", Flite:
		if name == "" {
			name = Festival
		}
		if !english {
			return nil, fmt.Errorf("narrate: %s speaks only English, and the show's language is %q (show.json): narrate with -voice %s, which speaks it, or record the episodes yourself (docs/your-own-show.md)", name, language, EspeakNG)
		}
		if name == Flite {
			return &FliteEngine{}, nil
		}
		return &FestivalEngine{}, nil
	case EspeakNG, "espeak":
		if english {
			return &EspeakEngine{}, nil
		}
		return &EspeakEngine{Voice: strings.ToLower(language), Unicode: true}, nil
	}
	return nil, fmt.Errorf("narrate: unknown voice %q (want %s)", name, strings.Join(Engines, ", "))
}

// IsEnglish reports whether language (a BCP 47 tag; "" counts as English,
// a show's default) is English.
func IsEnglish(tag string) bool {
	if tag == "" {
		return true
	}
	// Parse, not Make, and an exact base: for a tag it does not know
	// ("xx") x/text guesses "en" with low confidence.
	t, err := language.Parse(tag)
	if err != nil {
		return false
	}
	base, conf := t.Base()
	return conf == language.Exact && base.String() == "en"
}

// ErrMissingProgram is wrapped by the error of an engine whose program or
// voice is not installed.
var ErrMissingProgram = errors.New("program not found")

// missing returns the error for a program that is not installed.
func missing(program, packages string) error {
	return fmt.Errorf("narrate: %s not found: install the Debian package %s: %w", program, packages, ErrMissingProgram)
}

// lookPath finds program or returns the error naming its packages.
func lookPath(program, packages string) (string, error) {
	p, err := exec.LookPath(program)
	if err != nil {
		return "", missing(program, packages)
	}
	return p, nil
}

// SentenceError is an engine's failure on one text of a batch.
type SentenceError struct {
	Index int // into the texts given to Synthesize
	Err   error
}

func (e *SentenceError) Error() string { return fmt.Sprintf("text %d: %v", e.Index, e.Err) }
func (e *SentenceError) Unwrap() error { return e.Err }

// runOutput runs a program and returns its standard output; a failure
// carries the program's standard error, which is where engines explain.
func runOutput(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%s: %w: %s", name, err, lastLines(stderr.String(), 3))
	}
	return out, nil
}

// lastLines returns the last n non-empty lines of s, joined by " | ".
func lastLines(s string, n int) string {
	var lines []string
	for l := range strings.Lines(s) {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// readWAV reads and removes a WAV file an engine wrote.
func readWAV(path string) ([]float32, int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	os.Remove(path)
	x, rate, err := decodeWAV(b)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	return x, rate, nil
}
