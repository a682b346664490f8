package check

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/readcast/readcast/feed"
	"github.com/readcast/readcast/internal/transcript"
)

// spanSlack is how long before the end of the audio a timed transcript's
// last cue may end: the narration may close on a few seconds of silence.
const spanSlack = 5.0

// clock is the length of an episode's audio as check knows it: from the
// MP3 itself, or failing that from itunes:duration.
type clock struct {
	seconds float64
	known   bool
	// slack is how far past the end a cue may end before it is an error:
	// rounding of itunes:duration, or of cue times to the millisecond.
	slack float64
	from  string // "the MP3" or "itunes:duration"
}

// cue is a timed piece of a transcript, in seconds.
type cue struct{ start, end float64 }

// checkTranscript checks one podcast:transcript: its answer, its
// Content-Type, that it parses, and that a timed one spans the audio.
func checkTranscript(f *findings, t transcriptLink, resp *response, c clock) {
	u := t.url.value
	if resp.status != http.StatusOK {
		f.fail(u, "transcript GET answered %s, want 200 OK", status(resp.status))
		return
	}
	if resp.truncated {
		f.fail(u, "transcript is over %d MB", maxText>>20)
		return
	}
	declared := t.typ.value
	if got := mediaType(resp.header.Get("Content-Type")); got != strings.ToLower(declared) {
		f.fail(u, "transcript Content-Type is %q, but podcast:transcript declares %q", got, declared)
	}
	corsWarning(f, u, "transcript", resp)
	var cues []cue
	var err error
	switch declared {
	case feed.TypeVTT:
		var cs []transcript.Cue
		if cs, err = transcript.ParseVTT(resp.body); err == nil {
			for _, c := range cs {
				cues = append(cues, cue{c.Start, c.End})
			}
		}
	case feed.TypeSRT, "application/srt":
		var cs []transcript.Cue
		if cs, err = transcript.ParseSRT(resp.body); err == nil {
			for _, c := range cs {
				cues = append(cues, cue{c.Start, c.End})
			}
		}
	case feed.TypeJSON:
		var ss []transcript.Segment
		if ss, err = transcript.ParseJSON(resp.body); err == nil {
			for _, s := range ss {
				cues = append(cues, cue{s.Start, s.End})
			}
		}
	case feed.TypeHTML:
		err = checkHTML(resp.body)
	case feed.TypeText:
		if len(bytes.TrimSpace(resp.body)) == 0 {
			f.fail(u, "the %s transcript is empty", declared)
		}
		return
	default:
		return // the feed check has said the type is unknown
	}
	if err != nil {
		f.fail(u, "the %s transcript does not parse: %s", declared, strings.TrimPrefix(err.Error(), "transcript: "))
		return
	}
	if timedTypes[declared] {
		checkSpan(f, u, declared, cues, c)
	}
}

// checkSpan checks that timed cues are in order and span the audio: none
// ends after it, and the last ends within spanSlack of its end.
func checkSpan(f *findings, u, typ string, cues []cue, c clock) {
	if len(cues) == 0 {
		f.fail(u, "the %s transcript has no cues", typ)
		return
	}
	last := 0.0
	for i, k := range cues {
		if i > 0 && k.start < cues[i-1].start {
			f.fail(u, "the %s transcript's cue %d starts at %.3f s, before cue %d at %.3f s", typ, i+1, k.start, i, cues[i-1].start)
			return
		}
		last = max(last, k.end)
	}
	if !c.known {
		return
	}
	for i, k := range cues {
		if k.end > c.seconds+c.slack {
			f.fail(u, "the %s transcript's cue %d ends at %.3f s, after the audio ends (%.3f s by %s)", typ, i+1, k.end, c.seconds, c.from)
			return
		}
	}
	if last < c.seconds-spanSlack {
		f.fail(u, "the %s transcript's last cue ends at %.3f s, %.1f s before the audio ends (%.3f s by %s); it does not span the audio",
			typ, last, c.seconds-last, c.seconds, c.from)
	}
}

// voidElements have no end tag in HTML.
var voidElements = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true,
}

// optionalEnd are elements whose end tag HTML lets an author leave out.
var optionalEnd = map[string]bool{
	"html": true, "head": true, "body": true, "p": true, "li": true, "dt": true, "dd": true,
	"option": true, "optgroup": true, "tr": true, "td": true, "th": true, "thead": true,
	"tbody": true, "tfoot": true, "colgroup": true, "rt": true, "rp": true,
}

// checkHTML checks that an HTML transcript is well-formed enough for any
// reader: it tokenizes, every element that needs an end tag has one in the
// right place, and it has a body with text.
func checkHTML(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	type open struct {
		name string
		line int
	}
	var stack []open
	body, text := false, false
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("html: %w", err)
		}
		line, _ := d.InputPos()
		switch t := tok.(type) {
		case xml.StartElement:
			name := strings.ToLower(t.Name.Local)
			if name == "body" {
				body = true
			}
			if !voidElements[name] {
				if len(stack) >= maxDepth {
					return fmt.Errorf("html: line %d: elements nested more than %d deep", line, maxDepth)
				}
				stack = append(stack, open{name, line})
			}
		case xml.EndElement:
			name := strings.ToLower(t.Name.Local)
			if voidElements[name] {
				continue
			}
			i := len(stack) - 1
			for i >= 0 && stack[i].name != name {
				i--
			}
			if i < 0 {
				return fmt.Errorf("html: line %d: </%s> closes no open element", line, name)
			}
			for _, o := range stack[i+1:] {
				if !optionalEnd[o.name] {
					return fmt.Errorf("html: line %d: </%s> closes <%s> (line %d) before its <%s> (line %d) is closed", line, name, name, stack[i].line, o.name, o.line)
				}
			}
			stack = stack[:i]
		case xml.CharData:
			if len(stack) > 0 && len(bytes.TrimSpace(t)) > 0 {
				text = true
			}
		}
	}
	for _, o := range stack {
		if !optionalEnd[o.name] {
			return fmt.Errorf("html: <%s> (line %d) is never closed", o.name, o.line)
		}
	}
	switch {
	case !body:
		return fmt.Errorf("html: no <body>")
	case !text:
		return fmt.Errorf("html: no text")
	}
	return nil
}

// corsWarning warns when a file other sites' players fetch from scripts
// has no Access-Control-Allow-Origin.
func corsWarning(f *findings, u, what string, resp *response) {
	if resp.header.Get("Access-Control-Allow-Origin") == "" {
		f.warn(u, "%s has no Access-Control-Allow-Origin header; web players on other sites cannot load it", what)
	}
}
