package segment

// Outline is the whole show as segmented from its source text:
// show → episodes → chapters → paragraphs → sentences → words.
// Every word of the source belongs to exactly one place in it: a narrated
// sentence (the title and headings are spoken too) or a dropped line.
type Outline struct {
	Title          string    `json:"title"`
	SourceSHA      string    `json:"source_sha256"` // hex SHA-256 of the source bytes
	WordsPerMinute float64   `json:"words_per_minute"`
	Episodes       []Episode `json:"episodes"`
	Dropped        []Dropped `json:"dropped"`
}

// Span is a half-open range of character (Unicode code point) offsets into
// the source text.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Episode is one published episode: a section of the text, or a balanced part
// of a long section.
type Episode struct {
	Number   int       `json:"number"` // 1-based, in reading order
	Slug     string    `json:"slug"`   // ASCII, stable: "01-my-youth-in-the-ussr"
	Title    string    `json:"title"`
	Section  string    `json:"section"` // the section heading it comes from
	Part     int       `json:"part"`    // 1-based part of its section; 0 when not split
	Parts    int       `json:"parts"`   // how many parts its section was split into
	Words    int       `json:"words"`
	Estimate float64   `json:"estimate_seconds"` // narration estimate at WordsPerMinute
	Chapters []Chapter `json:"chapters"`
}

// Chapter is a span of consecutive paragraphs a listener can skip to.
type Chapter struct {
	Number     int         `json:"number"` // 1-based inside its episode
	Title      string      `json:"title"`  // at most MaxChapterTitle characters, whole words
	Offset     float64     `json:"estimate_start_seconds"`
	Estimate   float64     `json:"estimate_seconds"`
	Words      int         `json:"words"`
	Paragraphs []Paragraph `json:"paragraphs"`
}

// Paragraph kinds.
const (
	KindHeading    = "heading"    // a section heading, spoken as its own sentence
	KindStandfirst = "standfirst" // the editor's introduction
	KindText       = "text"
	KindQuote      = "quote" // a quoted passage, kept with the sentence that introduces it
)

// Paragraph is a block of text between blank lines.
type Paragraph struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind"`
	Span      Span       `json:"span"`
	Sentences []Sentence `json:"sentences"`
}

// Sentence is one narrated sentence. Its ID is derived from its text (and its
// occurrence number for repeated text), so it is the same from run to run and
// survives edits elsewhere in the source.
type Sentence struct {
	ID    string `json:"id"`
	Text  string `json:"text"` // the source text with runs of whitespace made single spaces
	Span  Span   `json:"span"`
	Words []Word `json:"words"`
}

// Word is a word as written, without the punctuation around it.
type Word struct {
	Text string `json:"text"`
	Span Span   `json:"span"`
}

// Dropped is a line of the source that is not narrated, and why.
type Dropped struct {
	Text   string `json:"text"`
	Span   Span   `json:"span"`
	Reason string `json:"reason"`
}

// Reasons a line is dropped.
const (
	ReasonCaption  = "image caption"
	ReasonLinkText = "link text without its link"
	ReasonCode     = "code block"
	ReasonFootnote = "footnote"
)

// MaxChapterTitle is the longest chapter title, in characters.
const MaxChapterTitle = 60
