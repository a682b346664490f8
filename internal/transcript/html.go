package transcript

import (
	"bytes"
	"html"
	"strconv"

	"github.com/readcast/readcast/internal/segment"
	"github.com/readcast/readcast/internal/timing"
)

// HTML renders d as a standalone, accessible HTML transcript: the episode
// title as <h1>, a <section> with an <h2> per chapter, an <h3> for a spoken
// heading, a <p> per paragraph (standfirsts marked with a class, quotations
// in <blockquote>), and every sentence a <span> whose id is the sentence's ID
// and whose data-start and data-end give its time in seconds, for read-along.
//
// Each chapter heading and paragraph opens with a link to its start time,
// <a href="#t=SECONDS"><time datetime="PT…S">m:ss</time></a>, as the
// Podcasting 2.0 HTML transcript puts a <time> before each passage. There is
// one link a paragraph rather than one a sentence so that a screen reader does
// not announce a time between every two sentences; a player seeks to any
// sentence from its span.
func HTML(d Doc) ([]byte, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	d = d.printable()
	sents := timeSentences(d.Map)
	byID := make(map[string]int, len(sents))
	for i, s := range sents {
		byID[s.id] = i
	}
	var b bytes.Buffer
	writeHTMLHead(&b, d)
	sections := chapterSections{b: &b, chapters: d.Chapters, open: -1}
	for _, p := range htmlParagraphs(d.Paragraphs, sents) {
		sections.openTo(p.Chapter)
		if len(p.SentenceIDs) == 0 {
			continue
		}
		writeParagraph(&b, p, d.Map, sents, byID)
	}
	sections.openTo(len(d.Chapters) - 1) // chapters without a paragraph
	sections.close()
	b.WriteString("</article>\n</main>\n</body>\n</html>\n")
	return b.Bytes(), nil
}

// htmlParagraphs is paragraphs, or when there are none, one paragraph of
// every sentence.
func htmlParagraphs(paragraphs []Paragraph, sents []timedSentence) []Paragraph {
	if len(paragraphs) > 0 || len(sents) == 0 {
		return paragraphs
	}
	p := Paragraph{Kind: segment.KindText}
	for _, s := range sents {
		p.SentenceIDs = append(p.SentenceIDs, s.id)
	}
	return []Paragraph{p}
}

// writeHTMLHead writes the document up to the article's title.
func writeHTMLHead(b *bytes.Buffer, d Doc) {
	b.WriteString("<!DOCTYPE html>\n<html")
	if d.Language != "" {
		b.WriteString(` lang="` + html.EscapeString(d.Language) + `"`)
	}
	if Direction(d.Language) == "rtl" {
		b.WriteString(` dir="rtl"`)
	}
	b.WriteString(">\n<head>\n<meta charset=\"utf-8\">\n")
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	b.WriteString("<title>" + html.EscapeString(titleOr(d.Title, "Transcript")) + "</title>\n")
	b.WriteString("</head>\n<body>\n<main>\n<article class=\"transcript\">\n")
	if d.Title != "" {
		b.WriteString("<h1>" + html.EscapeString(d.Title) + "</h1>\n")
	}
}

// chapterSections writes a <section> per chapter, in order.
type chapterSections struct {
	b        *bytes.Buffer
	chapters []timing.Chapter
	open     int // the chapter whose <section> is open, or -1
}

// openTo closes the open section and opens the next ones until chapter c
// is open.
func (cs *chapterSections) openTo(c int) {
	for len(cs.chapters) > 0 && cs.open < c {
		cs.close()
		cs.open++
		writeChapterHeading(cs.b, cs.open, cs.chapters[cs.open])
	}
}

// close closes the open section, if any.
func (cs *chapterSections) close() {
	if cs.open >= 0 {
		cs.b.WriteString("</section>\n")
	}
}

// writeParagraph writes p as the element of its kind, opening with a link
// to its start time, and each sentence as a timed span.
func writeParagraph(b *bytes.Buffer, p Paragraph, m *timing.Map, sents []timedSentence, byID map[string]int) {
	switch p.Kind {
	case segment.KindHeading:
		b.WriteString("<h3>")
	case segment.KindQuote:
		b.WriteString("<blockquote><p>")
	case segment.KindStandfirst:
		b.WriteString(`<p class="standfirst">`)
	default:
		b.WriteString("<p>")
	}
	writeTimeLink(b, sents[byID[p.SentenceIDs[0]]].start)
	for _, id := range p.SentenceIDs {
		s := sents[byID[id]]
		b.WriteString(` <span id="` + html.EscapeString(s.id) + `" data-start="` + decimal(s.start) +
			`" data-end="` + decimal(s.end) + `">`)
		b.WriteString(html.EscapeString(m.Sentences[byID[id]].Text))
		b.WriteString("</span>")
	}
	switch p.Kind {
	case segment.KindHeading:
		b.WriteString("</h3>\n")
	case segment.KindQuote:
		b.WriteString("</p></blockquote>\n")
	default:
		b.WriteString("</p>\n")
	}
}

func writeChapterHeading(b *bytes.Buffer, i int, c timing.Chapter) {
	id := "chapter-" + strconv.Itoa(i+1)
	b.WriteString(`<section aria-labelledby="` + id + `">` + "\n")
	b.WriteString(`<h2 id="` + id + `">`)
	writeTimeLink(b, millis(c.Start))
	b.WriteString(" " + html.EscapeString(c.Title) + "</h2>\n")
}

// writeTimeLink writes a link that seeks the player to ms.
func writeTimeLink(b *bytes.Buffer, ms int64) {
	clock := shortClock(ms)
	b.WriteString(`<a class="time" href="#t=` + decimal(ms) + `" aria-label="Play from ` + clock + `">`)
	b.WriteString(`<time datetime="PT` + decimal(ms) + `S">` + clock + `</time></a>`)
}

func titleOr(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
