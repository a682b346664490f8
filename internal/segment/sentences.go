package segment

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// token is a run of non-space bytes in the source: a word with the
// punctuation around it. Chinese and Japanese are written without spaces,
// so there each Han or kana character is a token of its own (with the
// punctuation after it, or an opening mark before it), and so a word of
// the read-along; a run of other letters or digits among them ("Paris",
// "1949") stays one.
type token struct{ start, end int }

func tokens(s string, start, end int) []token {
	var out []token
	i := start
	for i < end {
		r, n := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			i += n
			continue
		}
		j := i
		word, prevUnspaced := false, false
		for j < end {
			r, n := utf8.DecodeRuneInString(s[j:])
			if unicode.IsSpace(r) {
				break
			}
			if isWordRune(r) {
				unspaced := isUnspaced(r)
				if word && (unspaced || prevUnspaced) {
					break
				}
				word, prevUnspaced = true, unspaced
			}
			j += n
		}
		out = append(out, token{i, j})
		i = j
	}
	return out
}

// isUnspaced reports whether r belongs to a script written without spaces
// between words, where each character is taken as a word: Han and the
// Japanese kana. (Thai, Lao, Khmer and Burmese are written without spaces
// too, but their characters are not words; they stay whole runs.)
func isUnspaced(r rune) bool {
	return r >= 0x2E80 && (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r))
}

// splitSentences cuts the paragraph s[start:end] into sentences. A piece
// without a word (a stray "“" or "—") is never a sentence of its own: it
// joins the sentence before it, or the one after it at the start.
func splitSentences(s string, start, end int, x *ids) []Sentence {
	toks := tokens(s, start, end)
	var cuts []int // token index after which a sentence ends
	for i := range toks {
		if i == len(toks)-1 || endsSentence(s[toks[i].start:toks[i].end], s[toks[i+1].start:toks[i+1].end]) {
			cuts = append(cuts, i+1)
		}
	}
	var out []Sentence
	from := 0
	for ci, cut := range cuts {
		if !hasWord(s, toks[from:cut]) && ci+1 < len(cuts) {
			continue // too small yet: extend to the next cut
		}
		if !hasWord(s, toks[from:cut]) && len(out) > 0 {
			// Trailing debris joins the last sentence.
			last := &out[len(out)-1]
			first := tokenAt(toks, last.Span.Start)
			*last = sentenceOf(s, toks[first:cut], x)
			from = cut
			continue
		}
		out = append(out, sentenceOf(s, toks[from:cut], x))
		from = cut
	}
	return out
}

func hasWord(s string, toks []token) bool {
	for _, t := range toks {
		if ws, we := trimWord(s, t.start, t.end); ws < we {
			return true
		}
	}
	return false
}

func tokenAt(toks []token, start int) int {
	for i, t := range toks {
		if t.start == start {
			return i
		}
	}
	return 0
}

// makeSentence builds the sentence covering s[start:end] and its words.
func makeSentence(s string, start, end int, x *ids) Sentence {
	return sentenceOf(s, tokens(s, start, end), x)
}

// sentenceOf builds the sentence made of toks: its text is the tokens
// joined (joinTokens), its words the tokens without their punctuation.
func sentenceOf(s string, toks []token, x *ids) Sentence {
	words := make([]Word, 0, len(toks))
	for _, t := range toks {
		if ws, we := trimWord(s, t.start, t.end); ws < we {
			words = append(words, Word{Text: s[ws:we], Span: Span{ws, we}})
		}
	}
	text := joinTokens(s, toks)
	sen := Sentence{ID: x.next(text), Text: text, Span: Span{toks[0].start, toks[len(toks)-1].end}}
	if len(words) > 0 {
		sen.Words = words
	}
	return sen
}

// joinTokens is the text of toks joined by single spaces: none where the
// source had none between them (Chinese, Japanese), nor where only markup
// stood between them against punctuation (glued).
func joinTokens(s string, toks []token) string {
	n := len(toks) - 1
	for _, t := range toks {
		n += t.end - t.start
	}
	var b strings.Builder
	b.Grow(n)
	for i, t := range toks {
		if i > 0 && t.start > toks[i-1].end && !glued(s, toks[i-1].end, t.start) {
			b.WriteByte(' ')
		}
		b.WriteString(s[t.start:t.end])
	}
	return b.String()
}

// glued says whether the tokens around s[from:to] were written together,
// with markup alone between them, against punctuation that closes or
// opens: "`log`.", "so[^1]," and "(`grep`)" read "log.", "so," and
// "(grep)". Between two words ("one<br>two"), or after a sentence's end
// ("river.<br>It"), the markup stays a space.
func glued(s string, from, to int) bool {
	for i := from; i < to; i++ {
		if s[i] != markup {
			return false
		}
	}
	before, _ := utf8.DecodeLastRuneInString(s[:from])
	after, _ := utf8.DecodeRuneInString(s[to:])
	return !isWordRune(after) && !strings.ContainsRune(openers, after) ||
		strings.ContainsRune(openers, before) && !strings.ContainsRune(closers, before)
}

// trimWord strips the punctuation around a word ("“where", "against?”",
// "(my") and keeps what is inside it ("Trotsky’s", "re-elected", "99.9").
func trimWord(s string, start, end int) (int, int) {
	for start < end {
		r, n := utf8.DecodeRuneInString(s[start:end])
		if isWordRune(r) {
			break
		}
		start += n
	}
	for end > start {
		r, n := utf8.DecodeLastRuneInString(s[start:end])
		if isWordRune(r) {
			break
		}
		end -= n
	}
	return start, end
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// Abbreviations that never end a sentence ("Mr. Smith"), and those that end
// one only when a new sentence clearly starts ("etc. But").
var (
	titles = set("mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "vs", "cf", "gen", "col", "lt", "sgt", "capt", "rev", "hon", "mt", "ft", "approx", "ca", "messrs", "mme", "mlle")
	// A month before a day ("Jan. 5") is a date; before a capital it may end
	// a sentence ("we left in Jan. The snow came").
	beforeNumber = set("no", "nos", "vol", "vols", "p", "pp", "fig", "figs", "art", "ch", "sec", "op", "ed",
		"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec")
	// Words that begin sentences often enough that "U.S. The" is two.
	starters = set("the", "this", "that", "these", "those", "it", "he", "she", "we", "they", "i", "but", "and", "in", "a", "an", "there", "then", "however", "so", "his", "her", "our", "their", "my", "when", "after", "before", "if", "as", "on", "at", "for")
)

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

const closers = "”’\"')]»」』）】》〉"
const openers = "“‘\"'([«「『（【《〈"

// endsSentence decides whether a sentence ends after tok, given the token
// that follows it. Only terminal punctuation ends a sentence, and only when
// what follows could start one: "99.9 percent", "“…” she said" and "Mr. Smith"
// stay whole; "against?” Jokes" and "etc. But" split.
func endsSentence(tok, next string) bool {
	core := strings.TrimRight(tok, closers)
	if core == "" {
		return false
	}
	nextStart := strings.TrimLeft(next, openers)
	nr, _ := utf8.DecodeRuneInString(nextStart)
	capital := opensSentence(nr) || (nextStart == "" && next != "")
	switch {
	case strings.HasSuffix(core, "?"), strings.HasSuffix(core, "!"),
		strings.HasSuffix(core, "…"), strings.HasSuffix(core, "..."),
		strings.HasSuffix(core, "؟"), strings.HasSuffix(core, "।"), strings.HasSuffix(core, "॥"),
		strings.HasSuffix(core, "。"), strings.HasSuffix(core, "！"), strings.HasSuffix(core, "？"), strings.HasSuffix(core, "｡"):
		return capital
	case !strings.HasSuffix(core, "."):
		return false
	}
	word := strings.ToLower(strings.TrimLeft(strings.TrimSuffix(core, "."), openers))
	switch {
	case titles[word]:
		return false
	case beforeNumber[word] && unicode.IsDigit(nr):
		return false
	case isInitial(word) && word != "i":
		// "J. K. Rowling": a single capital is an initial.
		return false
	case strings.Contains(word, "."):
		// "U.S.", "e.g.": end only before a common sentence opener.
		return capital && starters[strings.ToLower(trimTrailingPunct(nextStart))]
	}
	return capital
}

// opensSentence says whether a word starting with r may open a sentence: a
// capital or a digit, or any letter of a script without capitals (Arabic,
// Hebrew, Devanagari, Han), where no sentence would otherwise ever end.
func opensSentence(r rune) bool {
	return unicode.IsUpper(r) || unicode.IsDigit(r) ||
		unicode.IsLetter(r) && !unicode.IsLower(r) && unicode.ToLower(r) == r && unicode.ToUpper(r) == r
}

func isInitial(w string) bool {
	r, n := utf8.DecodeRuneInString(w)
	return n == len(w) && n > 0 && unicode.IsLetter(r)
}

func trimTrailingPunct(s string) string {
	return strings.TrimRightFunc(s, func(r rune) bool { return !isWordRune(r) })
}
