package transcript

import (
	"bytes"
	"strconv"
	"strings"
)

// SRT renders d as SubRip captions: the same sentences as VTT, cut for SRT's
// shorter lines (MaxSRTLine, at most MaxCueLines a cue) and numbered from 1.
// SubRip has no escapes and no standard speaker mark, so the text is written
// as it is and the speaker is left out.
func SRT(d Doc) ([]byte, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
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
				b.WriteString(l)
				b.WriteByte('\n')
			}
		}
	}
	return b.Bytes(), nil
}
