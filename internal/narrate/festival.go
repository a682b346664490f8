package narrate

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// FestivalEngine speaks with festival and an HTS voice. Festival reports
// where every word starts and ends in the utterance it synthesized, so its
// timings are exact (to its 5 ms frames).
type FestivalEngine struct {
	// Voice is the festival voice, without the "voice_" prefix; default
	// cmu_us_slt_arctic_hts (Debian package festvox-us-slt-hts), the most
	// intelligible voice Debian ships.
	Voice string
}

const festivalVoice = "cmu_us_slt_arctic_hts"

func (e *FestivalEngine) voice() string {
	if e.Voice == "" {
		return festivalVoice
	}
	return e.Voice
}

func (e *FestivalEngine) packages() string {
	if e.voice() == festivalVoice {
		return "festival and festvox-us-slt-hts"
	}
	return "festival and the package of voice " + e.voice()
}

// Name returns "festival".
func (e *FestivalEngine) Name() string { return Festival }

// Check runs festival once to select the voice.
func (e *FestivalEngine) Check(ctx context.Context) error {
	path, err := lookPath("festival", e.packages())
	if err != nil {
		return err
	}
	out, err := exec.CommandContext(ctx, path, "-b", "(voice_"+e.voice()+")").CombinedOutput()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil || strings.Contains(string(out), "SIOD ERROR") {
		return fmt.Errorf("narrate: festival voice %s not found: install the Debian package %s: %w (%s)",
			e.voice(), e.packages(), ErrMissingProgram, lastLines(string(out), 2))
	}
	return nil
}

// festivalScript defines a function that synthesizes one utterance, saves its
// wave and prints the time of each token: the words a token becomes ("1956"
// → nineteen fifty six) each have word_start and word_end, computed from the
// Segment relation; punctuation words have no segments and print zeros.
// Standard output is flushed after each sentence (festival buffers it when
// it is a pipe) so that narrate takes each sentence as soon as it is ready.
const festivalScript = `(define (readcast-tokens tk i)
  (if tk
    (begin
      (format t "rc-t %d %s\n" i (item.name tk))
      (mapcar (lambda (w) (format t "rc-w %d %f %f\n" i (item.feat w "word_start") (item.feat w "word_end")))
        (item.daughters tk))
      (readcast-tokens (item.next tk) (+ i 1)))))
(define (readcast-say n utt file)
  (set! readcast-utt (utt.synth utt))
  (utt.save.wave readcast-utt file 'riff)
  (readcast-tokens (utt.relation.first readcast-utt 'Token) 0)
  (format t "rc-end %d\n" n)
  (fflush nil))
`

// schemeString quotes s as a Scheme string literal.
func schemeString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

// Synthesize runs one festival process for the whole batch: starting
// festival and loading the voice costs about as much as a short sentence, so
// one process per sentence would nearly double the time.
func (e *FestivalEngine) Synthesize(ctx context.Context, texts []string, emit func(int, Speech) error) error {
	path, err := lookPath("festival", e.packages())
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "readcast-festival-")
	if err != nil {
		return fmt.Errorf("narrate: festival: %w", err)
	}
	defer os.RemoveAll(dir)
	scriptPath, err := e.batchScript(dir, texts)
	if err != nil {
		return fmt.Errorf("narrate: festival: %w", err)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "-b", scriptPath)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("narrate: festival: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("narrate: festival: %w", err)
	}
	current, emitErr := e.readReport(stdout, dir, emit)
	if emitErr != nil {
		cancel()
		cmd.Wait()
		return emitErr
	}
	waitErr := cmd.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if current >= 0 {
		return &SentenceError{Index: current, Err: fmt.Errorf("festival: %v: %s", waitErr, lastLines(stderr.String(), 3))}
	}
	if waitErr != nil || strings.Contains(stderr.String(), "SIOD ERROR") {
		return fmt.Errorf("narrate: festival: %v: %s", waitErr, lastLines(stderr.String(), 3))
	}
	return nil
}

// batchScript writes the Scheme script that has festival say every text
// into dir/<i>.wav, reporting on standard output as it goes, and returns
// its path.
func (e *FestivalEngine) batchScript(dir string, texts []string) (string, error) {
	var script strings.Builder
	fmt.Fprintf(&script, "(voice_%s)\n%s", e.voice(), festivalScript)
	for i, t := range texts {
		// Utterance does not evaluate its text, so each call spells it out;
		// rc-begin comes first so that a failure in Utterance names the text.
		fmt.Fprintf(&script, "(format t \"rc-begin %d\\n\")\n(readcast-say %d (Utterance Text %s) %s)\n", i, i, schemeString(SpeechText(t)),
			schemeString(filepath.Join(dir, strconv.Itoa(i)+".wav")))
	}
	scriptPath := filepath.Join(dir, "batch.scm")
	return scriptPath, os.WriteFile(scriptPath, []byte(script.String()), 0o600)
}

// readReport reads festival's report (rc-begin, rc-t, rc-w, rc-end lines)
// and emits each text's speech as it ends. It stops at emit's first error,
// and returns it with the text festival was working on when its output
// ended (-1 for none).
func (e *FestivalEngine) readReport(r io.Reader, dir string, emit func(int, Speech) error) (current int, err error) {
	current = -1
	var tokens []Word
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() && err == nil {
		kind, rest, _ := strings.Cut(sc.Text(), " ")
		switch kind {
		case "rc-begin":
			current, _ = strconv.Atoi(rest)
			tokens = tokens[:0]
		case "rc-t":
			_, name, _ := strings.Cut(rest, " ")
			tokens = append(tokens, Word{Text: name, Start: -1, End: -1})
		case "rc-w":
			widenLast(tokens, rest)
		case "rc-end":
			err = e.finish(current, filepath.Join(dir, rest+".wav"), tokens, emit)
			current = -1
		}
	}
	return current, err
}

// widenLast extends the last token to cover the word festival timed in
// rest ("name start end"); punctuation and unvoiced words are skipped.
func widenLast(tokens []Word, rest string) {
	f := strings.Fields(rest)
	if len(f) != 3 || len(tokens) == 0 {
		return
	}
	start, err1 := strconv.ParseFloat(f[1], 64)
	end, err2 := strconv.ParseFloat(f[2], 64)
	if err1 != nil || err2 != nil || end <= start {
		return // punctuation, or a word festival did not voice
	}
	t := &tokens[len(tokens)-1]
	if t.Start < 0 || start < t.Start {
		t.Start = start
	}
	t.End = max(t.End, end)
}

// finish reads the wave of text i and hands its speech on.
func (e *FestivalEngine) finish(i int, wav string, tokens []Word, emit func(int, Speech) error) error {
	x, rate, err := readWAV(wav)
	if err != nil {
		return &SentenceError{Index: i, Err: fmt.Errorf("festival: %w", err)}
	}
	words := make([]Word, 0, len(tokens))
	for _, t := range tokens {
		if t.Start >= 0 {
			words = append(words, t)
		}
	}
	if len(words) == 0 {
		return &SentenceError{Index: i, Err: errors.New("festival spoke no words")}
	}
	return emit(i, Speech{Samples: x, Rate: rate, Words: words})
}
