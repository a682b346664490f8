package segment

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func readSeed(tb testing.TB) []byte {
	tb.Helper()
	src, err := os.ReadFile("../../episodes/recollection.txt")
	if err != nil {
		tb.Fatal(err)
	}
	return src
}

// sentencesOf is every sentence of o, in reading order.
func sentencesOf(o *Outline) []Sentence {
	var all []Sentence
	for _, e := range o.Episodes {
		for _, c := range e.Chapters {
			for _, p := range c.Paragraphs {
				all = append(all, p.Sentences...)
			}
		}
	}
	return all
}

func mustParse(tb testing.TB, src []byte) *Outline {
	tb.Helper()
	o, err := Parse(src, Options{})
	if err != nil {
		tb.Fatalf("Parse: %v", err)
	}
	return o
}

// sourceWords is the reference word list, computed independently of the
// segmenter: whitespace-separated tokens with Markdown and HTML markers
// removed, and the lines dropped whole (code, footnotes, captions) as
// written.
func sourceWords(src string) []string {
	src = strings.TrimPrefix(src, "\ufeff") // a byte order mark is not a word
	src = refComment.ReplaceAllStringFunc(src, func(c string) string {
		return strings.Map(func(r rune) rune { // its lines stay lines
			if r == '\n' {
				return r
			}
			return ' '
		}, c)
	})
	lines := strings.Split(src, "\n")
	code := codeLines(lines)
	var out []string
	for i, line := range lines {
		t := strings.TrimSpace(line)
		if code[i] {
			out = append(out, strings.Fields(t)...)
			continue
		}
		if underlines(lines, code, i) {
			continue // a setext heading's "===" or "---"
		}
		if n := atxLevel(t); n > 0 {
			t = t[n:]
		} else {
			t = withoutListMarker(strings.TrimSpace(strings.TrimLeft(t, ">")))
		}
		if refFootnote.MatchString(t) || dropReason(t) != "" {
			out = append(out, strings.Fields(t)...) // dropped as written
			continue
		}
		t = refFootnoteRef.ReplaceAllString(withoutCodeMarks(refTag.ReplaceAllString(t, "\v")), "\v")
		t = refLink.ReplaceAllStringFunc(t, linkText)
		t = refToken.ReplaceAllStringFunc(t, withoutEmphasis)
		out = append(out, strings.Fields(unmarked(t))...)
	}
	return out
}

// These are written out here, not borrowed from the segmenter, so that the
// reference stays independent of it.
var (
	refLink        = regexp.MustCompile(`!?\[([^\[\]\n]+)\]\(\S*?\)`)
	refComment     = regexp.MustCompile(`<!--[\s\S]*?-->`)
	refTag         = regexp.MustCompile(`<(?:/)?[a-zA-Z][-a-zA-Z0-9]*(?:[\t ]+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:[\t ]*=[\t ]*(?:'[^'\n]*'|"[^"\n]*"|[^\s"'=<>\x60]+))?)*[\t ]*/?>`)
	refFootnote    = regexp.MustCompile(`^\[\^[^\s\[\]]+\]:`)
	refFootnoteRef = regexp.MustCompile(`\[\^[^\s\[\]]+\]`)
	refListMarker  = regexp.MustCompile(`^(?:[0-9]{1,3}[.)]|[-*+])[\t ]+`)
	refRule        = regexp.MustCompile(`^(?:(?:-[\t ]*){3,}|(?:\*[\t ]*){3,}|(?:_[\t ]*){3,})$`)
	refBackticks   = regexp.MustCompile("`+")
	refToken       = regexp.MustCompile(`[^\t\n\v\f\r \x{85}\pZ]+`) // what unicode.IsSpace does not match
)

// unmarked is t with each run of removed markup ("\v") made nothing where
// a closing punctuation mark follows it or an opening one comes before it
// ("`log`." is "log."), and a space elsewhere.
func unmarked(t string) string {
	var b strings.Builder
	for i := 0; i < len(t); i++ {
		if t[i] != '\v' {
			b.WriteByte(t[i])
			continue
		}
		j := i
		for j < len(t) && t[j] == '\v' {
			j++
		}
		before, _ := utf8.DecodeLastRuneInString(t[:i])
		after, _ := utf8.DecodeRuneInString(t[j:])
		closes := after != utf8.RuneError && !unicode.IsSpace(after) && !isWordRune(after) && !strings.ContainsRune(openers, after)
		opens := strings.ContainsRune(openers, before) && !strings.ContainsRune(closers, before)
		if !closes && !opens {
			b.WriteByte(' ')
		}
		i = j - 1
	}
	return b.String()
}

// withoutEmphasis is a word with the runs of '*' and '_' at its ends,
// inside the punctuation around it, made markup: "(*my*)," is "(\vmy\v),".
func withoutEmphasis(f string) string {
	outer := func(r rune) bool { return r != '*' && r != '_' && unicode.IsPunct(r) }
	left, right := len(f)-len(strings.TrimLeftFunc(f, outer)), len(strings.TrimRightFunc(f, outer))
	if left >= right {
		return f
	}
	core := f[left:right]
	inner := strings.TrimLeft(core, "*_")
	if inner == "" {
		return f[:left] + strings.Repeat("\v", len(core)) + f[right:]
	}
	inner = strings.TrimRight(inner, "*_")
	lead := strings.Index(core, inner)
	return f[:left] + strings.Repeat("\v", lead) + inner + strings.Repeat("\v", len(core)-lead-len(inner)) + f[right:]
}

// withoutListMarker is a line without the marker of the list item it opens.
func withoutListMarker(t string) string {
	if refRule.MatchString(t) {
		return t
	}
	return strings.TrimSpace(refListMarker.ReplaceAllString(t, ""))
}

// withoutCodeMarks is a line with the backtick runs that pair up (the
// same length, the first unpaired one with the next) made spaces.
func withoutCodeMarks(t string) string {
	runs := refBackticks.FindAllStringIndex(t, -1)
	b := []byte(t)
	for i := 0; i < len(runs); i++ {
		for j := i + 1; j < len(runs); j++ {
			if runs[j][1]-runs[j][0] == runs[i][1]-runs[i][0] {
				copy(b[runs[i][0]:runs[i][1]], strings.Repeat("\v", runs[i][1]-runs[i][0]))
				copy(b[runs[j][0]:runs[j][1]], strings.Repeat("\v", runs[j][1]-runs[j][0]))
				i = j
				break
			}
		}
	}
	return string(b)
}

// codeLines marks the lines of fenced code blocks, from the opening fence
// of three or more '`' or '~' to the first line of at least as many of
// them; a fence never closed marks nothing.
func codeLines(lines []string) []bool {
	code := make([]bool, len(lines))
	for i := 0; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		fence := strings.TrimLeft(t, "`")
		if len(t)-len(fence) < 3 || strings.Contains(fence, "`") {
			fence = strings.TrimLeft(t, "~")
			if len(t)-len(fence) < 3 {
				continue
			}
		}
		n, c := len(t)-len(fence), t[:1]
		for j := i + 1; j < len(lines); j++ {
			if u := strings.TrimSpace(lines[j]); len(u) >= n && strings.Trim(u, c) == "" {
				for k := i; k <= j; k++ {
					code[k] = true
				}
				i = j
				break
			}
		}
	}
	return code
}

// linkText is a Markdown link or image with its marks and address made
// spaces, the words where they were.
func linkText(link string) string {
	open := strings.IndexByte(link, '[') + 1
	close := strings.Index(link, "](") // the text has no "]"; the address may ("[0](]()")
	return strings.Repeat("\v", open) + link[open:close] + strings.Repeat("\v", len(link)-close)
}

// underlines says whether lines[i] is a setext underline: only '=' or only
// '-', under a line of prose that follows a blank line or opens the text.
func underlines(lines []string, code []bool, i int) bool {
	t := strings.TrimSpace(lines[i])
	if i == 0 || code[i] || len(t) < 2 || strings.Trim(t, "=") != "" && strings.Trim(t, "-") != "" {
		return false
	}
	above := strings.TrimSpace(lines[i-1])
	if above == "" || code[i-1] || above[0] == '>' || atxLevel(above) > 0 || dropReason(above) != "" ||
		withoutListMarker(above) != above || refFootnote.MatchString(above) || refRule.MatchString(above) {
		return false
	}
	return i == 1 || strings.TrimSpace(lines[i-2]) == ""
}

// rebuilt is the text put back together from the outline: every narrated
// sentence and every dropped line, in source order.
func rebuilt(o *Outline) []string {
	type piece struct {
		at, end int
		text    string
	}
	var pieces []piece
	for _, s := range sentencesOf(o) {
		pieces = append(pieces, piece{s.Span.Start, s.Span.End, s.Text})
	}
	for _, d := range o.Dropped {
		pieces = append(pieces, piece{d.Span.Start, d.Span.End, d.Text})
	}
	// Stable insertion sort by position; the pieces are nearly in order.
	for i := 1; i < len(pieces); i++ {
		for j := i; j > 0 && pieces[j].at < pieces[j-1].at; j-- {
			pieces[j], pieces[j-1] = pieces[j-1], pieces[j]
		}
	}
	var out []string
	for i, p := range pieces {
		fields := strings.Fields(p.text)
		if i > 0 && p.at == pieces[i-1].end && len(out) > 0 && len(fields) > 0 {
			// Written together ("0!䔔!", two sentences of a text without
			// spaces): one word of the source.
			out[len(out)-1] += fields[0]
			fields = fields[1:]
		}
		out = append(out, fields...)
	}
	return out
}

func checkNothingLost(tb testing.TB, src []byte, o *Outline) {
	tb.Helper()
	want, got := sourceWords(string(src)), rebuilt(o)
	for i := 0; i < len(want) || i < len(got); i++ {
		var w, g string
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w != g {
			tb.Fatalf("word %d: source has %q, outline has %q", i, w, g)
		}
	}
	// And the outline's order is the reading order: spans never go back.
	last := -1
	runes := []rune(string(src)) // once: per sentence, a long text took minutes
	for _, e := range o.Episodes {
		for _, c := range e.Chapters {
			for _, p := range c.Paragraphs {
				for _, s := range p.Sentences {
					if s.Span.Start < last {
						tb.Fatalf("sentence %s at %d comes after text at %d", s.ID, s.Span.Start, last)
					}
					last = s.Span.End
					if len(s.Words) == 0 && p.Kind != KindHeading {
						tb.Fatalf("sentence %s %q has no words", s.ID, s.Text)
					}
					for _, w := range s.Words {
						if got := string(runes[w.Span.Start:w.Span.End]); got != w.Text {
							tb.Fatalf("word span %v reads %q, want %q", w.Span, got, w.Text)
						}
					}
				}
			}
		}
	}
}

func TestSeedEpisodes(t *testing.T) {
	o := mustParse(t, readSeed(t))
	headings := []string{"My youth in the USSR", "The official history", "Economic stagnation", "Moving to Paris and discovering Trotsky’s writings"}
	if len(o.Episodes) < 4 {
		t.Fatalf("got %d episodes, want at least 4", len(o.Episodes))
	}
	next := 0
	for _, e := range o.Episodes {
		if next < len(headings) && strings.Contains(e.Title, headings[next]) {
			next++
		}
		if len(e.Chapters) < 2 {
			t.Errorf("episode %s has %d chapters, want at least 2", e.Slug, len(e.Chapters))
		}
		if e.Estimate > 480 {
			t.Errorf("episode %s is estimated at %.0f s, over the 480 s maximum", e.Slug, e.Estimate)
		}
		for _, c := range e.Chapters {
			if n := len([]rune(c.Title)); n == 0 || n > MaxChapterTitle {
				t.Errorf("chapter %q has %d characters", c.Title, n)
			}
		}
	}
	if next != len(headings) {
		t.Errorf("episode titles carry %d of the 4 section headings in order: %v", next, headings)
	}
	if got, want := o.Episodes[0].Slug, "01-my-youth-in-the-ussr"; got != want {
		t.Errorf("first slug = %q, want %q", got, want)
	}
}

func TestSeedNothingLost(t *testing.T) {
	src := readSeed(t)
	o := mustParse(t, src)
	checkNothingLost(t, src, o)
	var reasons []string
	for _, d := range o.Dropped {
		reasons = append(reasons, d.Reason)
	}
	want := []string{ReasonLinkText, ReasonCaption, ReasonCaption, ReasonCaption}
	if strings.Join(reasons, "|") != strings.Join(want, "|") {
		t.Errorf("dropped %q, want %q", reasons, want)
	}
}

func TestSeedNoCaptionDebris(t *testing.T) {
	o := mustParse(t, readSeed(t))
	debris := []string{"Image:", "Image public", "Image The", "public domain", "here and here", "militantUSSR", "domainLessons"}
	for _, s := range sentencesOf(o) {
		for _, d := range debris {
			if strings.Contains(s.Text, d) {
				t.Errorf("sentence %s carries %q: %s", s.ID, d, s.Text)
			}
		}
	}
}

func TestSeedQuotationsStayWithIntroduction(t *testing.T) {
	o := mustParse(t, readSeed(t))
	quotes := 0
	for _, e := range o.Episodes {
		for _, c := range e.Chapters {
			for i, p := range c.Paragraphs {
				if p.Kind != KindQuote {
					continue
				}
				quotes++
				if i == 0 {
					t.Errorf("quotation %s opens chapter %q, apart from its introduction", p.ID, c.Title)
					continue
				}
				intro := c.Paragraphs[i-1].Sentences
				if last := intro[len(intro)-1].Text; !strings.HasSuffix(last, ":") {
					t.Errorf("quotation %s follows %q, not its introduction", p.ID, last)
				}
			}
		}
	}
	if quotes != 2 {
		t.Errorf("found %d quotations from The Revolution Betrayed, want 2", quotes)
	}
}

func TestSentenceBoundaries(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"decimal", "He won 99.9 percent of the vote. Nobody believed it.",
			[]string{"He won 99.9 percent of the vote.", "Nobody believed it."}},
		{"title abbreviation", "We met Mr. Smith and Dr. Jones at noon. They were late.",
			[]string{"We met Mr. Smith and Dr. Jones at noon.", "They were late."}},
		{"multi-dot abbreviation mid-sentence", "She moved to the U.S. Army base in May. It rained.",
			[]string{"She moved to the U.S. Army base in May.", "It rained."}},
		{"multi-dot abbreviation ending a sentence", "She moved to the U.S. Then she wrote.",
			[]string{"She moved to the U.S.", "Then she wrote."}},
		{"quote with speech tag", "“Keep the light!” she said. He nodded.",
			[]string{"“Keep the light!” she said.", "He nodded."}},
		{"quote ends a sentence", "He asked: “where are the 0.1 percent who voted against?” Jokes were common.",
			[]string{"He asked: “where are the 0.1 percent who voted against?”", "Jokes were common."}},
		{"straight quotes", `He said "stop." Then he left.`,
			[]string{`He said "stop."`, "Then he left."}},
		{"ellipsis mid-sentence", "We waited… and waited. Nothing came.",
			[]string{"We waited… and waited.", "Nothing came."}},
		{"ellipsis ends a sentence", "The cabbage stayed outside, rotting… Nobody cared.",
			[]string{"The cabbage stayed outside, rotting…", "Nobody cared."}},
		{"three dots", "The boat nearly sank... Everyone cheered.",
			[]string{"The boat nearly sank...", "Everyone cheered."}},
		{"range", "By the age of 9-10, children became pioneers. We wore red.",
			[]string{"By the age of 9-10, children became pioneers.", "We wore red."}},
		{"initials", "J. R. Mackay sang to us. We stayed awake.",
			[]string{"J. R. Mackay sang to us.", "We stayed awake."}},
		{"etc then a new sentence", "Hangars, roads, etc. But nobody asked.",
			[]string{"Hangars, roads, etc.", "But nobody asked."}},
		{"colon introduces a quote", "She exclaimed: “It is easy to criticise today!” We laughed.",
			[]string{"She exclaimed: “It is easy to criticise today!”", "We laughed."}},
		{"dashes", "This divide – for or against Stalin – was found everywhere. It was deep.",
			[]string{"This divide – for or against Stalin – was found everywhere.", "It was deep."}},
		{"number after No.", "See No. 5 in the list. It matters.",
			[]string{"See No. 5 in the list.", "It matters."}},
		{"quotation closing the paragraph", "Trotsky wrote: “Political senility is expressed in the loss of capacity to sweep the youth along.”",
			[]string{"Trotsky wrote: “Political senility is expressed in the loss of capacity to sweep the youth along.”"}},
		{"lower case after a period", "The figure was 3 p.m. sharp. We left.",
			[]string{"The figure was 3 p.m. sharp.", "We left."}},
		{"month before a day", "We left on Jan. 5 and came back on Sept. 11. It rained.",
			[]string{"We left on Jan. 5 and came back on Sept. 11.", "It rained."}},
		{"month ending a sentence", "We left in Jan. The snow came.",
			[]string{"We left in Jan.", "The snow came."}},
		{"Arabic, a script without capitals", "عشنا بجانب النهر. كان الجو باردا.",
			[]string{"عشنا بجانب النهر.", "كان الجو باردا."}},
		{"Arabic question mark", "هل تتذكر؟ كان الجو باردا.",
			[]string{"هل تتذكر؟", "كان الجو باردا."}},
		{"Hebrew", "גרנו ליד הנהר. היה קר.",
			[]string{"גרנו ליד הנהר.", "היה קר."}},
		{"Hindi danda", "हम नदी के पास रहते थे। सर्दी थी।",
			[]string{"हम नदी के पास रहते थे।", "सर्दी थी।"}},
		{"pronoun I", "So did I. Then we ran.",
			[]string{"So did I.", "Then we ran."}},
		{"Chinese, written without spaces", "我出生在一个小村庄。村子里有一条河，夏天我们在河里游泳！你记得吗？那时候我们很快乐。",
			[]string{"我出生在一个小村庄。", "村子里有一条河，夏天我们在河里游泳！", "你记得吗？", "那时候我们很快乐。"}},
		{"Japanese quotation", "「こんにちは」と彼は言った。それから二人で歩いた｡",
			[]string{"「こんにちは」と彼は言った。", "それから二人で歩いた｡"}},
		{"Chinese with Latin and digits", "1949年我在Paris住了三年。 后来回国了。",
			[]string{"1949年我在Paris住了三年。", "后来回国了。"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range splitSentences(tt.text, 0, len(tt.text), newIDs()) {
				got = append(got, s.Text)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n  %q\nwant\n  %q", got, tt.want)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want error
	}{
		{"empty", "", ErrEmpty},
		{"whitespace", " \n\t\n  \r\n", ErrEmpty},
		{"byte order mark alone", "\ufeff\n", ErrEmpty},
		{"invalid UTF-8", "Hello \xff\xfe world.", ErrBinary},
		{"binary", "PK\x03\x04\x00\x00 some zip", ErrBinary},
		{"only captions", "A picture / Image: public domain\n", ErrNoWords},
		{"only punctuation", "* * *\n\n---\n", ErrNoWords},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src), Options{})
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			// The caller prefixes the file's path; the message says what to do.
			if strings.HasPrefix(err.Error(), "segment: ") || !strings.Contains(err.Error(), ": write") && !strings.Contains(err.Error(), ": give") {
				t.Errorf("error %q has a package prefix or says nothing to do", err)
			}
		})
	}
}

func TestDeterministicJSON(t *testing.T) {
	src := readSeed(t)
	a, _ := json.Marshal(mustParse(t, src))
	b, _ := json.Marshal(mustParse(t, src))
	if !bytes.Equal(a, b) {
		t.Fatal("the same input gave different JSON")
	}
}

func TestIDsSurviveEditsElsewhere(t *testing.T) {
	src := readSeed(t)
	before := mustParse(t, src)
	edited := bytes.Replace(src, []byte("We then wore a red scarf."), []byte("We then wore a bright red scarf."), 1)
	after := mustParse(t, edited)
	last := func(o *Outline) Sentence {
		e := o.Episodes[len(o.Episodes)-1]
		c := e.Chapters[len(e.Chapters)-1]
		p := c.Paragraphs[len(c.Paragraphs)-1]
		return p.Sentences[len(p.Sentences)-1]
	}
	if last(before).ID != last(after).ID {
		t.Errorf("last sentence ID changed from %s to %s after an edit in episode 1", last(before).ID, last(after).ID)
	}
}

func TestMarkdownText(t *testing.T) {
	src, err := os.ReadFile("testdata/lighthouse.md")
	if err != nil {
		t.Fatal(err)
	}
	o := mustParse(t, src)
	checkNothingLost(t, src, o)
	if o.Title != "The Lighthouse Keeper's Daughter" {
		t.Errorf("title = %q", o.Title)
	}
	var titles []string
	for _, e := range o.Episodes {
		titles = append(titles, e.Title)
	}
	if got, want := strings.Join(titles, "|"), "Winters on the rock|Letters from the mainland|Leaving"; got != want {
		t.Errorf("episodes = %q, want %q", got, want)
	}
	if len(o.Dropped) != 0 {
		t.Errorf("dropped %v from a text without debris", o.Dropped)
	}
	var quote *Paragraph
	for _, c := range o.Episodes[1].Chapters {
		for i := range c.Paragraphs {
			if c.Paragraphs[i].Kind == KindQuote {
				quote = &c.Paragraphs[i]
			}
		}
	}
	if quote == nil || !strings.HasPrefix(quote.Sentences[0].Text, "The sea does not care") {
		t.Fatalf("the block quotation was not found as a quote: %+v", quote)
	}
	for _, s := range sentencesOf(o) {
		if strings.ContainsAny(s.Text, "*") {
			t.Errorf("emphasis marker left in %q", s.Text)
		}
	}
	if strings.Contains(quote.Sentences[0].Text, ">") {
		t.Errorf("quote marker left in %q", quote.Sentences[0].Text)
	}
}

func TestLongSectionSplitsIntoBalancedParts(t *testing.T) {
	var b strings.Builder
	b.WriteString("A Long Book\n\nOne long section\n\n")
	for i := 0; i < 40; i++ {
		b.WriteString(strings.Repeat("This paragraph has exactly ten words in it right here. ", 6) + "\n\n")
	}
	o := mustParse(t, []byte(b.String()))
	// 2,400 words at 155 a minute is 15.5 minutes: two parts under 8.
	if len(o.Episodes) != 2 {
		t.Fatalf("got %d episodes, want 2", len(o.Episodes))
	}
	for _, e := range o.Episodes {
		if e.Estimate > 480 {
			t.Errorf("%s estimated %.0f s, over the maximum", e.Slug, e.Estimate)
		}
		for _, c := range e.Chapters {
			if c.Estimate < 60 || c.Estimate > 180 {
				t.Errorf("%s chapter %d lasts %.0f s, outside 1–3 minutes", e.Slug, c.Number, c.Estimate)
			}
		}
	}
	if d := o.Episodes[0].Words - o.Episodes[1].Words; d > 60 || d < -60 {
		t.Errorf("parts of %d and %d words are not balanced", o.Episodes[0].Words, o.Episodes[1].Words)
	}
	if o.Episodes[1].Slug != "02-one-long-section-part-2" {
		t.Errorf("slug = %q", o.Episodes[1].Slug)
	}
}

func TestOverrides(t *testing.T) {
	src := readSeed(t)
	o := mustParse(t, src)
	second := o.Episodes[1].Chapters[1].Paragraphs[0].Sentences[0].ID
	o2, err := Parse(src, Options{ChapterTitles: map[string]string{second: "Defeats of 1941"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := o2.Episodes[1].Chapters[1].Title; got != "Defeats of 1941" {
		t.Errorf("override title = %q", got)
	}
	// Splitting before a paragraph adds a chapter boundary there.
	p := o.Episodes[0].Chapters[1].Paragraphs[2].Sentences[0].ID
	o3, err := Parse(src, Options{SplitBefore: []string{p}})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range o3.Episodes[0].Chapters {
		if c.Paragraphs[0].Sentences[0].ID == p {
			found = true
		}
	}
	if !found {
		t.Errorf("no chapter starts at the split paragraph %s", p)
	}
}

func TestShortenNeverCutsAWord(t *testing.T) {
	for _, s := range []string{
		"One day, one of my comrades took the floor to explain that if, at the start of the war",
		"Supercalifragilisticexpialidocious-and-then-some-more-and-more-and-more-and-more",
		"Short title.",
		"My grandparents told me that, at the time of the October Revolution and the Civil War",
		"A very long sentence without any commas that just goes on and on forever and ever",
		", 00000000000000000000000000000000000000000000000000000000000", // a short first word, then a long one
	} {
		got := shorten(s)
		if fields := strings.Fields(strings.TrimSuffix(got, "…")); len(fields) > 1 && dangling(fields[len(fields)-1]) {
			t.Errorf("shorten(%q) = %q ends on a dangling word", s, got)
		}
		if n := len([]rune(got)); n > MaxChapterTitle {
			t.Errorf("shorten(%q) = %q, %d characters", s, got, n)
		}
		for _, w := range strings.Fields(strings.TrimSuffix(got, "…")) {
			if !strings.Contains(s, w) {
				t.Errorf("shorten(%q) = %q cuts the word %q", s, got, w)
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(readSeed(f))
	md, _ := os.ReadFile("testdata/lighthouse.md")
	f.Add(md)
	f.Add([]byte("# T\n\n> q\n\nA. B. C. “x.” y… z!"))
	f.Add([]byte("Title\n\nHeading\n\nRead more here.\n\nText / Image: x\n"))
	f.Add([]byte("Yes! “ No. — \n\n“ ”\n\nOk."))
	f.Add([]byte("\ufeffTitle\r\n\r\nText.\r\n"))
	f.Add([]byte("Title\n=====\n\nPart\n--\nmore\n---\n\n> q\n---\n"))
	f.Add([]byte("***\n---\n\nA\n- - -\nB\n"))
	f.Add([]byte("A [*x*](u). (*my*), _a_. **N:** 5 * 3 a\u00a0*b* “*c*”—*d*\n"))
	f.Add([]byte("CHAPTER ONE\n\nA <em>b</em>.<br>C <!-- x\n\ny --> d[^1], `e`.\n\n[^1]: f\n\n- g\n2) h\n> * i\n\n```go\nj\n```\n\n* * *\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		o, err := Parse(src, Options{})
		if err != nil {
			if !errors.Is(err, ErrEmpty) && !errors.Is(err, ErrBinary) && !errors.Is(err, ErrNoWords) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		checkNothingLost(t, src, o)
	})
}

// BenchmarkParse outlines the seed repeated to 256 KB, 1 MB and 4 MB: the
// time per byte should stay flat (linear in the input).
func BenchmarkParse(b *testing.B) {
	seed := readSeed(b)
	for _, size := range []int{256 << 10, 1 << 20, 4 << 20} {
		var src []byte
		for len(src) < size {
			src = append(src, seed...)
			src = append(src, '\n', '\n')
		}
		b.Run(fmt.Sprintf("%dKB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if _, err := Parse(src, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestShortEpisodeHasOneChapter: an episode too short for two chapters of a
// minute keeps one, rather than two of half a minute; a longer one is split.
func TestShortEpisodeHasOneChapter(t *testing.T) {
	para := func(n int) string { return strings.Repeat("We carried water in buckets from the well. ", n) + "\n\n" }
	for _, tt := range []struct {
		name     string
		sentence int // sentences a paragraph, 8 words each
		chapters int
	}{
		{"a minute in all", 10, 1},        // 2 × 80 words: 31 s a chapter
		{"two minutes and a half", 25, 2}, // 2 × 200 words: 77 s a chapter
	} {
		t.Run(tt.name, func(t *testing.T) {
			o, err := Parse([]byte("# Water\n\n"+para(tt.sentence)+para(tt.sentence)), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(o.Episodes) != 1 {
				t.Fatalf("%d episodes", len(o.Episodes))
			}
			if got := len(o.Episodes[0].Chapters); got != tt.chapters {
				t.Errorf("%d chapters, want %d", got, tt.chapters)
			}
		})
	}
}

// TestOtherTexts: texts as new authors bring them, saved by other editors,
// get the title and episodes their headings say, and lose no word.
func TestOtherTexts(t *testing.T) {
	body := "We lived by the river. It was cold.\n\n"
	for _, tt := range []struct {
		name, src string
		title     string
		episodes  string // episode titles joined by "|"
	}{
		{"UTF-8 BOM before a Markdown title", "\ufeff# My Life\n\n## Childhood\n\n" + body, "My Life", "Childhood"},
		{"setext headings", "My Life\n=======\n\nChildhood\n---------\n\n" + body + "Later\n-----\n\n" + body, "My Life", "Childhood|Later"},
		{"a divider after a blank line is no underline", "# My Life\n\n## Childhood\n\n" + body + "---\n\n" + body, "My Life", "Childhood"},
		{"Markdown links and images say their text, not their address", "# My Life\n\n## Childhood\n\nSee [the *old* mill](https://example.com/mill_1) and ![my father](img/dad.jpg). It was cold.\n", "My Life", "Childhood"},
		{"a heading without words starts no episode", "# My Life\n\n## Childhood\n\n" + body + "## !\n\n" + body + "## Later\n\n" + body, "My Life", "Childhood|Later"},
		{"UTF-8 BOM before a plain-text title", "\ufeffMy Life\n\nChildhood\n\n" + body, "My Life", "Childhood"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := mustParse(t, []byte(tt.src))
			checkNothingLost(t, []byte(tt.src), o)
			var titles []string
			for _, e := range o.Episodes {
				titles = append(titles, e.Title)
			}
			for _, s := range sentencesOf(o) {
				if strings.ContainsAny(s.Text, "[]()") {
					t.Errorf("Markdown markup spoken in %q", s.Text)
				}
			}
			if o.Title != tt.title || strings.Join(titles, "|") != tt.episodes {
				t.Errorf("title %q, episodes %q; want %q, %q", o.Title, strings.Join(titles, "|"), tt.title, tt.episodes)
			}
		})
	}
}

// TestTitleKeepsQuotePairs: quotation marks around a whole title go, one of
// a pair inside it stays.
func TestTitleKeepsQuotePairs(t *testing.T) {
	titles := [][2]string{ // a sentence, its title
		{"Quotes & “Dashes”", "Quotes & “Dashes”"},
		{"“I was born,” she said.", "“I was born,” she said"},
		{"“The winter of 1963.”", "The winter of 1963"},
		{"'Single quotes'", "Single quotes"},
		{"The boys' school", "The boys' school"},
		{"“”", "“”"},
		{"\"“Doubly quoted”\"", "Doubly quoted"},
		{"Father said: “Go.”", "Father said: “Go.”"},
	}
	for _, c := range titles {
		if got := TitleFrom(c[0]); got != c[1] {
			t.Errorf("TitleFrom(%q) = %q, want %q", c[0], got, c[1])
		}
	}
}

// TestUnspacedWords: in Chinese and Japanese, written without spaces, each
// Han or kana character is a word of the read-along, with the span of its
// own bytes; a run of Latin letters or digits among them is one word, and
// Korean, written with spaces, keeps its words whole.
func TestUnspacedWords(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{"1949年我在Paris住了「三年」。", "1949|年|我|在|Paris|住|了|三|年"},
		{"カタカナとひらがな、漢字。", "カ|タ|カ|ナ|と|ひ|ら|が|な|漢|字"},
		{"우리는 강 옆에 살았다.", "우리는|강|옆에|살았다"},
	} {
		ss := splitSentences(tt.text, 0, len(tt.text), newIDs())
		if len(ss) != 1 {
			t.Fatalf("%q: %d sentences", tt.text, len(ss))
		}
		var got []string
		for _, w := range ss[0].Words {
			if tt.text[w.Span.Start:w.Span.End] != w.Text {
				t.Errorf("%q: word %q has the span of %q", tt.text, w.Text, tt.text[w.Span.Start:w.Span.End])
			}
			got = append(got, w.Text)
		}
		if g := strings.Join(got, "|"); g != tt.want {
			t.Errorf("%q: words %s, want %s", tt.text, g, tt.want)
		}
		if ss[0].Text != tt.text {
			t.Errorf("sentence text %q, want the source's %q", ss[0].Text, tt.text)
		}
	}
}

// TestMarkupNotSpoken: the markup people put in a text they write (HTML
// tags and comments, code, list markers, footnotes, quotation markers,
// rules) is not read aloud nor shown as a word; the words inside it are.
func TestMarkupNotSpoken(t *testing.T) {
	for _, tt := range []struct {
		name, src string
		want      string // the sentences after the heading, joined by "|"
		dropped   string // the dropped lines' reasons, joined by "|"
	}{
		{"HTML tags", "We lived by the river.<br>It was cold. I said <em>no</em> to him.\n\n<div align=\"center\">\nThe house stood alone.\n</div>\n",
			"We lived by the river.|It was cold.|I said no to him.|The house stood alone.", ""},
		{"a comparison is no tag", "I knew that a < b and b > c then. And x<3 too.",
			"I knew that a < b and b > c then.|And x<3 too.", ""},
		{"HTML comment across lines", "We left <!-- note to self:\ncheck the date --> in May.\n\n<!-- a whole\n\nparagraph -->\n\nIt rained.",
			"We left in May.|It rained.", ""},
		{"inline code", "Use `grep` to find it, or ``git log``.",
			"Use grep to find it, or git log.", ""},
		{"fenced code block", "He typed this:\n\n```sh\nls -l\n# not a heading\n```\n\nIt worked.\n\n~~~\nmore\n~~~\n",
			"He typed this:|It worked.", ReasonCode + "|" + ReasonCode},
		{"list items", "Things we had:\n\n- a cow\n- two goats\n* a dog\n+ a cat\n1. first thing\n2) second thing\n",
			"Things we had:|a cow|two goats|a dog|a cat|first thing|second thing", ""},
		{"a year opening a wrapped line is no list item", "We left in the summer of\n1984. It rained.",
			"We left in the summer of 1984.|It rained.", ""},
		{"a list item wraps onto the next line", "- a cow that gave\n  milk\n- a goat",
			"a cow that gave milk|a goat", ""},
		{"footnotes", "He said so[^1] and more[^note].\n\n[^1]: A footnote text.\n\nThe end.",
			"He said so and more.|The end.", ReasonFootnote},
		{"blockquote", "She wrote:\n\n> A quoted line.\n> Another one.",
			"She wrote:|A quoted line.|Another one.", ""},
		{"rules", "Before.\n\n---\n\nAfter.\n\n***\n\n___\n\n* * *\n\nEnd.",
			"Before.|After.|End.", ""},
		{"links and emphasis", "See [the old mill](https://example.com/mill) and *my* house, _cold_.",
			"See the old mill and my house, cold.", ""},
		{"a rule inside a paragraph", "One line.\nTwo lines.\n***\nAfter.\n- an item\n---\nMore.",
			"One line.|Two lines.|After.|an item|More.", ""},
	} {
		for _, kind := range []struct{ name, head string }{{"Markdown", "# My Life\n\n"}, {"plain text", "My Life\n\n"}} {
			t.Run(kind.name+"/"+tt.name, func(t *testing.T) {
				src := kind.head + tt.src
				o := mustParse(t, []byte(src))
				checkNothingLost(t, []byte(src), o)
				var got []string
				for _, s := range sentencesOf(o)[1:] {
					got = append(got, s.Text)
				}
				if g := strings.Join(got, "|"); g != tt.want {
					t.Errorf("sentences\n  %s\nwant\n  %s", g, tt.want)
				}
				var reasons []string
				for _, d := range o.Dropped {
					if d.Reason != "no words to speak" { // a rule's dashes
						reasons = append(reasons, d.Reason)
					}
				}
				if g := strings.Join(reasons, "|"); g != tt.dropped {
					t.Errorf("dropped %v, want %q", o.Dropped, tt.dropped)
				}
			})
		}
	}
}

// TestChapterLabelIsNoTitle: a text that opens with "CHAPTER ONE" has no
// title line; that line heads the first chapter.
func TestChapterLabelIsNoTitle(t *testing.T) {
	body := "We lived by the river. It was cold.\n\n"
	for _, first := range []string{"CHAPTER ONE", "Chapter 1", "# Chapter I", "Part One"} {
		second := "Chapter 2"
		if strings.HasPrefix(first, "#") {
			second = "# Chapter II"
		}
		o := mustParse(t, []byte(first+"\n\n"+body+second+"\n\n"+body))
		var titles []string
		for _, e := range o.Episodes {
			titles = append(titles, e.Title)
		}
		want := strings.TrimPrefix(first, "# ") + "|" + strings.TrimPrefix(second, "# ")
		if o.Title != "" || strings.Join(titles, "|") != want {
			t.Errorf("%q: title %q, episodes %q; want no title, episodes %q", first, o.Title, strings.Join(titles, "|"), want)
		}
	}
}
