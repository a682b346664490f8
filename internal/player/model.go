package player

import "github.com/readcast/readcast/internal/transcript"

// Show is what the show page shows, and what every episode page says of its
// show.
type Show struct {
	// Base is the URL path the site lives under, without a trailing slash:
	// "" at the root of its host, "/show" behind a CDN at …/show/. Every
	// link in the pages starts with it, so an export works under any path.
	Base                                                   string
	Title, Subtitle, Description, Author, Credit, Language string
	// CoverURL is the artwork's URL path; FeedURL is the feed's absolute URL,
	// the one to paste into a podcast app; Link is the source text's page.
	CoverURL, FeedURL, Link string
	// Synthetic says the narration is synthesized speech (every recorded
	// episode's, on the show page; this episode's, on an episode page);
	// SomeSynthetic that some recorded episodes are and others are not.
	// Narrator names the synthesizer, Reader the person who reads (empty
	// when not known).
	Synthetic, SomeSynthetic bool
	Narrator, Reader         string
	Episodes                 []EpisodeLink
	// Duration is the length of every recorded episode together, in seconds.
	Duration float64
}

// EpisodeLink is an episode in a list.
type EpisodeLink struct {
	Number   int
	Title    string
	URL      string
	Duration float64 // seconds; 0 when not recorded
	Chapters int
	Summary  string
	// Synthetic marks an episode whose recording is synthesized.
	Synthetic bool
}

// Episode is what the episode page shows.
type Episode struct {
	Show   Show
	Slug   string
	Number int
	Title  string
	// AudioURL is the content-addressed MP3; empty until the episode is
	// recorded. AudioSize is its length in bytes.
	AudioURL  string
	AudioSize int64
	Duration  float64 // seconds
	// VTTURL is the WebVTT captions track; ChaptersURL the JSON chapters.
	VTTURL      string
	ChaptersURL string
	Transcripts []Link
	Chapters    []Chapter
	// Sections is the transcript: one section a chapter (a single untitled
	// one when the episode has no chapters).
	Sections []Section
	// Timed says the transcript carries times: sentences and words can be
	// highlighted and sought. Untimed says the recording exists but is not
	// synchronized with its text yet.
	Timed, Untimed bool
	// Realigning says the text changed and the recording is being aligned
	// to it: the synchronized transcript will be back when that is done.
	Realigning bool
	Prev, Next *EpisodeLink
}

// Link is a labelled URL.
type Link struct{ Label, URL, Type string }

// Chapter is a chapter of an episode on its audio clock.
type Chapter struct {
	Title      string
	Start, End float64 // seconds
}

// Section is the part of a transcript under one chapter heading.
type Section struct {
	Number int // 1-based chapter number; 0 for an untitled section
	Title  string
	Start  float64
	// Heading is the spoken heading the chapter opens with when it says
	// the chapter's title: the page shows it as the chapter's heading
	// rather than say the title twice.
	Heading    *Sentence
	Paragraphs []Paragraph
}

// Paragraph is a block of sentences of one kind: "heading" (a spoken
// heading), "standfirst", "text" or "quote".
type Paragraph struct {
	Kind      string
	Start     float64
	Sentences []Sentence
}

// Sentence is one narrated sentence. ID is stable across runs and edits
// elsewhere in the text: it is the sentence's permalink (#s-…).
type Sentence struct {
	ID         string
	Start, End float64
	Text       string
	// Words are the sentence's written words, punctuation attached, each
	// timed; empty when only the sentence is timed (then Text is shown).
	Words []Word
}

// Word is one written word of a sentence, punctuation attached, and when
// it is spoken: transcript's, so the page and the transcripts time words
// one way.
type Word = transcript.Word
