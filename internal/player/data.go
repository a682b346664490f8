package player

import (
	"net/url"
	"strings"

	"github.com/readcast/readcast/internal/catalog"
	"github.com/readcast/readcast/internal/segment"
	"github.com/readcast/readcast/internal/transcript"
)

// showData is everything the show page shows of snap.
func showData(snap *catalog.Snapshot) Show {
	sh := snap.Show
	base := basePath(snap.BaseURL)
	d := Show{
		Base:  base,
		Title: sh.Title, Subtitle: sh.Subtitle, Description: sh.Description, Author: sh.Author,
		Credit: sh.Credit, Language: sh.Language, Link: sh.Link,
		Narrator: sh.Narrator,
		CoverURL: base + snap.Cover.Path, FeedURL: snap.BaseURL + catalog.FeedPath,
	}
	// Disclosure follows the audio, not show.json: what is synthesized is
	// what readcast narrated. show.json's narrator names the synthesizer
	// when it says the show is synthetic, else the person who reads.
	switch snap.Disclosure() {
	case catalog.SynthesizedAll:
		d.Synthetic = true
	case catalog.SynthesizedSome:
		d.SomeSynthetic = true
	}
	if !sh.Synthetic {
		d.Reader = sh.Narrator
	}
	for _, e := range snap.Episodes {
		l := episodeLink(base, e)
		l.Synthetic = e.Synthetic(sh)
		d.Episodes = append(d.Episodes, l)
		if e.Audio != nil {
			d.Duration += e.Info.Duration
		}
	}
	return d
}

// basePath is the path of the base URL without its trailing slash.
func basePath(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil {
		return ""
	}
	return strings.TrimRight(u.Path, "/")
}

func episodeLink(base string, e *catalog.Episode) EpisodeLink {
	l := EpisodeLink{
		Number: e.Outline.Number, Title: e.Outline.Title, URL: base + EpisodePath(e.Slug()),
		Chapters: len(e.Outline.Chapters), Summary: catalog.Summary(e.Outline, 240),
	}
	if e.Audio != nil {
		l.Duration = e.Info.Duration
	}
	return l
}

// episodeData is everything the page of snap.Episodes[i] shows.
func episodeData(snap *catalog.Snapshot, show Show, i int) Episode {
	e := snap.Episodes[i]
	// The page says synthesized only when this recording is.
	show.Synthetic, show.SomeSynthetic = e.Synthetic(snap.Show), false
	base := show.Base
	d := Episode{Show: show, Slug: e.Slug(), Number: e.Outline.Number, Title: e.Outline.Title}
	if i > 0 {
		l := episodeLink(base, snap.Episodes[i-1])
		d.Prev = &l
	}
	if i+1 < len(snap.Episodes) {
		l := episodeLink(base, snap.Episodes[i+1])
		d.Next = &l
	}
	if e.Audio != nil {
		d.AudioURL, d.AudioSize, d.Duration = base+e.Audio.Path, e.Audio.Size, e.Info.Duration
	}
	if e.ChaptersDoc != nil {
		d.ChaptersURL = base + e.ChaptersDoc.Path
	}
	d.Transcripts, d.VTTURL = transcriptLinks(base, e)
	if e.Audio == nil || e.Timing == nil || e.Doc == nil {
		d.Untimed = e.Audio != nil
		d.Realigning = e.Realigning
		d.Sections = untimedSections(e.Outline)
		return d
	}
	d.Timed = true
	for _, c := range e.Chapters {
		d.Chapters = append(d.Chapters, Chapter{Title: c.Title, Start: c.Start, End: c.End})
	}
	d.Sections = timedSections(e)
	return d
}

// transcriptLabels name the transcript formats for people.
var transcriptLabels = map[string]string{"vtt": "WebVTT", "srt": "SRT", "json": "JSON", "html": "HTML"}

// transcriptLinks lists e's transcripts, and returns the WebVTT one's URL
// for the captions track.
func transcriptLinks(base string, e *catalog.Episode) (links []Link, vtt string) {
	for _, t := range e.Transcripts {
		links = append(links, Link{Label: transcriptLabels[t.Format], URL: base + t.Asset.Path, Type: t.Asset.Type})
		if t.Format == "vtt" {
			vtt = base + t.Asset.Path
		}
	}
	return links, vtt
}

// timedSections lays out the transcript of a timed episode: its chapters,
// their paragraphs, and every sentence and written word with its times.
// The words are timed by transcript.Words, as the transcripts' are, so the
// page and the JSON transcript agree to the millisecond.
func timedSections(e *catalog.Episode) []Section {
	m, doc := e.Timing, e.Doc
	words := transcript.Words(m)
	index := make(map[string]int, len(m.Sentences))
	for i, s := range m.Sentences {
		index[s.ID] = i
	}
	sentence := func(id string) Sentence {
		i := index[id]
		s := m.Sentences[i]
		return Sentence{ID: s.ID, Start: s.Start, End: s.End, Text: s.Text, Words: words[i]}
	}
	var sections []Section
	if len(doc.Chapters) == 0 {
		sections = append(sections, Section{})
	}
	for ci, c := range doc.Chapters {
		sections = append(sections, Section{Number: ci + 1, Title: c.Title, Start: c.Start})
	}
	for _, p := range doc.Paragraphs {
		if len(p.SentenceIDs) == 0 {
			continue
		}
		para := Paragraph{Kind: p.Kind}
		for _, id := range p.SentenceIDs {
			para.Sentences = append(para.Sentences, sentence(id))
		}
		para.Start = para.Sentences[0].Start
		sections[min(p.Chapter, len(sections)-1)].add(para)
	}
	return sections
}

// untimedSections lays out the text of an episode that has no timings:
// chapters and paragraphs, without times.
func untimedSections(o segment.Episode) []Section {
	var sections []Section
	for _, c := range o.Chapters {
		sec := Section{Number: c.Number, Title: c.Title}
		for _, p := range c.Paragraphs {
			para := Paragraph{Kind: p.Kind}
			for _, s := range p.Sentences {
				para.Sentences = append(para.Sentences, Sentence{ID: s.ID, Text: s.Text})
			}
			sec.add(para)
		}
		sections = append(sections, sec)
	}
	return sections
}

// add appends p to the section, unless p is the spoken heading the section
// opens with and it says the section's title: then it becomes the
// section's heading, so that the page does not say the title twice.
func (sec *Section) add(p Paragraph) {
	if len(sec.Paragraphs) == 0 && sec.Heading == nil && p.Kind == segment.KindHeading && len(p.Sentences) == 1 &&
		strings.EqualFold(strings.TrimSpace(p.Sentences[0].Text), strings.TrimSpace(sec.Title)) {
		sec.Heading = &p.Sentences[0]
		return
	}
	sec.Paragraphs = append(sec.Paragraphs, p)
}
