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
	paragraphs := d.Paragraphs
	if len(paragraphs) == 0 && len(sents) > 0 {
		p := Paragraph{Kind: segment.KindText}
		for _, s := range sents {
			p.SentenceIDs = append(p.SentenceIDs, s.id)
		}
		paragraphs = []Paragraph{p}
	}

	var b bytes.Buffer
	b.WriteString("<!DOCTYPE html>\n<html")
	if d.Language != "" {
		b.WriteString(` lang="` + html.EscapeString(d.Language) + `"`)
	}
	b.WriteString(">\n<head>\n<meta charset=\"utf-8\">\n")
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	b.WriteString("<title>" + html.EscapeString(titleOr(d.Title, "Transcript")) + "</title>\n")
	b.WriteString("</head>\n<body>\n<main>\n<article class=\"transcript\">\n")
	if d.Title != "" {
		b.WriteString("<h1>" + html.EscapeString(d.Title) + "</h1>\n")
	}
	open := -1 // the chapter whose <section> is open
	for _, p := range paragraphs {
		for len(d.Chapters) > 0 && open < p.Chapter {
			if open >= 0 {
				b.WriteString("</section>\n")
			}
			open++
			writeChapterHeading(&b, open, d.Chapters[open])
		}
		if len(p.SentenceIDs) == 0 {
			continue
		}
		start := sents[byID[p.SentenceIDs[0]]].start
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
		writeTimeLink(&b, start)
		for _, id := range p.SentenceIDs {
			s := sents[byID[id]]
			b.WriteString(` <span id="` + html.EscapeString(s.id) + `" data-start="` + decimal(s.start) +
				`" data-end="` + decimal(s.end) + `">`)
			b.WriteString(html.EscapeString(d.Map.Sentences[byID[id]].Text))
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
	for open+1 < len(d.Chapters) { // chapters without a paragraph
		if open >= 0 {
			b.WriteString("</section>\n")
		}
		open++
		writeChapterHeading(&b, open, d.Chapters[open])
	}
	if open >= 0 {
		b.WriteString("</section>\n")
	}
	b.WriteString("</article>\n</main>\n</body>\n</html>\n")
	return b.Bytes(), nil
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
