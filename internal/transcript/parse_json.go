package transcript

import (
	"encoding/json"
	"fmt"
	"math"
)

// ParseJSON parses a Podcasting 2.0 JSON transcript into its segments, in
// file order. version and segments are required, and so are each segment's
// startTime (a number) and body; a missing endTime is taken to equal
// startTime. Negative times, a segment that ends before it starts, or JSON
// that does not fit the format is an error wrapping ErrSyntax.
func ParseJSON(b []byte) ([]Segment, error) {
	var f struct {
		Version  *string `json:"version"`
		Segments *[]struct {
			Speaker string   `json:"speaker"`
			Start   *float64 `json:"startTime"`
			End     *float64 `json:"endTime"`
			Body    *string  `json:"body"`
		} `json:"segments"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("transcript: parse json: %w: %w", ErrSyntax, err)
	}
	if f.Version == nil || f.Segments == nil {
		return nil, fmt.Errorf("transcript: parse json: %w: version and segments are required", ErrSyntax)
	}
	out := make([]Segment, len(*f.Segments))
	for i, s := range *f.Segments {
		if s.Start == nil || s.Body == nil {
			return nil, fmt.Errorf("transcript: parse json: segment %d: %w: startTime and body are required", i, ErrSyntax)
		}
		end := *s.Start
		if s.End != nil {
			end = *s.End
		}
		if *s.Start < 0 || end < *s.Start || math.IsInf(end, 0) {
			return nil, fmt.Errorf("transcript: parse json: segment %d: %w: times [%v, %v] are negative or reversed", i, ErrSyntax, *s.Start, end)
		}
		out[i] = Segment{Speaker: s.Speaker, Start: *s.Start, End: end, Body: *s.Body}
	}
	return out, nil
}
