package transcript

import (
	"bytes"
	"strconv"
	"strings"
)

// SRT renders d as SubRip captions: the same sentences as VTT, cut for SRT's
// shorter lines (MaxSRTLine, at most MaxCueLines a cue) and numbered from 1.
// SubRip has no escapes and no standard speaker mark, so the speaker is left
// out, and the text cannot carry markup or end a cue (srtText).
func SRT(d Doc) ([]byte, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	d = d.printable()
	var b bytes.Buffer
	for i, c := range cues(timeSentences(d.Map), srtLayout(), "") {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(strconv.Itoa(i + 1))
		b.WriteByte('\n')
		b.WriteString(clock(millis(c.Start), ','))
		b.WriteString(" --> ")
		b.WriteString(clock(millis(c.End), ','))
		b.WriteByte('\n')
		for _, l := range c.Lines {
			if l = strings.TrimSpace(oneLine(l)); l != "" { // an empty line would end the cue
				b.WriteString(srtText(l))
				b.WriteByte('\n')
			}
		}
	}
	return b.Bytes(), nil
}

// srtText makes a line of text unable to carry SubRip markup or end a cue:
// players render <font>, <b>, <i> and {\an8}-style tags, so a '<' that
// starts a tag becomes '‹' ("5 < 10" stays), "{\" is broken up, and
// "-->" becomes "->".
func srtText(l string) string {
	if !strings.ContainsAny(l, "<{>") {
		return l
	}
	var b strings.Builder
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case c == '<' && i+1 < len(l) && (isASCIILetter(l[i+1]) || l[i+1] == '/'):
			b.WriteString("‹")
		case c == '{' && i+1 < len(l) && l[i+1] == '\\':
			b.WriteString("{ ")
		default:
			b.WriteByte(c)
		}
	}
	return noArrow(b.String())
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// noArrow replaces "-->", which ends a cue's timing, by "->".
func noArrow(s string) string {
	for strings.Contains(s, "-->") {
		s = strings.ReplaceAll(s, "-->", "->")
	}
	return s
}
