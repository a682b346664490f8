package transcript

import (
	"fmt"
	"strings"
)

// ParseSRT parses a SubRip file into its cues, in file order. A cue's ID is
// its sequence number as written; its Lines are the text as written (SubRip
// has no escapes). A block without a timing line, a bad timestamp or a cue
// that ends before it starts is an error wrapping ErrSyntax. A comma or a
// full stop may precede the milliseconds.
func ParseSRT(b []byte) ([]Cue, error) {
	var out []Cue
	bs, at := blocks(lines(b), 0, true)
	for n, blk := range bs {
		t := 0
		var c Cue
		if !strings.Contains(blk[0], "-->") {
			if len(blk) < 2 || !strings.Contains(blk[1], "-->") {
				return nil, fmt.Errorf("transcript: parse srt: line %d: %w: block has no timing line", at[n], ErrSyntax)
			}
			c.ID, t = strings.TrimSpace(blk[0]), 1
			if !allDigits(c.ID) {
				return nil, fmt.Errorf("transcript: parse srt: line %d: %w: sequence number %q is not a number", at[n], ErrSyntax, c.ID)
			}
		}
		start, end, err := parseTimingLine(blk[t], ",.")
		if err != nil {
			return nil, fmt.Errorf("transcript: parse srt: line %d: %w: %v", at[n]+t, ErrSyntax, err)
		}
		c.Start, c.End = seconds(start), seconds(end)
		c.Lines = append([]string(nil), blk[t+1:]...)
		out = append(out, c)
	}
	return out, nil
}
