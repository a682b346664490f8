package feed

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// rssStart replaces the library's rss start tag, which declares only the
// atom and itunes namespaces.
const rssStart = `<rss version="2.0"` +
	` xmlns:atom="` + NamespaceAtom + `"` +
	` xmlns:content="` + NamespaceContent + `"` +
	` xmlns:itunes="` + NamespaceITunes + `"` +
	` xmlns:podcast="` + NamespacePodcast + `"` +
	` xmlns:psc="` + NamespacePSC + `">`

// Indentation of the library's output, which the spliced elements follow.
const (
	channelIndent = "    "   // children of channel
	itemIndent    = "      " // children of item
)

// splice adds to the library's document lib what the library cannot write;
// descs are the items' HTML descriptions. It copies lib through, except
// that it
//   - replaces the rss start tag by one declaring every namespace,
//   - inserts the channel's extra elements before the first item,
//   - adds isPermaLink="false" to each item guid,
//   - replaces each item description (escaped text) by CDATA HTML,
//   - appends each item's extra elements after the item's last child.
func splice(lib []byte, s Show, eps []Episode, descs []string) ([]byte, error) {
	// The tag scanner relies on every "<" in lib starting a tag: the
	// library escapes all text and attributes, and no field it writes as
	// CDATA (itunes:summary) is set.
	if bytes.Contains(lib, []byte("<!")) {
		return nil, errors.New("feed: the library wrote CDATA or a comment, which splice cannot walk")
	}
	var out bytes.Buffer
	out.Grow(len(lib) + 2048 + 3*1024*len(eps))
	ex := extraWriter{b: &out}

	var (
		copied      int // lib[:copied] is in out
		depth       int // 1 inside rss, 2 inside channel, 3 inside item
		item        = -1
		lastEnd     int // offset just after the latest end tag
		descStart   int // offset of the current item's description
		channelDone bool
	)
	copyTo := func(off int) {
		out.Write(lib[copied:off])
		copied = off
	}
	channelExtras := func() {
		copyTo(lastEnd)
		channelDone = true
		ex.channel(s, eps)
	}
	for sc := (tagScanner{b: lib}); sc.next(); {
		switch sc.kind {
		case startTag:
			depth++
			switch {
			case depth == 1 && sc.is("rss"):
				copyTo(sc.start)
				out.WriteString(rssStart)
				copied = sc.end
			case depth == 3 && sc.is("item"):
				if !channelDone {
					channelExtras()
				}
				item++
				if item >= len(eps) {
					return nil, fmt.Errorf("feed: the library wrote more than the %d items given", len(eps))
				}
			case depth == 4 && item >= 0 && sc.is("guid"):
				copyTo(sc.start)
				out.WriteString(`<guid isPermaLink="false">`)
				copied = sc.end
			case depth == 4 && item >= 0 && sc.is("description"):
				descStart = sc.start
			}
		case endTag:
			switch {
			case depth == 4 && item >= 0 && sc.is("description"):
				copyTo(descStart)
				out.WriteString("<description>")
				cdata(&out, descs[item])
				out.WriteString("</description>")
				copied = sc.end
			case depth == 3 && sc.is("item"):
				copyTo(lastEnd)
				ex.item(s, eps[item], descs[item])
			case depth == 2 && sc.is("channel") && !channelDone:
				channelExtras()
			}
			depth--
			lastEnd = sc.end
		}
	}
	copyTo(len(lib))
	if item+1 != len(eps) || !channelDone || depth != 0 {
		return nil, fmt.Errorf("feed: the library wrote %d items, not the %d given", item+1, len(eps))
	}
	return out.Bytes(), nil
}

// Kinds of tag tagScanner finds.
const (
	startTag = iota + 1
	endTag
)

// tagScanner walks the tags of a document in which every "<" starts a tag
// or the XML declaration. An empty-element tag counts as a start and an end.
type tagScanner struct {
	b          []byte
	pos        int
	kind       int
	name       []byte // qualified name, such as "item" or "itunes:image"
	start, end int    // the tag is b[start:end]
	pendingEnd bool   // the tag just returned was <x/>: return its end next
}

// is reports whether the current tag is named name.
func (sc *tagScanner) is(name string) bool { return string(sc.name) == name }

// next advances to the next tag and reports whether there was one.
func (sc *tagScanner) next() bool {
	if sc.pendingEnd {
		sc.pendingEnd = false
		sc.kind = endTag
		return true
	}
	for {
		i := bytes.IndexByte(sc.b[sc.pos:], '<')
		if i < 0 {
			return false
		}
		start := sc.pos + i
		j := bytes.IndexByte(sc.b[start:], '>')
		if j < 0 {
			return false
		}
		sc.start, sc.end, sc.pos = start, start+j+1, start+j+1
		tag := sc.b[start+1 : sc.end-1]
		if len(tag) == 0 || tag[0] == '?' {
			continue
		}
		sc.kind = startTag
		if tag[0] == '/' {
			sc.kind = endTag
			tag = tag[1:]
		} else if tag[len(tag)-1] == '/' {
			sc.pendingEnd = true
			tag = tag[:len(tag)-1]
		}
		if k := bytes.IndexAny(tag, " \t\r\n"); k >= 0 {
			tag = tag[:k]
		}
		sc.name = tag
		return true
	}
}

// extraWriter writes the elements the library lacks, indented and escaped
// like the library's own output (which encoding/xml writes): text and
// attribute values escaped as xml.EscapeText does, HTML in CDATA sections,
// and no empty-element tags.
type extraWriter struct {
	b *bytes.Buffer
}

// open writes a start tag on a new line at indent; attrs are name, value
// pairs.
func (w extraWriter) open(indent, name string, attrs ...string) {
	w.b.WriteByte('\n')
	w.b.WriteString(indent)
	w.b.WriteByte('<')
	w.b.WriteString(name)
	for i := 0; i+1 < len(attrs); i += 2 {
		w.b.WriteByte(' ')
		w.b.WriteString(attrs[i])
		w.b.WriteString(`="`)
		escape(w.b, attrs[i+1])
		w.b.WriteByte('"')
	}
	w.b.WriteByte('>')
}

// close writes an end tag.
func (w extraWriter) close(name string) {
	w.b.WriteString("</")
	w.b.WriteString(name)
	w.b.WriteByte('>')
}

// text writes an element holding text.
func (w extraWriter) text(indent, name, value string, attrs ...string) {
	w.open(indent, name, attrs...)
	escape(w.b, value)
	w.close(name)
}

// empty writes an element with attributes and no content.
func (w extraWriter) empty(indent, name string, attrs ...string) {
	w.open(indent, name, attrs...)
	w.close(name)
}

// channel writes the channel's extra elements.
func (w extraWriter) channel(s Show, eps []Episode) {
	guid := s.GUID
	if guid == "" {
		guid = GUID(s.FeedURL)
	}
	locked := "no"
	if s.Locked {
		locked = "yes"
	}
	w.text(channelIndent, "itunes:type", s.Type)
	w.text(channelIndent, "podcast:guid", guid)
	w.text(channelIndent, "podcast:locked", locked, "owner", s.OwnerEmail)
	if d := channelDisclosure(s, eps); d != "" {
		w.text(channelIndent, "podcast:txt", d, "purpose", PurposeAIContent)
	}
}

// item writes an item's extra elements; desc is its HTML description.
func (w extraWriter) item(s Show, e Episode, desc string) {
	if e.Number > 0 {
		w.text(itemIndent, "itunes:episode", strconv.Itoa(e.Number))
	}
	w.text(itemIndent, "itunes:episodeType", episodeType(e))
	w.open(itemIndent, "content:encoded")
	cdata(w.b, desc)
	w.close("content:encoded")
	for _, t := range e.Transcripts {
		attrs := []string{"url", t.URL, "type", t.Type, "language", t.Language}
		if t.Language == "" {
			attrs[5] = s.Language
		}
		if rel := transcriptRel(t); rel != "" {
			attrs = append(attrs, "rel", rel)
		}
		w.empty(itemIndent, "podcast:transcript", attrs...)
	}
	if e.ChaptersURL != "" {
		w.empty(itemIndent, "podcast:chapters", "url", e.ChaptersURL, "type", TypeChapters)
	}
	if len(e.Chapters) > 0 {
		w.open(itemIndent, "psc:chapters", "version", "1.2")
		for _, c := range e.Chapters {
			w.empty(itemIndent+"  ", "psc:chapter", "start", normalPlayTime(c.Start), "title", c.Title)
		}
		w.b.WriteByte('\n')
		w.b.WriteString(itemIndent)
		w.close("psc:chapters")
	}
	if s.Synthetic || e.Synthetic {
		w.text(itemIndent, "podcast:txt", episodeDisclosure(s), "purpose", PurposeAIContent)
	}
}

// escape writes s escaped as xml.EscapeText does, for text and attribute
// values alike; what XML cannot hold becomes U+FFFD.
func escape(b *bytes.Buffer, s string) {
	last := 0
	for i, r := range s {
		var esc string
		switch r {
		case '"':
			esc = "&#34;"
		case '\'':
			esc = "&#39;"
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '\t':
			esc = "&#x9;"
		case '\n':
			esc = "&#xA;"
		case '\r':
			esc = "&#xD;"
		default:
			if xmlRune(s, i, r) {
				continue
			}
			esc = "\uFFFD"
		}
		b.WriteString(s[last:i])
		b.WriteString(esc)
		_, width := utf8.DecodeRuneInString(s[i:])
		last = i + width
	}
	b.WriteString(s[last:])
}

// cdata writes s (made XML-safe by xmlSafe) as a CDATA section, splitting
// any "]]>" across two sections as encoding/xml does.
func cdata(b *bytes.Buffer, s string) {
	b.WriteString("<![CDATA[")
	for {
		i := strings.Index(s, "]]>")
		if i < 0 {
			break
		}
		b.WriteString(s[:i+2])
		b.WriteString("]]><![CDATA[")
		s = s[i+2:]
	}
	b.WriteString(s)
	b.WriteString("]]>")
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
// encoding/xml does for text. CDATA gets no such care from it.
func xmlSafe(s string) string {
	bad := -1
	for i, r := range s {
		if !xmlRune(s, i, r) {
			bad = i
			break
		}
	}
	if bad < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:bad])
	for i, r := range s[bad:] {
		if xmlRune(s, bad+i, r) {
			b.WriteRune(r)
		} else {
			b.WriteRune('\uFFFD')
		}
	}
	return b.String()
}

// xmlRune reports whether r, decoded from s at i, is a valid XML Char: not
// a byte of invalid UTF-8 (which range decodes as U+FFFD), nor a character
// XML excludes.
func xmlRune(s string, i int, r rune) bool {
	if r == utf8.RuneError {
		return strings.HasPrefix(s[i:], "\uFFFD")
	}
	return isXMLChar(r)
}

// isXMLChar reports whether r is a Char in XML 1.0.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}
