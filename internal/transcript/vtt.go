package transcript

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/readcast/readcast/internal/timing"
)

// VTT renders d as WebVTT captions: a NOTE naming the episode, then one cue
// per sentence (or per part of a long sentence), each in a voice span of the
// speaker. Chapters are not cues here: a browser shows every cue of a
// captions track as text, so they are in ChapterVTT, a track of their own.
func VTT(d Doc) ([]byte, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	d = d.printable()
	var b bytes.Buffer
	b.WriteString("WEBVTT\n\nNOTE\n")
	if t := noteText(d.Title); t != "" {
		b.WriteString(t + "\n")
	}
	if l := noteText(d.Language); l != "" {
		b.WriteString("Language: " + l + "\n")
	}
	switch d.Map.Method {
	case timing.MethodSynthesis:
		b.WriteString("Timing: exact, from the synthesized narration\n")
	case timing.MethodAligned:
		b.WriteString("Timing: found by aligning the recording with the text\n")
	}
	speaker := d.speaker()
	for _, c := range cues(timeSentences(d.Map), vttLayout(speaker), speaker) {
		b.WriteByte('\n')
		writeVTTCue(&b, c)
	}
	return b.Bytes(), nil
}

// ChapterVTT renders d's chapters as a WebVTT chapters track, for
// <track kind="chapters"> in a browser player: one cue per chapter, its ID
// "chapter-N", its text the title.
func ChapterVTT(d Doc) ([]byte, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	d = d.printable()
	var b bytes.Buffer
	b.WriteString("WEBVTT\n")
	for i, ch := range d.Chapters {
		b.WriteByte('\n')
		writeVTTCue(&b, Cue{ID: "chapter-" + strconv.Itoa(i+1), Start: ch.Start, End: ch.End, Lines: []string{ch.Title}})
	}
	return b.Bytes(), nil
}

func writeVTTCue(b *bytes.Buffer, c Cue) {
	if id := cueID(c.ID); id != "" {
		b.WriteString(id)
		b.WriteByte('\n')
	}
	b.WriteString(clock(millis(c.Start), '.'))
	b.WriteString(" --> ")
	b.WriteString(clock(millis(c.End), '.'))
	b.WriteByte('\n')
	first := true
	for _, l := range c.Lines {
		if l = strings.TrimSpace(oneLine(l)); l == "" {
			continue // an empty line would end the cue
		}
		if first && c.Voice != "" {
			b.WriteString(voiceTag(c.Voice))
		}
		first = false
		b.WriteString(escapeCueText(l))
		b.WriteByte('\n')
	}
}

// voiceTag is the opening voice span of speaker.
func voiceTag(speaker string) string { return "<v " + escapeCueText(oneLine(speaker)) + ">" }

// escapeCueText escapes the characters WebVTT cue text reserves. Escaping
// '>' also keeps "-->" out of cue text, where it would end the cue.
var escapeCueText = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

// oneLine replaces line breaks, which would end a cue or block early, by spaces.
var oneLine = strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace

// noteText makes s safe inside a NOTE block: one line, no "-->".
func noteText(s string) string {
	return noArrow(strings.TrimSpace(oneLine(s)))
}

// cueID makes id a valid WebVTT cue identifier: one line without "-->".
func cueID(id string) string {
	id = strings.TrimSpace(oneLine(id))
	for strings.Contains(id, "-->") {
		id = strings.ReplaceAll(id, "-->", "--_")
	}
	return id
}
