package transcript

import (
	"errors"
	"fmt"
	"math"

	"github.com/readcast/readcast/internal/segment"
	"github.com/readcast/readcast/internal/timing"
)

// DefaultSpeaker names the voice when a Doc names none.
const DefaultSpeaker = "Narrator"

// Doc is the structure of one episode on its audio clock: everything the
// writers need. NewDoc builds it from the outline; tests build it by hand.
type Doc struct {
	Title    string // the episode's title
	Language string // BCP 47 tag of the text, e.g. "en"
	Speaker  string // the voice in captions and JSON; DefaultSpeaker when empty
	Map      *timing.Map
	// Paragraphs lists every sentence of Map exactly once, in Map's order.
	// Empty means no structure: HTML then shows one paragraph.
	Paragraphs []Paragraph
	// Chapters come from timing.Chapters; empty means the episode has none.
	Chapters []timing.Chapter
}

// Paragraph is a block of sentences of one kind (segment.KindText, …)
// inside one chapter.
type Paragraph struct {
	Kind        string
	Chapter     int // 0-based index into Doc.Chapters
	SentenceIDs []string
}

// ErrInvalidDoc is wrapped by every writer when its Doc breaks the rules
// documented on Doc.
var ErrInvalidDoc = errors.New("invalid document")

// ErrSyntax is wrapped by every parser when its input is malformed.
var ErrSyntax = errors.New("malformed")

// NewDoc builds the Doc of episode ep from its timing map m. Chapters are
// placed by timing.Chapters, each starting with its first sentence.
func NewDoc(ep segment.Episode, language, speaker string, m *timing.Map) (Doc, error) {
	d := Doc{Title: ep.Title, Language: language, Speaker: speaker, Map: m}
	marks := make([]timing.ChapterMark, 0, len(ep.Chapters))
	for ci, ch := range ep.Chapters {
		first := ""
		for _, p := range ch.Paragraphs {
			ids := make([]string, len(p.Sentences))
			for i, s := range p.Sentences {
				ids[i] = s.ID
			}
			if first == "" && len(ids) > 0 {
				first = ids[0]
			}
			d.Paragraphs = append(d.Paragraphs, Paragraph{Kind: p.Kind, Chapter: ci, SentenceIDs: ids})
		}
		if first == "" {
			return Doc{}, fmt.Errorf("transcript: episode %s chapter %q has no sentence: %w", ep.Slug, ch.Title, ErrInvalidDoc)
		}
		marks = append(marks, timing.ChapterMark{Title: ch.Title, FirstSentence: first})
	}
	if m == nil {
		return Doc{}, fmt.Errorf("transcript: episode %s has no timing map: %w", ep.Slug, ErrInvalidDoc)
	}
	chapters, err := timing.Chapters(m, marks)
	if err != nil {
		return Doc{}, fmt.Errorf("transcript: episode %s: %w", ep.Slug, err)
	}
	d.Chapters = chapters
	if err := d.Validate(); err != nil {
		return Doc{}, fmt.Errorf("transcript: episode %s: %w", ep.Slug, err)
	}
	return d, nil
}

// Validate reports the first way d breaks its rules: a valid timing map;
// paragraphs of a known kind that list every sentence of the map once, in its
// order, with chapter indexes in range and never going back; chapters with
// finite, non-negative, ascending times.
func (d Doc) Validate() error {
	if d.Map == nil {
		return fmt.Errorf("transcript: %w: no timing map", ErrInvalidDoc)
	}
	if err := d.Map.Validate(); err != nil {
		return fmt.Errorf("transcript: %w: %w", ErrInvalidDoc, err)
	}
	prevStart := 0.0
	for i, c := range d.Chapters {
		if !finite(c.Start) || !finite(c.End) || c.Start < 0 || c.End < c.Start || (i > 0 && c.Start < prevStart) {
			return fmt.Errorf("transcript: %w: chapter %d %q [%v, %v] is out of order", ErrInvalidDoc, i+1, c.Title, c.Start, c.End)
		}
		prevStart = c.Start
	}
	if len(d.Paragraphs) == 0 {
		return nil
	}
	next := 0 // index in d.Map.Sentences of the next sentence a paragraph must name
	prevChapter := 0
	for i, p := range d.Paragraphs {
		switch p.Kind {
		case segment.KindHeading, segment.KindStandfirst, segment.KindText, segment.KindQuote:
		default:
			return fmt.Errorf("transcript: %w: paragraph %d has unknown kind %q", ErrInvalidDoc, i+1, p.Kind)
		}
		if p.Chapter < prevChapter || p.Chapter < 0 || (p.Chapter > 0 && p.Chapter >= len(d.Chapters)) {
			return fmt.Errorf("transcript: %w: paragraph %d is in chapter index %d (%d chapters, previous paragraph in %d)",
				ErrInvalidDoc, i+1, p.Chapter, len(d.Chapters), prevChapter)
		}
		prevChapter = p.Chapter
		for _, id := range p.SentenceIDs {
			if next >= len(d.Map.Sentences) || d.Map.Sentences[next].ID != id {
				want := "none"
				if next < len(d.Map.Sentences) {
					want = d.Map.Sentences[next].ID
				}
				return fmt.Errorf("transcript: %w: paragraph %d names sentence %s where the timing map has %s", ErrInvalidDoc, i+1, id, want)
			}
			next++
		}
	}
	if next != len(d.Map.Sentences) {
		return fmt.Errorf("transcript: %w: no paragraph names sentence %s of the timing map", ErrInvalidDoc, d.Map.Sentences[next].ID)
	}
	return nil
}

func (d Doc) speaker() string {
	if d.Speaker == "" {
		return DefaultSpeaker
	}
	return d.Speaker
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
