package transcript

import (
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Line limits, in characters (code points) as written in the file.
const (
	// MaxVTTLine is the longest WebVTT cue line, the Podcasting 2.0
	// recommendation. The voice tag and character references count.
	MaxVTTLine = 65
	// MaxSRTLine is the longest SubRip line, the Podcasting 2.0 rule for SRT.
	MaxSRTLine = 32
	// MaxCueLines is the most lines a cue of either format has.
	MaxCueLines = 2
)

// Cue is one caption: a sentence, or a part of a long one, on the clock.
type Cue struct {
	ID    string  // sentence ID, with "-2", "-3", … for the later parts of a split sentence
	Start float64 // seconds, to the millisecond
	End   float64
	Voice string   // the speaker of a WebVTT voice span; empty in SRT
	Lines []string // the text as shown: plain, without markup or escapes
}

// Text returns the cue's lines joined by spaces.
func (c Cue) Text() string { return strings.Join(c.Lines, " ") }

// layout is how a caption format lays text out.
type layout struct {
	first, rest int              // the longest first line and later line
	width       func(string) int // a word's width as written
}

func vttLayout(speaker string) layout {
	return layout{
		first: max(MaxVTTLine-utf8.RuneCountInString(voiceTag(speaker)), 1),
		rest:  MaxVTTLine,
		width: func(w string) int { return utf8.RuneCountInString(escapeCueText(w)) },
	}
}

func srtLayout() layout {
	return layout{first: MaxSRTLine, rest: MaxSRTLine, width: utf8.RuneCountInString}
}

// cues lays out every sentence as one or more cues in lay.
func cues(sents []timedSentence, lay layout, voice string) []Cue {
	var out []Cue
	for _, s := range sents {
		if len(s.tokens) == 0 {
			continue
		}
		parts := split(s.tokens, lay)
		bounds := partBounds(s, parts)
		for k, p := range parts {
			id := s.id
			if k > 0 {
				id += "-" + strconv.Itoa(k+1)
			}
			lines := []string{strings.Join(s.tokens[p.i:p.brk], " ")}
			if p.brk < p.j {
				lines = append(lines, strings.Join(s.tokens[p.brk:p.j], " "))
			}
			out = append(out, Cue{ID: id, Start: seconds(bounds[k]), End: seconds(bounds[k+1]), Voice: voice, Lines: lines})
		}
	}
	return out
}

// part is tokens[i:j] of a sentence as one cue, its second line starting at
// brk (brk == j for a one-line cue).
type part struct{ i, brk, j int }

// Costs of the choices split makes; lower is better. A cue costs more than a
// break at a clause boundary, so a sentence too long for one cue is cut at
// its clauses rather than filled to the last character; a break inside a
// clause costs more than a cue, so it is the last resort.
const (
	costCue       = 100
	costStrong    = 0   // after . ? ! ; : … or a dash
	costComma     = 15  // after a comma, or before a bracket or dash
	costJunction  = 50  // before a conjunction or relative pronoun
	costInClause  = 150 // anywhere else
	costBinding   = 60  // and more after an article or preposition
	shortCue      = 20  // parts narrower than this pay per missing character
	costShortChar = 3
)

// split cuts a sentence's tokens into as few cues as read well: each fits in
// MaxCueLines lines of lay (a word wider than a line gets a line of its own)
// and the cuts fall on the strongest boundaries. It is a shortest path over
// the token positions; a cue holds a contiguous range of tokens.
func split(tokens []string, lay layout) []part {
	n := len(tokens)
	prefix := make([]int, n+1)
	for k, t := range tokens {
		prefix[k+1] = prefix[k] + lay.width(t)
	}
	// w is the width of tokens[i:j] on one line.
	w := func(i, j int) int { return prefix[j] - prefix[i] + j - i - 1 }
	// firstEnd is the end of the longest first line starting at i, ≤ j:
	// one before the first end from i+2 on whose line is too wide, and at
	// least i+1 (w(i, i+1) may exceed first: a long word alone).
	firstEnd := func(i, j int) int {
		return i + 1 + sort.Search(j-i-1, func(d int) bool { return w(i, i+2+d) > lay.first })
	}
	fits := func(i, j int) bool {
		k := firstEnd(i, j)
		return k == j || k == j-1 || w(k, j) <= lay.rest
	}

	const inf = int(^uint(0) >> 2)
	best := make([]int, n+1)
	from := make([]int, n+1)
	for j := 1; j <= n; j++ {
		best[j] = inf
		cut := 0
		if j < n {
			cut = boundaryCost(tokens[j-1], tokens[j])
		}
		// The starts i that fit tokens[i:j] in one cue are a range ending at
		// j-1, so the loop stops at the first that does not fit.
		for i := j - 1; i >= 0 && fits(i, j); i-- {
			c := best[i] + costCue + cut
			if cw := w(i, j); cw < shortCue && n > 1 {
				c += (shortCue - cw) * costShortChar
			}
			if c < best[j] {
				best[j], from[j] = c, i
			}
		}
	}
	var parts []part
	for j := n; j > 0; j = from[j] {
		i := from[j]
		parts = append(parts, part{i: i, brk: lineBreak(tokens, i, j, w, lay), j: j})
	}
	for a, b := 0, len(parts)-1; a < b; a, b = a+1, b-1 {
		parts[a], parts[b] = parts[b], parts[a]
	}
	return parts
}

// lineBreak chooses where the second line of tokens[i:j] starts: j when the
// cue fits on one line, else the allowed break that best balances the two
// lines and falls on the strongest boundary.
func lineBreak(tokens []string, i, j int, w func(i, j int) int, lay layout) int {
	if w(i, j) <= lay.first || j-i == 1 {
		return j
	}
	brk, bestCost := -1, 0
	for k := i + 1; k < j; k++ {
		if (w(i, k) > lay.first && k > i+1) || (w(k, j) > lay.rest && k < j-1) {
			continue
		}
		c := w(i, k) - w(k, j)
		if c < 0 {
			c = -c
		}
		c += boundaryCost(tokens[k-1], tokens[k]) / 6
		if brk < 0 || c < bestCost {
			brk, bestCost = k, c
		}
	}
	if brk < 0 { // cannot happen for a cue split accepted; keep one line
		return j
	}
	return brk
}

// junctions are the words a clause often starts with.
var junctions = map[string]bool{
	"and": true, "but": true, "or": true, "nor": true, "yet": true, "so": true,
	"because": true, "although": true, "though": true, "while": true, "whereas": true,
	"when": true, "where": true, "which": true, "who": true, "whom": true, "whose": true,
	"that": true, "if": true, "unless": true, "until": true, "since": true,
	"after": true, "before": true, "as": true, "then": true,
}

// boundaryCost is the cost of ending a cue or line between the tokens prev
// and next.
func boundaryCost(prev, next string) int {
	last := strings.TrimRightFunc(prev, func(r rune) bool {
		return strings.ContainsRune(`"'’”»)]}`, r)
	})
	if last != "" {
		r, _ := utf8.DecodeLastRuneInString(last)
		switch {
		case strings.ContainsRune(".?!;:…", r), isDash(r):
			return costStrong
		case r == ',':
			return costComma
		}
	}
	if r, _ := utf8.DecodeRuneInString(next); isDash(r) || strings.ContainsRune("([{", r) {
		return costComma
	}
	if junctions[bare(next)] {
		return costJunction
	}
	if binding[bare(prev)] {
		return costInClause + costBinding
	}
	return costInClause
}

// bare is a word in lower case without the punctuation around it.
func bare(w string) string {
	return strings.ToLower(strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) }))
}

// binding are the words that belong with the word after them (articles,
// prepositions, possessives): a line or cue should not end with one.
var binding = map[string]bool{
	"a": true, "an": true, "the": true, "to": true, "of": true, "in": true, "on": true,
	"at": true, "by": true, "for": true, "with": true, "from": true, "into": true,
	"my": true, "our": true, "your": true, "his": true, "her": true, "their": true, "its": true,
	"this": true, "these": true, "those": true, "no": true, "not": true, "very": true,
}

func isDash(r rune) bool { return r == '—' || r == '–' || r == '―' || r == '-' }

// partBounds times the parts of a split sentence: part k runs from the start
// of its first word to the start of the next part's first word, so the
// caption stays up through the pause between them, and the first and last
// parts reach the sentence's own start and end. When the words give a part no
// time (degenerate timings), the parts share the sentence in proportion to
// their length instead.
func partBounds(s timedSentence, parts []part) []int64 {
	b := make([]int64, len(parts)+1)
	b[0], b[len(parts)] = s.start, s.end
	ok := true
	for k := 1; k < len(parts); k++ {
		b[k] = min(max(s.from[parts[k].i], b[k-1]), s.end)
		if b[k] == b[k-1] {
			ok = false
		}
	}
	if len(parts) > 1 && (!ok || b[len(parts)-1] == s.end) {
		total, acc := 0, 0
		for _, t := range s.tokens {
			total += utf8.RuneCountInString(t) + 1
		}
		for k := 1; k < len(parts); k++ {
			for _, t := range s.tokens[parts[k-1].i:parts[k-1].j] {
				acc += utf8.RuneCountInString(t) + 1
			}
			b[k] = s.start + int64(float64(s.end-s.start)*float64(acc)/float64(total))
		}
	}
	return b
}
