package transcript

import (
	"encoding/json"
	"fmt"

	"github.com/readcast/readcast/internal/timing"
)

// ParseChapters parses a JSON Chapters file into the chapters it lists for
// the table of contents, the ones ID3 CTOC and psc:chapters carry: silent
// chapters ("toc": false) are left out. A chapter's End is its endTime, or 0
// when the file has none. version, chapters and each startTime are required;
// a negative time, an end before its start or a chapter that starts before
// the one above it is an error wrapping ErrSyntax.
func ParseChapters(b []byte) ([]timing.Chapter, error) {
	var f struct {
		Version  *string `json:"version"`
		Chapters *[]struct {
			Start *float64 `json:"startTime"`
			End   *float64 `json:"endTime"`
			Title string   `json:"title"`
			TOC   *bool    `json:"toc"`
		} `json:"chapters"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("transcript: parse chapters: %w: %w", ErrSyntax, err)
	}
	if f.Version == nil || f.Chapters == nil {
		return nil, fmt.Errorf("transcript: parse chapters: %w: version and chapters are required", ErrSyntax)
	}
	out := make([]timing.Chapter, 0, len(*f.Chapters))
	prev := 0.0
	for i, c := range *f.Chapters {
		if c.Start == nil {
			return nil, fmt.Errorf("transcript: parse chapters: chapter %d: %w: startTime is required", i+1, ErrSyntax)
		}
		ch := timing.Chapter{Title: c.Title, Start: *c.Start}
		if c.End != nil {
			ch.End = *c.End
			if ch.End < ch.Start {
				return nil, fmt.Errorf("transcript: parse chapters: chapter %d %q: %w: ends at %v before it starts at %v", i+1, c.Title, ErrSyntax, ch.End, ch.Start)
			}
		}
		if ch.Start < prev {
			return nil, fmt.Errorf("transcript: parse chapters: chapter %d %q: %w: starts at %v, before the chapter above it or 0", i+1, c.Title, ErrSyntax, ch.Start)
		}
		prev = ch.Start
		if c.TOC != nil && !*c.TOC {
			continue
		}
		out = append(out, ch)
	}
	return out, nil
}
