package espeak

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// Program is the name of the executable, and of its Debian package.
const Program = "espeak-ng"

// LookPath returns the path of espeak-ng, or an error when it is not
// installed.
func LookPath() (string, error) { return exec.LookPath(Program) }

// Speak has the espeak-ng at path say text with voice (-v, such as
// "en-us") into the WAV file wav. A wordGap above 0 adds that much silence
// after every word, in espeak-ng's units of 10 ms (-g). A failure carries
// what espeak-ng printed; a cancelled ctx is returned as ctx.Err().
func Speak(ctx context.Context, path, voice, text, wav string, wordGap int) error {
	args := []string{"-v", voice, "-w", wav, "--stdin"}
	if wordGap > 0 {
		args = append(args, "-g", strconv.Itoa(wordGap))
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdin = strings.NewReader(text)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &Error{Err: err, Output: string(out)}
	}
	return nil
}

// Phonemes has the espeak-ng at path print the phonemes of each word with
// voice, one line per word: "-x --sep=_" writes its ASCII phoneme names
// separated by "_", and a full stop after each word makes it a clause of
// its own. Blank lines are dropped, so a word espeak-ng says nothing for
// shortens the result; callers check the count.
func Phonemes(ctx context.Context, path, voice string, words []string) ([]string, error) {
	var in strings.Builder
	for _, w := range words {
		in.WriteString(w)
		in.WriteString(".\n")
	}
	cmd := exec.CommandContext(ctx, path, "-q", "-v", voice, "-x", "--sep=_", "--stdin")
	cmd.Stdin = strings.NewReader(in.String())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if s := strings.TrimSpace(stderr.String()); s != "" {
			return nil, fmt.Errorf("%w: %s", err, s)
		}
		return nil, err
	}
	var lines []string
	for _, line := range strings.Split(string(out), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			lines = append(lines, line)
		}
	}
	return lines, nil
}

// Error is a failed run of espeak-ng, with what it printed.
type Error struct {
	Err    error
	Output string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %v: %s", Program, e.Err, strings.TrimSpace(e.Output))
}

func (e *Error) Unwrap() error { return e.Err }
