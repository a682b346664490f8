package feed

import (
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/eduncan911/podcast"
)

// The document is encoding/xml structs that embed the library's channel and
// items: the library writes every element it can, encoding/xml escapes all
// text, and the structs here add what the library cannot write. Of two
// fields with the same element name, encoding/xml writes the shallower one,
// so a field here replaces the embedded library field of that name.

// rss is the document element, declaring every namespace the feed uses
// (the library's declares only atom and itunes).
type rss struct {
	XMLName xml.Name `xml:"rss"`
	Version string   `xml:"version,attr"`
	Atom    string   `xml:"xmlns:atom,attr"`
	Content string   `xml:"xmlns:content,attr"`
	ITunes  string   `xml:"xmlns:itunes,attr"`
	Podcast string   `xml:"xmlns:podcast,attr"`
	PSC     string   `xml:"xmlns:psc,attr"`
	Channel channel
}

// channel is the library's channel, then the extensions, then the items.
type channel struct {
	*podcast.Podcast
	IType  string      `xml:"itunes:type"`
	GUID   string      `xml:"podcast:guid"`
	Locked locked      `xml:"podcast:locked"`
	Txt    *disclosure `xml:"podcast:txt"`
	// Items replaces the library's Items (an untagged field of that name).
	Items []item
}

// item is the library's item with its guid (which lacks isPermaLink) and
// description (escaped text, not CDATA HTML) replaced, then the extensions.
type item struct {
	XMLName xml.Name `xml:"item"`
	GUID    guid     `xml:"guid"`
	// Title and Link repeat the library's so that the RSS order (guid,
	// title, link, description) holds with the description replaced.
	Title       string `xml:"title"`
	Link        string `xml:"link"`
	Description cdata  `xml:"description"`
	*podcast.Item
	IEpisode     string        `xml:"itunes:episode,omitempty"`
	IEpisodeType string        `xml:"itunes:episodeType"`
	Content      cdata         `xml:"content:encoded"`
	Transcripts  []transcript  `xml:"podcast:transcript"`
	ChaptersLink *chaptersLink `xml:"podcast:chapters"`
	Chapters     *pscChapters  `xml:"psc:chapters"`
	Txt          *disclosure   `xml:"podcast:txt"`
}

// guid is an item guid that says it is an identifier, not a URL.
type guid struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

// cdata is HTML, written as a CDATA section so that the raw feed reads as
// HTML. encoding/xml writes CDATA as given, so the HTML must have been
// made XML-safe by xmlSafe.
type cdata struct {
	HTML string `xml:",cdata"`
}

// locked is podcast:locked with the owner's email.
type locked struct {
	Owner string `xml:"owner,attr"`
	Value string `xml:",chardata"` // "yes" or "no"
}

// disclosure is podcast:txt purpose="ai-content".
type disclosure struct {
	Purpose string `xml:"purpose,attr"`
	Text    string `xml:",chardata"`
}

// transcript is podcast:transcript.
type transcript struct {
	URL      string `xml:"url,attr"`
	Type     string `xml:"type,attr"`
	Language string `xml:"language,attr"`
	Rel      string `xml:"rel,attr,omitempty"`
}

// chaptersLink is podcast:chapters, the JSON chapters file.
type chaptersLink struct {
	URL  string `xml:"url,attr"`
	Type string `xml:"type,attr"`
}

// pscChapters is Podlove Simple Chapters.
type pscChapters struct {
	Version  string       `xml:"version,attr"`
	Chapters []pscChapter `xml:"psc:chapter"`
}

// pscChapter is one psc:chapter.
type pscChapter struct {
	Start string `xml:"start,attr"` // normal play time, HH:MM:SS.mmm
	Title string `xml:"title,attr"`
}

// encode writes the document: the library's channel p, holding one item
// for each of eps, whose HTML descriptions are descs, with the extensions
// of s and eps. It indents as the library indents its own output.
func encode(w io.Writer, p *podcast.Podcast, s Show, eps []Episode, descs []string) error {
	if len(p.Items) != len(eps) {
		return fmt.Errorf("feed: the library holds %d items, not the %d given", len(p.Items), len(eps))
	}
	doc := rss{
		Version: "2.0",
		Atom:    NamespaceAtom,
		Content: NamespaceContent,
		ITunes:  NamespaceITunes,
		Podcast: NamespacePodcast,
		PSC:     NamespacePSC,
		Channel: newChannel(p, s, eps),
	}
	for i, e := range eps {
		doc.Channel.Items[i] = newItem(p.Items[i], s, e, descs[i])
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("feed: encode: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("feed: encode: %w", err)
	}
	return nil
}

// newChannel is the channel of p with the extensions of s; its Items are
// left for the caller to fill.
func newChannel(p *podcast.Podcast, s Show, eps []Episode) channel {
	guid := s.GUID
	if guid == "" {
		guid = GUID(s.FeedURL)
	}
	c := channel{
		Podcast: p,
		IType:   s.Type,
		GUID:    guid,
		Locked:  locked{Owner: s.OwnerEmail, Value: "no"},
		Items:   make([]item, len(p.Items)),
	}
	if s.Locked {
		c.Locked.Value = "yes"
	}
	if d := channelDisclosure(s, eps); d != "" {
		c.Txt = &disclosure{Purpose: PurposeAIContent, Text: d}
	}
	return c
}

// newItem is the library's item it of e, whose HTML description is desc,
// with the extensions.
func newItem(it *podcast.Item, s Show, e Episode, desc string) item {
	x := item{
		GUID:         guid{IsPermaLink: "false", Value: it.GUID},
		Title:        it.Title,
		Link:         it.Link,
		Description:  cdata{desc},
		Item:         it,
		IEpisodeType: episodeType(e),
		Content:      cdata{desc},
	}
	if e.Number > 0 {
		x.IEpisode = strconv.Itoa(e.Number)
	}
	x.Transcripts = make([]transcript, len(e.Transcripts))
	for i, t := range e.Transcripts {
		lang := t.Language
		if lang == "" {
			lang = s.Language
		}
		x.Transcripts[i] = transcript{URL: t.URL, Type: t.Type, Language: lang, Rel: transcriptRel(t)}
	}
	if e.ChaptersURL != "" {
		x.ChaptersLink = &chaptersLink{URL: e.ChaptersURL, Type: TypeChapters}
	}
	if len(e.Chapters) > 0 {
		x.Chapters = &pscChapters{Version: "1.2", Chapters: make([]pscChapter, len(e.Chapters))}
		for i, c := range e.Chapters {
			x.Chapters.Chapters[i] = pscChapter{Start: normalPlayTime(c.Start), Title: c.Title}
		}
	}
	if s.Synthetic || e.Synthetic {
		x.Txt = &disclosure{Purpose: PurposeAIContent, Text: episodeDisclosure(s)}
	}
	return x
}

// episodeType is itunes:episodeType, "full" unless set.
func episodeType(e Episode) string {
	if e.Type == "" {
		return "full"
	}
	return e.Type
}

// transcriptRel is t's rel: as given, or RelCaptions for the formats that
// always carry time codes.
func transcriptRel(t Transcript) string {
	if t.Rel == "" && timedTypes[t.Type] {
		return RelCaptions
	}
	return t.Rel
}

// timedTypes are the transcript formats that always carry time codes.
var timedTypes = map[string]bool{TypeVTT: true, TypeSRT: true, TypeJSON: true}

// transcriptTypes are the transcript formats the namespace names.
var transcriptTypes = map[string]bool{TypeVTT: true, TypeSRT: true, TypeJSON: true, TypeHTML: true, TypeText: true}

// narration names the synthesizer for a disclosure: " (Narrator)" or "".
func narration(s Show) string {
	if s.Narrator == "" {
		return ""
	}
	return " (" + s.Narrator + ")"
}

// episodeDisclosure declares an episode's synthesized narration.
func episodeDisclosure(s Show) string {
	return "The narration is synthesized speech" + narration(s) + ", not a human reader."
}

// channelDisclosure declares the show's synthesized narration: for the
// whole show when every episode is synthesized, else for some episodes. It
// is "" when no narration is synthesized.
func channelDisclosure(s Show, eps []Episode) string {
	if s.Synthetic {
		return episodeDisclosure(s)
	}
	some := 0
	for _, e := range eps {
		if e.Synthetic {
			some++
		}
	}
	switch {
	case some == 0:
		return ""
	case some == len(eps):
		return episodeDisclosure(s)
	default:
		return "Some episodes are narrated by synthesized speech" + narration(s) + ", not a human reader; each of them says so."
	}
}

// channelDescription is the show's plain-text description, followed by the
// disclosure unless it already contains it (its final period aside, so that
// a description may go on after it).
func channelDescription(s Show, eps []Episode) string {
	d := channelDisclosure(s, eps)
	if d == "" || strings.Contains(s.Description, strings.TrimSuffix(d, ".")) {
		// Trailing blank lines would end the feed's text in "&#xA;&#xA;".
		return strings.TrimRight(s.Description, " \n")
	}
	return strings.TrimRight(s.Description, " \n") + "\n\n" + d
}

// itemDescription is an item's description and content:encoded: its HTML
// (or escaped summary), the chapter list with timestamps, and the
// disclosure when the narration is synthesized.
func itemDescription(s Show, e Episode) string {
	var b strings.Builder
	if e.DescriptionHTML != "" {
		b.WriteString(strings.TrimSpace(e.DescriptionHTML))
	} else {
		b.WriteString("<p>")
		b.WriteString(html.EscapeString(strings.TrimSpace(e.Summary)))
		b.WriteString("</p>")
	}
	if len(e.Chapters) > 0 {
		long := e.Duration >= time.Hour
		b.WriteString("\n<p>Chapters:</p>\n<ul>\n")
		for _, c := range e.Chapters {
			b.WriteString("<li>")
			b.WriteString(clock(c.Start, long))
			b.WriteByte(' ')
			b.WriteString(html.EscapeString(c.Title))
			b.WriteString("</li>\n")
		}
		b.WriteString("</ul>")
	}
	if s.Synthetic || e.Synthetic {
		b.WriteString("\n<p>")
		b.WriteString(html.EscapeString(episodeDisclosure(s)))
		b.WriteString("</p>")
	}
	return xmlSafe(b.String())
}

// clock formats d as the timestamp apps turn into a seek link: M:SS, or
// H:MM:SS when long. It truncates to the second, like podcastparser and
// AntennaPod, so that a listener lands just before the chapter, never after
// its first word.
func clock(d time.Duration, long bool) string {
	sec := int64(d / time.Second)
	h, m, s := sec/3600, sec/60%60, sec%60
	if long {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%d:%02d", sec/60, s)
}

// normalPlayTime formats d as HH:MM:SS.mmm, the form psc:chapter start
// takes, rounded to the millisecond like every other chapter source.
func normalPlayTime(d time.Duration) string {
	ms := int64(d.Round(time.Millisecond) / time.Millisecond)
	return fmt.Sprintf("%02d:%02d:%02d.%03d", ms/3600000, ms/60000%60, ms/1000%60, ms%1000)
}

// xmlSafe replaces what XML 1.0 cannot hold (control characters other than
// tab, newline and return; each byte of invalid UTF-8) with U+FFFD, as
// encoding/xml does for text. CDATA gets no such care from it. strings.Map
// sees each byte of invalid UTF-8 as a U+FFFD of its own and writes it as
// one, and returns s itself when nothing changes.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if isXMLChar(r) {
			return r
		}
		return '\uFFFD'
	}, s)
}

// isXMLChar reports whether r is a Char in XML 1.0.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}
