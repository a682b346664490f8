package segment

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Errors a caller can act on.
var (
	ErrEmpty   = errors.New("the text is empty")
	ErrBinary  = errors.New("the text is not UTF-8 text")
	ErrNoWords = errors.New("the text has nothing to narrate")
)

// block is a run of non-blank lines, or a single line that stands alone
// (a heading or a dropped line), with byte offsets into the source.
type block struct {
	start, end int // byte span in the source, markers included
	kind       string
	quoteLine  bool // made of blockquote lines ("> ...")
	atx        bool // a Markdown heading ("# Title", or underlined)
	single     bool // one line after a blank line: may be a setext heading
}

// dropRules say which lines are web-page debris rather than prose. They look
// at a whole line, so a sentence that merely mentions an image is kept.
var dropRules = []struct {
	re     *regexp.Regexp
	reason string
}{
	// A caption ends with its credit: "… / Image: public domain",
	// "…/Image: The Central Intelligence Agency", "Photo: AP".
	{regexp.MustCompile(`(?i)(?:^|[\s/|–—-])(?:image|photo|photograph|picture|illustration|credit)s?\s*:\s*\S[^.!?]{0,80}$`), ReasonCaption},
	// Link text whose link was lost in the copy: "Read the original in French here and here."
	{regexp.MustCompile(`(?i)^(?:read|see|click|listen|watch|download|find|view|available|subscribe|more)\b[^.!?]{0,120}\bhere\b[^.!?]{0,40}[.!]?$`), ReasonLinkText},
}

// parsed is the text before planning: its title and its sections.
type parsed struct {
	title    string
	sections []section
	dropped  []Dropped
}

type section struct {
	heading string
	units   []unit // paragraphs that must stay together
	intro   bool   // the title and standfirst, before the first heading
}

// unit is a paragraph together with what may not be separated from it: the
// heading above it and the quotations it introduces.
type unit struct {
	paras []Paragraph
	words int
}

// parse reads src into sections of paragraph units with sentences and words.
func parse(src string) (*parsed, error) {
	if err := checkText(src); err != nil {
		return nil, err
	}
	// work is src with Markdown markers blanked out byte for byte, so that
	// every offset into work is an offset into src.
	work := []byte(src)
	blocks := splitBlocks(src, work)
	hasATX := false
	for _, b := range blocks {
		hasATX = hasATX || b.atx
	}
	if hasATX {
		// A Markdown text: link marks and addresses, and emphasis
		// markers, are not words to speak.
		blankLinks(work)
		blankEmphasis(work)
	}
	sc := &sectioner{p: &parsed{}, ws: string(work), hasATX: hasATX, ids: newIDs()}
	sc.title(blocks)
	sc.cur = &section{intro: true, heading: sc.p.title}
	for i, b := range blocks {
		sc.block(b, i > 0, i+1 < len(blocks))
	}
	p := sc.p
	if len(sc.cur.units) > 0 {
		p.sections = append(p.sections, *sc.cur)
	}
	// Dropped lines were found while splitting blocks; report them in order.
	p.dropped = append(dropLines(blocks, src), p.dropped...)
	sortDropped(p.dropped)
	if len(p.sections) == 0 {
		return nil, fmt.Errorf("%w: every line was dropped as an image caption, a stray link or punctuation: write the recollection as paragraphs of sentences", ErrNoWords)
	}
	return p, nil
}

// checkText rejects a text that is empty or not UTF-8 text.
func checkText(src string) error {
	if strings.TrimSpace(strings.TrimPrefix(src, bom)) == "" {
		return fmt.Errorf("%w: write the recollection into it, as plain text or Markdown", ErrEmpty)
	}
	if !utf8.ValidString(src) {
		return fmt.Errorf("%w (invalid UTF-8 at byte %d): give a plain-text or Markdown file in UTF-8; save a word processor's document or a PDF as plain text first", ErrBinary, invalidAt(src))
	}
	if i := strings.IndexFunc(src, isBinaryControl); i >= 0 {
		return fmt.Errorf("%w (control character %U at byte %d): give a plain-text or Markdown file in UTF-8; save a word processor's document or a PDF as plain text first", ErrBinary, []rune(src[i:])[0], i)
	}
	return nil
}

// sectioner builds the sections of p from the text's blocks, in order.
type sectioner struct {
	p      *parsed
	ws     string // the source with Markdown markers blanked
	hasATX bool   // the text is Markdown with # headings
	ids    *ids
	cur    *section   // the section being filled
	prev   *Paragraph // the paragraph added last
}

// title takes the first block as the title when it is a single
// heading-like line.
func (sc *sectioner) title(blocks []block) {
	if len(blocks) == 0 {
		return
	}
	b := &blocks[0]
	if (b.kind == "" || b.atx) && (b.atx || looksLikeHeading(sc.ws[b.start:b.end])) {
		sc.p.title = normalize(sc.ws[b.start:b.end])
		b.kind = KindHeading
	}
}

// block adds block b: a heading starts a new section, and any block with
// words becomes a paragraph. notFirst and more say whether blocks come
// before and after it.
func (sc *sectioner) block(b block, notFirst, more bool) {
	if strings.HasPrefix(b.kind, "drop:") {
		return
	}
	text := sc.ws[b.start:b.end]
	if strings.TrimSpace(text) == "" {
		return // only Markdown markup ("# *"): nothing to say
	}
	if b.kind == "" {
		switch {
		case b.atx:
			b.kind = KindHeading
		case !sc.hasATX && !b.quoteLine && more && looksLikeHeading(text):
			b.kind = KindHeading
		}
	}
	if b.kind == KindHeading && (sc.p.title == "" || notFirst) {
		if len(sc.cur.units) > 0 || !sc.cur.intro {
			sc.p.sections = append(sc.p.sections, *sc.cur)
		}
		sc.cur = &section{heading: normalize(text)}
	}
	para := sc.paragraph(b, text)
	if len(para.Sentences) == 0 || len(para.Sentences[0].Words) == 0 && len(para.Sentences) == 1 {
		// Punctuation alone (a "* * *" divider) is not narrated; keep it
		// as a dropped line so nothing vanishes silently.
		sc.p.dropped = append(sc.p.dropped, Dropped{Text: normalize(text), Span: Span{b.start, b.end}, Reason: "no words to speak"})
		return
	}
	para.ID = "p-" + strings.TrimPrefix(para.Sentences[0].ID, "s-")
	sc.add(para)
}

// paragraph is block b, whose text is text, as a paragraph of its kind
// with its sentences.
func (sc *sectioner) paragraph(b block, text string) Paragraph {
	para := Paragraph{Kind: b.kind, Span: Span{b.start, b.end}}
	if para.Kind == "" {
		switch {
		case b.quoteLine || (sc.prev != nil && isQuotation(text, sc.prev)):
			para.Kind = KindQuote
		case sc.cur.intro:
			para.Kind = KindStandfirst
		default:
			para.Kind = KindText
		}
	}
	if para.Kind == KindHeading {
		para.Sentences = []Sentence{makeSentence(sc.ws, b.start, b.end, sc.ids)}
	} else {
		para.Sentences = splitSentences(sc.ws, b.start, b.end, sc.ids)
	}
	return para
}

// add puts para into the current section: a quotation joins the unit of
// the paragraph that introduces it, and a paragraph joins the unit of the
// heading above it.
func (sc *sectioner) add(para Paragraph) {
	words := 0
	for _, s := range para.Sentences {
		words += len(s.Words)
	}
	cur := sc.cur
	n := len(cur.units)
	if n > 0 && (para.Kind == KindQuote || lastKind(cur.units[n-1]) == KindHeading) {
		cur.units[n-1].paras = append(cur.units[n-1].paras, para)
		cur.units[n-1].words += words
	} else {
		cur.units = append(cur.units, unit{paras: []Paragraph{para}, words: words})
	}
	u := &cur.units[len(cur.units)-1]
	sc.prev = &u.paras[len(u.paras)-1]
}

func lastKind(u unit) string { return u.paras[len(u.paras)-1].Kind }

func invalidAt(s string) int {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// isBinaryControl reports characters that never occur in prose: a text with
// them is almost surely a binary file given by mistake.
func isBinaryControl(r rune) bool {
	return r < 0x20 && r != '\n' && r != '\r' && r != '\t' && r != '\f' || r == 0x7f
}

// bom is the byte order mark Windows editors put before UTF-8 text. It is
// not a word: left in, it hid the title ("\ufeff# My Life" is no heading)
// and was spoken as part of the first sentence.
const bom = "\ufeff"

// splitBlocks cuts src at blank lines, and also around lines that stand
// alone: ATX headings and dropped lines. It blanks Markdown markers in work.
func splitBlocks(src string, work []byte) []block {
	var blocks []block
	var cur *block
	flush := func() {
		if cur != nil {
			blocks = append(blocks, *cur)
			cur = nil
		}
	}
	start := 0
	if strings.HasPrefix(src, bom) {
		start = len(bom)
	}
	blankBefore := true // the line before is blank, or there is none
	for off := start; off < len(src); {
		var lineStart, lineEnd int
		lineStart, lineEnd, off = nextLine(src, off)
		trimmed := src[lineStart:lineEnd]
		afterBlank := blankBefore
		blankBefore = trimmed == ""
		if trimmed == "" {
			flush()
			continue
		}
		if cur != nil && cur.single && !cur.quoteLine && isUnderline(trimmed) {
			// "Title\n=====": the line above is a heading, the underline its marker.
			blank(work, lineStart, lineEnd)
			blocks = append(blocks, block{start: cur.start, end: cur.end, atx: true, kind: KindHeading})
			cur = nil
			continue
		}
		if level := atxLevel(trimmed); level > 0 {
			flush()
			blank(work, lineStart, lineStart+level)
			s, e := trimSpan(src, lineStart+level, lineEnd)
			if s == e {
				continue // a bare "#": a marker, no words
			}
			blocks = append(blocks, block{start: s, end: e, atx: true, kind: KindHeading})
			continue
		}
		quote := trimmed[0] == '>'
		if quote {
			i := lineStart
			for i < lineEnd && src[i] == '>' {
				work[i] = ' '
				i++
			}
			s, e := trimSpan(src, i, lineEnd)
			if s == e {
				continue
			}
			lineStart, lineEnd = s, e
		}
		if reason := dropReason(src[lineStart:lineEnd]); reason != "" {
			flush()
			blocks = append(blocks, block{start: lineStart, end: lineEnd, kind: "drop:" + reason})
			continue
		}
		if cur != nil && cur.quoteLine != quote {
			flush()
		}
		if cur == nil {
			cur = &block{start: lineStart, quoteLine: quote, single: afterBlank}
		} else {
			cur.single = false
		}
		cur.end = lineEnd
	}
	flush()
	return blocks
}

// nextLine finds the line starting at off: the span of its text without
// the spaces around it, and the offset of the line after it.
func nextLine(src string, off int) (start, end, next int) {
	end = strings.IndexByte(src[off:], '\n')
	next = len(src)
	if end < 0 {
		end = len(src)
	} else {
		end += off
		next = end + 1
	}
	line := src[off:end]
	trimmed := strings.TrimSpace(line)
	start = off + strings.Index(line, trimmed) // first non-space byte
	return start, start + len(trimmed), next
}

func blank(work []byte, from, to int) {
	for i := from; i < to; i++ {
		work[i] = ' '
	}
}

// mdLink is a Markdown link or image on one line: "[text](address)",
// "![alt text](image.jpg)".
var mdLink = regexp.MustCompile(`!?\[([^\[\]\n]+)\]\(\S*?\)`)

// blankLinks blanks a Markdown link's or image's marks and address, and
// keeps its text, which is what a reader of the page sees: the address was
// spoken letter by letter, and became the words of the sentence.
func blankLinks(work []byte) {
	for _, m := range mdLink.FindAllSubmatchIndex(work, -1) {
		blank(work, m[0], m[2])
		blank(work, m[3], m[1])
	}
}

// blankEmphasis blanks the runs of '*' and '_' that open or close a token
// ("*A short memoir", "__bold__") in a Markdown text.
func blankEmphasis(work []byte) {
	i := 0
	for i < len(work) {
		for i < len(work) && (isSpaceByte(work[i]) || work[i] == '\n') {
			i++
		}
		start := i
		for i < len(work) && !isSpaceByte(work[i]) && work[i] != '\n' {
			i++
		}
		for j := start; j < i && (work[j] == '*' || work[j] == '_'); j++ {
			work[j] = ' '
		}
		for j := i - 1; j >= start && (work[j] == '*' || work[j] == '_'); j-- {
			work[j] = ' '
		}
	}
}

func trimSpan(src string, s, e int) (int, int) {
	for s < e && isSpaceByte(src[s]) {
		s++
	}
	for e > s && isSpaceByte(src[e-1]) {
		e--
	}
	return s, e
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' }

// isUnderline says whether a trimmed line is a Markdown setext underline:
// "===" or "---", at least two characters, nothing else. A lone "-" is an
// empty list item, and a divider after a blank line is no underline.
func isUnderline(line string) bool {
	return len(line) >= 2 && (strings.Trim(line, "=") == "" || strings.Trim(line, "-") == "")
}

// atxLevel returns the number of '#' opening a Markdown heading line, or 0.
func atxLevel(line string) int {
	n := 0
	for n < len(line) && line[n] == '#' {
		n++
	}
	if n == 0 || n > 6 || (n < len(line) && line[n] != ' ' && line[n] != '\t') {
		return 0
	}
	return n
}

func dropReason(line string) string {
	if utf8.RuneCountInString(line) > 400 {
		return ""
	}
	for _, r := range dropRules {
		if r.re.MatchString(line) {
			return r.reason
		}
	}
	return ""
}

// dropLines extracts the dropped blocks, which splitBlocks marked by kind,
// and removes nothing else.
func dropLines(blocks []block, src string) []Dropped {
	var out []Dropped
	for _, b := range blocks {
		if r, ok := strings.CutPrefix(b.kind, "drop:"); ok {
			out = append(out, Dropped{Text: normalize(src[b.start:b.end]), Span: Span{b.start, b.end}, Reason: r})
		}
	}
	return out
}

func sortDropped(d []Dropped) {
	// Insertion sort: the list is short and nearly sorted already.
	for i := 1; i < len(d); i++ {
		for j := i; j > 0 && d[j].Span.Start < d[j-1].Span.Start; j-- {
			d[j], d[j-1] = d[j-1], d[j]
		}
	}
}

// looksLikeHeading says whether a plain-text block is a section heading: one
// short line that does not end like a sentence and starts with a capital.
func looksLikeHeading(text string) bool {
	if strings.ContainsAny(text, "\n") {
		return false
	}
	words := strings.Fields(text)
	if len(words) == 0 || len(words) > 12 || utf8.RuneCountInString(text) > 100 {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(text)
	if strings.ContainsRune(".!?:;,…\"”’)]-–—", last) {
		return false
	}
	first, _ := utf8.DecodeRuneInString(text)
	return unicode.IsUpper(first) || unicode.IsDigit(first)
}

// isQuotation says whether a paragraph is a quoted passage introduced by the
// paragraph before it ("… in these terms:" then “…”).
func isQuotation(text string, prev *Paragraph) bool {
	if prev.Kind == KindHeading || len(prev.Sentences) == 0 {
		return false
	}
	t := strings.TrimSpace(text)
	first, _ := utf8.DecodeRuneInString(t)
	if !strings.ContainsRune("“\"«‘", first) {
		return false
	}
	core := strings.TrimRight(t, ".!?…")
	last, _ := utf8.DecodeLastRuneInString(core)
	if !strings.ContainsRune("”\"»’", last) {
		return false
	}
	intro := prev.Sentences[len(prev.Sentences)-1].Text
	return strings.HasSuffix(intro, ":") || prev.Kind == KindQuote
}

// normalize makes runs of whitespace single spaces.
func normalize(s string) string { return strings.Join(strings.Fields(s), " ") }

// ids hands out sentence IDs: "s-" and 8 hex digits of the SHA-256 of the
// sentence's normalized text, with "-2", "-3"… for repeats. Deriving IDs from
// text keeps them stable when other sentences are edited, so overrides,
// caches and permalinks that name a sentence keep working.
type ids struct{ seen map[string]int }

func newIDs() *ids { return &ids{seen: map[string]int{}} }

func (x *ids) next(text string) string {
	sum := sha256.Sum256([]byte(text))
	id := "s-" + hex.EncodeToString(sum[:4])
	x.seen[id]++
	if n := x.seen[id]; n > 1 {
		id = fmt.Sprintf("%s-%d", id, n)
	}
	return id
}
