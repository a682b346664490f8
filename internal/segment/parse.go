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
	listItem   bool // a list item ("- ...", "1. ..."), its marker left out
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
	// HTML comments are notes to self, never read, not even as dropped
	// lines: they go before the text is cut into lines, so that a line
	// inside one is no heading, list item or dropped line.
	text := blankComments(src)
	// work is text with Markdown markers blanked out byte for byte, so that
	// every offset into work is an offset into src.
	work := []byte(text)
	blocks := splitBlocks(text, work)
	hasATX := false
	for _, b := range blocks {
		hasATX = hasATX || b.atx
	}
	// HTML tags, code marks, footnote references, links' marks and
	// addresses and emphasis marks are not words to speak, in any text
	// that has them: a Markdown text without a heading is Markdown too,
	// and its links' addresses were read out.
	blankTags(work)
	blankCodeMarks(work)
	blankFootnoteRefs(work)
	blankLinks(work)
	blankEmphasis(work)
	sc := &sectioner{p: &parsed{}, ws: string(work), hasATX: hasATX, ids: newIDs()}
	titled := sc.title(blocks)
	sc.cur = &section{intro: true, heading: sc.p.title}
	for i, b := range blocks {
		sc.block(b, i != titled, i+1 < len(blocks))
	}
	p := sc.p
	if len(sc.cur.units) > 0 {
		p.sections = append(p.sections, *sc.cur)
	}
	// Dropped lines were found while splitting blocks; report them in order.
	p.dropped = append(dropLines(blocks, text), p.dropped...)
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

// title takes the first block with words as the title when it is a single
// heading-like line, and returns its index, or -1. Markup alone before it
// ("<div align=\"center\">") is passed over. A chapter's label ("CHAPTER
// ONE") is not the title of the whole text: it heads the first chapter.
func (sc *sectioner) title(blocks []block) int {
	for i := range blocks {
		b := &blocks[i]
		text := sc.ws[b.start:b.end]
		if b.kind == "" && strings.TrimSpace(text) == "" {
			continue
		}
		if (b.kind == "" || b.atx) && !b.listItem && (b.atx || looksLikeHeading(text)) && !chapterLabel.MatchString(text) {
			sc.p.title = normalize(text)
			b.kind = KindHeading
			return i
		}
		return -1
	}
	return -1
}

// chapterLabel is a heading that numbers a chapter or a part: "CHAPTER
// ONE", "Chapter 1", "Part II", "Book the First".
var chapterLabel = regexp.MustCompile(`(?i)^\s*(?:chapter|part|book)\s+(?:[0-9]+|[ivxlc]+|the\s+\w+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|first|second|third)\b`)

// block adds block b: a heading starts a new section, and any block with
// words becomes a paragraph. notTitle says it is not the title's block, and
// more whether blocks come after it.
func (sc *sectioner) block(b block, notTitle, more bool) {
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
		case !sc.hasATX && !b.quoteLine && !b.listItem && more && looksLikeHeading(text):
			b.kind = KindHeading
		}
	}
	para := sc.paragraph(b, text)
	if len(para.Sentences) == 0 || len(para.Sentences[0].Words) == 0 && len(para.Sentences) == 1 {
		// Punctuation alone (a "* * *" divider) is not narrated; keep it
		// as a dropped line so nothing vanishes silently. Nor is such a
		// heading ("# !") a section: it would have had no paragraph,
		// which planning cannot take, or an episode named "!".
		sc.p.dropped = append(sc.p.dropped, Dropped{Text: joinTokens(sc.ws, tokens(sc.ws, b.start, b.end)), Span: Span{b.start, b.end}, Reason: "no words to speak"})
		return
	}
	if b.kind == KindHeading && (sc.p.title == "" || notTitle) {
		if len(sc.cur.units) > 0 || !sc.cur.intro {
			sc.p.sections = append(sc.p.sections, *sc.cur)
		}
		sc.cur = &section{heading: normalize(text)}
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
// alone: ATX headings and dropped lines, and before each list item. It
// blanks Markdown markers in work.
func splitBlocks(src string, work []byte) []block {
	sp := &splitter{src: src, work: work}
	start := 0
	if strings.HasPrefix(src, bom) {
		start = len(bom)
		blank(work, 0, start) // nor is it part of a word: "\ufeff*Title*"
	}
	blankBefore := true // the line before is blank, or there is none
	for off := start; off < len(src); {
		var lineStart, lineEnd int
		lineStart, lineEnd, off = nextLine(src, off)
		afterBlank := blankBefore
		blankBefore = lineStart == lineEnd
		if blankBefore {
			sp.flush()
			continue
		}
		if next, ok := sp.alone(lineStart, lineEnd, off); ok {
			off = next
			continue
		}
		sp.prose(lineStart, lineEnd, afterBlank)
	}
	sp.flush()
	return sp.blocks
}

// splitter is splitBlocks' state: the blocks so far and the paragraph
// being gathered, line by line.
type splitter struct {
	src    string
	work   []byte
	blocks []block
	cur    *block
	fences fences
}

func (sp *splitter) flush() {
	if sp.cur != nil {
		sp.blocks = append(sp.blocks, *sp.cur)
		sp.cur = nil
	}
}

// alone takes the line [lineStart, lineEnd) when it stands alone: a
// setext underline, an ATX heading, a fenced code block (then the offset
// of the line after its end is returned in place of next), or a rule.
func (sp *splitter) alone(lineStart, lineEnd, next int) (int, bool) {
	src, work, cur := sp.src, sp.work, sp.cur
	trimmed := src[lineStart:lineEnd]
	if cur != nil && cur.single && !cur.quoteLine && !cur.listItem && isUnderline(trimmed) {
		// "Title\n=====": the line above is a heading, the underline its marker.
		blank(work, lineStart, lineEnd)
		sp.blocks = append(sp.blocks, block{start: cur.start, end: cur.end, atx: true, kind: KindHeading})
		sp.cur = nil
		return next, true
	}
	if level := atxLevel(trimmed); level > 0 {
		sp.flush()
		blank(work, lineStart, lineStart+level)
		if s, e := trimSpan(src, lineStart+level, lineEnd); s < e { // a bare "#" is a marker, no words
			sp.blocks = append(sp.blocks, block{start: s, end: e, atx: true, kind: KindHeading})
		}
		return next, true
	}
	if end, ok := sp.fences.code(src, lineStart, lineEnd, next); ok {
		// Code is read by eye, not aloud: the fenced block is dropped
		// whole, fences and all.
		sp.flush()
		sp.blocks = append(sp.blocks, block{start: lineStart, end: end, kind: "drop:" + ReasonCode})
		_, _, after := nextLine(src, end)
		return after, true
	}
	if isRule(trimmed) {
		// "***" or "- - -" under prose is a break, not a word of the
		// paragraph above nor the end of a list item.
		sp.flush()
		sp.blocks = append(sp.blocks, block{start: lineStart, end: lineEnd})
		return next, true
	}
	return next, false
}

// prose takes a line of a paragraph, a quotation or a list item, or a
// footnote or another line that is dropped.
func (sp *splitter) prose(lineStart, lineEnd int, afterBlank bool) {
	src, work := sp.src, sp.work
	quote := src[lineStart] == '>'
	if quote {
		i := lineStart
		for i < lineEnd && src[i] == '>' {
			work[i] = ' '
			i++
		}
		s, e := trimSpan(src, i, lineEnd)
		if s == e {
			// ">" alone is the blank line of a quotation: it ends a
			// paragraph ("> one\n>\n> two" is two).
			sp.flush()
			return
		}
		lineStart, lineEnd = s, e
	}
	item := false
	if n := listMarker(src[lineStart:lineEnd]); n > 0 {
		// Each item is a paragraph of its own, so that an item without a
		// final period does not run into the next one.
		blank(work, lineStart, lineStart+n)
		lineStart, _ = trimSpan(src, lineStart+n, lineEnd)
		sp.flush()
		item = true
	}
	if footnote.MatchString(src[lineStart:lineEnd]) {
		// "[^1]: …": a note read where it is written would be out of
		// place, and where it is referred to, out of the flow.
		sp.flush()
		sp.blocks = append(sp.blocks, block{start: lineStart, end: lineEnd, kind: "drop:" + ReasonFootnote})
		return
	}
	if reason := dropReason(src[lineStart:lineEnd]); reason != "" {
		sp.flush()
		sp.blocks = append(sp.blocks, block{start: lineStart, end: lineEnd, kind: "drop:" + reason})
		return
	}
	if sp.cur != nil && sp.cur.quoteLine != quote {
		sp.flush()
	}
	if sp.cur == nil {
		sp.cur = &block{start: lineStart, quoteLine: quote, listItem: item, single: afterBlank}
	} else {
		sp.cur.single = false
	}
	sp.cur.end = lineEnd
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

// fences remembers, for '`' and '~', the shortest fence found never
// closed: no longer one after it can be closed either, so a text of many
// unclosed fences is read once, not once for each of them.
type fences struct{ unclosed [2]int }

// code says whether the line src[start:end] opens a fenced code block
// ("```" or "~~~", at least three) that a later line closes, and where the
// closing line ends; next is the offset of the line after the opening one.
// An opening fence never closed is no block: the text after it stays the
// text it is, not the rest of the text dropped as code.
func (f *fences) code(src string, start, end, next int) (int, bool) {
	line := src[start:end]
	if len(line) < 3 || line[0] != '`' && line[0] != '~' {
		return 0, false
	}
	c, k := line[0], strings.IndexByte("`~", line[0])
	n := len(line) - len(strings.TrimLeft(line, string(c)))
	if n < 3 || c == '`' && strings.IndexByte(line[n:], '`') >= 0 {
		return 0, false // "``x``" is inline code, "```a```" too
	}
	if u := f.unclosed[k]; u > 0 && n >= u {
		return 0, false
	}
	for off := next; off < len(src); {
		var s, e int
		s, e, off = nextLine(src, off)
		if e-s >= n && strings.Trim(src[s:e], string(c)) == "" {
			return e, true
		}
	}
	f.unclosed[k] = n
	return 0, false
}

// footnote is a footnote's definition: its reference (footnoteRef) and a
// colon opening the line, "[^1]: The text of the note."
var footnote = regexp.MustCompile(`^` + footnoteRef.String() + `:`)

// listMarker returns the length of the list marker opening a trimmed line
// with the spaces after it ("- ", "* ", "+ ", "1. ", "12) "), or 0. A rule
// ("- - -", "* * *") is no list item, and a number of four digits is a
// year starting a wrapped line ("1984. We moved"), not an item.
func listMarker(line string) int {
	if isRule(line) {
		return 0 // "> * * *", a rule in a quotation
	}
	return len(listItem.FindString(line))
}

var listItem = regexp.MustCompile(`^(?:[-*+]|[0-9]{1,3}[.)])[ \t]+`)

// isRule says whether a trimmed line is a Markdown rule: three or more of
// one of '-', '*' or '_', maybe with spaces between them.
func isRule(line string) bool {
	if line == "" || !strings.ContainsRune("-*_", rune(line[0])) {
		return false
	}
	n := 0
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case line[0]:
			n++
		case ' ', '\t':
		default:
			return false
		}
	}
	return n >= 3
}

// blank makes work[from:to] markup: space between words, but none in a
// sentence's text where it stood against punctuation ("[link](address)."
// reads "link.", not "link ."). A vertical tab is that mark because checkText
// refuses it in a source, so it never stands for a space someone typed.
func blank(work []byte, from, to int) {
	for i := from; i < to; i++ {
		work[i] = markup
	}
}

const markup = '\v'

// mdLink is a Markdown link on one line, "[text](address)", or an image
// without its "!" ("![alt text](image.jpg)"). Starting with a literal '['
// lets regexp skip to each '[' instead of trying every byte: parsing took
// a fifth of its time in this search with "!?" in front.
var mdLink = regexp.MustCompile(`\[([^\[\]\n]+)\]\(\S*?\)`)

// blankLinks blanks a Markdown link's or image's marks and address, and
// keeps its text, which is what a reader of the page sees: the address was
// spoken letter by letter, and became the words of the sentence.
func blankLinks(work []byte) {
	for _, m := range mdLink.FindAllSubmatchIndex(work, -1) {
		start := m[0]
		if start > 0 && work[start-1] == '!' {
			start-- // an image
		}
		blank(work, start, m[2])
		blank(work, m[3], m[1])
	}
}

// htmlComment is an HTML comment, "<!-- note to self -->", on one line or
// several.
var htmlComment = regexp.MustCompile(`(?s)<!--.*?-->`)

// blankComments returns src with its HTML comments blanked, except for
// their line ends, so that the lines around a comment stay where they are.
// They become plain spaces, not markup: lines are read from this text, and
// the drop rules' \s knows no vertical tab.
func blankComments(src string) string {
	if !strings.Contains(src, "<!--") {
		return src
	}
	b := []byte(src)
	for _, m := range htmlComment.FindAllStringIndex(src, -1) {
		for i := m[0]; i < m[1]; i++ {
			if b[i] != '\n' {
				b[i] = ' '
			}
		}
	}
	return string(b)
}

// htmlTag is an HTML tag on one line: "<br>", "</em>", "<div
// align="center">", "<img src=x />". '<' must be followed by a letter (or
// '/' and a letter), and what follows the name must be attributes, so that
// "a < b" and "x<3" are not tags.
var htmlTag = regexp.MustCompile(`</?[A-Za-z][A-Za-z0-9-]*(?:[ \t]+[A-Za-z_:][-A-Za-z0-9_:.]*(?:[ \t]*=[ \t]*(?:"[^"\n]*"|'[^'\n]*'|[^\s"'=<>\x60]+))?)*[ \t]*/?>`)

// blankTags blanks HTML tags, which a reader of the page never sees, and
// keeps the text between them: "<em>no</em>" says "no".
func blankTags(work []byte) {
	for _, m := range htmlTag.FindAllIndex(work, -1) {
		blank(work, m[0], m[1])
	}
}

// footnoteRef is a footnote's reference in the text: "[^1]", "[^note]".
var footnoteRef = regexp.MustCompile(`\[\^[^\[\]\s]+\]`)

// blankFootnoteRefs blanks footnote references: "so[^1]" says "so".
func blankFootnoteRefs(work []byte) {
	for _, m := range footnoteRef.FindAllIndex(work, -1) {
		blank(work, m[0], m[1])
	}
}

// blankCodeMarks blanks the backticks around inline code ("`grep`", and
// runs of two or more alike) and keeps the code, a word of the sentence. A
// run of backticks is closed by the next run of the same length on its
// line; without one it is left as written.
func blankCodeMarks(work []byte) {
	for i := 0; i < len(work); {
		if work[i] != '`' {
			i++
			continue
		}
		n := runOf(work, i)
		closing := -1
		for j := i + n; j < len(work) && work[j] != '\n'; {
			if work[j] != '`' {
				j++
				continue
			}
			m := runOf(work, j)
			if m == n {
				closing = j
				break
			}
			j += m
		}
		if closing < 0 {
			i += n
			continue
		}
		blank(work, i, i+n)
		blank(work, closing, closing+n)
		i = closing + n
	}
}

// runOf is the number of backticks starting at work[i].
func runOf(work []byte, i int) int {
	n := 0
	for i+n < len(work) && work[i+n] == '`' {
		n++
	}
	return n
}

// blankEmphasis blanks the runs of '*' and '_' that open or close a
// whitespace-separated token ("*A short memoir", "__bold__"), inside the
// punctuation around it ("(*my*)", "_cold_.", "**Note:**"). Inside a word
// they stay ("snake_case").
func blankEmphasis(work []byte) {
	for i := 0; i < len(work); {
		r, n := utf8.DecodeRune(work[i:])
		if unicode.IsSpace(r) {
			i += n
			continue
		}
		start := i
		for i < len(work) {
			r, n := utf8.DecodeRune(work[i:])
			if unicode.IsSpace(r) {
				break
			}
			i += n
		}
		s, e := start, i
		for s < e {
			r, n := utf8.DecodeRune(work[s:e])
			if !isOuterPunct(r) {
				break
			}
			s += n
		}
		for e > s {
			r, n := utf8.DecodeLastRune(work[s:e])
			if !isOuterPunct(r) {
				break
			}
			e -= n
		}
		for j := s; j < e && (work[j] == '*' || work[j] == '_'); j++ {
			work[j] = markup
		}
		for j := e - 1; j >= s && (work[j] == '*' || work[j] == '_'); j-- {
			work[j] = markup
		}
	}
}

// isOuterPunct reports punctuation that may stand outside emphasis marks.
func isOuterPunct(r rune) bool { return unicode.IsPunct(r) && r != '*' && r != '_' }

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
