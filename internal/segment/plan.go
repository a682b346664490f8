package segment

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Options tune episode and chapter planning. The zero value means defaults.
type Options struct {
	WordsPerMinute float64 // narration speed for estimates; default 155
	MaxEpisode     float64 // longest episode, seconds; default 480 (8 minutes)
	ChapterTarget  float64 // preferred chapter length, seconds; default 120
	ChapterMin     float64 // default 60
	ChapterMax     float64 // default 180
	// ChapterTitles names the chapter beginning with the given sentence ID.
	ChapterTitles map[string]string
	// SplitBefore starts a chapter at the paragraph holding the sentence ID.
	SplitBefore []string
}

func (o Options) withDefaults() Options {
	def := func(v *float64, d float64) {
		if !(*v > 0) || math.IsInf(*v, 0) {
			*v = d
		}
	}
	def(&o.WordsPerMinute, 155)
	def(&o.MaxEpisode, 480)
	def(&o.ChapterTarget, 120)
	def(&o.ChapterMin, 60)
	def(&o.ChapterMax, 180)
	return o
}

// IntroTitle names the chapter that holds the title and the standfirst.
const IntroTitle = "Introduction"

// Parse segments src and plans it into episodes and chapters.
//
// The standfirst (the editor's introduction) and the spoken title become
// the first chapter of episode 1 rather than a trailer of their own: they
// are a few sentences, too short to be an episode worth downloading, and a
// listener who starts at episode 1 should hear who is speaking before the
// story begins.
func Parse(src []byte, opt Options) (*Outline, error) {
	opt = opt.withDefaults()
	p, err := parse(string(src))
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(src)
	o := &Outline{
		Title:          p.title,
		SourceSHA:      hex.EncodeToString(sum[:]),
		WordsPerMinute: opt.WordsPerMinute,
		Dropped:        p.dropped,
	}
	split := set(opt.SplitBefore...)
	maxWords := opt.MaxEpisode / 60 * opt.WordsPerMinute
	slugs := map[string]int{}
	for si := 0; si < len(p.sections); si++ {
		sec := p.sections[si]
		var intro []unit
		if sec.intro {
			// The intro rides with the first real section, as its own chapter.
			if si+1 < len(p.sections) {
				intro = sec.units
				si++
				sec = p.sections[si]
				if len(intro) == 1 && len(intro[0].paras) == 1 {
					// A title with no standfirst is too short for a chapter:
					// it opens the first section's first chapter instead.
					first := sec.units[0]
					first.paras = append(append([]Paragraph{}, intro[0].paras...), first.paras...)
					first.words += intro[0].words
					sec.units = append([]unit{first}, sec.units[1:]...)
					intro = nil
				}
			}
		}
		title := sec.heading
		if title == "" {
			title = p.title
		}
		if title == "" {
			title = "Episode"
		}
		parts := partition(sec.units, int(math.Ceil(float64(sum3(sec.units)+sum3(intro))/maxWords)))
		for pi, units := range parts {
			ep := Episode{Number: len(o.Episodes) + 1, Section: title, Title: title}
			if len(parts) > 1 {
				ep.Part, ep.Parts = pi+1, len(parts)
				ep.Title = fmt.Sprintf("%s (part %d of %d)", title, pi+1, len(parts))
			}
			ep.Slug = slugFor(ep.Number, title, ep.Part, slugs)
			var groups [][]unit
			if pi == 0 && len(intro) > 0 {
				groups = append(groups, intro)
			}
			groups = append(groups, splitAt(units, split)...)
			ep.Chapters = planChapters(groups, opt, pi == 0 && len(intro) > 0)
			for ci := range ep.Chapters {
				c := &ep.Chapters[ci]
				c.Number = ci + 1
				c.Offset = ep.Estimate
				c.Estimate = math.Round(float64(c.Words)/opt.WordsPerMinute*600) / 10
				ep.Words += c.Words
				ep.Estimate = math.Round((ep.Estimate+c.Estimate)*10) / 10
				if t := opt.ChapterTitles[c.Paragraphs[0].Sentences[0].ID]; strings.TrimSpace(t) != "" {
					c.Title = shorten(t)
				}
			}
			o.Episodes = append(o.Episodes, ep)
		}
	}
	toRunes(src, o)
	return o, nil
}

func sum3(units []unit) int {
	n := 0
	for _, u := range units {
		n += u.words
	}
	return n
}

// partition cuts units into k contiguous groups of about equal words, at
// unit boundaries. It is greedy and linear: each cut goes at the boundary
// nearest to its share of the total.
func partition(units []unit, k int) [][]unit {
	if k > len(units) {
		k = len(units)
	}
	if k <= 1 {
		return [][]unit{units}
	}
	total := sum3(units)
	var out [][]unit
	from, acc := 0, 0
	for i := 0; i < len(units) && len(out) < k-1; i++ {
		acc += units[i].words
		target := float64(total) * float64(len(out)+1) / float64(k)
		remainingUnits := len(units) - (i + 1)
		remainingGroups := k - 1 - len(out)
		if remainingUnits < remainingGroups {
			break
		}
		// Cut here if this boundary is nearer the target than the next one.
		nextAcc := acc
		if i+1 < len(units) {
			nextAcc += units[i+1].words
		}
		if float64(acc) >= target || math.Abs(float64(acc)-target) <= math.Abs(float64(nextAcc)-target) || remainingUnits == remainingGroups {
			out = append(out, units[from:i+1])
			from = i + 1
		}
	}
	return append(out, units[from:])
}

// splitAt cuts units before any unit holding a sentence named in split.
func splitAt(units []unit, split map[string]bool) [][]unit {
	var out [][]unit
	from := 0
	for i, u := range units {
		if i > from && unitHas(u, split) {
			out = append(out, units[from:i])
			from = i
		}
	}
	if from < len(units) {
		out = append(out, units[from:])
	}
	return out
}

func unitHas(u unit, ids map[string]bool) bool {
	for _, p := range u.paras {
		for _, s := range p.Sentences {
			if ids[s.ID] {
				return true
			}
		}
	}
	return false
}

// planChapters groups each run of units into chapters of ChapterMin to
// ChapterMax where the text allows, near ChapterTarget, and gives an
// episode two chapters when it has two units to split between and each
// would last at least ChapterMin.
func planChapters(groups [][]unit, opt Options, intro bool) []Chapter {
	wpm := opt.WordsPerMinute / 60 // words a second
	counts := make([]int, len(groups))
	total := 0
	for i, g := range groups {
		w := sum3(g)
		k := int(math.Round(float64(w) / wpm / opt.ChapterTarget))
		lo := int(math.Ceil(float64(w) / wpm / opt.ChapterMax))
		hi := int(math.Floor(float64(w) / wpm / opt.ChapterMin))
		k = max(min(max(k, lo), hi), 1)
		counts[i] = min(k, len(g))
		total += counts[i]
	}
	// At least two chapters, when the episode is long enough for two of at
	// least ChapterMin: give the extra one to the longest splittable run. A
	// short episode keeps one chapter rather than two of half a minute.
	minWords := int(math.Ceil(opt.ChapterMin * wpm))
	for total < 2 {
		best := -1
		for i, g := range groups {
			if counts[i] < len(g) && sum3(g)/(counts[i]+1) >= minWords &&
				(best < 0 || sum3(g)/(counts[i]+1) > sum3(groups[best])/(counts[best]+1)) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		counts[best]++
		total++
	}
	var out []Chapter
	for i, g := range groups {
		for j, part := range partition(g, counts[i]) {
			c := Chapter{Words: sum3(part)}
			for _, u := range part {
				c.Paragraphs = append(c.Paragraphs, u.paras...)
			}
			switch {
			case intro && i == 0 && j == 0:
				c.Title = IntroTitle
			default:
				c.Title = chapterTitle(c.Paragraphs)
			}
			out = append(out, c)
		}
	}
	return out
}

// chapterTitle derives a title from a chapter's text: its heading when it
// opens with one, otherwise its first sentence, shortened at a clause or a
// word boundary.
func chapterTitle(paras []Paragraph) string {
	if paras[0].Kind == KindHeading {
		return shorten(paras[0].Sentences[0].Text)
	}
	return TitleFrom(paras[0].Sentences[0].Text)
}

// TitleFrom is the title a chapter without a heading takes from its first
// sentence: the sentence shortened at a clause or a word boundary. The
// player uses it to tell such a title from a real one.
func TitleFrom(sentence string) string { return shorten(sentence) }

// shorten fits s into MaxChapterTitle characters without cutting a word:
// whole if it fits, else up to the last clause boundary that leaves a
// readable title, else whole words followed by an ellipsis.
// unquote removes quotation marks around the whole of s, never one of a
// pair inside it: "Quotes & “Dashes”" keeps its closing mark, and
// "“I was born,” she said" its opening one.
func unquote(s string) string {
	for {
		first, n := utf8.DecodeRuneInString(s)
		last, m := utf8.DecodeLastRuneInString(s)
		if len(s) <= n+m || !strings.ContainsRune(quoteMarks, first) || !strings.ContainsRune(quoteMarks, last) {
			return s
		}
		s = strings.TrimSpace(s[n : len(s)-m])
	}
}

const quoteMarks = "“”\"‘’'"

func shorten(s string) string {
	s = unquote(strings.TrimSpace(normalize(s)))
	s = strings.TrimRight(s, ".:;, ")
	if utf8.RuneCountInString(s) <= MaxChapterTitle {
		return s
	}
	words := strings.Fields(s)
	var b strings.Builder
	clause := ""
	for _, w := range words {
		n := utf8.RuneCountInString(b.String())
		add := utf8.RuneCountInString(w)
		if n > 0 {
			add++
		}
		if n+add > MaxChapterTitle-1 { // leave room for the ellipsis
			break
		}
		if n > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
		if strings.ContainsAny(w[len(w)-1:], ",;:") && utf8.RuneCountInString(b.String()) >= 25 && !dangling(w) {
			clause = b.String()
		}
	}
	if clause != "" {
		return strings.TrimRight(clause, ",;: ")
	}
	// Cut at a word, but not after one that leaves the reader hanging
	// ("… told me that…").
	kept := strings.Fields(b.String())
	for len(kept) > 1 && dangling(kept[len(kept)-1]) {
		kept = kept[:len(kept)-1]
	}
	out := strings.TrimRight(strings.Join(kept, " "), ",;:–— ")
	if out == "" {
		// A word longer than a title, first or after punctuation alone
		// (", 000…": words[0] was "," and cutting it panicked): cut at a
		// character, the only choice.
		return string([]rune(s)[:MaxChapterTitle-1]) + "…"
	}
	return out + "…"
}

// danglers are words a title should not end on.
var danglers = set("a", "an", "the", "of", "to", "in", "on", "at", "for", "with", "by", "from", "and", "or", "but", "that", "which", "who", "whom", "whose", "when", "where", "if", "as", "than", "its", "their", "his", "her", "our", "my", "was", "were", "is", "are", "had", "have", "be", "not")

func dangling(w string) bool {
	return danglers[strings.ToLower(strings.TrimRight(w, ",;:.–— "))]
}

// slugFor makes an ASCII slug: "01-my-youth-in-the-ussr", with "-part-2"
// for the parts of a long section. Slugs are unique within the outline.
func slugFor(n int, title string, part int, seen map[string]int) string {
	base := slugify(title)
	if part > 0 {
		base = fmt.Sprintf("%s-part-%d", base, part)
	}
	slug := fmt.Sprintf("%02d-%s", n, base)
	if base == "" {
		slug = fmt.Sprintf("%02d-episode", n)
	}
	seen[slug]++
	if k := seen[slug]; k > 1 {
		slug = fmt.Sprintf("%s-%d", slug, k)
	}
	return slug
}

// slugify keeps ASCII letters and digits of s, folding accents ("é" → "e"),
// dropping apostrophes ("Trotsky’s" → "trotskys") and joining words with
// hyphens, at most 48 characters cut at a hyphen.
func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(s) {
		switch {
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
		case unicode.Is(unicode.Mn, r), r == '\'', r == '’':
		default:
			dash = true
		}
	}
	out := b.String()
	if len(out) > 48 {
		out = out[:48]
		if i := strings.LastIndexByte(out, '-'); i > 0 {
			out = out[:i]
		}
	}
	return out
}

// toRunes turns every byte offset in o into a character offset, which is
// what a reader of the JSON (in any language) can index the text by.
func toRunes(src []byte, o *Outline) {
	idx := make([]int32, len(src)+1)
	n := int32(0)
	for i := range src {
		idx[i] = n
		if utf8.RuneStart(src[i]) {
			idx[i] = n
			n++
		} else {
			idx[i] = n // inside a rune: never a span boundary
		}
	}
	idx[len(src)] = n
	conv := func(s *Span) { s.Start, s.End = int(idx[s.Start]), int(idx[s.End]) }
	for e := range o.Episodes {
		for c := range o.Episodes[e].Chapters {
			ch := &o.Episodes[e].Chapters[c]
			for p := range ch.Paragraphs {
				para := &ch.Paragraphs[p]
				conv(&para.Span)
				for s := range para.Sentences {
					sen := &para.Sentences[s]
					conv(&sen.Span)
					for w := range sen.Words {
						conv(&sen.Words[w].Span)
					}
				}
			}
		}
	}
	for d := range o.Dropped {
		conv(&o.Dropped[d].Span)
	}
}
