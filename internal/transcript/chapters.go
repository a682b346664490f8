package transcript

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// ChaptersVersion is the version of the JSON Chapters format Chapters writes.
const ChaptersVersion = "1.2.0"

// chaptersFile is a JSON Chapters document.
type chaptersFile struct {
	Version  string        `json:"version"`
	Title    string        `json:"title,omitempty"`
	Chapters []jsonChapter `json:"chapters"`
}

type jsonChapter struct {
	Start float64 `json:"startTime"`
	Title string  `json:"title"`
	End   float64 `json:"endTime"`
	TOC   bool    `json:"toc"`
}

// Chapters renders d's chapters as JSON Chapters 1.2, served as
// application/json+chapters. Start and end times are those of
// timing.Chapters, in seconds with their milliseconds, so they equal the ID3
// and psc:chapters times exactly. They are not rounded to whole seconds:
// AntennaPod truncates them to whole seconds itself and still merges them
// with the ID3 chapters (it requires starts within 1 s, and truncation moves
// a start by less than 1 s), while rounding here would move the chapters for
// every other app.
func Chapters(d Doc) ([]byte, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	d = d.printable()
	f := chaptersFile{Version: ChaptersVersion, Title: d.Title, Chapters: make([]jsonChapter, len(d.Chapters))}
	for i, c := range d.Chapters {
		f.Chapters[i] = jsonChapter{Start: seconds(millis(c.Start)), Title: c.Title, End: seconds(millis(c.End)), TOC: true}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(f); err != nil {
		return nil, fmt.Errorf("transcript: encode chapters: %w", err)
	}
	return b.Bytes(), nil
}
