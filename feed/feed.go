package feed

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/eduncan911/podcast"
)

// Namespaces the feed declares on its rss element.
const (
	NamespaceAtom    = "http://www.w3.org/2005/Atom"
	NamespaceContent = "http://purl.org/rss/1.0/modules/content/"
	NamespaceITunes  = "http://www.itunes.com/dtds/podcast-1.0.dtd"
	NamespacePodcast = "https://podcastindex.org/namespace/1.0"
	NamespacePSC     = "http://podlove.org/simple-chapters"
)

// MIME types of the files a feed links to besides the audio.
const (
	TypeVTT      = "text/vtt"                  // WebVTT captions
	TypeSRT      = "application/x-subrip"      // SubRip captions
	TypeJSON     = "application/json"          // Podcasting 2.0 JSON transcript
	TypeHTML     = "text/html"                 // HTML transcript
	TypeText     = "text/plain"                // plain-text transcript
	TypeChapters = "application/json+chapters" // Podcasting 2.0 JSON chapters
)

// RelCaptions is the podcast:transcript rel value that marks a file with
// time codes, which apps may show as closed captions.
const RelCaptions = "captions"

// PurposeAIContent is the podcast:txt purpose under which the feed declares
// synthesized narration. The namespace leaves purposes free-form; no
// dedicated tag exists yet.
const PurposeAIContent = "ai-content"

// Show is the channel: what every episode shares.
type Show struct {
	Title       string
	Subtitle    string // itunes:subtitle, at most 255 characters
	Description string // plain text
	Author      string // itunes:author: the person or group that made the show
	Language    string // ISO 639 code with optional region, e.g. "en" or "en-us"
	Link        string // the show's website
	Copyright   string

	// OwnerName and OwnerEmail are who Apple and other directories contact
	// about the feed (itunes:owner); OwnerEmail is also podcast:locked's
	// owner.
	OwnerName  string
	OwnerEmail string

	// Categories are Apple Podcasts categories; Apple uses the first.
	Categories []Category
	Explicit   bool
	Type       string // "serial" or "episodic"

	// FeedURL is the absolute URL the feed is served at: atom:link
	// rel="self", and the seed of podcast:guid.
	FeedURL string
	// GUID overrides podcast:guid. Empty means GUID(FeedURL); set it to keep
	// the show's identity when the feed moves to a new URL.
	GUID string

	ImageURL string // artwork: JPEG or PNG, 1400 to 3000 px square

	// Synthetic declares that the narration of every episode is synthesized
	// speech. The channel then carries podcast:txt purpose="ai-content" and
	// its description says so; Episode.Synthetic declares it per episode.
	Synthetic bool
	// Narrator names the synthesizer in that declaration, e.g.
	// "festival, voice us-slt-hts". Optional.
	Narrator string

	// Locked asks other hosting platforms not to import the feed
	// (podcast:locked yes/no).
	Locked bool
	// Generator is the generator element; empty omits it.
	Generator string
	// LastBuild is the lastBuildDate. It is required: Build never reads the
	// clock, so the same input always gives the same bytes.
	LastBuild time.Time
}

// Category is an Apple Podcasts category and an optional subcategory of it.
type Category struct {
	Name string
	Sub  string
}

// Episode is one item of the feed.
type Episode struct {
	// GUID identifies the episode forever. It must not be derived from a
	// host name, URL or file: it may not change when those do.
	GUID string
	// Number is itunes:episode, counting from 1. A serial show needs it on
	// every full episode; a trailer or bonus may leave it 0.
	Number int
	Type   string // itunes:episodeType: "full" (the default), "trailer" or "bonus"
	Title  string
	// Summary is plain text. The description uses DescriptionHTML when it is
	// set, and Summary (escaped) otherwise; one of them is required.
	Summary         string
	DescriptionHTML string
	// Published is the pubDate. A full episode with a later number must be
	// published later, so that apps sorting by date keep reading order.
	Published time.Time
	// Duration is the audio's length; itunes:duration is it in whole seconds.
	Duration  time.Duration
	Enclosure Enclosure
	Link      string // the episode's web page; empty uses the enclosure URL
	ImageURL  string // episode artwork; empty uses the show's
	Explicit  bool   // the show's Explicit applies too

	// Chapters are listed inline (psc:chapters) and in the description.
	Chapters []Chapter
	// ChaptersURL is the JSON chapters file (podcast:chapters).
	ChaptersURL string
	Transcripts []Transcript

	// Synthetic declares that this episode's narration is synthesized speech
	// (the show's Synthetic applies too).
	Synthetic bool
}

// Enclosure is the episode's audio file.
type Enclosure struct {
	URL    string // absolute; content-addressed, so a new recording gets a new URL
	Length int64  // exact size in bytes
	// Type is the MIME type: audio/mpeg, audio/x-m4a, video/mp4,
	// video/x-m4v, video/quicktime or application/pdf (Apple's list).
	Type string
}

// Chapter is a chapter of an episode.
type Chapter struct {
	Start time.Duration // from the start of the audio
	Title string
}

// Transcript is a podcast:transcript link.
type Transcript struct {
	URL  string
	Type string // TypeVTT, TypeSRT, TypeJSON, TypeHTML or TypeText
	// Language defaults to the show's.
	Language string
	// Rel is "" or RelCaptions. Empty becomes RelCaptions for the formats
	// that always carry time codes (VTT, SRT, JSON).
	Rel string
}

// Build renders the RSS document of s with the episodes eps, in the order
// given. It first checks the input and, if anything is wrong, returns an
// error wrapping ErrInvalid that lists every problem. The same input always
// gives the same bytes.
func Build(s Show, eps []Episode) ([]byte, error) {
	descs := make([]string, len(eps))
	for i, e := range eps {
		descs[i] = itemDescription(s, e)
	}
	if err := validate(s, eps, descs); err != nil {
		return nil, err
	}
	p, err := core(s, eps)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.Grow(4096 + 3072*len(eps))
	if err := encode(&out, p, s, eps, descs); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// core builds the part of the feed that eduncan911/podcast can express.
// Its quirks are corrected here: it reads the clock for a missing date, so
// every date is set; AddAuthor writes "email (name)" as both managingEditor
// and itunes:author, so it is not called (itunes:owner says who to contact,
// and feedparser garbles managingEditor when the domain's last label is
// longer than four letters); it joins every category into one RSS category
// element, so that is cleared (itunes:category carries them); AddSubTitle
// cuts at 64 characters, so the subtitle is set directly; and its default
// generator names an old version of itself, so Show.Generator replaces it.
func core(s Show, eps []Episode) (*podcast.Podcast, error) {
	lastBuild := s.LastBuild.UTC()
	pub := lastBuild
	if len(eps) > 0 {
		pub = eps[0].Published.UTC()
		for _, e := range eps[1:] {
			if t := e.Published.UTC(); t.After(pub) {
				pub = t
			}
		}
	}
	p := podcast.New(s.Title, s.Link, channelDescription(s, eps), &pub, &lastBuild)
	p.Language = s.Language
	p.Copyright = s.Copyright
	p.Generator = s.Generator
	p.IAuthor = s.Author
	p.ISubtitle = s.Subtitle
	p.IOwner = &podcast.Author{Name: s.OwnerName, Email: s.OwnerEmail}
	p.IExplicit = strconv.FormatBool(s.Explicit)
	p.AddAtomLink(s.FeedURL)
	p.AddImage(s.ImageURL)
	for _, c := range s.Categories {
		var subs []string
		if c.Sub != "" {
			subs = []string{c.Sub}
		}
		p.AddCategory(c.Name, subs)
	}
	p.Category = ""

	for i, e := range eps {
		published := e.Published.UTC()
		item := podcast.Item{
			GUID:  e.GUID,
			Title: e.Title,
			Link:  e.Link,
			// Replaced by CDATA HTML in encode; the library only takes
			// escaped text, and requires a description.
			Description: e.Title,
			IAuthor:     s.Author,
			IDuration:   strconv.FormatInt(durationSeconds(e.Duration), 10),
			IExplicit:   strconv.FormatBool(s.Explicit || e.Explicit),
		}
		item.AddPubDate(&published)
		item.AddEnclosure(e.Enclosure.URL, enclosureTypes[e.Enclosure.Type], e.Enclosure.Length)
		item.AddImage(e.ImageURL)
		if _, err := p.AddItem(item); err != nil {
			return nil, fmt.Errorf("feed: episode %d (%s): %w", i+1, e.GUID, err)
		}
	}
	return &p, nil
}

// enclosureTypes maps the MIME types Apple accepts to the library's enum.
var enclosureTypes = map[string]podcast.EnclosureType{
	"audio/mpeg":      podcast.MP3,
	"audio/x-m4a":     podcast.M4A,
	"video/mp4":       podcast.MP4,
	"video/x-m4v":     podcast.M4V,
	"video/quicktime": podcast.MOV,
	"application/pdf": podcast.PDF,
}

// durationSeconds is d in whole seconds, rounded half up: Apple and the
// W3C validator want an integer itunes:duration.
func durationSeconds(d time.Duration) int64 {
	return int64(d.Round(time.Second) / time.Second)
}
