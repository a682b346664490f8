package transcript

import (
	"slices"
	"strings"
	"unicode"

	"github.com/readcast/readcast/internal/timing"
)

// timedSentence is a sentence of the map cut into its written words (runs of
// non-space, punctuation attached), each timed in milliseconds. Times are
// clamped so that the sentences, and the words inside each, are in order
// and never overlap: start ≤ from[0] ≤ to[0] ≤ from[1] … ≤ end.
type timedSentence struct {
	id         string
	start, end int64
	tokens     []string
	from, to   []int64
}

// timeSentences times the written words of every sentence of m.
func timeSentences(m *timing.Map) []timedSentence {
	out := make([]timedSentence, len(m.Sentences))
	var prevEnd int64
	for i, s := range m.Sentences {
		ts := timedSentence{id: s.ID, tokens: strings.Fields(s.Text)}
		ts.start = max(millis(s.Start), prevEnd)
		ts.end = max(millis(s.End), ts.start)
		from, to := wordTimes(s, ts.tokens)
		ts.from = make([]int64, len(from))
		ts.to = make([]int64, len(to))
		last := ts.start
		for k := range from {
			f := min(max(millis(from[k]), last), ts.end)
			t := min(max(millis(to[k]), f), ts.end)
			ts.from[k], ts.to[k] = f, t
			last = t
		}
		prevEnd = ts.end
		out[i] = ts
	}
	return out
}

// wordTimes finds when each written word (token) of s is spoken, in seconds.
// The map's words may be written differently from the sentence (without
// punctuation, or split at hyphens), so they are matched on their letters and
// digits: when those agree, a token spans the map words its letters belong
// to. Otherwise (the narrator said "1965" as "nineteen sixty-five") the
// tokens that equal a map word are anchored to it, and the tokens between two
// anchors share the map words between them: one each when the counts agree,
// else in proportion to their letters. A token without letters or digits (a
// dash, "&") is not spoken on its own and takes a zero span where the
// previous word ends.
func wordTimes(s timing.Sentence, tokens []string) (from, to []float64) {
	from = make([]float64, len(tokens))
	to = make([]float64, len(tokens))
	tk := newKeys(len(tokens), len(s.Text))
	var toks []int // the spoken tokens: those with letters or digits
	for i, t := range tokens {
		if tk.add(t) {
			toks = append(toks, i)
		}
	}
	size := 0
	for _, w := range s.Words {
		size += len(w.Text)
	}
	wk := newKeys(len(s.Words), size)
	words := make([]timing.Word, 0, len(s.Words)) // the map's words with letters or digits
	for _, w := range s.Words {
		if wk.add(w.Text) {
			words = append(words, w)
		} else {
			wk.off = wk.off[:len(wk.off)-1] // keep wk's indexes those of words
		}
	}
	nTok := len(tk.buf)

	spoken := make([]bool, len(tokens))
	switch {
	case nTok > 0 && slices.Equal(tk.buf, wk.buf):
		// Walk both letter sequences together.
		wi := 0
		for _, i := range toks {
			for p := tk.off[i]; p < tk.off[i+1]; p++ {
				for p >= wk.off[wi+1] {
					wi++
				}
				if !spoken[i] {
					from[i], to[i], spoken[i] = words[wi].Start, words[wi].End, true
				} else {
					to[i] = max(to[i], words[wi].End)
				}
			}
		}
	case nTok > 0 && len(words) > 0 && len(toks)*len(words) <= maxAlign:
		// Anchor the tokens that equal a word, then fill the gaps between.
		ti, wi := 0, 0
		lo := s.Start
		for _, p := range append(anchors(toks, tk, wk), [2]int{len(toks), len(words)}) {
			hi := s.End
			if p[1] < len(words) {
				hi = words[p[1]].Start
			}
			fillGap(toks[ti:p[0]], tk, words[wi:p[1]], wk, wi, lo, max(lo, hi), from, to, spoken)
			if p[0] < len(toks) {
				i := toks[p[0]]
				from[i], to[i], spoken[i] = words[p[1]].Start, words[p[1]].End, true
				lo = words[p[1]].End
			}
			ti, wi = p[0]+1, p[1]+1
		}
	default:
		for _, i := range toks {
			from[i] = s.Start + (s.End-s.Start)*float64(tk.off[i])/float64(nTok)
			to[i] = s.Start + (s.End-s.Start)*float64(tk.off[i+1])/float64(nTok)
			spoken[i] = true
		}
	}
	prev := s.Start
	for i := range tokens {
		if !spoken[i] {
			from[i], to[i] = prev, prev
		}
		prev = to[i]
	}
	return from, to
}

// keys holds what two spellings of a word share, its letters and digits in
// lower case, for a list of words: word i's key is buf[off[i]:off[i+1]].
type keys struct {
	buf []rune
	off []int
}

// newKeys makes room for the keys of n words of size bytes in all.
func newKeys(n, size int) keys {
	return keys{buf: make([]rune, 0, size), off: append(make([]int, 0, n+1), 0)}
}

// add appends the key of w and reports whether it has letters or digits.
func (k *keys) add(w string) bool {
	n := len(k.buf)
	for _, r := range w {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			k.buf = append(k.buf, unicode.ToLower(r))
		}
	}
	k.off = append(k.off, len(k.buf))
	return len(k.buf) > n
}

// key returns the key of word i.
func (k keys) key(i int) []rune { return k.buf[k.off[i]:k.off[i+1]] }

// maxAlign bounds the tokens × words table anchors fills; longer sentences
// (never real ones) are timed in proportion to their letters.
const maxAlign = 1 << 22

// anchors pairs spoken tokens with equal map words: the longest common
// subsequence of their keys, as (index in toks, index in wk) pairs.
func anchors(toks []int, tk, wk keys) [][2]int {
	n, m := len(toks), len(wk.off)-1
	eq := func(i, j int) bool { return slices.Equal(tk.key(toks[i]), wk.key(j)) }
	// l[i][j] is the LCS length of toks[i:] and the words from j.
	l := make([][]int32, n+1)
	for i := range l {
		l[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			switch {
			case eq(i, j):
				l[i][j] = l[i+1][j+1] + 1
			case l[i+1][j] >= l[i][j+1]:
				l[i][j] = l[i+1][j]
			default:
				l[i][j] = l[i][j+1]
			}
		}
	}
	var out [][2]int
	for i, j := 0, 0; i < n && j < m; {
		switch {
		case eq(i, j):
			out = append(out, [2]int{i, j})
			i, j = i+1, j+1
		case l[i+1][j] >= l[i][j+1]:
			i++
		default:
			j++
		}
	}
	return out
}

// fillGap times the spoken tokens toks that lie between two anchors, given
// the map words between the same anchors (words, the first of which is word
// w0 of wk): one word each when the counts agree, else spread along the
// words in proportion to their letters. With no word between the anchors
// they share the time from lo to hi, the end of the anchor before and the
// start of the anchor after.
func fillGap(toks []int, tk keys, words []timing.Word, wk keys, w0 int, lo, hi float64, from, to []float64, spoken []bool) {
	if len(toks) == 0 {
		return
	}
	if len(toks) == len(words) {
		for k, i := range toks {
			from[i], to[i], spoken[i] = words[k].Start, words[k].End, true
		}
		return
	}
	nTok := 0
	for _, i := range toks {
		nTok += len(tk.key(i))
	}
	var at func(x float64) float64
	if len(words) == 0 {
		at = func(x float64) float64 { return lo + (hi-lo)*x/float64(nTok) }
	} else {
		var xs, ts []float64
		c := 0.0
		for j, w := range words {
			n := float64(len(wk.key(w0 + j)))
			xs = append(xs, c, c+n)
			ts = append(ts, w.Start, w.End)
			c += n
		}
		at = func(x float64) float64 { return interpolate(xs, ts, x*c/float64(nTok)) }
	}
	pos := 0
	for _, i := range toks {
		from[i] = at(float64(pos))
		pos += len(tk.key(i))
		to[i] = at(float64(pos))
		spoken[i] = true
	}
}

// interpolate evaluates the piecewise-linear function through the knots
// (xs ascending) at x, holding the end values outside them.
func interpolate(xs, ts []float64, x float64) float64 {
	if x <= xs[0] {
		return ts[0]
	}
	for k := 1; k < len(xs); k++ {
		if x <= xs[k] {
			if xs[k] == xs[k-1] {
				return ts[k]
			}
			return ts[k-1] + (ts[k]-ts[k-1])*(x-xs[k-1])/(xs[k]-xs[k-1])
		}
	}
	return ts[len(ts)-1]
}
