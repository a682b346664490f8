// Package lexicon gives the pronunciations the forced aligner looks for:
// the words of a text as sequences of the acoustic model's phones. Words of
// the CMU pronouncing dictionary (embedded with the model) get its
// pronunciations, variants included; the text's own spellings are
// normalised first (case, curly apostrophes, possessives, hyphenated words,
// numbers, abbreviations), and a word the dictionary does not know (a name
// such as Tukhachevsky) gets espeak-ng's pronunciation mapped to the model's
// phones, or, without espeak-ng, one from spelling rules, so that no word
// with a letter or digit is ever left without a pronunciation.
package lexicon

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/readcast/readcast/internal/align/acoustic"
	"github.com/readcast/readcast/internal/espeak"
)

// Phones are the model's 39 speech phones (ARPAbet without stress), the
// only names a pronunciation holds.
var Phones = []string{
	"AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY",
	"F", "G", "HH", "IH", "IY", "JH", "K", "L", "M", "N", "NG", "OW", "OY", "P",
	"R", "S", "SH", "T", "TH", "UH", "UW", "V", "W", "Y", "Z", "ZH",
}

// ErrNoWord is returned for a "word" without a letter or digit: there is
// nothing to pronounce.
var ErrNoWord = errors.New("lexicon: no letter or digit to pronounce")

// maxVariants bounds the pronunciations of one word: a token of several
// spoken words ("1941") multiplies their variants.
const maxVariants = 8

// Lexicon pronounces words. It is safe for concurrent use.
type Lexicon struct {
	// dict maps a dictionary word to its pronunciations: phones separated
	// by spaces, variants by '|'. Keys and single-variant values are
	// substrings of the one decompressed text, so loading allocates little.
	dict map[string]string
	// espeak is the path of espeak-ng, "" to use the spelling rules.
	espeak string

	mu      sync.Mutex
	guessed map[string][]string // fallback pronunciations of unknown spellings, at most maxGuessed
}

var (
	defaultOnce sync.Once
	defaultLex  *Lexicon
	defaultErr  error
)

// Default returns the lexicon of the embedded CMU dictionary, with
// espeak-ng for unknown words when it is installed. It is loaded once.
func Default() (*Lexicon, error) {
	defaultOnce.Do(func() {
		path, _ := espeak.LookPath()
		defaultLex, defaultErr = load(path)
	})
	return defaultLex, defaultErr
}

// load reads the embedded dictionary; espeak is the path of espeak-ng or "".
func load(espeak string) (*Lexicon, error) {
	f, err := acoustic.Files.Open(acoustic.Dict)
	if err != nil {
		return nil, fmt.Errorf("lexicon: %w", err)
	}
	defer f.Close()
	z, err := gzip.NewReader(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("lexicon: %s: %w", acoustic.Dict, err)
	}
	var buf bytes.Buffer
	buf.Grow(4 << 20) // the dictionary is 3.3 MB
	if _, err := io.Copy(&buf, z); err != nil {
		return nil, fmt.Errorf("lexicon: %s: %w", acoustic.Dict, err)
	}
	l := &Lexicon{espeak: espeak, guessed: map[string][]string{}}
	l.dict, err = parseDict(buf.String())
	if err != nil {
		return nil, err
	}
	return l, nil
}

// parseDict reads "word PH ON ES" lines, variants spelled "word(2)".
func parseDict(text string) (map[string]string, error) {
	dict := make(map[string]string, 140000)
	for n := 1; text != ""; n++ {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		line = strings.TrimRight(line, "\r\t ")
		if line == "" {
			continue
		}
		sp := strings.IndexAny(line, " \t")
		if sp <= 0 {
			return nil, fmt.Errorf("lexicon: dictionary line %d has no pronunciation: %q", n, line)
		}
		word, phones := line[:sp], strings.TrimLeft(line[sp:], " \t")
		if i := strings.IndexByte(word, '('); i > 0 && strings.HasSuffix(word, ")") {
			word = word[:i]
		}
		if old, ok := dict[word]; ok {
			dict[word] = old + "|" + phones
		} else {
			dict[word] = phones
		}
	}
	return dict, nil
}

// lookup returns the dictionary's pronunciations of a lower-case word.
func (l *Lexicon) lookup(word string) [][]string {
	v, ok := l.dict[word]
	if !ok {
		return nil
	}
	var out [][]string
	for _, p := range strings.Split(v, "|") {
		out = append(out, strings.Fields(p))
	}
	return out
}

// Pronounce returns the pronunciations of word (a word of the text, as
// align.Words splits it: "Trotsky’s", "1941", "re-elected", "Mr"), most
// likely first, each a sequence of Phones. A word the dictionary does not
// know gets one guessed pronunciation. The error is ErrNoWord when word has
// no letter or digit; every other word gets at least one pronunciation of
// at least one phone.
func (l *Lexicon) Pronounce(word string) ([][]string, error) {
	p, err := l.PronounceAll([]string{word})
	if err != nil {
		return nil, err
	}
	return p[0], nil
}

// PronounceAll pronounces many words at once, guessing the unknown ones
// in one espeak-ng run rather than one per word (a run costs ~20 ms). The
// error is that of the first word without a letter or digit; the others
// are pronounced regardless.
func (l *Lexicon) PronounceAll(words []string) ([][][]string, error) {
	plans := make([]plan, len(words))
	var unknown []string
	for i, w := range words {
		plans[i] = l.plan(w)
		for _, part := range plans[i].parts {
			if part.guess != "" {
				unknown = append(unknown, part.guess)
			}
		}
	}
	guesses := l.guess(unknown)
	out := make([][][]string, len(words))
	var firstErr error
	for i, p := range plans {
		out[i] = assemble(p, guesses)
		if len(out[i]) == 0 && firstErr == nil {
			firstErr = fmt.Errorf("%w: %q", ErrNoWord, words[i])
		}
	}
	return out, firstErr
}
