package check

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/readcast/readcast/feed"
)

// node is an element of a parsed XML document.
type node struct {
	name xml.Name
	attr []xml.Attr
	text string // character data and CDATA directly inside, trimmed
	kids []*node
}

// maxDepth bounds the nesting parseXML accepts: a feed is a few levels
// deep, and a hostile one must not exhaust the stack of whoever walks it.
const maxDepth = 64

// parseXML parses a well-formed XML document into its root element. The
// error gives the line of the first fault.
func parseXML(b []byte) (*node, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	var stack []*node
	var text [][]byte // character data of each open element
	var root *node
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil && len(stack) == 0 {
				line, _ := d.InputPos()
				return nil, fmt.Errorf("line %d: a second root element <%s>", line, t.Name.Local)
			}
			if len(stack) >= maxDepth {
				line, _ := d.InputPos()
				return nil, fmt.Errorf("line %d: elements nested more than %d deep", line, maxDepth)
			}
			n := &node{name: t.Name, attr: t.Copy().Attr}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			} else {
				root = n
			}
			stack = append(stack, n)
			text = append(text, nil)
		case xml.EndElement:
			n := stack[len(stack)-1]
			n.text = strings.TrimSpace(string(text[len(text)-1]))
			stack, text = stack[:len(stack)-1], text[:len(text)-1]
		case xml.CharData:
			if len(text) > 0 {
				text[len(text)-1] = append(text[len(text)-1], t...)
			}
		}
	}
	if root == nil {
		return nil, errors.New("no root element")
	}
	return root, nil
}

// child returns n's first child named local in namespace space ("" for
// RSS's own elements), or nil.
func (n *node) child(space, local string) *node {
	if n == nil {
		return nil
	}
	for _, k := range n.kids {
		if k.name.Space == space && k.name.Local == local {
			return k
		}
	}
	return nil
}

// children returns every child of n named local in namespace space.
func (n *node) children(space, local string) []*node {
	var out []*node
	for _, k := range n.kids {
		if k.name.Space == space && k.name.Local == local {
			out = append(out, k)
		}
	}
	return out
}

// attrOf returns the value of n's unqualified attribute name and whether it
// is there.
func (n *node) attrOf(name string) (string, bool) {
	if n == nil {
		return "", false
	}
	for _, a := range n.attr {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// optional is a value that may be absent from the feed.
type optional struct {
	value string
	ok    bool
}

func textOf(n *node) optional {
	if n == nil {
		return optional{}
	}
	return optional{n.text, true}
}

func attrValue(n *node, name string) optional {
	v, ok := n.attrOf(name)
	return optional{strings.TrimSpace(v), ok}
}

// Namespaces of the elements check reads.
const (
	nsAtom    = feed.NamespaceAtom
	nsITunes  = feed.NamespaceITunes
	nsPodcast = feed.NamespacePodcast
	nsPSC     = feed.NamespacePSC
)

// channel is what check reads of a feed's channel.
type channel struct {
	version     optional // rss version attribute
	title       optional
	description optional
	language    optional
	link        optional
	image       optional // itunes:image href
	categories  []category
	explicit    optional
	owner       bool
	ownerEmail  optional
	author      optional
	typ         optional // itunes:type
	selfLinks   []string // atom:link rel="self" hrefs
	guid        optional // podcast:guid
	locked      optional // podcast:locked text
	lockedOwner optional
	items       []item
}

// category is an itunes:category and its nested subcategories.
type category struct {
	text optional
	subs []optional
}

// item is what check reads of a feed's item.
type item struct {
	n           int // 1-based position in the feed
	title       optional
	guid        optional
	enclosure   bool
	encURL      optional
	encLength   optional
	encType     optional
	duration    optional
	episode     optional
	episodeType optional
	explicit    optional
	pubDate     optional
	image       optional // itunes:image href
	transcripts []transcriptLink
	chapters    *chaptersLink
	psc         []pscChapter
	pscPresent  bool
}

type transcriptLink struct {
	url, typ, language, rel optional
}

type chaptersLink struct {
	url, typ optional
}

type pscChapter struct {
	start, title optional
}

// where names an item in findings: `episode N "Title"`.
func (it item) where() string {
	s := fmt.Sprintf("episode %d", it.n)
	if it.title.value != "" {
		s += " " + fmt.Sprintf("%q", it.title.value)
	}
	return s
}

// readChannel extracts what check needs from a parsed RSS document. It
// fails only when the document is not RSS with a channel.
func readChannel(root *node) (*channel, error) {
	if root.name.Space != "" || root.name.Local != "rss" {
		return nil, fmt.Errorf("the root element is <%s>, not <rss>", root.name.Local)
	}
	ch := root.child("", "channel")
	if ch == nil {
		return nil, errors.New("<rss> has no <channel>")
	}
	c := &channel{
		version:     attrValue(root, "version"),
		title:       textOf(ch.child("", "title")),
		description: textOf(ch.child("", "description")),
		language:    textOf(ch.child("", "language")),
		link:        textOf(ch.child("", "link")),
		image:       attrValue(ch.child(nsITunes, "image"), "href"),
		explicit:    textOf(ch.child(nsITunes, "explicit")),
		author:      textOf(ch.child(nsITunes, "author")),
		typ:         textOf(ch.child(nsITunes, "type")),
		guid:        textOf(ch.child(nsPodcast, "guid")),
	}
	if o := ch.child(nsITunes, "owner"); o != nil {
		c.owner = true
		c.ownerEmail = textOf(o.child(nsITunes, "email"))
	}
	for _, cat := range ch.children(nsITunes, "category") {
		k := category{text: attrValue(cat, "text")}
		for _, sub := range cat.children(nsITunes, "category") {
			k.subs = append(k.subs, attrValue(sub, "text"))
		}
		c.categories = append(c.categories, k)
	}
	for _, l := range ch.children(nsAtom, "link") {
		if rel, _ := l.attrOf("rel"); rel == "self" {
			href, _ := l.attrOf("href")
			c.selfLinks = append(c.selfLinks, href)
		}
	}
	if l := ch.child(nsPodcast, "locked"); l != nil {
		c.locked = textOf(l)
		c.lockedOwner = attrValue(l, "owner")
	}
	for i, in := range ch.children("", "item") {
		c.items = append(c.items, readItem(i+1, in))
	}
	return c, nil
}

func readItem(n int, in *node) item {
	it := item{
		n:           n,
		title:       textOf(in.child("", "title")),
		guid:        textOf(in.child("", "guid")),
		duration:    textOf(in.child(nsITunes, "duration")),
		episode:     textOf(in.child(nsITunes, "episode")),
		episodeType: textOf(in.child(nsITunes, "episodeType")),
		explicit:    textOf(in.child(nsITunes, "explicit")),
		pubDate:     textOf(in.child("", "pubDate")),
		image:       attrValue(in.child(nsITunes, "image"), "href"),
	}
	if e := in.child("", "enclosure"); e != nil {
		it.enclosure = true
		it.encURL, it.encLength, it.encType = attrValue(e, "url"), attrValue(e, "length"), attrValue(e, "type")
	}
	for _, t := range in.children(nsPodcast, "transcript") {
		it.transcripts = append(it.transcripts, transcriptLink{
			url: attrValue(t, "url"), typ: attrValue(t, "type"),
			language: attrValue(t, "language"), rel: attrValue(t, "rel"),
		})
	}
	if c := in.child(nsPodcast, "chapters"); c != nil {
		it.chapters = &chaptersLink{url: attrValue(c, "url"), typ: attrValue(c, "type")}
	}
	if p := in.child(nsPSC, "chapters"); p != nil {
		it.pscPresent = true
		for _, c := range p.children(nsPSC, "chapter") {
			it.psc = append(it.psc, pscChapter{start: attrValue(c, "start"), title: attrValue(c, "title")})
		}
	}
	return it
}
