package transcript

import (
	"fmt"
	"html"
	"strings"
)

// ParseVTT parses a WebVTT file into its cues, in file order. NOTE, STYLE
// and REGION blocks are skipped, cue settings ignored. A cue's Lines are its
// text lines without markup and with character references resolved; its
// Voice is the annotation of its first voice span. A missing WEBVTT header,
// a bad timestamp, a cue that ends before it starts or cue text containing
// "-->" is an error wrapping ErrSyntax.
func ParseVTT(b []byte) ([]Cue, error) {
	ls := lines(b)
	if h := ls[0]; h != "WEBVTT" && !strings.HasPrefix(h, "WEBVTT ") && !strings.HasPrefix(h, "WEBVTT\t") {
		return nil, fmt.Errorf("transcript: parse vtt: line 1: %w: no WEBVTT header", ErrSyntax)
	}
	body := 1
	for ; body < len(ls) && ls[body] != ""; body++ {
		if strings.Contains(ls[body], "-->") {
			return nil, fmt.Errorf("transcript: parse vtt: line %d: %w: a cue timing in the header; a blank line must follow the header", body+1, ErrSyntax)
		}
	}
	var out []Cue
	bs, at := blocks(ls, body, false)
	for n, blk := range bs {
		first := blk[0]
		if isBlock(first, "NOTE") || ((isBlock(first, "STYLE") || isBlock(first, "REGION")) && !strings.Contains(first, "-->")) {
			continue
		}
		t := 0
		var c Cue
		if !strings.Contains(first, "-->") {
			if len(blk) < 2 || !strings.Contains(blk[1], "-->") {
				return nil, fmt.Errorf("transcript: parse vtt: line %d: %w: block has no cue timing", at[n], ErrSyntax)
			}
			c.ID, t = first, 1
		}
		start, end, err := parseTimingLine(blk[t], ".")
		if err != nil {
			return nil, fmt.Errorf("transcript: parse vtt: line %d: %w: %v", at[n]+t, ErrSyntax, err)
		}
		c.Start, c.End = seconds(start), seconds(end)
		for k, l := range blk[t+1:] {
			if strings.Contains(l, "-->") {
				return nil, fmt.Errorf("transcript: parse vtt: line %d: %w: cue text contains \"-->\"", at[n]+t+1+k, ErrSyntax)
			}
			text, voice := cueText(l)
			if c.Voice == "" {
				c.Voice = voice
			}
			c.Lines = append(c.Lines, text)
		}
		out = append(out, c)
	}
	return out, nil
}

// isBlock reports whether line opens a block of the given keyword: the word
// alone, or followed by a space or tab.
func isBlock(line, word string) bool {
	return line == word || strings.HasPrefix(line, word+" ") || strings.HasPrefix(line, word+"\t")
}

// parseTimingLine parses "start --> end [settings]" in milliseconds.
func parseTimingLine(l, seps string) (start, end int64, err error) {
	a, z, _ := strings.Cut(l, "-->")
	z = strings.TrimLeft(z, " \t")
	if i := strings.IndexAny(z, " \t"); i >= 0 {
		z = z[:i]
	}
	if start, err = parseClock(strings.TrimSpace(a), seps); err != nil {
		return 0, 0, err
	}
	if end, err = parseClock(z, seps); err != nil {
		return 0, 0, err
	}
	if end < start {
		return 0, 0, fmt.Errorf("cue ends at %s before it starts at %s", clock(end, seps[0]), clock(start, seps[0]))
	}
	return start, end, nil
}

// cueText strips the markup from one line of WebVTT cue text and resolves its
// character references; voice is the annotation of a voice span on the line.
func cueText(l string) (text, voice string) {
	var sb strings.Builder
	for l != "" {
		lt := strings.IndexByte(l, '<')
		if lt < 0 {
			sb.WriteString(html.UnescapeString(l))
			break
		}
		sb.WriteString(html.UnescapeString(l[:lt]))
		tag := l[lt+1:]
		if gt := strings.IndexByte(tag, '>'); gt >= 0 {
			tag, l = tag[:gt], tag[gt+1:]
		} else {
			l = ""
		}
		if voice == "" && len(tag) > 1 && tag[0] == 'v' && strings.ContainsRune(" \t.", rune(tag[1])) {
			if _, ann, ok := strings.Cut(strings.ReplaceAll(tag, "\t", " "), " "); ok {
				voice = html.UnescapeString(strings.TrimSpace(ann))
			}
		}
	}
	return sb.String(), voice
}
