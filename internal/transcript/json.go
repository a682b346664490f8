package transcript

import (
	"strconv"
	"unicode/utf8"
)

// JSONVersion is the version of the Podcasting 2.0 JSON transcript format
// JSON writes.
const JSONVersion = "1.0.0"

// Segment is one segment of a Podcasting 2.0 JSON transcript.
type Segment struct {
	Speaker string  `json:"speaker,omitempty"`
	Start   float64 `json:"startTime"` // seconds
	End     float64 `json:"endTime"`
	Body    string  `json:"body"`
}

// JSON renders d as a Podcasting 2.0 JSON transcript with one segment per
// written word, punctuation attached, timed from the word timings. The last
// word of each paragraph ends in "\n", as in the format's own example, so a
// reader that joins the words gets the paragraphs back. A word that is not
// spoken on its own (a dash) has a zero-length segment where the previous
// word ends. Each segment is on a line of its own.
func JSON(d Doc) ([]byte, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	d = d.printable()
	segs := jsonSegments(d)
	b := make([]byte, 0, 64+80*len(segs))
	b = append(b, `{"version":"`+JSONVersion+`","segments":[`...)
	for i, s := range segs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n {\"speaker\":"...)
		b = appendJSONString(b, s.Speaker)
		b = append(b, `,"startTime":`...)
		b = strconv.AppendFloat(b, s.Start, 'f', -1, 64)
		b = append(b, `,"endTime":`...)
		b = strconv.AppendFloat(b, s.End, 'f', -1, 64)
		b = append(b, `,"body":`...)
		b = appendJSONString(b, s.Body)
		b = append(b, '}')
	}
	b = append(b, "\n]}\n"...)
	return b, nil
}

// jsonSegments lists the segments JSON writes.
func jsonSegments(d Doc) []Segment {
	paragraphEnd := map[string]bool{}
	for _, p := range d.Paragraphs {
		if n := len(p.SentenceIDs); n > 0 {
			paragraphEnd[p.SentenceIDs[n-1]] = true
		}
	}
	speaker := d.speaker()
	sents := timeSentences(d.Map)
	n := 0
	for _, s := range sents {
		n += len(s.tokens)
	}
	out := make([]Segment, 0, n)
	for _, s := range sents {
		for k, t := range s.tokens {
			if k == len(s.tokens)-1 && paragraphEnd[s.id] {
				t += "\n"
			}
			out = append(out, Segment{Speaker: speaker, Start: seconds(s.from[k]), End: seconds(s.to[k]), Body: t})
		}
	}
	return out
}

// appendJSONString appends s as a JSON string, escaping what JSON requires
// (quote, backslash, control characters) and the line separators that
// JavaScript does not allow in strings; invalid UTF-8 becomes U+FFFD, as
// encoding/json writes it.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return append(b, '"')
}
